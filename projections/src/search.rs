//! Search: an in-memory index of every room, built from the log at start and
//! kept current by following it, answering "free near Voiron on Tuesday
//! 18:00–20:00 for 30 people with a projector" without touching the database.
//!
//! Results are sorted by distance, then price, then name; each carries its
//! distance (haversine, from the `geo` crate), the price the tariff gives for
//! the window and the free intervals of the window's day.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use geo::{Distance, Haversine, Point};
use salle_events::calendar::Calendar;
use salle_events::catalog::association::{AssociationEvent, LegalIdentifier, RequesterCategory};
use salle_events::catalog::establishment::EstablishmentEvent;
use salle_events::catalog::room::{Equipment, OpeningRules, RoomDetails, RoomEvent, RoomKind};
use salle_events::catalog::tariff::TariffEvent;
use salle_events::catalog::{Money, category};
use salle_events::opening::{Blackout, check_slot};
use salle_events::pricing::{TariffVersion, price};
use salle_events::time::Slot;
use salle_events::{DomainEvent, LogPosition, RecordedEvent};
use serde::Serialize;
use uuid::Uuid;

use crate::availability::{Interval, Occupied, Status, calendar_of};

/// Most results a page holds.
pub const PAGE_SIZE: usize = 20;
/// Largest radius searched.
pub const MAX_RADIUS_KM: f64 = 200.0;

#[derive(Debug, Clone)]
struct EstablishmentEntry {
    name: String,
    commune_insee: String,
    point: Point<f64>,
    active: bool,
}

#[derive(Debug, Clone)]
struct RoomEntry {
    establishment_id: Uuid,
    details: RoomDetails,
    opening: OpeningRules,
    buffer_minutes: u32,
    blackouts: BTreeMap<Uuid, Blackout>,
    occupied: BTreeMap<Uuid, Occupied>,
    withdrawn: bool,
}

/// What a person searches for.
#[derive(Debug, Clone)]
pub struct SearchQuery {
    /// Latitude, longitude of the place searched around.
    pub lat: f64,
    pub lon: f64,
    pub radius_km: f64,
    /// The slot that must be free, if any.
    pub window: Option<Slot>,
    pub capacity: Option<u32>,
    pub kind: Option<RoomKind>,
    pub equipment: Vec<Equipment>,
    pub step_free: bool,
    /// Only rooms whose price for the window is at most this.
    pub max_price_cents: Option<i64>,
    /// Whose price is shown (tariffs differ by category).
    pub category: RequesterCategory,
    /// From 1.
    pub page: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SearchHit {
    pub room_id: Uuid,
    pub room_name: String,
    pub kind: RoomKind,
    pub capacity: u32,
    pub equipment: Vec<Equipment>,
    pub step_free: bool,
    pub establishment_id: Uuid,
    pub establishment_name: String,
    pub commune_insee: String,
    pub distance_km: f64,
    /// The price of the window for the query's category, when a window is given.
    pub price: Option<Money>,
    /// The free intervals of the window's day, when a window is given.
    pub free: Vec<Interval>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SearchPage {
    pub results: Vec<SearchHit>,
    pub page: usize,
    pub total: usize,
}

#[derive(Debug, Clone, Default)]
pub struct SearchIndex {
    establishments: HashMap<Uuid, EstablishmentEntry>,
    rooms: HashMap<Uuid, RoomEntry>,
    /// Tariff grids by establishment; `None` is the département's default.
    tariffs: HashMap<Option<Uuid>, TariffVersion>,
    /// The associations, for the admins' verification list.
    associations: HashMap<Uuid, ListedAssociation>,
    position: LogPosition,
}

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

fn id_of(event: &RecordedEvent, prefix: &str) -> Option<Uuid> {
    event.stream_id.as_str().strip_prefix(prefix).and_then(|id| id.parse().ok())
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
    /// Where an establishment is: (latitude, longitude).
    pub fn establishment_point(&self, id: Uuid) -> Option<(f64, f64)> {
        self.establishments.get(&id).map(|e| (e.point.y(), e.point.x()))
    }

    /// An establishment's rooms, by name (withdrawn ones included).
    pub fn rooms_of(&self, establishment_id: Uuid) -> Vec<ListedRoom> {
        let mut rooms: Vec<ListedRoom> = self
            .rooms
            .iter()
            .filter(|(_, r)| r.establishment_id == establishment_id)
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
                rooms: self.rooms.values().filter(|r| r.establishment_id == *id).count(),
            })
            .collect();
        list.sort_by(|a, b| (&a.name, a.establishment_id).cmp(&(&b.name, b.establishment_id)));
        list
    }

    /// Where the index stands in the log.
    pub fn position(&self) -> LogPosition {
        self.position
    }

    pub fn rooms(&self) -> usize {
        self.rooms.len()
    }

    /// Applies one event of the log (events it does not know are skipped).
    pub fn apply(&mut self, recorded: &RecordedEvent) {
        self.position = recorded.log_position();
        let stream = recorded.stream_id.as_str();
        if stream.starts_with(category::ROOM) {
            if let (Some(room_id), Ok(event)) = (id_of(recorded, "room-"), RoomEvent::from_recorded(recorded))
            {
                self.apply_room(room_id, event);
            }
        } else if stream.starts_with(category::ESTABLISHMENT) {
            if let (Some(id), Ok(event)) =
                (id_of(recorded, "establishment-"), EstablishmentEvent::from_recorded(recorded))
            {
                self.apply_establishment(id, event);
            }
        } else if stream.starts_with(category::ASSOCIATION) {
            if let (Some(id), Ok(event)) =
                (id_of(recorded, "association-"), AssociationEvent::from_recorded(recorded))
            {
                self.apply_association(id, event);
            }
        } else if stream.starts_with(category::TARIFF)
            && let Ok(event) = TariffEvent::from_recorded(recorded)
        {
            let owner = id_of(recorded, "tariff-");
            self.tariffs.insert(owner, TariffVersion::from_event(&event));
        }
    }

    fn apply_association(&mut self, id: Uuid, event: AssociationEvent) {
        match event {
            AssociationEvent::AssociationRegistered { name, category, identifier, registered_at, .. } => {
                self.associations.insert(
                    id,
                    ListedAssociation {
                        association_id: id,
                        name,
                        category,
                        identifier,
                        verified: false,
                        registered_at,
                    },
                );
            }
            AssociationEvent::AssociationVerified { .. } => {
                if let Some(a) = self.associations.get_mut(&id) {
                    a.verified = true;
                }
            }
            AssociationEvent::AssociationVerificationRevoked { .. } => {
                if let Some(a) = self.associations.get_mut(&id) {
                    a.verified = false;
                }
            }
            AssociationEvent::AssociationCategoryChanged { category, .. } => {
                if let Some(a) = self.associations.get_mut(&id) {
                    a.category = category;
                }
            }
        }
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

    fn apply_establishment(&mut self, id: Uuid, event: EstablishmentEvent) {
        match event {
            EstablishmentEvent::EstablishmentRegistered { name, commune_insee, lat, lon, .. } => {
                self.establishments.insert(
                    id,
                    EstablishmentEntry { name, commune_insee, point: Point::new(lon, lat), active: true },
                );
            }
            EstablishmentEvent::EstablishmentDetailsChanged { name, commune_insee, lat, lon, .. } => {
                if let Some(e) = self.establishments.get_mut(&id) {
                    (e.name, e.commune_insee, e.point) = (name, commune_insee, Point::new(lon, lat));
                }
            }
            EstablishmentEvent::EstablishmentSuspended { .. } => {
                if let Some(e) = self.establishments.get_mut(&id) {
                    e.active = false;
                }
            }
            EstablishmentEvent::EstablishmentReactivated { .. } => {
                if let Some(e) = self.establishments.get_mut(&id) {
                    e.active = true;
                }
            }
            _ => {}
        }
    }

    fn apply_room(&mut self, room_id: Uuid, event: RoomEvent) {
        if let RoomEvent::RoomAdded { establishment_id, details, opening, constraints, .. } = event {
            self.rooms.insert(
                room_id,
                RoomEntry {
                    establishment_id,
                    details,
                    opening,
                    buffer_minutes: constraints.buffer_minutes,
                    blackouts: BTreeMap::new(),
                    occupied: BTreeMap::new(),
                    withdrawn: false,
                },
            );
            return;
        }
        let Some(room) = self.rooms.get_mut(&room_id) else { return };
        match event {
            RoomEvent::RoomDetailsChanged { details } => room.details = details,
            RoomEvent::OpeningRulesSet { opening } => room.opening = opening,
            RoomEvent::BookingConstraintsSet { constraints } => {
                room.buffer_minutes = constraints.buffer_minutes
            }
            RoomEvent::RoomWithdrawn { .. } => room.withdrawn = true,
            RoomEvent::RoomReinstated { .. } => room.withdrawn = false,
            RoomEvent::BlackoutAdded { blackout_id, first_day, last_day, reason } => {
                room.blackouts.insert(blackout_id, Blackout { first_day, last_day, reason });
            }
            RoomEvent::BlackoutRemoved { blackout_id } => {
                room.blackouts.remove(&blackout_id);
            }
            RoomEvent::InternalBlockAdded { block_id, start, end, .. } => {
                room.occupied.insert(block_id, Occupied { start, end, status: Status::Booked });
            }
            RoomEvent::BookingRequested { booking_id, start, end, .. } => {
                room.occupied.insert(booking_id, Occupied { start, end, status: Status::Held });
            }
            RoomEvent::BookingApproved { booking_id, .. } => {
                if let Some(o) = room.occupied.get_mut(&booking_id) {
                    o.status = Status::Booked;
                }
            }
            RoomEvent::InternalBlockRemoved { block_id: id }
            | RoomEvent::BookingRejected { booking_id: id, .. }
            | RoomEvent::BookingExpired { booking_id: id, .. }
            | RoomEvent::BookingCancelled { booking_id: id, .. } => {
                room.occupied.remove(&id);
            }
            _ => {}
        }
    }

    /// The rooms matching the query, nearest first.
    pub fn search(&self, query: &SearchQuery, calendar: &Calendar) -> SearchPage {
        let origin = Point::new(query.lon, query.lat);
        let radius_km = query.radius_km.clamp(0.0, MAX_RADIUS_KM);
        let mut hits = Vec::new();
        for (room_id, room) in &self.rooms {
            let Some(place) = self.establishments.get(&room.establishment_id) else { continue };
            let d = &room.details;
            let fits = !room.withdrawn
                && place.active
                && query.capacity.is_none_or(|c| d.capacity >= c)
                && query.kind.is_none_or(|k| d.kind == k)
                && (!query.step_free || d.step_free)
                && query.equipment.iter().all(|e| d.equipment.contains(e));
            if !fits {
                continue;
            }
            let distance_km = Haversine.distance(origin, place.point) / 1000.0;
            if distance_km > radius_km {
                continue;
            }
            let (price_for_window, free) = match &query.window {
                Some(window) => {
                    let blackouts: Vec<Blackout> = room.blackouts.values().cloned().collect();
                    // Only what lies around the window's day matters (a room
                    // holds a school year of bookings): fewer to copy and sort.
                    let (near_start, near_end) = (
                        window.start() - chrono::Duration::days(1),
                        window.end() + chrono::Duration::days(1),
                    );
                    let occupied: Vec<Occupied> = room
                        .occupied
                        .values()
                        .filter(|o| o.end > near_start && o.start < near_end)
                        .copied()
                        .collect();
                    if check_slot(&room.opening, calendar, &blackouts, window).is_err()
                        || occupied.iter().any(|o| {
                            Slot::new(o.start, o.end).is_ok_and(|s| s.overlaps(window, room.buffer_minutes))
                        })
                    {
                        continue;
                    }
                    let tariff =
                        self.tariffs.get(&Some(room.establishment_id)).or_else(|| self.tariffs.get(&None));
                    let Ok((amount, _)) =
                        price(d.hourly_rate_cents, tariff, query.category, window.duration_minutes())
                    else {
                        continue;
                    };
                    if query.max_price_cents.is_some_and(|max| amount.amount_cents > max) {
                        continue;
                    }
                    let day = window.local_date();
                    let free: Vec<Interval> = calendar_of(
                        &room.opening,
                        calendar,
                        &blackouts,
                        room.buffer_minutes,
                        &occupied,
                        day,
                        day,
                    )
                    .into_iter()
                    .filter(|i| i.status == Status::Free)
                    .collect();
                    (Some(amount), free)
                }
                None => (None, vec![]),
            };
            hits.push(SearchHit {
                room_id: *room_id,
                room_name: d.name.clone(),
                kind: d.kind,
                capacity: d.capacity,
                equipment: d.equipment.clone(),
                step_free: d.step_free,
                establishment_id: room.establishment_id,
                establishment_name: place.name.clone(),
                commune_insee: place.commune_insee.clone(),
                distance_km: (distance_km * 100.0).round() / 100.0,
                price: price_for_window,
                free,
            });
        }
        hits.sort_by(|a, b| {
            a.distance_km
                .total_cmp(&b.distance_km)
                .then(a.price.map(|p| p.amount_cents).cmp(&b.price.map(|p| p.amount_cents)))
                .then(a.establishment_name.cmp(&b.establishment_name))
                .then(a.room_name.cmp(&b.room_name))
                .then(a.room_id.cmp(&b.room_id))
        });
        let total = hits.len();
        let page = query.page.max(1);
        let results = hits.into_iter().skip((page - 1) * PAGE_SIZE).take(PAGE_SIZE).collect();
        SearchPage { results, page, total }
    }
}
