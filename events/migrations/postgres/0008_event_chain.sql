-- The tamper-evident chain over the log (events/src/audit.rs): one link per
-- event, in log order, each hash covering the event's stored bytes and the
-- previous link. Written just after the append by the sealer; like the log,
-- never changed afterwards.
CREATE TABLE event_chain (
    seq             BIGINT PRIMARY KEY CHECK (seq >= 1),
    global_position BIGINT NOT NULL UNIQUE,
    transaction_id  BIGINT NOT NULL,
    event_id        UUID   NOT NULL UNIQUE,
    hash            TEXT   NOT NULL CHECK (length(hash) = 64)
);

CREATE TRIGGER event_chain_is_never_changed BEFORE UPDATE OR DELETE ON event_chain
    FOR EACH ROW EXECUTE FUNCTION events_append_only();

CREATE TRIGGER event_chain_is_never_truncated BEFORE TRUNCATE ON event_chain
    FOR EACH STATEMENT EXECUTE FUNCTION events_append_only();
