//! The words of each notice, in French and in English: short sentences,
//! what happened, what to do next, the page to go to.

use chrono::{DateTime, Utc};
use salle_domain::time::{LOCAL_TZ, fr_date};
use salle_domain::typed::euros;
use salle_events::catalog::Money;
use salle_web::Lang;
use salle_web::layout::t as tr;

use super::Letter;
use super::notice::Notice;

/// What a booking notice speaks of.
#[derive(Debug, Clone, Default)]
pub struct BookingFacts {
    pub room: String,
    pub establishment: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// Dates of the series this notice covers (1 for a single booking).
    pub dates: usize,
    /// The last date of the series, when there are several.
    pub last_start: Option<DateTime<Utc>>,
    /// What the association owes, paid or refunds, by notice.
    pub amount: Option<Money>,
    pub pay_by: Option<DateTime<Utc>>,
    /// What a person wrote (a refusal's or a cancellation's reason), when kept.
    pub reason: Option<String>,
    /// The association's name (for managers).
    pub association: String,
    /// A request the room approved by itself (nothing left to decide).
    pub automatic: bool,
    /// A message posted by a manager (else by the association).
    pub from_establishment: bool,
}

/// `mardi 8 décembre 2026, 18 h 00 – 20 h 00` / `Tuesday 8 December 2026, 18:00–20:00`.
pub fn slot(lang: Lang, start: DateTime<Utc>, end: DateTime<Utc>) -> String {
    let (s, e) = (start.with_timezone(&LOCAL_TZ), end.with_timezone(&LOCAL_TZ));
    match lang {
        Lang::Fr => format!("{}, {} – {}", fr_date(s.date_naive()), s.format("%H h %M"), e.format("%H h %M")),
        Lang::En => format!("{}, {}–{}", s.format("%A %-d %B %Y"), s.format("%H:%M"), e.format("%H:%M")),
    }
}

/// A moment, in Europe/Paris: `lundi 7 décembre 2026 à 18 h 00`.
pub fn moment(lang: Lang, at: DateTime<Utc>) -> String {
    let t = at.with_timezone(&LOCAL_TZ);
    match lang {
        Lang::Fr => format!("{} à {}", fr_date(t.date_naive()), t.format("%H h %M")),
        Lang::En => format!("{} at {}", t.format("%A %-d %B %Y"), t.format("%H:%M")),
    }
}

pub fn amount(m: &Money) -> String {
    format!("{} €", euros(m.amount_cents))
}

pub fn greeting(lang: Lang, name: &str) -> String {
    let name = name.trim();
    match (lang, name.is_empty()) {
        (Lang::Fr, true) => "Bonjour,".into(),
        (Lang::Fr, false) => format!("Bonjour {name},"),
        (Lang::En, true) => "Hello,".into(),
        (Lang::En, false) => format!("Hello {name},"),
    }
}

/// Why the person receives it; for notices they may turn off, where.
pub fn footer(lang: Lang, notice: Notice, settings_link: &str) -> String {
    if notice.optional() {
        match lang {
            Lang::Fr => format!(
                "Message automatique de salle, envoyé parce que votre compte reçoit ces avis. \
                 Choisissez ceux que vous recevez : {settings_link}"
            ),
            Lang::En => format!(
                "Automatic message from salle, sent because your account receives these notices. \
                 Choose which ones you receive: {settings_link}"
            ),
        }
    } else {
        tr(
            lang,
            "Message automatique de salle, lié à la sécurité de votre compte : il ne peut pas être désactivé. \
             Si vous n'êtes pas à l'origine de cette demande, ignorez-le.",
            "Automatic message from salle about your account's security: it cannot be turned off. \
             If you did not ask for it, ignore it.",
        )
        .to_owned()
    }
}

fn dates_line(lang: Lang, f: &BookingFacts) -> String {
    match (f.dates, f.last_start) {
        (n, Some(last)) if n > 1 => match lang {
            Lang::Fr => format!(
                "{n} dates, chaque semaine du {} au {}",
                slot(lang, f.start, f.end),
                fr_date(last.with_timezone(&LOCAL_TZ).date_naive())
            ),
            Lang::En => format!(
                "{n} dates, weekly from {} to {}",
                slot(lang, f.start, f.end),
                last.with_timezone(&LOCAL_TZ).format("%A %-d %B %Y")
            ),
        },
        _ => slot(lang, f.start, f.end),
    }
}

/// The letter of a booking notice (without its footer and greeting, which
/// depend on the recipient).
pub fn booking_letter(notice: Notice, lang: Lang, f: &BookingFacts, link: String) -> Letter {
    let place = format!("{} — {}", f.room, f.establishment);
    let several = f.dates > 1;
    let reason = f.reason.clone().filter(|r| !r.trim().is_empty());
    let mut details = vec![place.clone(), dates_line(lang, f)];
    let (subject, mut paragraphs, label): (String, Vec<String>, &str) = match notice {
        Notice::RequestReceived => (
            match lang {
                Lang::Fr => format!("Nouvelle demande : {}", f.room),
                Lang::En => format!("New request: {}", f.room),
            },
            vec![match (lang, f.automatic) {
                (Lang::Fr, false) => format!(
                    "{} demande {}. Approuvez ou refusez sa demande avant qu'elle n'expire.",
                    f.association,
                    if several { "une série de créneaux" } else { "un créneau" }
                ),
                (Lang::En, false) => format!(
                    "{} asks for {}. Approve or decline it before it expires.",
                    f.association,
                    if several { "a weekly series" } else { "a slot" }
                ),
                (Lang::Fr, true) => format!(
                    "{} a réservé {}. La salle approuve les demandes d'elle-même : il n'y a rien à décider.",
                    f.association,
                    if several { "une série de créneaux" } else { "un créneau" }
                ),
                (Lang::En, true) => format!(
                    "{} booked {}. The room approves requests by itself: there is nothing to decide.",
                    f.association,
                    if several { "a weekly series" } else { "a slot" }
                ),
            }],
            if f.automatic { tr(lang, "Voir la réservation", "See the booking") } else { tr(lang, "Décider", "Decide") },
        ),
        Notice::CancelledByAssociation => (
            match lang {
                Lang::Fr => format!("Réservation annulée par l'association : {}", f.room),
                Lang::En => format!("Booking cancelled by the association: {}", f.room),
            },
            vec![match lang {
                Lang::Fr => format!("{} a annulé sa réservation. Le créneau est de nouveau libre.", f.association),
                Lang::En => format!("{} cancelled its booking. The slot is free again.", f.association),
            }],
            tr(lang, "Voir la réservation", "See the booking"),
        ),
        Notice::RequestApproved => {
            let mut p = vec![
                tr(lang, "Bonne nouvelle : votre demande est approuvée.", "Good news: your request is approved.")
                    .to_owned(),
            ];
            match (&f.amount, f.pay_by) {
                (Some(m), Some(by)) if m.amount_cents > 0 => p.push(match lang {
                    Lang::Fr => format!(
                        "Il reste à payer {} avant le {}{}. Sans paiement à cette date, la réservation expire.",
                        amount(m),
                        moment(lang, by),
                        if several { " pour chaque date" } else { "" }
                    ),
                    Lang::En => format!(
                        "It remains to pay {} before {}{}. Unpaid by then, the booking expires.",
                        amount(m),
                        moment(lang, by),
                        if several { " for each date" } else { "" }
                    ),
                }),
                _ => p.push(
                    tr(lang, "Il n'y a rien à payer : la salle vous attend.", "There is nothing to pay: the room is yours.")
                        .to_owned(),
                ),
            }
            (
                match lang {
                    Lang::Fr => format!("Demande approuvée : {}", f.room),
                    Lang::En => format!("Request approved: {}", f.room),
                },
                p,
                tr(lang, "Voir et payer", "See and pay"),
            )
        }
        Notice::RequestRejected => (
            match lang {
                Lang::Fr => format!("Demande refusée : {}", f.room),
                Lang::En => format!("Request declined: {}", f.room),
            },
            vec![
                tr(lang, "L'établissement a refusé votre demande.", "The establishment declined your request.").to_owned(),
                match (&reason, lang) {
                    (Some(r), Lang::Fr) => format!("Motif donné : « {r} »"),
                    (Some(r), Lang::En) => format!("Reason given: “{r}”"),
                    (None, _) => tr(lang, "Aucun motif n'a été conservé.", "No reason was kept.").to_owned(),
                },
                tr(lang, "Vous pouvez chercher une autre salle ou un autre créneau.", "You may look for another room or slot.")
                    .to_owned(),
            ],
            tr(lang, "Voir la demande", "See the request"),
        ),
        Notice::BookingExpired => (
            match lang {
                Lang::Fr => format!("Réservation expirée : {}", f.room),
                Lang::En => format!("Booking expired: {}", f.room),
            },
            vec![
                tr(
                    lang,
                    "Le délai est passé (décision de l'établissement ou paiement) : le créneau n'est plus retenu pour vous.",
                    "The deadline passed (the establishment's decision or the payment): the slot is no longer held for you.",
                )
                .to_owned(),
            ],
            tr(lang, "Voir la réservation", "See the booking"),
        ),
        Notice::PaymentReceived => (
            match lang {
                Lang::Fr => format!("Paiement reçu : {}", f.room),
                Lang::En => format!("Payment received: {}", f.room),
            },
            vec![match (&f.amount, lang) {
                (Some(m), Lang::Fr) => format!("Nous avons bien reçu votre paiement de {}. Votre réservation est confirmée.", amount(m)),
                (Some(m), Lang::En) => format!("We received your payment of {}. Your booking is confirmed.", amount(m)),
                (None, _) => tr(lang, "Votre paiement est reçu.", "Your payment is received.").to_owned(),
            }],
            tr(lang, "Voir le reçu", "See the receipt"),
        ),
        Notice::CancelledByEstablishment => (
            match lang {
                Lang::Fr => format!("Réservation annulée par l'établissement : {}", f.room),
                Lang::En => format!("Booking cancelled by the establishment: {}", f.room),
            },
            {
                let mut p = vec![
                    tr(lang, "L'établissement a annulé votre réservation.", "The establishment cancelled your booking.")
                        .to_owned(),
                ];
                if let Some(r) = &reason {
                    p.push(match lang {
                        Lang::Fr => format!("Motif donné : « {r} »"),
                        Lang::En => format!("Reason given: “{r}”"),
                    });
                }
                if let Some(m) = f.amount.as_ref().filter(|m| m.amount_cents > 0) {
                    p.push(match lang {
                        Lang::Fr => format!("{} vous seront remboursés ; un second message le confirmera.", amount(m)),
                        Lang::En => format!("{} will be refunded to you; another message will confirm it.", amount(m)),
                    });
                }
                p
            },
            tr(lang, "Voir la réservation", "See the booking"),
        ),
        Notice::RefundIssued => (
            match lang {
                Lang::Fr => format!("Remboursement effectué : {}", f.room),
                Lang::En => format!("Refund issued: {}", f.room),
            },
            vec![match (&f.amount, lang) {
                (Some(m), Lang::Fr) => format!(
                    "{} vous ont été remboursés, sur le moyen de paiement utilisé. Ils apparaissent d'ordinaire sous 5 à 10 jours.",
                    amount(m)
                ),
                (Some(m), Lang::En) => format!(
                    "{} were refunded to the means of payment you used. They usually appear within 5 to 10 days.",
                    amount(m)
                ),
                (None, _) => tr(lang, "Un remboursement a été effectué.", "A refund was issued.").to_owned(),
            }],
            tr(lang, "Voir la réservation", "See the booking"),
        ),
        Notice::PaymentReminder => (
            match lang {
                Lang::Fr => format!("À payer avant demain : {}", f.room),
                Lang::En => format!("To pay by tomorrow: {}", f.room),
            },
            vec![match (&f.amount, f.pay_by, lang) {
                (Some(m), Some(by), Lang::Fr) => format!(
                    "Votre réservation approuvée attend son paiement de {} : sans lui avant le {}, elle expire et le créneau est libéré.",
                    amount(m),
                    moment(lang, by)
                ),
                (Some(m), Some(by), Lang::En) => format!(
                    "Your approved booking waits for its payment of {}: unpaid by {}, it expires and the slot is freed.",
                    amount(m),
                    moment(lang, by)
                ),
                _ => tr(lang, "Votre réservation attend son paiement.", "Your booking waits for its payment.").to_owned(),
            }],
            tr(lang, "Payer maintenant", "Pay now"),
        ),
        Notice::SlotReminder => (
            match lang {
                Lang::Fr => format!("Rappel : {} dans deux jours", f.room),
                Lang::En => format!("Reminder: {} in two days", f.room),
            },
            vec![
                tr(lang, "Votre créneau approche. La salle vous attend :", "Your slot is coming. The room expects you:").to_owned(),
                tr(
                    lang,
                    "Un empêchement ? Annulez depuis la page de la réservation, pour libérer la salle.",
                    "Cannot come? Cancel from the booking's page, to free the room.",
                )
                .to_owned(),
            ],
            tr(lang, "Voir la réservation", "See the booking"),
        ),
        Notice::MessagePosted => {
            let from = if f.from_establishment { &f.establishment } else { &f.association };
            (
                match lang {
                    Lang::Fr => format!("Nouveau message de {from} : {}", f.room),
                    Lang::En => format!("New message from {from}: {}", f.room),
                },
                vec![
                    match lang {
                        Lang::Fr => format!("{from} vous écrit au sujet de cette réservation :"),
                        Lang::En => format!("{from} writes to you about this booking:"),
                    },
                    reason.clone().unwrap_or_default(),
                    tr(
                        lang,
                        "Pour répondre, écrivez depuis la page de la réservation : une réponse à ce courriel n'arriverait pas.",
                        "To answer, write from the booking's page: a reply to this e-mail would not arrive.",
                    )
                    .to_owned(),
                ],
                tr(lang, "Lire et répondre", "Read and answer"),
            )
        }
        _ => (String::new(), vec![], ""),
    };
    if let Some(m) = f.amount.as_ref().filter(|_| notice == Notice::RequestReceived) {
        details.push(match lang {
            Lang::Fr => format!("Prix : {}{}", amount(m), if several { " par date" } else { "" }),
            Lang::En => format!("Price: {}{}", amount(m), if several { " per date" } else { "" }),
        });
    }
    paragraphs.retain(|p| !p.is_empty());
    Letter {
        lang,
        subject,
        greeting: String::new(),
        paragraphs,
        details,
        action: Some((label.to_owned(), link)),
        footer: String::new(),
    }
}
