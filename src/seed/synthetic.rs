//! `salle seed --synthetic --scale departement|national`: data for benchmarks,
//! deterministic from a seed. A département is the 97 real collèges plus 50
//! gymnasiums and auditoriums placed in real communes, about 2,000 rooms, 300
//! associations, and one school year (2026–2027) of weekly series —
//! requested, approved, some paid, completed and settled, some dates
//! cancelled — about 300,000 events, all through the real command handlers.
//!
//! The national scale is 100 such départements (about 30 million events):
//! Isère first, exactly as at département scale, then 99 copies of its places
//! moved across metropolitan France on a 10 × 10 grid, each with its own
//! establishments, rooms, associations and bookings. Its commands are staged
//! in memory and written in batches ([`Commands::staged`]).

use std::collections::BTreeMap;

use anyhow::Context;
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use salle_events::Metadata;
use salle_events::catalog::Money;
use salle_events::catalog::association::{LegalIdentifier, RequesterCategory};
use salle_events::catalog::establishment::EstablishmentKind;
use salle_events::catalog::room::{
    ApprovalMode, CancelledBy, Equipment, OpeningRules, RoomDetails, RoomEvent, RoomKind,
};
use salle_projections::communes::Communes;
use uuid::Uuid;

use super::{College, add_room, colleges, evenings, id, register};
use crate::commands::personal_data::Contact;
use crate::commands::rooms::Cancellation;
use crate::commands::{CommandError, Commands};
use crate::domain::association::{AssociationCommand, Standing};
use crate::domain::establishment::RegisterEstablishment;
use crate::domain::identifiers::Uai;
use crate::domain::room::{RoomCommand, SeriesRequest};
use crate::domain::tariff::PublishTariff;
use crate::domain::time::local_instant;

/// How much to generate.
#[derive(Debug, Clone, Copy)]
pub struct Scale {
    pub departements: usize,
    /// Per département, beyond its collèges.
    pub extra_establishments: usize,
    pub rooms: usize,
    pub associations: usize,
    /// Weekly series per room: between 0 and this many.
    pub max_series_per_room: u32,
}

impl Scale {
    pub const DEPARTEMENT: Self = Self {
        departements: 1,
        extra_establishments: 50,
        rooms: 2000,
        associations: 300,
        max_series_per_room: 5,
    };
    pub const NATIONAL: Self = Self { departements: 100, ..Self::DEPARTEMENT };
}

/// Where the `n`-th département's copy of Isère's places goes: (degrees of
/// latitude, of longitude) to add. Isère itself stays; the others fill a
/// 10 × 10 grid over metropolitan France (42.5–51 °N, 4.5 °W–7.5 °E).
fn offset(n: usize) -> (f64, f64) {
    const ISERE: (f64, f64) = (45.25, 5.6);
    if n == 0 {
        return (0.0, 0.0);
    }
    let (row, column) = ((n / 10) as f64, (n % 10) as f64);
    (42.5 + row * 0.85 - ISERE.0, -4.5 + column * 1.2 - ISERE.1)
}

/// What was generated.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Generated {
    pub establishments: usize,
    pub rooms: usize,
    pub associations: usize,
    pub series: usize,
    pub bookings: usize,
    pub payments: usize,
}

const KINDS: [(RoomKind, &str, u32); 6] = [
    (RoomKind::Classroom, "Salle", 32),
    (RoomKind::Multipurpose, "Salle polyvalente", 80),
    (RoomKind::GymHall, "Gymnase", 150),
    (RoomKind::MusicRoom, "Salle de musique", 30),
    (RoomKind::ScienceLab, "Laboratoire", 28),
    (RoomKind::MeetingRoom, "Salle de réunion", 20),
];

const EQUIPMENT: [Equipment; 8] = [
    Equipment::Projector,
    Equipment::Wifi,
    Equipment::Whiteboard,
    Equipment::Piano,
    Equipment::SoundSystem,
    Equipment::Chairs,
    Equipment::Tables,
    Equipment::SportsEquipment,
];

/// Generates the data; `progress(step, done, total)` follows each step.
pub async fn generate(
    commands: &Commands,
    scale: Scale,
    seed: u64,
    progress: impl Fn(&str, u64, u64),
) -> anyhow::Result<Generated> {
    let mut rng = StdRng::seed_from_u64(seed);
    let meta =
        Metadata { correlation_id: Some(Uuid::now_v7()), causation_id: None, actor: Some("seed".into()) };
    // Requests are made at the end of the summer, for the school year.
    let now = local_instant(NaiveDate::from_ymd_opt(2026, 8, 24).context("date")?, NaiveTime::MIN)?;
    let mut generated = Generated::default();

    if commands.tariff_for(Uuid::nil()).await?.is_none() {
        let rates = BTreeMap::from([
            (RequesterCategory::LocalAssociation, 800),
            (RequesterCategory::OtherAssociation, 1500),
            (RequesterCategory::PublicBody, 0),
            (RequesterCategory::Company, 4000),
        ]);
        commands
            .publish_tariff(
                None,
                PublishTariff { hourly_rates_cents: rates, flat_fees: vec![], by: Uuid::nil(), now },
                &meta,
            )
            .await?;
    }

    let communes = Communes::isere().map_err(anyhow::Error::msg)?;
    let colleges = colleges()?;
    for departement in 0..scale.departements {
        let label = if scale.departements > 1 {
            format!(" ({}/{})", departement + 1, scale.departements)
        } else {
            String::new()
        };
        generate_departement(
            commands,
            scale,
            seed,
            departement,
            &communes,
            &colleges,
            &mut rng,
            now,
            &meta,
            &mut generated,
            &|step, done, total| progress(&format!("{step}{label}"), done, total),
        )
        .await?;
        commands.flush().await?;
    }
    Ok(generated)
}

/// Pays, completes and settles the first booking of a paying series.
async fn settle_first(
    commands: &Commands,
    meta: &Metadata,
    room_id: Uuid,
    booked: &[(Uuid, DateTime<Utc>, Money)],
    generated: &mut Generated,
) -> anyhow::Result<()> {
    let Some((booking_id, end, price)) = booked.first().copied() else { return Ok(()) };
    if price.is_zero() {
        return Ok(());
    }
    let paid_at = end - Duration::days(3);
    let pay = || RoomCommand::RecordPayment {
        booking_id,
        amount: price,
        payment_ref: format!("pi_{}", booking_id.simple()),
        now: paid_at,
    };
    if commands.on_room(room_id, meta, pay).await.is_err() {
        return Ok(());
    }
    generated.payments += 1;
    let complete = || RoomCommand::Complete { booking_id, now: end };
    if commands.on_room(room_id, meta, complete).await.is_ok() {
        let settle = || RoomCommand::Settle {
            booking_id,
            transfer_ref: format!("tr_{}", booking_id.simple()),
            now: end + Duration::days(1),
        };
        let _ = commands.on_room(room_id, meta, settle).await;
    }
    Ok(())
}

/// One département: its establishments, associations, rooms and bookings.
#[allow(clippy::too_many_arguments)]
async fn generate_departement(
    commands: &Commands,
    scale: Scale,
    seed: u64,
    departement: usize,
    communes: &Communes,
    colleges: &[College],
    rng: &mut StdRng,
    now: DateTime<Utc>,
    meta: &Metadata,
    generated: &mut Generated,
    progress: &dyn Fn(&str, u64, u64),
) -> anyhow::Result<()> {
    // Isère's keys are those of the département scale; the copies' carry their number.
    let key = |kind: &str, n: usize| match departement {
        0 => id(kind, &format!("synthetic:{seed}:{n}")),
        d => id(kind, &format!("synthetic:{seed}:{d}:{n}")),
    };
    let (dlat, dlon) = offset(departement);
    // Establishments: the real collèges, then gymnasiums and auditoriums in real communes.
    let mut places: Vec<(Uuid, EstablishmentKind)> = Vec::new();
    let total_places = colleges.len() + scale.extra_establishments;
    for college in colleges {
        let mut registration = college.registration(now);
        if departement > 0 {
            registration.establishment_id = key("college", places.len());
            registration.name = format!("{} ({})", college.name, departement + 1);
            // 0DDNNNN: the copy's number, then the collège's.
            let number = (departement as u32) * 10_000 + places.len() as u32 + 1;
            registration.uai = Uai::from_number(number).map(|uai| uai.as_str().to_owned());
            (registration.lat, registration.lon) = (college.lat + dlat, college.lon + dlon);
        }
        places.push((registration.establishment_id, EstablishmentKind::College));
        generated.establishments += register(commands, meta, registration).await? as usize;
        progress("établissements", places.len() as u64, total_places as u64);
    }
    for n in 0..scale.extra_establishments {
        let establishment_id = key("establishment", n);
        let commune = &communes.all()[rng.random_range(0..communes.len())];
        let kind = if n % 3 == 2 { EstablishmentKind::Auditorium } else { EstablishmentKind::Gymnasium };
        let name = match kind {
            EstablishmentKind::Auditorium => format!("Auditorium de {}", commune.name),
            _ => format!("Gymnase municipal n° {} de {}", n + 1, commune.name),
        };
        places.push((establishment_id, kind));
        let registration = RegisterEstablishment {
            establishment_id,
            name,
            kind,
            uai: None,
            address: format!("Place de la Mairie, {}", commune.name),
            commune_insee: commune.insee.clone(),
            lat: commune.lat + dlat + rng.random_range(-0.01..0.01),
            lon: commune.lon + dlon + rng.random_range(-0.01..0.01),
            legal_basis: None,
            now,
        };
        generated.establishments += register(commands, meta, registration).await? as usize;
        progress("établissements", places.len() as u64, total_places as u64);
    }

    // Associations.
    let mut associations = Vec::with_capacity(scale.associations);
    for n in 0..scale.associations {
        let association_id = key("association", n);
        let category = if rng.random_bool(0.8) {
            RequesterCategory::LocalAssociation
        } else if rng.random_bool(0.5) {
            RequesterCategory::OtherAssociation
        } else {
            RequesterCategory::PublicBody
        };
        associations.push((association_id, category));
        if commands.association(association_id).await?.id.is_none() {
            let contact = Contact::parse(&format!("Contact {n}"), &format!("contact{n}@example.org"), None)?;
            let rna = match departement {
                0 => format!("W38{:07}", 1_000_000 + n),
                d => format!("W{d:02}{:07}", 2_000_000 + n),
            };
            commands
                .register_association(
                    association_id,
                    &format!("Association n° {n}"),
                    category,
                    LegalIdentifier::Rna(rna),
                    &contact,
                    now,
                    meta,
                )
                .await?;
            // Checked by the département, as every association that books is.
            let verify = AssociationCommand::Verify { by: Uuid::nil(), category, now };
            commands.on_association(association_id, verify, meta).await?;
            generated.associations += 1;
        }
        progress("associations", n as u64 + 1, scale.associations as u64);
    }

    // Rooms and their school year of weekly series.
    let first_day = NaiveDate::from_ymd_opt(2026, 9, 7).context("date")?;
    let last_day = NaiveDate::from_ymd_opt(2027, 6, 30).context("date")?;
    for n in 0..scale.rooms {
        let (establishment_id, place_kind) = places[n % places.len()];
        let room_id = key("room", n);
        let (kind, label, capacity) = match place_kind {
            EstablishmentKind::Gymnasium => KINDS[2],
            EstablishmentKind::Auditorium => (RoomKind::Auditorium, "Auditorium", 300),
            _ => KINDS[rng.random_range(0..KINDS.len())],
        };
        let equipment: Vec<Equipment> = EQUIPMENT.iter().copied().filter(|_| rng.random_bool(0.3)).collect();
        let details = RoomDetails {
            name: format!("{label} {}", n / places.len() + 1),
            kind,
            capacity: capacity + rng.random_range(0..20u32),
            area_m2: Some(capacity * 3),
            equipment,
            step_free: rng.random_bool(0.7),
            approval: if rng.random_bool(0.3) { ApprovalMode::Automatic } else { ApprovalMode::Manual },
            hourly_rate_cents: if rng.random_bool(0.2) { Some(0) } else { None },
            description: String::new(),
        };
        let opening = OpeningRules {
            school_weeks: [evenings(1..=5, 18, 22), evenings(6..=6, 9, 18)].concat(),
            school_holidays: if rng.random_bool(0.3) { evenings(1..=5, 9, 18) } else { vec![] },
            open_on_public_holidays: false,
        };
        if !commands.room(room_id).await?.exists() {
            add_room(commands, meta, room_id, establishment_id, details.clone(), opening, now).await?;
            generated.rooms += 1;
            for s in 0..rng.random_range(0..=scale.max_series_per_room) {
                let weekday = rng.random_range(0..5u32);
                let hour = 18 + s.min(3);
                let (association_id, category) = associations[rng.random_range(0..associations.len())];
                let first = first_day + Duration::days(weekday as i64);
                let request = SeriesRequest {
                    series_id: key("series", n * 10 + s as usize),
                    association_id,
                    category,
                    first_day: first,
                    last_day,
                    start_time: NaiveTime::from_hms_opt(hour, 0, 0).context("time")?,
                    end_time: NaiveTime::from_hms_opt(hour + 1, 0, 0).context("time")?,
                    attendees: (details.capacity / 2).max(1),
                    purpose: "Activité hebdomadaire".into(),
                };
                let series_id = request.series_id;
                let executed =
                    match commands.request_series(room_id, request, Standing::VERIFIED, now, meta).await {
                        Ok(executed) => executed,
                        Err(CommandError::Domain(_)) => continue,
                        Err(e) => return Err(e.into()),
                    };
                generated.series += 1;
                let booked: Vec<(Uuid, DateTime<Utc>, Money)> = executed
                    .events
                    .iter()
                    .filter_map(|e| match e {
                        RoomEvent::BookingRequested { booking_id, end, price, .. } => {
                            Some((*booking_id, *end, *price))
                        }
                        _ => None,
                    })
                    .collect();
                generated.bookings += booked.len();
                if details.approval == ApprovalMode::Manual {
                    let by = Uuid::nil();
                    let _ = commands
                        .on_room(room_id, meta, || RoomCommand::ApproveSeries { series_id, by, now })
                        .await;
                }
                settle_first(commands, meta, room_id, &booked, generated).await?;
                if rng.random_bool(0.2)
                    && let Some((booking_id, end, _)) = booked.last()
                {
                    let cancellation = Cancellation {
                        booking_id: *booking_id,
                        by: CancelledBy::Association,
                        actor: association_id,
                        reason: "Date annulée".into(),
                    };
                    let _ =
                        commands.cancel_booking(room_id, cancellation, *end - Duration::days(10), meta).await;
                }
            }
        }
        progress("salles et réservations", n as u64 + 1, scale.rooms as u64);
    }
    Ok(())
}
