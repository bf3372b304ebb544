-- The tamper-evident chain over the log (events/src/audit.rs): one link per
-- event, in log order, each hash covering the event's stored bytes and the
-- previous link. Written just after the append by the sealer; like the log,
-- never changed afterwards.
CREATE TABLE event_chain (
    seq             INTEGER PRIMARY KEY CHECK (seq >= 1),
    global_position INTEGER NOT NULL UNIQUE,
    transaction_id  INTEGER NOT NULL,
    event_id        BLOB    NOT NULL UNIQUE,
    hash            TEXT    NOT NULL CHECK (length(hash) = 64)
);

CREATE TRIGGER event_chain_is_never_updated BEFORE UPDATE ON event_chain
BEGIN
    SELECT RAISE(ABORT, 'the event chain is append-only');
END;

CREATE TRIGGER event_chain_is_never_deleted BEFORE DELETE ON event_chain
BEGIN
    SELECT RAISE(ABORT, 'the event chain is append-only');
END;
