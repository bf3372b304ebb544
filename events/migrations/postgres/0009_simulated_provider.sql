-- The simulated payment provider's own records: what it charged, refunded,
-- transferred, reversed and paid out, one row per idempotency key. This is
-- the provider's side of the books (kept by the provider, not by salle's
-- log), so that it survives restarts, is shared by several processes and can
-- be reconciled with the ledger like Stripe's records.
CREATE TABLE simulated_provider_objects (
    idempotency_key TEXT PRIMARY KEY,
    kind            TEXT NOT NULL CHECK (kind IN ('checkout', 'charge', 'refund', 'transfer', 'reversal', 'payout')),
    object_id       TEXT NOT NULL,
    amount_cents    BIGINT NOT NULL,
    booking_id      UUID,
    account         TEXT,
    parent          TEXT,
    fingerprint     TEXT NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX simulated_provider_objects_created ON simulated_provider_objects (created_at);
