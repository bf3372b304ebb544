-- Who can sign in. Kept out of the log like the contacts of 0002: e-mail
-- addresses and names are personal data, erased by deleting the row; the
-- events only ever carry the user's id.
CREATE TABLE accounts (
    user_id        BLOB PRIMARY KEY,
    email          TEXT NOT NULL UNIQUE,
    password_hash  TEXT NOT NULL,
    role           TEXT NOT NULL CHECK (role IN ('association', 'manager', 'finance', 'admin')),
    name           TEXT NOT NULL,
    association_id BLOB,
    created_at     TEXT NOT NULL
);

-- Which establishments a manager manages, as assigned (the establishment's
-- stream records the same assignment; this is its look-up by user).
CREATE TABLE account_establishments (
    user_id          BLOB NOT NULL,
    establishment_id BLOB NOT NULL,
    PRIMARY KEY (user_id, establishment_id)
);

-- Sign-ins: only the SHA-256 of each token is kept.
CREATE TABLE sessions (
    token_hash   TEXT PRIMARY KEY,
    user_id      BLOB NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('api', 'web')),
    csrf_token   TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    expires_at   TEXT NOT NULL
);

CREATE INDEX sessions_by_user ON sessions (user_id);
