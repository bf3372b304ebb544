//! The public collèges of Isère shipped in `data/isere/colleges.csv`, and
//! registering those not registered yet (an admin's import, and the demo).
//! Their ids derive from their UAI, so importing twice changes nothing.

use anyhow::Context;
use chrono::{DateTime, Utc};
use salle_events::Metadata;
use salle_events::catalog::establishment::EstablishmentKind;
use serde::Deserialize;
use uuid::Uuid;

use crate::commands::Commands;
use crate::domain::establishment::{EstablishmentCommand, RegisterEstablishment};

/// The namespace of every id the demo derives.
const NAMESPACE: Uuid = Uuid::from_u128(0x5a11_e0de_3000_4000_8000_0000_0000_0038);

const COLLEGES_CSV: &str = include_str!("../../data/isere/colleges.csv");

/// One row of `data/isere/colleges.csv` (the columns the demo uses).
#[derive(Debug, Deserialize)]
pub struct College {
    pub uai: String,
    pub name: String,
    pub commune: String,
    pub address: String,
    pub lat: f64,
    pub lon: f64,
    pub insee: String,
}

/// The 97 public collèges of Isère, as shipped.
pub fn colleges() -> anyhow::Result<Vec<College>> {
    let mut reader = csv::Reader::from_reader(COLLEGES_CSV.as_bytes());
    reader
        .deserialize()
        .enumerate()
        .map(|(i, row)| row.with_context(|| format!("data/isere/colleges.csv, row {}", i + 2)))
        .collect()
}

impl College {
    /// The registration of this collège as an establishment.
    pub fn registration(&self, now: DateTime<Utc>) -> RegisterEstablishment {
        RegisterEstablishment {
            establishment_id: id("college", &self.uai),
            name: self.name.clone(),
            kind: EstablishmentKind::College,
            uai: Some(self.uai.clone()),
            address: format!("{}, {}", self.address, self.commune),
            commune_insee: self.insee.clone(),
            lat: self.lat,
            lon: self.lon,
            legal_basis: None,
            now,
        }
    }
}

/// Registers the shipped collèges that are not registered yet (their ids
/// derive from their UAI), without payout accounts: each manager sets theirs
/// up. Returns how many were new, and where the last one sits in the log.
pub async fn import_colleges(
    commands: &Commands,
    meta: &Metadata,
    now: DateTime<Utc>,
) -> anyhow::Result<(usize, Option<salle_events::LogPosition>)> {
    let (mut new, mut last) = (0, None);
    for college in colleges()? {
        if let Some(position) = register_if_new(commands, meta, college.registration(now)).await? {
            last = Some(position);
            new += 1;
        }
    }
    Ok((new, last))
}

/// Registers an establishment unless it exists; where its registration sits
/// in the log when it was new.
pub(crate) async fn register_if_new(
    commands: &Commands,
    meta: &Metadata,
    registration: RegisterEstablishment,
) -> anyhow::Result<Option<salle_events::LogPosition>> {
    let establishment_id = registration.establishment_id;
    if commands.establishment(establishment_id).await?.id.is_some() {
        return Ok(None);
    }
    let name = registration.name.clone();
    let executed = commands
        .on_establishment(establishment_id, EstablishmentCommand::Register(registration), meta)
        .await
        .with_context(|| format!("registering {name} ({establishment_id})"))?;
    Ok(Some(executed.append.log_position))
}

/// An id derived from shipped data (`kind`: `college`, `room`…; `key`: a UAI, a name).
pub fn id(kind: &str, key: &str) -> Uuid {
    Uuid::new_v5(&NAMESPACE, format!("{kind}:{key}").as_bytes())
}
