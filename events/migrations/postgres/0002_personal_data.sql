-- People's names, e-mail addresses and phone numbers, kept out of the event
-- log so that they can be erased (RGPD) while every event and total stays.
CREATE TABLE personal_data (
    person_id  UUID PRIMARY KEY,
    name       TEXT,
    email      TEXT,
    phone      TEXT,
    created_at TIMESTAMPTZ NOT NULL,
    erased_at  TIMESTAMPTZ
);
