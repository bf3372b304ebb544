-- The conversation about each booking, kept by the `bookings` projection
-- from `MessagePosted` events. The words are not here: `text_id` points to
-- the erasable `free_texts` store, as the event does.
CREATE TABLE read_booking_messages (
    message_id  UUID PRIMARY KEY,
    booking_id  UUID NOT NULL,
    author_role TEXT NOT NULL,
    author_id   UUID NOT NULL,
    text_id     UUID,
    posted_at   TIMESTAMPTZ NOT NULL
);

CREATE INDEX read_booking_messages_by_booking ON read_booking_messages (booking_id, posted_at);
CREATE INDEX read_bookings_by_series ON read_bookings (series_id) WHERE series_id IS NOT NULL;
