//! `GET /reservations` (the association's own, the manager's, pending
//! first), one booking's page with its history, and the decisions on it
//! (`POST /reservations/{id}/{action}`).

use std::collections::HashMap;

use actix_web::{HttpResponse, get, post, web};
use chrono::Utc;
use salle_events::catalog::Money;
use salle_events::catalog::room::{BookingStatus, CancelledBy, MessageAuthor};
use salle_web::Lang;
use salle_web::marketplace::{self as views, BookingLine, BookingView};
use uuid::Uuid;

use crate::app::accounts::{self, Role};
use crate::app::bookings::{self, SeriesDecision};
use crate::app::{App, AppError, Caller, messages};
use crate::http::pages::form::SignedInPost;
use crate::http::pages::labels::{local_moment, local_slot, role_label, status_label};
use crate::http::pages::ledger::LedgerPeriod;
use crate::http::pages::signed_in::SignedIn;
use crate::http::pages::visitor::{PageError, see_other};

/// `GET /reservations`: the association's own, the manager's (pending first).
#[get("/reservations")]
pub async fn bookings_page(
    state: web::Data<App>,
    SignedIn { visitor, caller }: SignedIn,
) -> Result<HttpResponse, PageError> {
    let mut rows = bookings::list(&state, &caller, None, 500).await?;
    let manager = caller.role() == Role::Manager;
    if manager {
        rows.sort_by_key(|r| r.status != BookingStatus::Requested);
    }
    let mut lines = vec![];
    // Each room's name once, from the read model (not by replaying its stream);
    // each pending requester's verification once.
    let mut names: HashMap<Uuid, String> = HashMap::new();
    let mut verified: HashMap<Uuid, bool> = HashMap::new();
    for r in &rows {
        let pending = manager && r.status == BookingStatus::Requested;
        if pending && !verified.contains_key(&r.association_id) {
            let v = state.commands.association(r.association_id).await.map_err(AppError::from)?.verified;
            verified.insert(r.association_id, v);
        }
        if let std::collections::hash_map::Entry::Vacant(slot) = names.entry(r.room_id) {
            let name = salle_projections::bookings::room_name(&state.store, r.room_id)
                .await
                .map_err(|e| AppError::Internal(e.into()))?;
            slot.insert(name.unwrap_or_default());
        }
        lines.push(BookingLine {
            href: format!("/reservations/{}", r.booking_id),
            when: local_slot(r.start_at, r.end_at),
            room: names.get(&r.room_id).cloned().unwrap_or_default(),
            status_label: status_label(visitor.lang, r.status).to_owned(),
            price: Money::eur(r.price_cents).to_string(),
            pending,
            awaiting_verification: pending && verified.get(&r.association_id) == Some(&false),
        });
    }
    let heading = match caller.role() {
        Role::Manager => "Demandes et réservations de l'établissement",
        Role::Association => "Mes réservations",
        _ => "Réservations",
    };
    let chrome = visitor.chrome(&state).await;
    Ok(visitor.ok(views::bookings(&chrome, heading, &lines, None)))
}

/// `GET /reservations/{id}`
#[get("/reservations/{id}")]
pub async fn booking_page(
    state: web::Data<App>,
    SignedIn { visitor, caller }: SignedIn,
    path: web::Path<Uuid>,
    asked: web::Query<LedgerPeriod>,
) -> Result<HttpResponse, PageError> {
    let (_, as_of) = asked.read()?;
    let view = booking_view(&state, &caller, visitor.lang, path.into_inner(), as_of).await?;
    let chrome = visitor.chrome(&state).await;
    Ok(visitor.ok(views::booking(&chrome, &view, None)))
}

/// Who did something, as the history shows them: an account's name and
/// role, or the process that acted (`sign-up`, `expiry`…).
async fn actor_names(
    state: &App,
    lang: Lang,
    events: &[salle_events::RecordedEvent],
) -> Result<HashMap<String, String>, AppError> {
    let mut names = HashMap::new();
    for actor in events.iter().filter_map(|e| e.metadata.actor.clone()) {
        if names.contains_key(&actor) {
            continue;
        }
        let name = match actor.parse::<Uuid>() {
            Ok(id) => match accounts::by_id(&state.store, id).await? {
                Some(a) => format!("{} — {}", a.name, role_label(lang, a.role)),
                None => actor.clone(),
            },
            Err(_) => actor.clone(),
        };
        names.insert(actor, name);
    }
    Ok(names)
}

/// A booking page's content; `as_of`: its history up to then.
async fn booking_view(
    state: &App,
    caller: &Caller,
    lang: Lang,
    booking_id: Uuid,
    as_of: Option<chrono::DateTime<Utc>>,
) -> Result<BookingView, AppError> {
    let bookings::BookingRecord { row, room, booking, history: events, .. } =
        bookings::show(state, caller, booking_id).await?;
    let establishment = state.commands.establishment(room.establishment_id).await?;
    let now = Utc::now();
    let role = caller.role();
    let refund =
        booking.refund_on_cancel(CancelledBy::Association, now, &establishment.cancellation_policy).ok();
    let status = booking.status;
    // Finance, admins and the establishment's managers see what each event wrote in the ledger.
    let mut written: HashMap<Uuid, Vec<(String, String, String, String)>> = HashMap::new();
    if role != Role::Association {
        let cents = |c: i64| if c == 0 { String::new() } else { Money::eur(c).to_string() };
        let ids: Vec<Uuid> = events.iter().map(|e| e.event_id).collect();
        for l in salle_projections::ledger::lines_of_events(&state.store, &ids)
            .await
            .map_err(|e| AppError::Internal(e.into()))?
        {
            written.entry(l.line.event_id).or_default().push((
                l.line.account.clone(),
                salle_projections::ledger::accounts::name(&l.line.account).to_owned(),
                cents(l.line.debit_cents),
                cents(l.line.credit_cents),
            ));
        }
    }
    let shown: Vec<_> = events.iter().filter(|e| as_of.is_none_or(|t| e.recorded_at <= t)).cloned().collect();
    let names = actor_names(state, lang, &shown).await?;
    let history = shown
        .iter()
        .map(|e| {
            let actor = e.metadata.actor.clone().unwrap_or_default();
            views::HistoryLine {
                when: local_moment(e.recorded_at),
                what: e.event_type.clone(),
                who: names.get(&actor).cloned().unwrap_or(actor),
                event_id: e.event_id.to_string(),
                ledger: written.remove(&e.event_id).unwrap_or_default(),
            }
        })
        .collect();
    let requested = status == BookingStatus::Requested;
    let unverified = requested && !state.commands.association(row.association_id).await?.verified;
    let verification_notice = unverified.then(|| {
        match (role, lang) {
            (Role::Association, Lang::Fr) => {
                "Votre association n'est pas encore vérifiée par le département : \
                l'établissement pourra approuver cette demande une fois la vérification faite."
            }
            (Role::Association, Lang::En) => {
                "Your association is not verified by the département yet: \
                the establishment can approve this request once it is."
            }
            (_, Lang::Fr) => {
                "L'association n'est pas encore vérifiée par le département : cette demande pourra \
                être approuvée une fois la vérification faite. Vous pouvez la refuser dès maintenant."
            }
            (_, Lang::En) => {
                "The association is not verified by the département yet: this request can be \
                approved once it is. You may reject it now."
            }
        }
        .to_owned()
    });
    Ok(BookingView {
        id: booking_id.to_string(),
        when: local_slot(booking.slot.start(), booking.slot.end()),
        room: room.details.as_ref().map(|d| d.name.clone()).unwrap_or_default(),
        room_href: format!("/salles/{}", row.room_id),
        status_label: status_label(lang, status).to_owned(),
        price: booking.price.to_string(),
        history,
        as_of: as_of.map(local_moment),
        actions: views::Actions {
            approve_reject: role == Role::Manager && requested,
            approve_blocked: unverified,
            series_pending: booking
                .series_id
                .filter(|_| role == Role::Manager && requested)
                .map(|series| {
                    room.bookings
                        .values()
                        .filter(|b| b.series_id == Some(series) && b.status == BookingStatus::Requested)
                        .count()
                })
                .filter(|n| *n > 1),
            pay: role == Role::Association && status == BookingStatus::Approved && !booking.is_free(),
            cancel: matches!(role, Role::Association | Role::Manager)
                && matches!(status, BookingStatus::Requested | BookingStatus::Approved | BookingStatus::Paid)
                && now < booking.slot.start(),
            refund_if_cancelled: (role == Role::Association && status == BookingStatus::Paid)
                .then(|| refund.unwrap_or(Money::ZERO).to_string()),
            refund_after_slot: matches!(role, Role::Manager | Role::Admin)
                .then(|| booking.refundable_after_slot().ok())
                .flatten()
                .filter(|left| left.amount_cents > 0)
                .map(|left| views::RefundForm { left: left.to_string(), ..Default::default() }),
        },
        receipt_href: booking.paid.is_some().then(|| format!("/reservations/{booking_id}/recu")),
        verification_notice,
        conversation: conversation(state, caller, lang, booking_id, booking.series_id.is_some()).await?,
    })
}

/// The booking's conversation as its association or its manager reads it;
/// none for finance and admins.
async fn conversation(
    state: &App,
    caller: &Caller,
    lang: Lang,
    booking_id: Uuid,
    series: bool,
) -> Result<Option<views::Conversation>, AppError> {
    if !matches!(caller.role(), Role::Association | Role::Manager) {
        return Ok(None);
    }
    let t = salle_web::layout::t;
    let rows = messages::list(state, caller, booking_id).await?;
    let messages = rows
        .iter()
        .map(|m| {
            let mine = m.author_id == caller.user_id();
            let who = match (mine, m.author()) {
                (true, _) => t(lang, "Vous", "You"),
                (false, Some(MessageAuthor::Manager)) => t(lang, "L'établissement", "The establishment"),
                (false, _) => t(lang, "L'association", "The association"),
            };
            views::MessageLine {
                who: who.to_owned(),
                when: local_moment(m.posted_at),
                at: m.posted_at.to_rfc3339(),
                text: m.body.clone(),
                mine,
            }
        })
        .collect();
    let other_side = match caller.role() {
        Role::Manager => t(lang, "l'association", "the association"),
        _ => t(lang, "les gestionnaires de l'établissement", "the establishment's managers"),
    };
    Ok(Some(views::Conversation {
        messages,
        draft: String::new(),
        form_token: Uuid::now_v7().to_string(),
        series,
        other_side: other_side.to_owned(),
        max_chars: messages::MESSAGE_MAX_CHARS,
    }))
}

/// What a booking page's buttons ask for (the last part of their address).
enum Action {
    Approve,
    ApproveSeries,
    Reject,
    RejectSeries,
    Cancel,
    Pay,
    Message,
    Refund,
}

impl Action {
    fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "approuver" => Self::Approve,
            "approuver-serie" => Self::ApproveSeries,
            "refuser" => Self::Reject,
            "refuser-serie" => Self::RejectSeries,
            "annuler" => Self::Cancel,
            "payer" => Self::Pay,
            "message" => Self::Message,
            "rembourser" => Self::Refund,
            _ => return None,
        })
    }
}

/// `POST /reservations/{id}/{action}`: approve, reject (one date or the
/// whole series), pay, cancel, write a message, refund after the slot. A refusal shows the booking again, with why.
#[post("/reservations/{id}/{action}")]
pub async fn act(
    state: web::Data<App>,
    SignedInPost { visitor, caller, fields }: SignedInPost,
    path: web::Path<(Uuid, String)>,
) -> Result<HttpResponse, PageError> {
    let (booking_id, action) = path.into_inner();
    let action =
        Action::parse(&action).ok_or_else(|| AppError::NotFound(format!("Aucune action « {action} ».")))?;
    let reason = fields.get("reason");
    let back = format!("/reservations/{booking_id}");
    let app = &state;
    let outcome = match action {
        Action::Approve => bookings::approve(app, &caller, booking_id).await.map(|_| back),
        Action::ApproveSeries => {
            bookings::decide_series(app, &caller, booking_id, SeriesDecision::Approve).await.map(|_| back)
        }
        Action::Reject => bookings::reject(app, &caller, booking_id, &reason).await.map(|_| back),
        Action::RejectSeries => {
            bookings::decide_series(app, &caller, booking_id, SeriesDecision::Reject { reason })
                .await
                .map(|_| back)
        }
        Action::Cancel => bookings::cancel(app, &caller, booking_id, &reason).await.map(|_| back),
        Action::Pay => bookings::checkout(app, &caller, booking_id).await.map(|checkout| checkout.url),
        Action::Refund => match crate::http::pages::form::parse_euros("Le montant", &fields.get("amount")) {
            Ok(cents) => crate::app::refunds::grant(app, &caller, booking_id, cents, &reason)
                .await
                .map(|_| format!("{back}#historique")),
            Err(e) => Err(e.into()),
        },
        Action::Message => {
            let form = fields.get("form").parse::<Uuid>().ok();
            messages::post(app, &caller, booking_id, &fields.get("text"), form)
                .await
                .map(|_| format!("{back}#conversation"))
        }
    };
    match outcome {
        Ok(location) => Ok(see_other(&location)),
        Err(e @ (AppError::Unprocessable { .. } | AppError::Conflict { .. })) => {
            let mut view = booking_view(&state, &caller, visitor.lang, booking_id, None).await?;
            // What was typed is shown again, to correct rather than retype.
            if let (Action::Message, Some(c)) = (&action, view.conversation.as_mut()) {
                c.draft = fields.get("text");
                c.form_token = fields.get("form");
            }
            if let (Action::Refund, Some(r)) = (&action, view.actions.refund_after_slot.as_mut()) {
                (r.amount, r.reason) = (fields.get("amount"), fields.get("reason"));
            }
            let chrome = visitor.chrome(&state).await;
            let status = actix_web::ResponseError::status_code(&e);
            Ok(visitor.html(status, views::booking(&chrome, &view, Some(&e.to_string()))))
        }
        Err(e) => Err(e.into()),
    }
}
