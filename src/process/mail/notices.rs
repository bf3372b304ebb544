//! Which event tells whom what. The mail process reads the log after its
//! checkpoint and, for each event below, writes one message per recipient
//! into the outbox, in the transaction that moves the checkpoint.
//!
//! | notice | to | event |
//! |---|---|---|
//! | `request_received` | the establishment's managers | `BookingRequested` (one date), `WeeklySeriesRequested` (one message per series) |
//! | `cancelled_by_association` | the managers | `BookingCancelled` by the association |
//! | `request_approved` | the association's members | `BookingApproved` (one per series decision), with what to pay and by when |
//! | `request_rejected` | the members | `BookingRejected` (one per series decision), with the reason |
//! | `booking_expired` | the members | `BookingExpired` |
//! | `payment_received` | the members | `BookingPaid`, with the link to the receipt |
//! | `cancelled_by_establishment` | the members | `BookingCancelled` by a manager, with the reason and the refund |
//! | `refund_issued` | the members | `RefundIssued` (payment stream) |
//! | `payment_reminder` | the members | `BookingReminded` `payment_due` (a day before an unpaid hold ends) |
//! | `slot_reminder` | the members | `BookingReminded` `slot_soon` (two days before the slot) |
//! | `message_posted` | the other side: the managers, or the members | `MessagePosted`, with the message |
//!
//! Security notices (never turned off) are written by their use-cases:
//! `confirm_address` (sign-up), `sign_up_attempt` (a sign-up with an
//! address that has an account), `password_reset`, `invitation`.
//!
//! An event the process reaches more than [`STALE`] after it happened (a
//! worker stopped for days) is not mailed: news that old would mislead.

use chrono::{DateTime, Utc};
use salle_events::catalog::category;
use salle_events::catalog::payment::PaymentEvent;
use salle_events::catalog::room::{BookingStatus, CancelledBy, MessageAuthor, Reminder, RoomEvent};
use salle_events::{DomainEvent, EventStore, RecordedEvent};
use uuid::Uuid;

use super::MailProcess;
use crate::domain::room::Room;
use crate::mail::notice::Notice;
use crate::mail::texts::{self, BookingFacts};
use crate::mail::{Letter, NAME, Outgoing, Recipient, outbox, recipients};

/// Events read per batch.
pub const BATCH: usize = 200;
/// Older than this when reached, an event is not mailed.
pub const STALE: chrono::Duration = chrono::Duration::days(3);

/// One notice about a booking, before it has recipients.
struct BookingNotice {
    notice: Notice,
    /// What the message's key is derived from: the event, or a series'
    /// decision (every date of it decided at once gives one message).
    cause: String,
    /// Who it may go to: the establishment's managers, or the association.
    audience: Audience,
    /// It goes to the managers (else to the association's members).
    to_managers: bool,
    facts: BookingFacts,
    /// The page it is about, from the site's root.
    path: String,
}

/// The people a booking's notices may go to, read with its facts.
struct Audience {
    managers: Vec<Uuid>,
    association_id: Uuid,
}

impl MailProcess {
    /// Writes into the outbox what `batch` tells, and moves the checkpoint past it.
    pub async fn notify(&self, batch: &[RecordedEvent]) -> anyhow::Result<()> {
        let now = Utc::now();
        let mut out = Vec::new();
        let mut stale = 0usize;
        for recorded in batch {
            if now - recorded.recorded_at > STALE {
                stale += usize::from(concerns(recorded));
                continue;
            }
            let addressed = match self.booking_notice(recorded).await {
                Ok(Some(notice)) => self.addressed(notice).await,
                Ok(None) => Ok(vec![]),
                Err(e) => Err(e),
            };
            match addressed {
                Ok(messages) => out.extend(messages),
                // The store did not answer: the batch is read again from the checkpoint.
                Err(e) if unavailable(&e) => return Err(e),
                // Anything else would fail the same way each time and hold every
                // later notice back: logged, and this event's notice skipped.
                Err(e) => tracing::error!(
                    position = recorded.global_position,
                    event_type = %recorded.event_type,
                    error = format!("{e:#}"),
                    "a notice could not be written; skipped"
                ),
            }
        }
        if stale > 0 {
            tracing::warn!(
                events = stale,
                "events older than three days reached by the mail process: not mailed"
            );
        }
        let mut tx = self.store.begin().await?;
        outbox::enqueue_in(&mut tx, &out, now).await?;
        if let Some(last) = batch.last() {
            tx.save_checkpoint(NAME, last.log_position()).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The notice an event gives, if any.
    async fn booking_notice(&self, recorded: &RecordedEvent) -> anyhow::Result<Option<BookingNotice>> {
        if !concerns(recorded) {
            return Ok(None);
        }
        let cause = recorded.event_id.to_string();
        if let Some(booking_id) = recorded.stream_id.entity(category::PAYMENT) {
            let Ok(PaymentEvent::RefundIssued { amount, .. }) = PaymentEvent::from_recorded(recorded) else {
                return Ok(None);
            };
            let Some(row) = salle_projections::bookings::by_id(&self.store, booking_id).await? else {
                return Ok(None);
            };
            let room = self.commands.room(row.room_id).await?;
            let (mut facts, audience) = self.facts(&room, booking_id, None).await?;
            facts.amount = Some(amount);
            return Ok(Some(BookingNotice {
                notice: Notice::RefundIssued,
                cause,
                audience,
                to_managers: false,
                facts,
                path: format!("/reservations/{booking_id}"),
            }));
        }
        let Some(room_id) = recorded.stream_id.entity(category::ROOM) else { return Ok(None) };
        let event = match RoomEvent::from_recorded(recorded) {
            Ok(event) => event,
            Err(e) => {
                tracing::warn!(position = recorded.global_position, error = %e, "unreadable event skipped by the mail process");
                return Ok(None);
            }
        };
        let room = self.commands.room(room_id).await?;
        let single = |notice, booking_id, cause: String| (notice, booking_id, cause);
        let series_cause = |booking_id: Uuid, what: &str, at: DateTime<Utc>| match room
            .bookings
            .get(&booking_id)
            .and_then(|b| b.series_id)
        {
            Some(series_id) => format!("series/{series_id}/{what}/{}", at.timestamp_micros()),
            None => cause.clone(),
        };
        let (notice, booking_id, cause) = match &event {
            RoomEvent::BookingRequested { booking_id, series_id: None, .. } => {
                single(Notice::RequestReceived, *booking_id, cause.clone())
            }
            RoomEvent::WeeklySeriesRequested { series_id, .. } => {
                let Some(first) = room.series.get(series_id).and_then(|dates| dates.first()) else {
                    return Ok(None);
                };
                single(Notice::RequestReceived, *first, format!("series/{series_id}/requested"))
            }
            RoomEvent::BookingApproved { booking_id, at, .. } => {
                (Notice::RequestApproved, *booking_id, series_cause(*booking_id, "approved", *at))
            }
            RoomEvent::BookingRejected { booking_id, at, .. } => {
                (Notice::RequestRejected, *booking_id, series_cause(*booking_id, "rejected", *at))
            }
            RoomEvent::BookingExpired { booking_id, at, .. } => {
                (Notice::BookingExpired, *booking_id, series_cause(*booking_id, "expired", *at))
            }
            RoomEvent::BookingReminded { booking_id, reminder, .. } => {
                let notice = match reminder {
                    Reminder::PaymentDue => Notice::PaymentReminder,
                    Reminder::SlotSoon => Notice::SlotReminder,
                };
                single(notice, *booking_id, cause.clone())
            }
            RoomEvent::BookingPaid { booking_id, .. } => {
                single(Notice::PaymentReceived, *booking_id, cause.clone())
            }
            RoomEvent::BookingCancelled { booking_id, by: CancelledBy::Association, .. } => {
                single(Notice::CancelledByAssociation, *booking_id, cause.clone())
            }
            RoomEvent::BookingCancelled { booking_id, by: CancelledBy::Manager, .. } => {
                single(Notice::CancelledByEstablishment, *booking_id, cause.clone())
            }
            RoomEvent::MessagePosted { booking_id, .. } => {
                single(Notice::MessagePosted, *booking_id, cause.clone())
            }
            _ => return Ok(None),
        };
        let Some(booking) = room.bookings.get(&booking_id) else { return Ok(None) };
        let in_series = cause.starts_with("series/");
        let (mut facts, audience) = self.facts(&room, booking_id, in_series.then_some(&event)).await?;
        let path = match notice {
            Notice::PaymentReceived => format!("/reservations/{booking_id}/recu"),
            Notice::MessagePosted => format!("/reservations/{booking_id}#conversation"),
            _ => format!("/reservations/{booking_id}"),
        };
        let mut to_managers = !notice.to_associations();
        match &event {
            RoomEvent::BookingApproved { pay_by, .. } => {
                facts.amount = Some(booking.price);
                facts.pay_by = *pay_by;
            }
            RoomEvent::BookingReminded { .. } => {
                facts.amount = Some(booking.price);
                facts.pay_by = booking.pay_by;
            }
            RoomEvent::BookingRequested { price, .. } => {
                facts.amount = Some(*price);
                facts.automatic = booking.status != BookingStatus::Requested;
            }
            RoomEvent::WeeklySeriesRequested { booked, .. } => {
                facts.amount = Some(booking.price);
                facts.automatic = booking.status != BookingStatus::Requested;
                facts.dates = booked.len();
                facts.last_start = room
                    .series
                    .get(&booking.series_id.unwrap_or_default())
                    .and_then(|d| d.last())
                    .and_then(|id| room.bookings.get(id))
                    .map(|b| b.slot.start());
            }
            RoomEvent::BookingPaid { amount, .. } => facts.amount = Some(*amount),
            RoomEvent::BookingCancelled { refund, reason, .. } => {
                facts.amount = Some(*refund);
                facts.reason = self.text(reason).await?;
            }
            RoomEvent::BookingRejected { reason, .. } => facts.reason = self.text(reason).await?,
            RoomEvent::MessagePosted { author, text, .. } => {
                facts.from_establishment = *author == MessageAuthor::Manager;
                to_managers = !facts.from_establishment;
                // Erased before the process reached it: nothing left to tell.
                let Some(words) = self.text(text).await? else { return Ok(None) };
                facts.reason = Some(words);
            }
            _ => {}
        }
        Ok(Some(BookingNotice { notice, cause, audience, to_managers, facts, path }))
    }

    /// What every booking notice says — the room, the place, the dates —
    /// and whom it may tell.
    async fn facts(
        &self,
        room: &Room,
        booking_id: Uuid,
        series_event: Option<&RoomEvent>,
    ) -> anyhow::Result<(BookingFacts, Audience)> {
        let booking = room.booking(booking_id)?;
        let establishment = self.commands.establishment(room.establishment_id).await?;
        let association = self.commands.association(booking.association_id).await?;
        let mut facts = BookingFacts {
            room: room.details.as_ref().map(|d| d.name.clone()).unwrap_or_default(),
            establishment: establishment.name.clone(),
            start: booking.slot.start(),
            end: booking.slot.end(),
            dates: 1,
            association: association.name.clone(),
            ..BookingFacts::default()
        };
        // A series' decision or request covers each of its dates still in that state.
        if let (Some(series_id), Some(event)) = (booking.series_id, series_event) {
            let wanted = match event {
                RoomEvent::BookingApproved { .. } => Some(BookingStatus::Approved),
                RoomEvent::BookingRejected { .. } => Some(BookingStatus::Rejected),
                RoomEvent::BookingExpired { .. } => Some(BookingStatus::Expired),
                _ => None,
            };
            let dates: Vec<_> = room
                .series
                .get(&series_id)
                .into_iter()
                .flatten()
                .filter_map(|id| room.bookings.get(id))
                .filter(|b| {
                    wanted.is_none_or(|s| b.status == s || (s == BookingStatus::Approved && b.is_active()))
                })
                .collect();
            if let (Some(first), Some(last)) = (dates.first(), dates.last()) {
                facts.start = first.slot.start();
                facts.end = first.slot.end();
                facts.dates = dates.len();
                facts.last_start = Some(last.slot.start());
            }
        }
        let audience = Audience {
            managers: establishment.managers.iter().copied().collect(),
            association_id: booking.association_id,
        };
        Ok((facts, audience))
    }

    async fn text(&self, text: &salle_events::catalog::FreeText) -> anyhow::Result<Option<String>> {
        Ok(crate::commands::free_texts::read(&self.store, text).await?)
    }

    /// The notice's messages, one per recipient who has not turned it off.
    async fn addressed(&self, n: BookingNotice) -> anyhow::Result<Vec<Outgoing>> {
        let recipients = if n.to_managers {
            recipients::by_ids(&self.store, n.audience.managers.iter().copied()).await?
        } else {
            recipients::of_association(&self.store, n.audience.association_id).await?
        };
        let mut out = Vec::new();
        for to in recipients.iter().filter(|r| !r.muted.iter().any(|m| m == n.notice.code())) {
            let letter = self.letter(&n, to);
            match self.mailer.outgoing(&n.cause, n.notice.code(), to, &letter) {
                Ok(m) => out.push(m),
                // The error names the address: it stays out of the log line.
                Err(_) => tracing::warn!(
                    notice = n.notice.code(),
                    "a recipient's address cannot receive e-mail; this notice skipped for them"
                ),
            }
        }
        Ok(out)
    }

    fn letter(&self, n: &BookingNotice, to: &Recipient) -> Letter {
        let mut letter = texts::booking_letter(n.notice, to.lang, &n.facts, self.mailer.link(&n.path));
        letter.greeting = texts::greeting(to.lang, &to.name);
        letter.footer = texts::footer(to.lang, n.notice, &self.mailer.link("/compte"));
        letter
    }
}

/// Whether a failure is the store's (worth reading the batch again).
fn unavailable(e: &anyhow::Error) -> bool {
    e.chain().any(|cause| {
        cause.is::<sqlx::Error>()
            || cause.is::<salle_events::StoreError>()
            || matches!(cause.downcast_ref::<crate::commands::CommandError>(), Some(c) if !matches!(c, crate::commands::CommandError::Domain(_)))
    })
}

/// Whether an event may give a notice, from its stream and type alone.
fn concerns(recorded: &RecordedEvent) -> bool {
    let kind = recorded.event_type.as_str();
    (recorded.stream_id.is(category::ROOM)
        && matches!(
            kind,
            "BookingRequested"
                | "WeeklySeriesRequested"
                | "BookingApproved"
                | "BookingRejected"
                | "BookingExpired"
                | "BookingPaid"
                | "BookingCancelled"
                | "BookingReminded"
                | "MessagePosted"
        ))
        || (recorded.stream_id.is(category::PAYMENT) && kind == "RefundIssued")
}
