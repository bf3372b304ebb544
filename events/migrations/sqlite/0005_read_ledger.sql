-- Read model of the `ledger` projection: the double-entry revenue ledger of
-- each establishment. Every transaction balances; every line cites the event
-- that caused it. The chart of accounts is in projections/src/ledger.rs.
CREATE TABLE read_ledger_lines (
    event_id         BLOB NOT NULL,
    line_no          INTEGER NOT NULL,
    global_position  INTEGER NOT NULL,
    establishment_id BLOB NOT NULL,
    booking_id       BLOB,
    at               TEXT NOT NULL,
    account          TEXT NOT NULL,
    debit_cents      INTEGER NOT NULL,
    credit_cents     INTEGER NOT NULL,
    PRIMARY KEY (event_id, line_no)
);

CREATE INDEX read_ledger_lines_by_establishment ON read_ledger_lines (establishment_id, at);

-- Which establishment owns each room, and what each booking was paid, as
-- the ledger needs them from earlier events.
CREATE TABLE read_ledger_rooms (
    room_id          BLOB PRIMARY KEY,
    establishment_id BLOB NOT NULL
);

CREATE TABLE read_ledger_bookings (
    booking_id  BLOB PRIMARY KEY,
    paid_cents  INTEGER NOT NULL
);
