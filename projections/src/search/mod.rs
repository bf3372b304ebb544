//! Search: an in-memory index of every room, built from the log at start and
//! kept current by following it, answering "free near Voiron on Tuesday
//! 18:00–20:00 for 30 people with a projector" without touching the database.
//!
//! Results are sorted by distance, then price, then name; each carries its
//! distance (haversine, from the `geo` crate), the price the tariff gives for
//! the window and the free intervals of the window's day.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use geo::{Distance, Haversine, Point};
use rstar::primitives::GeomWithData;
use rstar::{AABB, RTree};
use salle_domain::calendar::Calendar;
use salle_domain::opening::{Blackout, check_slot};
use salle_domain::pricing::{TariffVersion, price};
use salle_domain::time::Slot;
use salle_events::catalog::association::{AssociationEvent, RequesterCategory};
use salle_events::catalog::establishment::EstablishmentEvent;
use salle_events::catalog::room::{Equipment, OpeningRules, RoomDetails, RoomEvent, RoomKind};
use salle_events::catalog::tariff::TariffEvent;
use salle_events::catalog::{Money, category};
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
    occupied: Occupancy,
    withdrawn: bool,
}

/// A room's bookings and blocks, by id and by start, so that a search for
/// one evening reads the few around it rather than a school year's hundreds.
#[derive(Debug, Clone, Default)]
struct Occupancy {
    by_id: HashMap<Uuid, Occupied>,
    by_start: BTreeSet<(DateTime<Utc>, Uuid)>,
    /// The longest occupation ever held: how far before a window one may start
    /// and still reach into it.
    longest: chrono::Duration,
}

impl Occupancy {
    fn insert(&mut self, id: Uuid, occupied: Occupied) {
        self.remove(id);
        self.longest = self.longest.max(occupied.end - occupied.start);
        self.by_start.insert((occupied.start, id));
        self.by_id.insert(id, occupied);
    }

    fn remove(&mut self, id: Uuid) {
        if let Some(old) = self.by_id.remove(&id) {
            self.by_start.remove(&(old.start, id));
        }
    }

    fn get_mut(&mut self, id: &Uuid) -> Option<&mut Occupied> {
        self.by_id.get_mut(id)
    }

    /// What overlaps `[from, to)`.
    fn between(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> impl Iterator<Item = &Occupied> {
        self.by_start
            .range((from - self.longest, Uuid::nil())..(to, Uuid::nil()))
            .filter_map(|(_, id)| self.by_id.get(id))
            .filter(move |o| o.end > from && o.start < to)
    }
}

/// An establishment's place in the spatial index: (longitude, latitude).
type Place = GeomWithData<[f64; 2], Uuid>;

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
    /// The establishments by place (an R-tree from `rstar`, the crate `geo`
    /// builds on), so that a search reads only those in its radius's box.
    places: RTree<Place>,
    rooms: HashMap<Uuid, RoomEntry>,
    /// Each establishment's rooms.
    rooms_by_establishment: HashMap<Uuid, BTreeSet<Uuid>>,
    /// Tariff grids by establishment; `None` is the département's default.
    tariffs: HashMap<Option<Uuid>, TariffVersion>,
    /// The associations, for the admins' verification list.
    associations: HashMap<Uuid, ListedAssociation>,
    position: LogPosition,
}

mod lists;

pub use lists::{ListedAssociation, ListedEstablishment, ListedRoom};

impl SearchIndex {
    /// Where an establishment is: (latitude, longitude).
    pub fn establishment_point(&self, id: Uuid) -> Option<(f64, f64)> {
        self.establishments.get(&id).map(|e| (e.point.y(), e.point.x()))
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
            if let (Some(room_id), Ok(event)) =
                (recorded.stream_id.entity(category::ROOM), RoomEvent::from_recorded(recorded))
            {
                self.apply_room(room_id, event);
            }
        } else if stream.starts_with(category::ESTABLISHMENT) {
            if let (Some(id), Ok(event)) = (
                recorded.stream_id.entity(category::ESTABLISHMENT),
                EstablishmentEvent::from_recorded(recorded),
            ) {
                self.apply_establishment(id, event);
            }
        } else if stream.starts_with(category::ASSOCIATION) {
            if let (Some(id), Ok(event)) =
                (recorded.stream_id.entity(category::ASSOCIATION), AssociationEvent::from_recorded(recorded))
            {
                self.apply_association(id, event);
            }
        } else if stream.starts_with(category::TARIFF)
            && let Ok(event) = TariffEvent::from_recorded(recorded)
        {
            let owner = recorded.stream_id.entity(category::TARIFF);
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
            AssociationEvent::AssociationVerified { category, .. } => {
                if let Some(a) = self.associations.get_mut(&id) {
                    a.verified = true;
                    a.category = category.unwrap_or(a.category);
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

    fn apply_establishment(&mut self, id: Uuid, event: EstablishmentEvent) {
        match event {
            EstablishmentEvent::EstablishmentRegistered { name, commune_insee, lat, lon, .. } => {
                let entry =
                    EstablishmentEntry { name, commune_insee, point: Point::new(lon, lat), active: true };
                if let Some(old) = self.establishments.insert(id, entry) {
                    self.places.remove(&Place::new([old.point.x(), old.point.y()], id));
                }
                self.places.insert(Place::new([lon, lat], id));
            }
            EstablishmentEvent::EstablishmentDetailsChanged { name, commune_insee, lat, lon, .. } => {
                if let Some(e) = self.establishments.get_mut(&id) {
                    self.places.remove(&Place::new([e.point.x(), e.point.y()], id));
                    self.places.insert(Place::new([lon, lat], id));
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
            let entry = RoomEntry {
                establishment_id,
                details,
                opening,
                buffer_minutes: constraints.buffer_minutes,
                blackouts: BTreeMap::new(),
                occupied: Occupancy::default(),
                withdrawn: false,
            };
            if let Some(old) = self.rooms.insert(room_id, entry)
                && let Some(rooms) = self.rooms_by_establishment.get_mut(&old.establishment_id)
            {
                rooms.remove(&room_id);
            }
            self.rooms_by_establishment.entry(establishment_id).or_default().insert(room_id);
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
                room.occupied.remove(id);
            }
            _ => {}
        }
    }

    /// The rooms matching the query, nearest first.
    ///
    /// Reads only the establishments in the radius's box, and works out the
    /// free intervals only for the rooms of the page asked for.
    pub fn search(&self, query: &SearchQuery, calendar: &Calendar) -> SearchPage {
        let origin = Point::new(query.lon, query.lat);
        let radius_km = query.radius_km.clamp(0.0, MAX_RADIUS_KM);
        let mut matches = Vec::new();
        for place in self.places.locate_in_envelope(&around(query.lat, query.lon, radius_km)) {
            let Some(establishment) = self.establishments.get(&place.data) else { continue };
            let distance_km = Haversine.distance(origin, establishment.point) / 1000.0;
            if !establishment.active || distance_km > radius_km {
                continue;
            }
            let rooms = self.rooms_by_establishment.get(&place.data).into_iter().flatten();
            for (room_id, room) in rooms.filter_map(|id| Some((*id, self.rooms.get(id)?))) {
                let d = &room.details;
                let fits = !room.withdrawn
                    && query.capacity.is_none_or(|c| d.capacity >= c)
                    && query.kind.is_none_or(|k| d.kind == k)
                    && (!query.step_free || d.step_free)
                    && query.equipment.iter().all(|e| d.equipment.contains(e));
                if !fits {
                    continue;
                }
                let price = match &query.window {
                    Some(window) => match self.price_if_free(room, window, query, calendar) {
                        Some(amount) => Some(amount),
                        None => continue,
                    },
                    None => None,
                };
                let distance_km = (distance_km * 100.0).round() / 100.0;
                matches.push(Match { room_id, room, establishment, distance_km, price });
            }
        }
        // A total order (the room id last), so an unstable sort gives the
        // same pages; names are compared only on a tie of distance and price.
        matches.sort_unstable_by(|a, b| {
            a.distance_km
                .total_cmp(&b.distance_km)
                .then_with(|| a.price.map(|p| p.amount_cents).cmp(&b.price.map(|p| p.amount_cents)))
                .then_with(|| a.establishment.name.cmp(&b.establishment.name))
                .then_with(|| a.room.details.name.cmp(&b.room.details.name))
                .then_with(|| a.room_id.cmp(&b.room_id))
        });
        let total = matches.len();
        let page = query.page.max(1);
        let results = matches
            .iter()
            .skip((page - 1).saturating_mul(PAGE_SIZE))
            .take(PAGE_SIZE)
            .map(|m| m.hit(query.window.as_ref(), calendar))
            .collect();
        SearchPage { results, page, total }
    }

    /// The room's price for the window, if the window is open, free and within
    /// the query's budget.
    fn price_if_free(
        &self,
        room: &RoomEntry,
        window: &Slot,
        query: &SearchQuery,
        calendar: &Calendar,
    ) -> Option<Money> {
        let (near_start, near_end) = near(window);
        let blackouts: Vec<Blackout> = room.blackouts.values().cloned().collect();
        if check_slot(&room.opening, calendar, &blackouts, window).is_err()
            || room
                .occupied
                .between(near_start, near_end)
                .any(|o| Slot::new(o.start, o.end).is_ok_and(|s| s.overlaps(window, room.buffer_minutes)))
        {
            return None;
        }
        let tariff = self.tariffs.get(&Some(room.establishment_id)).or_else(|| self.tariffs.get(&None));
        let (amount, _) =
            price(room.details.hourly_rate_cents, tariff, query.category, window.duration_minutes()).ok()?;
        if query.max_price_cents.is_some_and(|max| amount.amount_cents > max) {
            return None;
        }
        Some(amount)
    }
}

/// A room that matched, before its page is chosen.
struct Match<'a> {
    room_id: Uuid,
    room: &'a RoomEntry,
    establishment: &'a EstablishmentEntry,
    distance_km: f64,
    price: Option<Money>,
}

impl Match<'_> {
    fn hit(&self, window: Option<&Slot>, calendar: &Calendar) -> SearchHit {
        let (room, d) = (self.room, &self.room.details);
        let free = match window {
            Some(window) => {
                let (near_start, near_end) = near(window);
                let occupied: Vec<Occupied> = room.occupied.between(near_start, near_end).copied().collect();
                let blackouts: Vec<Blackout> = room.blackouts.values().cloned().collect();
                let day = window.local_date();
                calendar_of(&room.opening, calendar, &blackouts, room.buffer_minutes, &occupied, day, day)
                    .into_iter()
                    .filter(|i| i.status == Status::Free)
                    .collect()
            }
            None => vec![],
        };
        SearchHit {
            room_id: self.room_id,
            room_name: d.name.clone(),
            kind: d.kind,
            capacity: d.capacity,
            equipment: d.equipment.clone(),
            step_free: d.step_free,
            establishment_id: room.establishment_id,
            establishment_name: self.establishment.name.clone(),
            commune_insee: self.establishment.commune_insee.clone(),
            distance_km: self.distance_km,
            price: self.price,
            free,
        }
    }
}

/// Only what lies around the window's day matters to its freedom and to the
/// day's free intervals.
fn near(window: &Slot) -> (DateTime<Utc>, DateTime<Utc>) {
    (window.start() - chrono::Duration::days(1), window.end() + chrono::Duration::days(1))
}

/// A (longitude, latitude) box that holds every point within `radius_km` of
/// `(lat, lon)`, with a margin: one degree of latitude is 111.2 km on the
/// mean-radius sphere `Haversine` measures on, counted here as 110 km. Near
/// a pole or across the antimeridian it takes every longitude.
fn around(lat: f64, lon: f64, radius_km: f64) -> AABB<[f64; 2]> {
    let dlat = radius_km / 110.0;
    let (south, north) = ((lat - dlat).max(-90.0), (lat + dlat).min(90.0));
    let cos = south.abs().max(north.abs()).to_radians().cos();
    let dlon = dlat / cos;
    let (west, east) = if cos < 1e-3 || lon - dlon < -180.0 || lon + dlon > 180.0 {
        (-180.0, 180.0)
    } else {
        (lon - dlon, lon + dlon)
    };
    AABB::from_corners([west, south], [east, north])
}

#[cfg(test)]
mod tests;
