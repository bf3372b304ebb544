//! Rooms, as their establishment's managers (and admins) keep them: add
//! one, change its description or hours, block a slot or close it for some
//! days, withdraw it from the offer and offer it again. Anyone may read a
//! room's sheet.

use chrono::{NaiveDate, NaiveTime, Utc};
use salle_events::catalog::room::{
    ApprovalMode, BookingConstraints, OpeningRules, RoomDetails, WeeklyWindow,
};
use uuid::Uuid;

use crate::app::{App, AppError, Caller, access};
use crate::domain::establishment::Establishment;
use crate::domain::room::{Room, RoomCommand};
use crate::domain::tariff::TariffVersion;

/// A new room: what it is, when it opens, what notice it needs.
#[derive(Debug, Clone)]
pub struct NewRoom {
    pub details: RoomDetails,
    pub opening: OpeningRules,
    pub constraints: BookingConstraints,
}

impl NewRoom {
    /// A room added from the manager's pages: manual approval, open on
    /// school-week evenings (18:00–22:00) until its hours are set.
    pub fn on_weekday_evenings(details: RoomDetails) -> Self {
        let (start, end) = (
            NaiveTime::from_hms_opt(18, 0, 0).unwrap_or_default(),
            NaiveTime::from_hms_opt(22, 0, 0).unwrap_or_default(),
        );
        let evenings = (1..=5).map(|weekday| WeeklyWindow { weekday, start, end }).collect();
        Self {
            details: RoomDetails { approval: ApprovalMode::Manual, ..details },
            opening: OpeningRules {
                school_weeks: evenings,
                school_holidays: vec![],
                open_on_public_holidays: false,
            },
            constraints: BookingConstraints::default(),
        }
    }
}

/// Adds a room to an establishment the caller runs; answers its id.
pub async fn add(app: &App, caller: &Caller, establishment_id: Uuid, new: NewRoom) -> Result<Uuid, AppError> {
    access::managed_establishment(app, caller, establishment_id).await?;
    let room_id = Uuid::now_v7();
    let now = Utc::now();
    app.commands
        .on_room(room_id, &caller.metadata(room_id), || RoomCommand::Add {
            room_id,
            establishment_id,
            details: new.details.clone(),
            opening: new.opening.clone(),
            constraints: new.constraints,
            now,
        })
        .await?;
    Ok(room_id)
}

/// A change a manager makes to a room.
#[derive(Debug, Clone)]
pub enum RoomChange {
    Details(RoomDetails),
    Opening(OpeningRules),
    /// An internal use of the room on one day (a meeting, maintenance).
    Block {
        day: NaiveDate,
        start: NaiveTime,
        end: NaiveTime,
        reason: String,
    },
    LiftBlock(Uuid),
    /// Closed whole days, `first_day` to `last_day` included.
    Closure {
        first_day: NaiveDate,
        last_day: NaiveDate,
        reason: String,
    },
    LiftClosure(Uuid),
    Withdraw {
        reason: String,
    },
    Reinstate,
}

/// Makes the change on a room the caller runs.
pub async fn change(app: &App, caller: &Caller, room_id: Uuid, change: RoomChange) -> Result<(), AppError> {
    access::managed_room(app, caller, room_id).await?;
    let now = Utc::now();
    let command = match change {
        RoomChange::Details(details) => RoomCommand::ChangeDetails { details },
        RoomChange::Opening(opening) => RoomCommand::SetOpening { opening },
        RoomChange::Block { day, start, end, reason } => {
            if end <= start {
                return Err(AppError::Unprocessable {
                    code: "invalid_form",
                    message: "Le blocage finit avant de commencer.".into(),
                });
            }
            let instant = |t: NaiveTime| {
                salle_domain::time::local_instant(day, t).map_err(crate::domain::DomainError::from)
            };
            RoomCommand::AddInternalBlock {
                block_id: Uuid::now_v7(),
                start: instant(start)?,
                end: instant(end)?,
                reason,
            }
        }
        RoomChange::LiftBlock(block_id) => RoomCommand::RemoveInternalBlock { block_id },
        RoomChange::Closure { first_day, last_day, reason } => {
            if last_day < first_day {
                return Err(AppError::Unprocessable {
                    code: "invalid_form",
                    message: "La fermeture finit avant de commencer.".into(),
                });
            }
            RoomCommand::AddBlackout { blackout_id: Uuid::now_v7(), first_day, last_day, reason }
        }
        RoomChange::LiftClosure(blackout_id) => RoomCommand::RemoveBlackout { blackout_id },
        RoomChange::Withdraw { reason } => RoomCommand::Withdraw { reason, now },
        RoomChange::Reinstate => RoomCommand::Reinstate { now },
    };
    app.commands.on_room(room_id, &caller.metadata(room_id), || command.clone()).await?;
    Ok(())
}

/// A room as anyone may read it: its details, establishment and tariff.
#[derive(Debug, Clone)]
pub struct RoomSheet {
    pub room: Room,
    pub details: RoomDetails,
    pub establishment: Establishment,
    pub tariff: Option<TariffVersion>,
    /// Whether associations can pay this establishment online now.
    pub accepts_payments: bool,
}

/// The room's sheet, unless it does not exist.
pub async fn sheet(app: &App, room_id: Uuid) -> Result<RoomSheet, AppError> {
    let room = app.commands.room(room_id).await?;
    let Some(details) = room.details.clone().filter(|_| room.exists()) else {
        return Err(AppError::NotFound("Cette salle n'existe pas.".into()));
    };
    let establishment = app.commands.establishment(room.establishment_id).await?;
    let tariff = app.commands.tariff_for(room.establishment_id).await?;
    let accepts_payments = app.commands.accepts_payments(&establishment);
    Ok(RoomSheet { room, details, establishment, tariff, accepts_payments })
}
