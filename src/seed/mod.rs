//! `salle seed --demo`: a marketplace to look at and try, built from the real
//! reference data shipped in `data/isere/` — the 97 public collèges of Isère,
//! each with a gymnasium and a multipurpose room open in the evenings, the
//! département's default tariff grid, a few associations and their requests.
//!
//! Every id is derived from the data (UAI, names), so seeding twice changes
//! nothing: what exists already is skipped.

pub mod synthetic;

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Duration, NaiveTime, Utc, Weekday};
use salle_events::catalog::association::{LegalIdentifier, RequesterCategory};
use salle_events::catalog::room::{
    ApprovalMode, BookingConstraints, Equipment, OpeningRules, RoomDetails, RoomKind, WeeklyWindow,
};
use salle_events::catalog::tariff::FlatFee;
use salle_events::{EventStore, Metadata};
use uuid::Uuid;

use crate::commands::personal_data::Contact;
use crate::commands::{CommandError, Commands};
use crate::domain::association::AssociationCommand;
use crate::domain::establishment::{EstablishmentCommand, RegisterEstablishment};
use crate::domain::room::{BookingRequest, RoomCommand};
use crate::domain::tariff::PublishTariff;
use crate::domain::time::local_instant;

use crate::commands::colleges::register_if_new;
pub use crate::commands::colleges::{College, colleges, id, import_colleges};

/// Registers an establishment unless it exists, with simulated payouts
/// ready (the demo's and the synthetic data's); true when it was new.
pub(crate) async fn register(
    commands: &Commands,
    meta: &Metadata,
    registration: RegisterEstablishment,
) -> anyhow::Result<bool> {
    let (establishment_id, now) = (registration.establishment_id, registration.now);
    if register_if_new(commands, meta, registration).await?.is_none() {
        return Ok(false);
    }
    payouts_ready(commands, meta, establishment_id, now).await?;
    Ok(true)
}

/// Gives a seeded establishment a payout account of the simulated provider
/// that can receive transfers, as if its manager had completed onboarding.
pub async fn payouts_ready(
    commands: &Commands,
    meta: &Metadata,
    establishment_id: Uuid,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    let account_ref = format!("acct_sim_{}", establishment_id.simple());
    commands
        .on_establishment(
            establishment_id,
            EstablishmentCommand::SetPayoutAccount { account_ref: account_ref.clone() },
            meta,
        )
        .await?;
    let status = EstablishmentCommand::RecordPayoutStatus {
        account_ref,
        can_receive_transfers: true,
        details_submitted: true,
        provider_event_id: format!("evt_seed_{}", establishment_id.simple()),
        provider_created: now,
    };
    commands.on_establishment(establishment_id, status, meta).await?;
    Ok(())
}

/// Adds a room with the seeds' constraints (15 minutes between bookings).
pub(crate) async fn add_room(
    commands: &Commands,
    meta: &Metadata,
    room_id: Uuid,
    establishment_id: Uuid,
    details: RoomDetails,
    opening: OpeningRules,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    commands
        .on_room(room_id, meta, || RoomCommand::Add {
            room_id,
            establishment_id,
            details: details.clone(),
            opening: opening.clone(),
            constraints: BookingConstraints { buffer_minutes: 15, ..Default::default() },
            now,
        })
        .await?;
    Ok(())
}
/// What the seed created.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Seeded {
    pub establishments: usize,
    pub rooms: usize,
    pub associations: usize,
    pub bookings: usize,
}

pub(crate) fn evenings(days: std::ops::RangeInclusive<u8>, start: u32, end: u32) -> Vec<WeeklyWindow> {
    days.map(|weekday| WeeklyWindow {
        weekday,
        start: NaiveTime::from_hms_opt(start, 0, 0).unwrap_or(NaiveTime::MIN),
        end: NaiveTime::from_hms_opt(end, 0, 0).unwrap_or(NaiveTime::MIN),
    })
    .collect()
}

/// Seeds the demo marketplace; `now` dates the requests (the next weeks).
pub async fn demo(commands: &Commands, now: DateTime<Utc>) -> anyhow::Result<Seeded> {
    let meta =
        Metadata { correlation_id: Some(Uuid::now_v7()), causation_id: None, actor: Some("seed".into()) };
    let mut seeded = Seeded::default();
    let admin = id("user", "demo-admin");

    let grid = commands.tariff_for(Uuid::nil()).await?;
    if grid.is_none() {
        let rates = BTreeMap::from([
            (RequesterCategory::LocalAssociation, 800),
            (RequesterCategory::OtherAssociation, 1500),
            (RequesterCategory::PublicBody, 0),
            (RequesterCategory::Company, 4000),
        ]);
        let fees = vec![FlatFee { label: "Ménage".into(), amount_cents: 1500 }];
        commands
            .publish_tariff(
                None,
                PublishTariff { hourly_rates_cents: rates, flat_fees: fees, by: admin, now },
                &meta,
            )
            .await?;
    }

    let mut rooms = Vec::new();
    for college in colleges()? {
        let establishment_id = id("college", &college.uai);
        let gym = id("room", &format!("{}:gymnase", college.uai));
        let hall = id("room", &format!("{}:polyvalente", college.uai));
        rooms.push((gym, hall));
        if !register(commands, &meta, college.registration(now)).await? {
            continue;
        }
        seeded.establishments += 1;
        let gym_details = RoomDetails {
            name: "Gymnase".into(),
            kind: RoomKind::GymHall,
            capacity: 120,
            area_m2: Some(900),
            equipment: vec![Equipment::SportsEquipment, Equipment::ChangingRooms],
            step_free: true,
            approval: ApprovalMode::Manual,
            hourly_rate_cents: None,
            description: "Gymnase du collège, vestiaires et matériel de sport.".into(),
        };
        let hall_details = RoomDetails {
            name: "Salle polyvalente".into(),
            kind: RoomKind::Multipurpose,
            capacity: 60,
            area_m2: Some(140),
            equipment: vec![Equipment::Projector, Equipment::Chairs, Equipment::Tables, Equipment::Wifi],
            step_free: true,
            approval: ApprovalMode::Automatic,
            hourly_rate_cents: None,
            description: "Salle au rez-de-chaussée, vidéoprojecteur, tables et chaises.".into(),
        };
        for (room_id, details, opening) in [
            (
                gym,
                gym_details,
                OpeningRules {
                    school_weeks: [evenings(1..=5, 18, 22), evenings(6..=6, 9, 18)].concat(),
                    school_holidays: evenings(1..=5, 9, 18),
                    open_on_public_holidays: false,
                },
            ),
            (
                hall,
                hall_details,
                OpeningRules {
                    school_weeks: evenings(1..=5, 18, 22),
                    school_holidays: vec![],
                    open_on_public_holidays: false,
                },
            ),
        ] {
            add_room(commands, &meta, room_id, establishment_id, details, opening, now).await?;
            seeded.rooms += 1;
        }
    }

    // Three associations, each asking for a slot in the coming weeks.
    let associations = [
        (
            "Chorale des Voirons",
            "W381000017",
            RequesterCategory::LocalAssociation,
            "Camille Roux",
            "chorale@example.org",
        ),
        (
            "Basket Club du Grésivaudan",
            "W381000025",
            RequesterCategory::LocalAssociation,
            "Karim Benali",
            "basket@example.org",
        ),
        (
            "Ligue régionale d'échecs",
            "W691000033",
            RequesterCategory::OtherAssociation,
            "Lou Martin",
            "echecs@example.org",
        ),
    ];
    let next_tuesday = {
        let mut day = (now + Duration::days(7)).date_naive();
        while day.weekday() != Weekday::Tue {
            day = day.succ_opt().unwrap_or(day);
        }
        day
    };
    for (i, (name, rna, category, contact_name, email)) in associations.into_iter().enumerate() {
        let association_id = id("association", rna);
        if commands.association(association_id).await?.id.is_none() {
            let contact = Contact::parse(contact_name, email, None)?;
            commands
                .register_association(
                    association_id,
                    name,
                    category,
                    LegalIdentifier::Rna(rna.into()),
                    &contact,
                    now,
                    &meta,
                )
                .await?;
            seeded.associations += 1;
            // The two Isère associations are verified; the regional league
            // waits for an admin, as a new sign-up does.
            if rna.starts_with("W38") {
                let verify = AssociationCommand::Verify { by: Uuid::nil(), category, now };
                commands.on_association(association_id, verify, &meta).await?;
            }
        }
        let standing = commands
            .association(association_id)
            .await?
            .standing(0, crate::app::holds::DEFAULT_UNVERIFIED_HOLD_LIMIT);
        let Some((gym, hall)) = rooms.get(i * 7) else { continue };
        let room_id = if i % 2 == 0 { *hall } else { *gym };
        let day = next_tuesday + Duration::days(i as i64);
        let booking_id = id("booking", &format!("{rna}:{day}"));
        let start = local_instant(day, NaiveTime::from_hms_opt(18, 30, 0).unwrap_or(NaiveTime::MIN))?;
        let request = BookingRequest {
            booking_id,
            association_id,
            category,
            start,
            end: start + Duration::hours(2),
            attendees: 25,
            purpose: format!("Activité hebdomadaire — {name}"),
        };
        match commands.request_booking(room_id, request, standing, now, &meta).await {
            Ok(_) => seeded.bookings += 1,
            // Seeded before (booking_exists) or the date is closed: nothing to add.
            Err(CommandError::Domain(e)) => tracing::debug!(code = e.code, "demo booking skipped"),
            Err(e) => return Err(e.into()),
        }
    }
    demo_accounts(commands, &meta, now).await?;
    Ok(seeded)
}

/// The demo's accounts, one per role: (role, e-mail, password). Printed when
/// the demo is seeded; for trying the marketplace, never for production.
pub const DEMO_ACCOUNTS: [(&str, &str, &str); 4] = [
    ("admin", "admin@demo.salle.test", "demo-administration"),
    ("finance", "finance@demo.salle.test", "demo-finances-38"),
    ("manager", "gestion@demo.salle.test", "demo-gestion-college"),
    ("association", "chorale@demo.salle.test", "demo-chorale-voirons"),
];

/// Creates the demo's accounts (unless they exist): the manager manages the
/// collèges of Voiron, the association account is the Chorale des Voirons'.
async fn demo_accounts(commands: &Commands, meta: &Metadata, now: DateTime<Utc>) -> anyhow::Result<()> {
    use crate::app::accounts::{self, AccountError, NewAccount, Role};
    let voiron: Vec<Uuid> =
        colleges()?.iter().filter(|c| c.insee == "38563").map(|c| id("college", &c.uai)).collect();
    for (role, email, password) in DEMO_ACCOUNTS {
        let role = Role::parse(role).unwrap_or(Role::Association);
        let association_id = (role == Role::Association).then(|| id("association", "W381000017"));
        let name = match role {
            Role::Admin => "Administration (démo)",
            Role::Finance => "Service financier (démo)",
            Role::Manager => "Gestion du collège (démo)",
            Role::Association => "Camille Roux",
        };
        let new = NewAccount { email, password, name, role, association_id };
        let user_id = match accounts::create(&commands.store, new, now).await {
            Ok(user_id) => user_id,
            Err(AccountError::Invalid(e)) if e.code == "email_taken" => continue,
            Err(e) => return Err(e.into()),
        };
        if role == Role::Manager {
            for establishment_id in &voiron {
                let assign = EstablishmentCommand::AssignManager { user_id };
                commands.on_establishment(*establishment_id, assign, meta).await?;
                accounts::add_establishment(&commands.store, user_id, *establishment_id).await?;
            }
        }
    }
    Ok(())
}

/// Whether the log is still empty (serve seeds the demo only then).
pub async fn log_is_empty(commands: &Commands) -> anyhow::Result<bool> {
    Ok(commands.store.read_all(salle_events::LogPosition::START, 1).await?.is_empty())
}
