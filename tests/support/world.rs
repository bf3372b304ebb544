//! A small world for tests that go through the store: an establishment with
//! a tariff and one room open every evening 18:00–22:00.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use salle::commands::Commands;
use salle::domain::calendar::Calendar;
use salle::domain::establishment::{EstablishmentCommand, RegisterEstablishment};
use salle::domain::room::RoomCommand;
use salle::domain::tariff::PublishTariff;
use salle::domain::time::local_instant;
use salle_events::catalog::association::RequesterCategory;
use salle_events::catalog::establishment::EstablishmentKind;
use salle_events::catalog::room::{
    ApprovalMode, BookingConstraints, OpeningRules, RoomDetails, RoomKind, WeeklyWindow,
};
use salle_events::{Metadata, Store};
use uuid::Uuid;

/// A local Paris time on a day, as an instant.
pub fn at(day: &str, time: &str) -> DateTime<Utc> {
    local_instant(
        NaiveDate::parse_from_str(day, "%Y-%m-%d").expect("a date"),
        NaiveTime::parse_from_str(time, "%H:%M").expect("a time"),
    )
    .expect("a local time that exists")
}

/// "Now" in these tests: Monday 30 November 2026, 09:00 in Paris.
pub fn now() -> DateTime<Utc> {
    at("2026-11-30", "09:00")
}

pub fn commands(store: Store) -> Commands {
    Commands::new(store, Arc::new(Calendar::isere().expect("the shipped calendar")))
}

/// Whose grid prices the room.
#[derive(Debug, Clone, Copy)]
pub enum Tariff {
    /// The département's default grid, at this hourly rate for every category.
    Departement(i64),
    /// The establishment's own grid.
    Establishment(i64),
}

/// Registers an establishment, publishes a tariff and adds one room open
/// every evening 18:00–22:00; returns (establishment, room).
pub async fn establishment_with_room(
    commands: &Commands,
    tariff: Tariff,
    buffer_minutes: u32,
) -> (Uuid, Uuid) {
    let meta = Metadata::default();
    let establishment_id = Uuid::now_v7();
    commands
        .on_establishment(
            establishment_id,
            EstablishmentCommand::Register(RegisterEstablishment {
                establishment_id,
                name: "Collège Marcel Bouvier".into(),
                kind: EstablishmentKind::College,
                uai: Some("0380001V".into()),
                address: "350 rue d'Italie".into(),
                commune_insee: "38001".into(),
                lat: 45.536626,
                lon: 5.59023,
                legal_basis: None,
                now: now(),
            }),
            &meta,
        )
        .await
        .expect("the establishment is registered");
    salle::seed::payouts_ready(commands, &meta, establishment_id, now()).await.expect("payouts ready");
    let (owner, rate) = match tariff {
        Tariff::Departement(rate) => (None, rate),
        Tariff::Establishment(rate) => (Some(establishment_id), rate),
    };
    let rates: BTreeMap<_, _> = RequesterCategory::ALL.into_iter().map(|c| (c, rate)).collect();
    commands
        .publish_tariff(
            owner,
            PublishTariff { hourly_rates_cents: rates, flat_fees: vec![], by: Uuid::nil(), now: now() },
            &meta,
        )
        .await
        .expect("the tariff is published");
    let room_id = Uuid::now_v7();
    let window = |weekday| WeeklyWindow {
        weekday,
        start: NaiveTime::from_hms_opt(18, 0, 0).expect("18:00"),
        end: NaiveTime::from_hms_opt(22, 0, 0).expect("22:00"),
    };
    let details = RoomDetails {
        name: "Gymnase".into(),
        kind: RoomKind::GymHall,
        capacity: 100,
        area_m2: Some(800),
        equipment: vec![],
        step_free: true,
        approval: ApprovalMode::Manual,
        hourly_rate_cents: None,
        description: String::new(),
    };
    let opening = OpeningRules { school_weeks: (1..=7).map(window).collect(), ..Default::default() };
    commands
        .on_room(room_id, &meta, || RoomCommand::Add {
            room_id,
            establishment_id,
            details: details.clone(),
            opening: opening.clone(),
            constraints: BookingConstraints { buffer_minutes, ..Default::default() },
            now: now(),
        })
        .await
        .expect("the room is added");
    (establishment_id, room_id)
}

/// A request for `day` 18:00–20:00 by `association_id`, approved by the
/// manager; returns the booking's id.
pub async fn approved_booking(commands: &Commands, room_id: Uuid, day: &str, association_id: Uuid) -> Uuid {
    let meta = Metadata::default();
    let booking_id = Uuid::now_v7();
    let request = salle::domain::room::BookingRequest {
        booking_id,
        association_id,
        category: RequesterCategory::LocalAssociation,
        start: at(day, "18:00"),
        end: at(day, "20:00"),
        attendees: 20,
        purpose: "Chorale".into(),
    };
    commands
        .request_booking(room_id, request, salle::domain::association::Standing::VERIFIED, now(), &meta)
        .await
        .expect("the request is taken");
    commands
        .on_room(room_id, &meta, || RoomCommand::Approve { booking_id, by: Uuid::nil(), now: now() })
        .await
        .expect("the manager approves");
    booking_id
}
