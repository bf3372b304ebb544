-- Read model of the `ledger` projection: the double-entry revenue ledger of
-- each establishment. Every transaction balances; every line cites the event
-- that caused it. The chart of accounts is in projections/src/ledger.rs.
CREATE TABLE read_ledger_lines (
    event_id         UUID NOT NULL,
    line_no          BIGINT NOT NULL,
    global_position  BIGINT NOT NULL,
    establishment_id UUID NOT NULL,
    booking_id       UUID,
    at               TIMESTAMPTZ NOT NULL,
    account          TEXT NOT NULL,
    debit_cents      BIGINT NOT NULL,
    credit_cents     BIGINT NOT NULL,
    PRIMARY KEY (event_id, line_no)
);

CREATE INDEX read_ledger_lines_by_establishment ON read_ledger_lines (establishment_id, at);

-- Which establishment owns each room, and what each booking was paid, as
-- the ledger needs them from earlier events.
CREATE TABLE read_ledger_rooms (
    room_id          UUID PRIMARY KEY,
    establishment_id UUID NOT NULL
);

CREATE TABLE read_ledger_bookings (
    booking_id  UUID PRIMARY KEY,
    paid_cents  BIGINT NOT NULL
);
