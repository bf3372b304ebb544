use chrono::TimeZone;
use proptest::prelude::*;
use salle_events::catalog::room::{ApprovalMode, BookingConstraints};

use super::*;

fn establishment(index: &mut SearchIndex, id: Uuid, lat: f64, lon: f64) {
    index.apply_establishment(
        id,
        EstablishmentEvent::EstablishmentRegistered {
            establishment_id: id,
            name: format!("Établissement {id}"),
            kind: salle_events::catalog::establishment::EstablishmentKind::College,
            uai: None,
            address: String::new(),
            commune_insee: "38185".into(),
            lat,
            lon,
            legal_basis: None,
            registered_at: Utc::now(),
        },
    );
}

fn room(index: &mut SearchIndex, room_id: Uuid, establishment_id: Uuid) {
    let details = RoomDetails {
        name: format!("Salle {room_id}"),
        kind: RoomKind::Classroom,
        capacity: 30,
        area_m2: None,
        equipment: vec![],
        step_free: true,
        approval: ApprovalMode::Manual,
        hourly_rate_cents: Some(0),
        description: String::new(),
    };
    let opening =
        OpeningRules { school_weeks: vec![], school_holidays: vec![], open_on_public_holidays: false };
    index.apply_room(
        room_id,
        RoomEvent::RoomAdded {
            room_id,
            establishment_id,
            details,
            opening,
            constraints: BookingConstraints::default(),
            added_at: Utc::now(),
        },
    );
}

fn found(index: &SearchIndex, lat: f64, lon: f64, radius_km: f64) -> BTreeSet<Uuid> {
    let calendar = Calendar::default();
    let mut all = BTreeSet::new();
    for page in 1.. {
        let query = SearchQuery {
            lat,
            lon,
            radius_km,
            window: None,
            capacity: None,
            kind: None,
            equipment: vec![],
            step_free: false,
            max_price_cents: None,
            category: RequesterCategory::LocalAssociation,
            page,
        };
        let answer = index.search(&query, &calendar);
        if answer.results.is_empty() {
            assert_eq!(all.len(), answer.total);
            break;
        }
        all.extend(answer.results.iter().map(|h| h.room_id));
    }
    all
}

proptest! {
    /// The spatial index finds exactly the rooms a scan of every
    /// establishment by haversine distance finds, wherever the places.
    #[test]
    fn the_spatial_index_finds_what_a_full_scan_finds(
        places in prop::collection::vec((-80.0..80.0f64, -179.0..179.0f64), 1..40),
        near in prop::collection::vec((-0.5..0.5f64, -0.5..0.5f64), 0..40),
        origin in (-85.0..85.0f64, -180.0..180.0f64),
        radius_km in 0.0..200.0f64,
        moved in any::<bool>(),
    ) {
        let mut index = SearchIndex::default();
        // Some places anywhere, and some close to the origin, within and around the radius.
        let points: Vec<(f64, f64)> = places
            .iter()
            .copied()
            .chain(near.iter().map(|(dlat, dlon)| (origin.0 + dlat * 4.0, origin.1 + dlon * 4.0)))
            .map(|(lat, lon)| (lat.clamp(-89.9, 89.9), lon.clamp(-180.0, 180.0)))
            .collect();
        let mut expected = BTreeSet::new();
        for (n, (lat, lon)) in points.iter().copied().enumerate() {
            let (establishment_id, room_id) = (Uuid::from_u128(n as u128 + 1), Uuid::from_u128(1000 + n as u128));
            // Registered far away first and moved when `moved`: the index follows the move.
            if moved {
                establishment(&mut index, establishment_id, -lat, lon / 2.0);
                index.apply_establishment(
                    establishment_id,
                    EstablishmentEvent::EstablishmentDetailsChanged {
                        name: format!("Établissement {establishment_id}"),
                        address: String::new(),
                        commune_insee: "38185".into(),
                        lat,
                        lon,
                    },
                );
            } else {
                establishment(&mut index, establishment_id, lat, lon);
            }
            room(&mut index, room_id, establishment_id);
            let d = Haversine.distance(Point::new(origin.1, origin.0), Point::new(lon, lat)) / 1000.0;
            if d <= radius_km {
                expected.insert(room_id);
            }
        }
        prop_assert_eq!(found(&index, origin.0, origin.1, radius_km), expected);
    }

    /// `between` returns exactly the occupations overlapping the range,
    /// whatever was inserted, replaced and removed before.
    #[test]
    fn occupancy_between_matches_a_scan(
        ops in prop::collection::vec((0..30u128, 0..2000i64, 1..600i64, any::<bool>()), 0..120),
        from in 0..2000i64,
        length in 1..800i64,
    ) {
        let t0 = Utc.with_ymd_and_hms(2026, 9, 1, 0, 0, 0).single().unwrap_or_default();
        let at = |hours: i64| t0 + chrono::Duration::hours(hours);
        let mut occupancy = Occupancy::default();
        let mut model: HashMap<Uuid, Occupied> = HashMap::new();
        for (id, start, hours, remove) in ops {
            let id = Uuid::from_u128(id + 1);
            if remove {
                occupancy.remove(id);
                model.remove(&id);
            } else {
                let occupied = Occupied { start: at(start), end: at(start + hours), status: Status::Held };
                occupancy.insert(id, occupied);
                model.insert(id, occupied);
            }
        }
        let (from, to) = (at(from), at(from + length));
        let mut got: Vec<(DateTime<Utc>, DateTime<Utc>)> =
            occupancy.between(from, to).map(|o| (o.start, o.end)).collect();
        let mut expected: Vec<(DateTime<Utc>, DateTime<Utc>)> =
            model.values().filter(|o| o.end > from && o.start < to).map(|o| (o.start, o.end)).collect();
        got.sort();
        expected.sort();
        prop_assert_eq!(got, expected);
    }
}
