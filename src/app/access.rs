//! Who may see or decide what: the one place it is decided, for the pages
//! and the API alike. What the caller may not see answers as if it did not
//! exist (404), so that nobody learns that another establishment's or
//! association's booking exists.
//!
//! | what                         | who                                              |
//! |------------------------------|--------------------------------------------------|
//! | an establishment, its rooms  | its managers, admins                             |
//! | an establishment's ledger    | its managers, finance, admins                    |
//! | a booking                    | its association, its establishment's managers, finance, admins |
//! | deciding on a booking        | its establishment's managers                     |
//! | a booking's conversation     | its association, its establishment's managers    |
//! | a refund after the slot      | its establishment's managers, admins             |
//! | an association's account     | its members (admins: through verification)       |

use salle_projections::bookings::{self, BookingRow};
use uuid::Uuid;

use crate::app::accounts::Role;
use crate::app::{App, AppError, Caller};
use crate::domain::establishment::Establishment;
use crate::domain::room::Room;

fn no_establishment() -> AppError {
    AppError::NotFound("Cet établissement n'existe pas.".into())
}

fn no_booking() -> AppError {
    AppError::NotFound("Cette réservation n'existe pas.".into())
}

fn no_room() -> AppError {
    AppError::NotFound("Cette salle n'existe pas.".into())
}

/// Whether the caller manages the establishment (from its stream).
async fn manages(app: &App, caller: &Caller, establishment_id: Uuid) -> Result<bool, AppError> {
    if caller.role() != Role::Manager {
        return Ok(false);
    }
    Ok(app.commands.establishment(establishment_id).await?.is_managed_by(caller.user_id()))
}

/// The establishment, if the caller runs it (its manager) or is an admin;
/// 404 for another establishment's manager.
pub async fn managed_establishment(
    app: &App,
    caller: &Caller,
    establishment_id: Uuid,
) -> Result<Establishment, AppError> {
    caller.require(&[Role::Manager, Role::Admin])?;
    let establishment = app.commands.establishment(establishment_id).await?;
    let allowed = caller.role() == Role::Admin || establishment.is_managed_by(caller.user_id());
    if establishment.id.is_none() || !allowed {
        return Err(no_establishment());
    }
    Ok(establishment)
}

/// The room and its establishment, if the caller runs it or is an admin.
pub async fn managed_room(
    app: &App,
    caller: &Caller,
    room_id: Uuid,
) -> Result<(Room, Establishment), AppError> {
    caller.require(&[Role::Manager, Role::Admin])?;
    let room = app.commands.room(room_id).await?;
    if !room.exists() {
        return Err(no_room());
    }
    let establishment =
        managed_establishment(app, caller, room.establishment_id).await.map_err(|_| no_room())?;
    Ok((room, establishment))
}

/// The establishment whose ledger the caller reads: its manager, finance or
/// an admin; 404 for another establishment's manager.
pub async fn ledger_reader(
    app: &App,
    caller: &Caller,
    establishment_id: Uuid,
) -> Result<Establishment, AppError> {
    caller.require(&[Role::Manager, Role::Finance, Role::Admin])?;
    let establishment = app.commands.establishment(establishment_id).await?;
    let allowed = caller.role() != Role::Manager || establishment.is_managed_by(caller.user_id());
    if establishment.id.is_none() || !allowed {
        return Err(no_establishment());
    }
    Ok(establishment)
}

/// An establishment anyone may read about (its public page), if it exists.
pub async fn public_establishment(app: &App, establishment_id: Uuid) -> Result<Establishment, AppError> {
    let establishment = app.commands.establishment(establishment_id).await?;
    if establishment.id.is_none() {
        return Err(no_establishment());
    }
    Ok(establishment)
}

/// The booking, if the caller may see it; 404 otherwise.
pub async fn visible_booking(app: &App, caller: &Caller, booking_id: Uuid) -> Result<BookingRow, AppError> {
    let row = bookings::by_id(&app.store, booking_id)
        .await
        .map_err(|e| AppError::Internal(e.into()))?
        .ok_or_else(no_booking)?;
    let allowed = match caller.role() {
        Role::Admin | Role::Finance => true,
        Role::Association => caller.0.association_id == Some(row.association_id),
        Role::Manager => manages(app, caller, row.establishment_id).await?,
    };
    if allowed { Ok(row) } else { Err(no_booking()) }
}

/// The booking, if the caller manages its establishment; 404 otherwise.
pub async fn managed_booking(app: &App, caller: &Caller, booking_id: Uuid) -> Result<BookingRow, AppError> {
    caller.require(&[Role::Manager])?;
    visible_booking(app, caller, booking_id).await
}

/// The booking whose money the caller may give back after its slot: its
/// establishment's managers (the revenue is the establishment's), admins.
pub async fn refundable_booking(
    app: &App,
    caller: &Caller,
    booking_id: Uuid,
) -> Result<BookingRow, AppError> {
    caller.require(&[Role::Manager, Role::Admin])?;
    visible_booking(app, caller, booking_id).await
}

/// The booking whose conversation the caller takes part in: its
/// association's members and its establishment's managers (finance and
/// admins see the booking, not what the two sides write to each other).
pub async fn conversation(app: &App, caller: &Caller, booking_id: Uuid) -> Result<BookingRow, AppError> {
    caller.require(&[Role::Association, Role::Manager])?;
    visible_booking(app, caller, booking_id).await
}

/// The association, if the caller is one of its members; 403 for other
/// roles, 404 for another association.
pub async fn own_association(
    app: &App,
    caller: &Caller,
    association_id: Uuid,
) -> Result<crate::domain::association::Association, AppError> {
    let missing = || AppError::NotFound("Cette association n'existe pas.".into());
    if caller.association()? != association_id {
        return Err(missing());
    }
    let association = app.commands.association(association_id).await?;
    association.id.ok_or_else(missing)?;
    Ok(association)
}

/// Only finance and admins (exports, the log, reconciliation).
pub fn auditor(caller: &Caller) -> Result<(), AppError> {
    caller.require(&[Role::Finance, Role::Admin])
}
