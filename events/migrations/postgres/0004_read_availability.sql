-- Read model of the `availability` projection: each room's opening rules,
-- closures and what occupies it, from which calendars of free, held and
-- booked intervals are computed for any date range.
CREATE TABLE read_room_schedule (
    room_id          UUID PRIMARY KEY,
    establishment_id UUID NOT NULL,
    opening          TEXT NOT NULL,
    buffer_minutes   BIGINT NOT NULL,
    withdrawn        BIGINT NOT NULL
);

CREATE TABLE read_room_blackouts (
    blackout_id UUID PRIMARY KEY,
    room_id     UUID NOT NULL,
    first_day   TEXT NOT NULL,
    last_day    TEXT NOT NULL,
    reason      TEXT NOT NULL
);

CREATE INDEX read_room_blackouts_by_room ON read_room_blackouts (room_id, first_day);

-- status: 'held' (a request awaiting its decision) or 'booked' (approved,
-- paid, done, or an internal block of the establishment).
CREATE TABLE read_room_occupancy (
    item_id  UUID PRIMARY KEY,
    room_id  UUID NOT NULL,
    status   TEXT NOT NULL,
    start_at TIMESTAMPTZ NOT NULL,
    end_at   TIMESTAMPTZ NOT NULL
);

CREATE INDEX read_room_occupancy_by_room ON read_room_occupancy (room_id, start_at);
