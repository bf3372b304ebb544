-- Invitations of managers: an admin names the person and the establishment,
-- salle gives a link to send them; whoever opens it before it expires sets a
-- password and becomes that establishment's manager. Only the SHA-256 of the
-- link's token is kept. Personal data like `accounts`: erased with the row.
CREATE TABLE invitations (
    token_hash       TEXT PRIMARY KEY,
    email            TEXT NOT NULL,
    name             TEXT NOT NULL,
    establishment_id UUID NOT NULL,
    invited_by       UUID NOT NULL,
    created_at       TIMESTAMPTZ NOT NULL,
    expires_at       TIMESTAMPTZ NOT NULL,
    accepted_at      TIMESTAMPTZ
);
