//! Idempotent append: a batch whose event ids are already stored is answered
//! with what was stored, so a retried command never writes twice.

use crate::envelope::{AppendResult, LogPosition, NewEvent, StreamId};
use crate::error::StoreError;

/// `stored` holds `(global_position, stream_id, stream_version, transaction_id)` for the ids of
/// `events` found in the log, in the batch's order. They must be the whole batch,
/// on the same stream, at consecutive versions; anything else is a reused id.
pub(crate) fn stored_result(
    stream: &StreamId,
    events: &[NewEvent],
    stored: &[(i64, String, i64, i64)],
) -> Result<AppendResult, StoreError> {
    let ids = || events.iter().map(|e| e.event_id).collect::<Vec<_>>();
    let same_batch = stored.len() == events.len()
        && stored.iter().all(|(_, s, _, _)| s == stream.as_str())
        && stored.windows(2).all(|w| w[1].2 == w[0].2 + 1);
    if !same_batch {
        return Err(StoreError::IdempotencyMismatch(ids()));
    }
    let (last_position, _, last_version, transaction_id) = stored.last().cloned().unwrap_or_default();
    Ok(AppendResult {
        positions: stored.iter().map(|(p, _, _, _)| *p).collect(),
        log_position: LogPosition { transaction_id, global_position: last_position },
        next_version: last_version as u64,
    })
}
