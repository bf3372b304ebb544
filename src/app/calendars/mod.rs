//! Calendars (RFC 5545): a public feed per room with its busy times only
//! (no association, no purpose), a secret feed per account — an
//! association's bookings, or those of the rooms a manager runs — and one
//! booking's `.ics`. A secret link holds a random 256-bit token of which only
//! the SHA-256 is kept; its owner makes as many as they like and revokes
//! each. Feeds show the last month and everything ahead.

pub mod ics;
mod store;

use std::collections::HashMap;

use chrono::{Duration, Utc};
use salle_projections::bookings::{self, BookingRow, Filter};
use uuid::Uuid;

pub use store::Feed;

use crate::app::accounts::{self, Role};
use crate::app::{App, AppError, Caller, access};

/// How far back a feed goes.
const PAST: Duration = Duration::days(31);
/// Bookings in one feed, at most.
const LIMIT: i64 = 5000;

fn internal(e: impl Into<anyhow::Error>) -> AppError {
    AppError::Internal(e.into())
}

/// A new secret link, as its owner copies it.
#[derive(Debug, Clone)]
pub struct NewFeed {
    pub id: Uuid,
    /// `https://…/api/v1/calendars/feeds/<token>.ics`
    pub url: String,
    /// The same with `webcal://`, which calendar programs subscribe to.
    pub webcal: String,
}

/// The names a feed's lines use, each looked up once.
#[derive(Default)]
struct Names {
    rooms: HashMap<Uuid, String>,
    establishments: HashMap<Uuid, (String, String)>,
    associations: HashMap<Uuid, String>,
}

impl Names {
    async fn room(&mut self, app: &App, id: Uuid) -> Result<String, AppError> {
        if let Some(n) = self.rooms.get(&id) {
            return Ok(n.clone());
        }
        let name = bookings::room_name(&app.store, id).await.map_err(internal)?.unwrap_or_default();
        self.rooms.insert(id, name.clone());
        Ok(name)
    }

    async fn establishment(&mut self, app: &App, id: Uuid) -> Result<(String, String), AppError> {
        if let Some(n) = self.establishments.get(&id) {
            return Ok(n.clone());
        }
        let e = app.commands.establishment(id).await?;
        let named = (e.name.clone(), e.address.clone());
        self.establishments.insert(id, named.clone());
        Ok(named)
    }

    async fn association(&mut self, app: &App, id: Uuid) -> Result<String, AppError> {
        if let Some(n) = self.associations.get(&id) {
            return Ok(n.clone());
        }
        let name = app.commands.association(id).await?.name;
        self.associations.insert(id, name.clone());
        Ok(name)
    }
}

fn window() -> Option<chrono::DateTime<Utc>> {
    Some(Utc::now() - PAST)
}

/// A room's public feed: when it is taken, nothing about by whom.
pub async fn room_feed(app: &App, room_id: Uuid) -> Result<String, AppError> {
    let room = app.commands.room(room_id).await?;
    let Some(details) = room.details.as_ref().filter(|_| room.exists()) else {
        return Err(AppError::NotFound("Cette salle n'existe pas.".into()));
    };
    let (establishment, address) = Names::default().establishment(app, room.establishment_id).await?;
    let filter = Filter { room: Some(room_id), ending_after: window(), ..Filter::default() };
    let rows = bookings::list(&app.store, &filter, LIMIT).await.map_err(internal)?;
    let events: Vec<ics::Event> = rows
        .iter()
        .map(|b| ics::Event {
            booking_id: b.booking_id,
            start: b.start_at,
            end: b.end_at,
            status: b.status,
            summary: format!("Occupé — {}", details.name),
            location: Some(format!("{establishment}, {address}")),
            url: None,
        })
        .collect();
    Ok(ics::calendar(&format!("{} — {establishment}", details.name), &events, Utc::now()))
}

/// What a secret link shows, for the account that made it.
async fn feed_for(app: &App, user_id: Uuid) -> Result<String, AppError> {
    let Some(account) = accounts::by_id(&app.store, user_id).await? else {
        return Err(gone());
    };
    let (filter, title) = match (account.role, account.association_id) {
        (Role::Association, Some(association_id)) => {
            let name = app.commands.association(association_id).await?.name;
            (Filter { association: Some(association_id), ..Filter::default() }, name)
        }
        (Role::Manager, _) => {
            let establishments = accounts::establishments_of(&app.store, user_id).await?;
            (Filter { establishments: Some(establishments), ..Filter::default() }, "Mes salles".to_owned())
        }
        _ => return Err(gone()),
    };
    let filter = Filter { ending_after: window(), ..filter };
    let rows = bookings::list(&app.store, &filter, LIMIT).await.map_err(internal)?;
    let events = events(app, &rows, account.role == Role::Manager).await?;
    Ok(ics::calendar(&format!("salle — {title}"), &events, Utc::now()))
}

/// The bookings as their association or their managers see them.
async fn events(app: &App, rows: &[BookingRow], for_managers: bool) -> Result<Vec<ics::Event>, AppError> {
    let mut names = Names::default();
    let mut events = Vec::with_capacity(rows.len());
    for b in rows {
        let room = names.room(app, b.room_id).await?;
        let (establishment, address) = names.establishment(app, b.establishment_id).await?;
        let summary = if for_managers {
            format!("{room} — {}", names.association(app, b.association_id).await?)
        } else {
            format!("{room} — {establishment}")
        };
        events.push(ics::Event {
            booking_id: b.booking_id,
            start: b.start_at,
            end: b.end_at,
            status: b.status,
            summary,
            location: Some(format!("{establishment}, {address}")),
            url: Some(app.mail.link(&format!("/reservations/{}", b.booking_id))),
        });
    }
    Ok(events)
}

fn gone() -> AppError {
    AppError::NotFound("Ce lien d'agenda n'existe pas ou a été révoqué.".into())
}

/// The feed behind a secret link.
pub async fn secret_feed(app: &App, token: &str) -> Result<String, AppError> {
    let feed = store::by_token_hash(&app.store, &accounts::token_hash(token)).await?;
    let Some(feed) = feed else { return Err(gone()) };
    feed_for(app, feed.user_id).await
}

/// Who may have a secret feed: an association's members, and managers.
fn check_can_have(caller: &Caller) -> Result<(), AppError> {
    caller.require(&[Role::Association, Role::Manager])
}

/// A new secret link for the caller (earlier ones keep working).
pub async fn create_feed(app: &App, caller: &Caller) -> Result<NewFeed, AppError> {
    check_can_have(caller)?;
    let token = accounts::random_token();
    let id = Uuid::now_v7();
    store::insert(&app.store, id, &accounts::token_hash(&token), caller.user_id(), Utc::now()).await?;
    let url = app.mail.link(&format!("/api/v1/calendars/feeds/{token}.ics"));
    let webcal = match url.split_once("://") {
        Some((_, rest)) => format!("webcal://{rest}"),
        None => url.clone(),
    };
    Ok(NewFeed { id, url, webcal })
}

/// The caller's links that work (their tokens are not kept: only when made).
pub async fn feeds(app: &App, caller: &Caller) -> Result<Vec<Feed>, AppError> {
    check_can_have(caller)?;
    Ok(store::of_user(&app.store, caller.user_id()).await?)
}

/// Revokes one of the caller's links: it answers 404 from now on.
pub async fn revoke(app: &App, caller: &Caller, feed_id: Uuid) -> Result<(), AppError> {
    check_can_have(caller)?;
    if store::revoke(&app.store, caller.user_id(), feed_id, Utc::now()).await? {
        Ok(())
    } else {
        Err(AppError::NotFound("Vous n'avez pas de lien d'agenda de ce numéro.".into()))
    }
}

/// One booking as a `.ics` file, for whoever may see the booking.
pub async fn booking_ics(app: &App, caller: &Caller, booking_id: Uuid) -> Result<String, AppError> {
    let row = access::visible_booking(app, caller, booking_id).await?;
    let events = events(app, std::slice::from_ref(&row), caller.role() == Role::Manager).await?;
    let title = events.first().map(|e| e.summary.clone()).unwrap_or_default();
    Ok(ics::calendar(&title, &events, Utc::now()))
}
