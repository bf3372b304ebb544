-- E-mail. Every message salle sends is written here before it is sent, in
-- the transaction of what caused it (the mail process's checkpoint, or the
-- sign-up, reset or invitation that asks for it), keyed by that cause and
-- its recipient: a crash neither loses a message nor sends it twice, and a
-- temporary failure is tried again later. Personal data (addresses, names,
-- what people wrote): a recipient's rows go with their account.
CREATE TABLE mail_outbox (
    message_key     TEXT PRIMARY KEY,
    user_id         BLOB,
    recipient       TEXT NOT NULL,
    notice          TEXT NOT NULL,
    message         TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    last_error      TEXT,
    created_at      TEXT NOT NULL,
    sent_at         TEXT
);

CREATE INDEX mail_outbox_due ON mail_outbox (status, next_attempt_at);
CREATE INDEX mail_outbox_by_user ON mail_outbox (user_id);

-- What each account reads its messages in, and the notices it turned off
-- (codes separated by commas; the security ones cannot be).
ALTER TABLE accounts ADD COLUMN lang TEXT NOT NULL DEFAULT 'fr';
ALTER TABLE accounts ADD COLUMN muted_notices TEXT NOT NULL DEFAULT '';

-- A sign-up waits here until its address is confirmed: nothing reaches the
-- log or the accounts before the link of the e-mail is followed, so an
-- address never answers whether it has an account, and an RNA is never
-- held by somebody who cannot read the mail. Only the SHA-256 of the
-- link's token is kept; the row goes once confirmed or expired.
CREATE TABLE pending_sign_ups (
    token_hash     TEXT PRIMARY KEY,
    association_id BLOB NOT NULL,
    email          TEXT NOT NULL,
    details        TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    expires_at     TEXT NOT NULL
);

-- Single-use links for a new password: only their SHA-256, an expiry, and
-- when one was used.
CREATE TABLE password_resets (
    token_hash TEXT PRIMARY KEY,
    user_id    BLOB NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at    TEXT
);

CREATE INDEX password_resets_by_user ON password_resets (user_id);
