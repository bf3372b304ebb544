-- Secret calendar links: an association's bookings, or those of the rooms
-- of the establishments a manager runs, for their own calendar program.
-- The link's token is random (256 bits); only its SHA-256 is kept. A link
-- works until its owner revokes it; it goes with the account.
CREATE TABLE calendar_feeds (
    feed_id    BLOB PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    user_id    BLOB NOT NULL,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);

CREATE INDEX calendar_feeds_by_user ON calendar_feeds (user_id);
