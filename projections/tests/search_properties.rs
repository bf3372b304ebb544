//! The search index against a brute-force scan of the same random data:
//! same rooms, same order (1,000 cases).

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

use chrono::{Duration, NaiveTime, TimeZone, Utc};
use proptest::prelude::*;
use salle_domain::calendar::Calendar;
use salle_domain::opening::check_slot;
use salle_domain::pricing::{TariffVersion, price};
use salle_domain::time::{Slot, local_instant};
use salle_events::catalog::association::RequesterCategory;
use salle_events::catalog::establishment::{EstablishmentEvent, EstablishmentKind};
use salle_events::catalog::room::{
    ApprovalMode, BookingConstraints, Equipment, OpeningRules, RoomDetails, RoomEvent, RoomKind, WeeklyWindow,
};
use salle_events::catalog::tariff::TariffEvent;
use salle_events::catalog::{DomainEvent, Money};
use salle_events::{Metadata, RecordedEvent, StreamId};
use salle_projections::search::{PAGE_SIZE, SearchIndex, SearchQuery};
use uuid::Uuid;

const KINDS: [RoomKind; 3] = [RoomKind::GymHall, RoomKind::Multipurpose, RoomKind::Classroom];
const EQUIPMENT: [Equipment; 3] = [Equipment::Projector, Equipment::Piano, Equipment::Wifi];

#[derive(Debug, Clone)]
struct RandomRoom {
    establishment: usize,
    kind: usize,
    capacity: u32,
    equipment: Vec<usize>,
    step_free: bool,
    rate: Option<i64>,
    opens_at: u32,
    bookings: Vec<(i64, i64)>,
}

#[derive(Debug, Clone)]
struct World {
    places: Vec<(f64, f64)>,
    rooms: Vec<RandomRoom>,
}

fn world() -> impl Strategy<Value = World> {
    let places = prop::collection::vec((45.0..45.6f64, 5.3..6.1f64), 1..6);
    let room = (
        0..6usize,
        0..3usize,
        1..120u32,
        prop::collection::vec(0..3usize, 0..3),
        any::<bool>(),
        prop_oneof![Just(None), (0..3000i64).prop_map(Some)],
        prop_oneof![Just(17u32), Just(18), Just(19)],
        prop::collection::vec((0..8i64, 1..5i64), 0..3),
    )
        .prop_map(|(establishment, kind, capacity, equipment, step_free, rate, opens_at, bookings)| {
            RandomRoom { establishment, kind, capacity, equipment, step_free, rate, opens_at, bookings }
        });
    (places, prop::collection::vec(room, 0..25)).prop_map(|(places, rooms)| World { places, rooms })
}

#[derive(Debug, Clone)]
struct RandomQuery {
    lat: f64,
    lon: f64,
    radius_km: f64,
    window: Option<(i64, i64)>,
    capacity: Option<u32>,
    kind: Option<usize>,
    equipment: Vec<usize>,
    step_free: bool,
    max_price_cents: Option<i64>,
    page: usize,
}

fn query() -> impl Strategy<Value = RandomQuery> {
    (
        (45.0..45.6f64, 5.3..6.1f64),
        prop_oneof![Just(5.0), Just(20.0), Just(80.0)],
        prop_oneof![Just(None), (0..8i64, 1..5i64).prop_map(Some)],
        prop_oneof![Just(None), (1..100u32).prop_map(Some)],
        prop_oneof![Just(None), (0..3usize).prop_map(Some)],
        prop::collection::vec(0..3usize, 0..2),
        any::<bool>(),
        prop_oneof![Just(None), (0..8000i64).prop_map(Some)],
        1..3usize,
    )
        .prop_map(
            |((lat, lon), radius_km, window, capacity, kind, equipment, step_free, max_price_cents, page)| {
                RandomQuery {
                    lat,
                    lon,
                    radius_km,
                    window,
                    capacity,
                    kind,
                    equipment,
                    step_free,
                    max_price_cents,
                    page,
                }
            },
        )
}

/// Quarter-hours after 17:00 on Tuesday 8 December 2026.
fn slot(start_quarter: i64, quarters: i64) -> Slot {
    let base =
        local_instant("2026-12-08".parse().unwrap(), NaiveTime::from_hms_opt(17, 0, 0).unwrap()).unwrap();
    let start = base + Duration::minutes(start_quarter * 15);
    Slot::new(start, start + Duration::minutes(quarters * 15)).unwrap()
}

fn opening(opens_at: u32) -> OpeningRules {
    let w = |weekday| WeeklyWindow {
        weekday,
        start: NaiveTime::from_hms_opt(opens_at, 0, 0).unwrap(),
        end: NaiveTime::from_hms_opt(22, 0, 0).unwrap(),
    };
    OpeningRules {
        school_weeks: (1..=7).map(w).collect(),
        school_holidays: vec![],
        open_on_public_holidays: false,
    }
}

fn tariff() -> TariffVersion {
    TariffVersion {
        version: 1,
        hourly_rates_cents: RequesterCategory::ALL.into_iter().map(|c| (c, 1000)).collect(),
        flat_fees: vec![],
    }
}

fn recorded(stream: String, position: i64, event: &impl DomainEvent) -> RecordedEvent {
    let new = event.to_new_event(&Metadata::default()).unwrap();
    RecordedEvent {
        global_position: position,
        transaction_id: 0,
        stream_id: StreamId::parse(stream).unwrap(),
        stream_version: 1,
        event_id: new.event_id,
        event_type: new.event_type,
        schema_version: new.schema_version,
        payload: serde_json::value::RawValue::from_string(new.payload.to_string()).unwrap(),
        metadata: new.metadata,
        recorded_at: Utc.with_ymd_and_hms(2026, 11, 30, 9, 0, 0).unwrap(),
    }
}

fn ids(world: &World) -> (Vec<Uuid>, Vec<Uuid>) {
    let places = (0..world.places.len()).map(|i| Uuid::from_u128(1000 + i as u128)).collect();
    let rooms = (0..world.rooms.len()).map(|i| Uuid::from_u128(2000 + i as u128)).collect();
    (places, rooms)
}

fn index_of(world: &World) -> SearchIndex {
    let (place_ids, room_ids) = ids(world);
    let mut index = SearchIndex::default();
    let mut position = 0;
    let mut next = || {
        position += 1;
        position
    };
    let grid = TariffEvent::TariffGridPublished {
        version: 1,
        hourly_rates_cents: tariff().hourly_rates_cents,
        flat_fees: vec![],
        published_at: Utc::now(),
        published_by: Uuid::nil(),
    };
    index.apply(&recorded("tariff-departement".into(), next(), &grid));
    for (i, (lat, lon)) in world.places.iter().enumerate() {
        let event = EstablishmentEvent::EstablishmentRegistered {
            establishment_id: place_ids[i],
            name: format!("Établissement {i}"),
            kind: EstablishmentKind::Gymnasium,
            uai: None,
            address: "x".into(),
            commune_insee: "38185".into(),
            lat: *lat,
            lon: *lon,
            legal_basis: None,
            registered_at: Utc::now(),
        };
        index.apply(&recorded(format!("establishment-{}", place_ids[i]), next(), &event));
    }
    for (i, room) in world.rooms.iter().enumerate() {
        let stream = format!("room-{}", room_ids[i]);
        let added = RoomEvent::RoomAdded {
            room_id: room_ids[i],
            establishment_id: place_ids[room.establishment % world.places.len()],
            details: details(room, i),
            opening: opening(room.opens_at),
            constraints: BookingConstraints::default(),
            added_at: Utc::now(),
        };
        index.apply(&recorded(stream.clone(), next(), &added));
        for (b, (start, length)) in room.bookings.iter().enumerate() {
            let s = slot(*start, *length);
            let requested = RoomEvent::BookingRequested {
                booking_id: Uuid::from_u128(3000 + (i * 10 + b) as u128),
                association_id: Uuid::nil(),
                category: RequesterCategory::LocalAssociation,
                start: s.start(),
                end: s.end(),
                attendees: 1,
                purpose: "x".into(),
                price: Money::ZERO,
                tariff_version: None,
                series_id: None,
                requested_at: Utc::now(),
                decide_by: Utc::now(),
            };
            index.apply(&recorded(stream.clone(), next(), &requested));
        }
    }
    index
}

fn details(room: &RandomRoom, i: usize) -> RoomDetails {
    RoomDetails {
        name: format!("Salle {i}"),
        kind: KINDS[room.kind],
        capacity: room.capacity,
        area_m2: None,
        equipment: room.equipment.iter().map(|e| EQUIPMENT[*e]).collect(),
        step_free: room.step_free,
        approval: ApprovalMode::Manual,
        hourly_rate_cents: room.rate,
        description: String::new(),
    }
}

/// The haversine distance written out, as the oracle's own.
fn km(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let (dp, dl) = ((lat2 - lat1).to_radians(), (lon2 - lon1).to_radians());
    let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * 6_371.008_8 * a.sqrt().asin()
}

/// Every room checked one by one, sorted the documented way.
fn brute_force(world: &World, q: &RandomQuery, calendar: &Calendar) -> (Vec<Uuid>, usize) {
    let (_, room_ids) = ids(world);
    let mut found: Vec<(f64, Option<i64>, String, String, Uuid)> = Vec::new();
    for (i, room) in world.rooms.iter().enumerate() {
        let (lat, lon) = world.places[room.establishment % world.places.len()];
        let exact = km(q.lat, q.lon, lat, lon);
        // Shown (and sorted) to the hundredth of a km; compared to the radius exactly.
        let distance = (exact * 100.0).round() / 100.0;
        let d = details(room, i);
        if exact > q.radius_km
            || q.capacity.is_some_and(|c| room.capacity < c)
            || q.kind.is_some_and(|k| d.kind != KINDS[k])
            || (q.step_free && !room.step_free)
            || !q.equipment.iter().all(|e| d.equipment.contains(&EQUIPMENT[*e]))
        {
            continue;
        }
        let mut room_price = None;
        if let Some((start, length)) = q.window {
            let window = slot(start, length);
            let taken = room.bookings.iter().any(|(s, l)| slot(*s, *l).overlaps(&window, 0));
            if taken || check_slot(&opening(room.opens_at), calendar, &[], &window).is_err() {
                continue;
            }
            let (p, _) = price(
                room.rate,
                Some(&tariff()),
                RequesterCategory::LocalAssociation,
                window.duration_minutes(),
            )
            .unwrap();
            if q.max_price_cents.is_some_and(|m| p.amount_cents > m) {
                continue;
            }
            room_price = Some(p.amount_cents);
        }
        found.push((
            distance,
            room_price,
            format!("Établissement {}", room.establishment % world.places.len()),
            d.name,
            room_ids[i],
        ));
    }
    found.sort_by(|a, b| {
        a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)).then(a.3.cmp(&b.3)).then(a.4.cmp(&b.4))
    });
    let total = found.len();
    let page: Vec<Uuid> =
        found.into_iter().skip((q.page - 1) * PAGE_SIZE).take(PAGE_SIZE).map(|f| f.4).collect();
    (page, total)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn the_index_finds_what_a_brute_force_scan_finds_in_the_same_order(world in world(), q in query()) {
        let calendar = Calendar::isere().unwrap();
        let index = index_of(&world);
        let query = SearchQuery {
            lat: q.lat,
            lon: q.lon,
            radius_km: q.radius_km,
            window: q.window.map(|(s, l)| slot(s, l)),
            capacity: q.capacity,
            kind: q.kind.map(|k| KINDS[k]),
            equipment: q.equipment.iter().map(|e| EQUIPMENT[*e]).collect(),
            step_free: q.step_free,
            max_price_cents: q.max_price_cents,
            category: RequesterCategory::LocalAssociation,
            page: q.page,
        };
        let page = index.search(&query, &calendar);
        let (expected, total) = brute_force(&world, &q, &calendar);
        prop_assert_eq!(page.total, total);
        prop_assert_eq!(page.results.iter().map(|h| h.room_id).collect::<Vec<_>>(), expected);
    }
}
