-- Read model of the `bookings` projection: one row per booking, for lists
-- and look-ups by id. Rebuilt from the log by `salle projections rebuild`.
CREATE TABLE read_rooms (
    room_id          BLOB PRIMARY KEY,
    establishment_id BLOB NOT NULL,
    name             TEXT NOT NULL
);

CREATE TABLE read_bookings (
    booking_id       BLOB PRIMARY KEY,
    room_id          BLOB NOT NULL,
    establishment_id BLOB NOT NULL,
    association_id   BLOB NOT NULL,
    series_id        BLOB,
    status           TEXT NOT NULL,
    start_at         TEXT NOT NULL,
    end_at           TEXT NOT NULL,
    price_cents      INTEGER NOT NULL,
    currency         TEXT NOT NULL,
    refund_cents     INTEGER,
    updated_at       TEXT NOT NULL
);

CREATE INDEX read_bookings_by_association ON read_bookings (association_id, start_at);
CREATE INDEX read_bookings_by_establishment ON read_bookings (establishment_id, status, start_at);
