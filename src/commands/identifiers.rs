//! One account per association: the SQL of `association_identifiers`, where
//! an association's RNA or SIREN is claimed in the transaction that
//! registers it (see `registry::register_association`).

use salle_events::sql::{Args, execute};
use salle_events::{StoreError, StoreTx};
use uuid::Uuid;

/// Claims `key` (see [`crate::domain::association::registry_key`]) for the
/// association; false when another association holds it already.
pub async fn claim(tx: &mut StoreTx, key: &str, association_id: Uuid) -> Result<bool, StoreError> {
    let claimed = execute(
        tx,
        "INSERT INTO association_identifiers (identifier, association_id) VALUES ($1, $2) \
         ON CONFLICT (identifier) DO NOTHING",
        Args::new().text(key.to_owned()).text(association_id.to_string()),
    )
    .await
    .map_err(|source| StoreError::Database { doing: "claiming the association's identifier", source })?;
    Ok(claimed == 1)
}

/// Whether an association holds `key` already (a sign-up is told at once,
/// before its address is confirmed: who is registered is public).
pub async fn is_claimed(store: &salle_events::Store, key: &str) -> Result<bool, sqlx::Error> {
    let holder: Option<String> = salle_events::sql::fetch_value(
        store,
        "SELECT association_id FROM association_identifiers WHERE identifier = $1",
        Args::new().text(key.to_owned()),
    )
    .await?;
    Ok(holder.is_some())
}
