-- Who can sign in. Kept out of the log like the contacts of 0002: e-mail
-- addresses and names are personal data, erased by deleting the row; the
-- events only ever carry the user's id.
CREATE TABLE accounts (
    user_id        UUID PRIMARY KEY,
    email          TEXT NOT NULL UNIQUE,
    password_hash  TEXT NOT NULL,
    role           TEXT NOT NULL CHECK (role IN ('association', 'manager', 'finance', 'admin')),
    name           TEXT NOT NULL,
    association_id UUID,
    created_at     TIMESTAMPTZ NOT NULL
);

-- Which establishments a manager manages, as assigned (the establishment's
-- stream records the same assignment; this is its look-up by user).
CREATE TABLE account_establishments (
    user_id          UUID NOT NULL,
    establishment_id UUID NOT NULL,
    PRIMARY KEY (user_id, establishment_id)
);

-- Sign-ins: only the SHA-256 of each token is kept.
CREATE TABLE sessions (
    token_hash   TEXT PRIMARY KEY,
    user_id      UUID NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('api', 'web')),
    csrf_token   TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    last_seen_at TIMESTAMPTZ NOT NULL,
    expires_at   TIMESTAMPTZ NOT NULL
);

CREATE INDEX sessions_by_user ON sessions (user_id);
