-- What the payment process manager must try again later: a transfer to an
-- establishment that could not be paid yet, a transfer reversal its
-- connected account could not cover. Written in the same transaction as the
-- process manager's checkpoint.
CREATE TABLE payment_followups (
    cause_event_id BLOB NOT NULL,
    kind           TEXT NOT NULL,
    booking_id     BLOB NOT NULL,
    amount_cents   INTEGER NOT NULL,
    attempts       INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (cause_event_id, kind)
);

-- Which establishment each paid booking belongs to, for the ledger lines of
-- its payment stream.
CREATE TABLE read_ledger_payments (
    booking_id       BLOB PRIMARY KEY,
    establishment_id BLOB NOT NULL
);
