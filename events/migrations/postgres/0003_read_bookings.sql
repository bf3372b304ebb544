-- Read model of the `bookings` projection: one row per booking, for lists
-- and look-ups by id. Rebuilt from the log by `salle projections rebuild`.
CREATE TABLE read_rooms (
    room_id          UUID PRIMARY KEY,
    establishment_id UUID NOT NULL,
    name             TEXT NOT NULL
);

CREATE TABLE read_bookings (
    booking_id       UUID PRIMARY KEY,
    room_id          UUID NOT NULL,
    establishment_id UUID NOT NULL,
    association_id   UUID NOT NULL,
    series_id        UUID,
    status           TEXT NOT NULL,
    start_at         TIMESTAMPTZ NOT NULL,
    end_at           TIMESTAMPTZ NOT NULL,
    price_cents      BIGINT NOT NULL,
    currency         TEXT NOT NULL,
    refund_cents     BIGINT,
    updated_at       TIMESTAMPTZ NOT NULL
);

CREATE INDEX read_bookings_by_association ON read_bookings (association_id, start_at);
CREATE INDEX read_bookings_by_establishment ON read_bookings (establishment_id, status, start_at);
