-- The event log: one append-only table.
--
-- A sequence value is taken at insert, not at commit, so positions of
-- concurrent transactions commit out of order. Readers therefore follow
-- (transaction_id, global_position) and only read transactions older than the
-- oldest one still running (pg_snapshot_xmin), which is gap-free.
--
-- Payloads are `json`, not `jsonb`: the log keeps the exact bytes it was
-- given (what an integrity hash is computed over), is never queried inside a
-- payload, and reads without a jsonb-to-text conversion per row.
CREATE TABLE events (
    global_position BIGINT      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    transaction_id  xid8        NOT NULL DEFAULT pg_current_xact_id(),
    stream_id       TEXT        NOT NULL,
    stream_version  BIGINT      NOT NULL CHECK (stream_version >= 1),
    event_id        UUID        NOT NULL,
    event_type      TEXT        NOT NULL,
    schema_version  INTEGER     NOT NULL CHECK (schema_version >= 1),
    payload         JSON        NOT NULL,
    metadata        JSON        NOT NULL,
    recorded_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT events_event_id_key UNIQUE (event_id),
    CONSTRAINT events_stream_version_key UNIQUE (stream_id, stream_version)
);

CREATE INDEX events_log_order ON events (transaction_id, global_position);

CREATE FUNCTION events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the event log is append-only';
END;
$$;

CREATE TRIGGER events_are_never_changed BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION events_append_only();

CREATE TRIGGER events_are_never_truncated BEFORE TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION events_append_only();

-- Where each named subscriber stands in the log; written in the same
-- transaction as the subscriber's own rows.
CREATE TABLE subscription_checkpoints (
    name            TEXT        PRIMARY KEY,
    transaction_id  BIGINT      NOT NULL,
    global_position BIGINT      NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL
);
