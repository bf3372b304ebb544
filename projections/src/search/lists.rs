//! What the managers' and admins' pages list from the index: an
//! establishment's rooms, the establishments, the associations, the tariff
//! grids in force.

use chrono::{DateTime, Utc};
use salle_domain::pricing::TariffVersion;
use salle_events::catalog::association::{LegalIdentifier, RequesterCategory};
use salle_events::catalog::room::RoomKind;
use std::collections::BTreeSet;
use uuid::Uuid;

use super::*;

/// An association as the admins' list shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedAssociation {
    pub association_id: Uuid,
    pub name: String,
    pub category: RequesterCategory,
    pub identifier: LegalIdentifier,
    pub verified: bool,
    pub registered_at: DateTime<Utc>,
}

/// A room as its establishment's management page lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedRoom {
    pub room_id: Uuid,
    pub name: String,
    pub kind: RoomKind,
    pub capacity: u32,
    pub withdrawn: bool,
}

/// An establishment as the establishments' list shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedEstablishment {
    pub establishment_id: Uuid,
    pub name: String,
    pub commune_insee: String,
    pub active: bool,
    pub rooms: usize,
}

impl SearchIndex {
    /// An establishment's rooms, by name (withdrawn ones included).
    pub fn rooms_of(&self, establishment_id: Uuid) -> Vec<ListedRoom> {
        let mut rooms: Vec<ListedRoom> = self
            .rooms_by_establishment
            .get(&establishment_id)
            .into_iter()
            .flatten()
            .filter_map(|id| Some((id, self.rooms.get(id)?)))
            .map(|(id, r)| ListedRoom {
                room_id: *id,
                name: r.details.name.clone(),
                kind: r.details.kind,
                capacity: r.details.capacity,
                withdrawn: r.withdrawn,
            })
            .collect();
        rooms.sort_by(|a, b| (&a.name, a.room_id).cmp(&(&b.name, b.room_id)));
        rooms
    }

    /// Every establishment (or those of `only`), by name.
    pub fn establishment_list(&self, only: Option<&[Uuid]>) -> Vec<ListedEstablishment> {
        let mut list: Vec<ListedEstablishment> = self
            .establishments
            .iter()
            .filter(|(id, _)| only.is_none_or(|o| o.contains(id)))
            .map(|(id, e)| ListedEstablishment {
                establishment_id: *id,
                name: e.name.clone(),
                commune_insee: e.commune_insee.clone(),
                active: e.active,
                rooms: self.rooms_by_establishment.get(id).map_or(0, BTreeSet::len),
            })
            .collect();
        list.sort_by(|a, b| (&a.name, a.establishment_id).cmp(&(&b.name, b.establishment_id)));
        list
    }

    /// The associations, those awaiting verification first, then by name.
    pub fn association_list(&self) -> Vec<ListedAssociation> {
        let mut list: Vec<ListedAssociation> = self.associations.values().cloned().collect();
        list.sort_by(|a, b| {
            (a.verified, &a.name, a.association_id).cmp(&(b.verified, &b.name, b.association_id))
        });
        list
    }

    /// The tariff grid in force for an establishment (`None`: the département's).
    pub fn tariff(&self, owner: Option<Uuid>) -> Option<&TariffVersion> {
        self.tariffs.get(&owner)
    }
}
