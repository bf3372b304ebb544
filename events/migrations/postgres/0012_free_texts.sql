-- What people write — a booking's purpose, the reason of a refusal, a
-- cancellation, a refund, a withdrawn verification — kept out of the event
-- log, which holds only the text's id, so that erasing an association's
-- words (RGPD) leaves every event, its hash and every total unchanged.
-- Written in the transaction of the event that refers to it.
CREATE TABLE free_texts (
    text_id    UUID PRIMARY KEY,
    -- Whose words: the association.
    owner_id   UUID NOT NULL,
    body       TEXT,
    created_at TIMESTAMPTZ NOT NULL,
    erased_at  TIMESTAMPTZ
);

CREATE INDEX free_texts_by_owner ON free_texts (owner_id);
