//! The bookings list, one booking's page with its history and actions, and a payment receipt.

use maud::{Markup, html};

use crate::layout::{Chrome, alert, csrf_field, page_with, t};

#[derive(Debug, Clone)]
pub struct BookingLine {
    pub href: String,
    pub when: String,
    pub room: String,
    pub status_label: String,
    pub price: String,
    pub pending: bool,
    /// Pending, but its association is not verified yet: it cannot be approved.
    pub awaiting_verification: bool,
}

/// A list of bookings; pending requests first for managers.
pub fn bookings(chrome: &Chrome, heading: &str, lines: &[BookingLine], message: Option<&str>) -> Markup {
    let lang = chrome.lang;
    page_with(
        chrome,
        heading,
        html! {
            h1 { (heading) }
            @if let Some(m) = message { p class="notice" role="status" { (m) } }
            @if lines.is_empty() {
                p { (t(lang, "Aucune réservation pour le moment.", "No bookings yet.")) }
            } @else {
                table {
                    thead { tr {
                        th scope="col" { (t(lang, "Créneau", "Slot")) }
                        th scope="col" { (t(lang, "Salle", "Room")) }
                        th scope="col" { (t(lang, "Statut", "Status")) }
                        th scope="col" { (t(lang, "Prix", "Price")) }
                    } }
                    tbody {
                        @for l in lines {
                            tr {
                                td { a href=(l.href) { (l.when) } }
                                td { (l.room) }
                                td { span class="status" { (l.status_label) } @if l.awaiting_verification { " " span class="badge" { (t(lang, "association à vérifier", "association to verify")) } } @else if l.pending { " " span class="badge" { (t(lang, "à décider", "to decide")) } } }
                                td { (l.price) }
                            }
                        }
                    }
                }
            }
        },
    )
}

/// What a booking's page may offer.
#[derive(Debug, Clone, Default)]
pub struct Actions {
    pub approve_reject: bool,
    /// The association is not verified yet: approving waits for it
    /// (rejecting does not).
    pub approve_blocked: bool,
    /// The booking is one date of a weekly series with this many dates still
    /// to decide: the whole series can be decided at once.
    pub series_pending: Option<usize>,
    pub pay: bool,
    pub cancel: bool,
    /// What cancelling now gives back, shown before confirming.
    pub refund_if_cancelled: Option<String>,
    /// After the slot, what its manager (or an admin) may still give back.
    pub refund_after_slot: Option<RefundForm>,
}

/// The form to give money back after the slot, kept filled in when refused.
#[derive(Debug, Clone, Default)]
pub struct RefundForm {
    /// What may still be given back, written out.
    pub left: String,
    pub amount: String,
    pub reason: String,
}

#[derive(Debug, Clone)]
pub struct BookingView {
    pub id: String,
    pub when: String,
    pub room: String,
    pub room_href: String,
    pub status_label: String,
    pub price: String,
    pub history: Vec<HistoryLine>,
    /// The history shown as it stood at this instant, if asked.
    pub as_of: Option<String>,
    pub actions: Actions,
    /// The payment receipt, once paid.
    pub receipt_href: Option<String>,
    /// Why the request waits for the association's verification, if it does.
    pub verification_notice: Option<String>,
    /// Its conversation, for its association and its managers.
    pub conversation: Option<super::Conversation>,
}

/// A payment receipt: who paid whom, for what, how much, and what went back.
#[derive(Debug, Clone, Default)]
pub struct ReceiptView {
    pub number: String,
    pub booking_href: String,
    pub establishment: String,
    pub establishment_address: String,
    pub association: String,
    pub association_identifier: String,
    pub room: String,
    pub when: String,
    pub purpose: String,
    pub paid_on: String,
    pub amount: String,
    pub payment_ref: String,
    /// (label, amount) of each refund issued.
    pub refunds: Vec<(String, String)>,
    pub net: String,
}

/// The receipt, printable (the navigation is not printed).
pub fn receipt(chrome: &Chrome, r: &ReceiptView) -> Markup {
    let lang = chrome.lang;
    let title = format!("{} {}", t(lang, "Reçu de paiement n°", "Payment receipt no."), r.number);
    page_with(
        chrome,
        &title,
        html! {
            h1 { (title) }
            p class="no-print" { a href=(r.booking_href) { (t(lang, "Retour à la réservation", "Back to the booking")) } }
            dl {
                dt { (t(lang, "Établissement (bénéficiaire)", "Establishment (payee)")) } dd { (r.establishment) br; (r.establishment_address) }
                dt { (t(lang, "Payé par", "Paid by")) } dd { (r.association) " — " (r.association_identifier) }
                dt { (t(lang, "Salle", "Room")) } dd { (r.room) }
                dt { (t(lang, "Créneau", "Slot")) } dd { (r.when) }
                dt { (t(lang, "Objet", "Purpose")) } dd { (r.purpose) }
                dt { (t(lang, "Payé le", "Paid on")) } dd { (r.paid_on) }
                dt { (t(lang, "Montant payé", "Amount paid")) } dd { strong { (r.amount) } }
                dt { (t(lang, "Référence du paiement", "Payment reference")) } dd { code { (r.payment_ref) } }
            }
            @if !r.refunds.is_empty() {
                h2 { (t(lang, "Remboursements", "Refunds")) }
                ul { @for (label, amount) in &r.refunds { li { (label) " : " (amount) } } }
                p { (t(lang, "Montant conservé par l'établissement : ", "Amount kept by the establishment: ")) strong { (r.net) } }
            }
            p class="hint" { (t(lang, "Reçu établi par salle pour le compte de l'établissement, qui perçoit l'intégralité du montant.", "Receipt made by salle on behalf of the establishment, which receives the whole amount.")) }
        },
    )
}

/// One event of a booking: when, what, who, and the ledger lines it wrote
/// (shown to finance, admins and the establishment's managers).
#[derive(Debug, Clone, Default)]
pub struct HistoryLine {
    pub when: String,
    pub what: String,
    pub who: String,
    pub event_id: String,
    /// (account, account name, debit, credit)
    pub ledger: Vec<(String, String, String, String)>,
}

pub fn booking(chrome: &Chrome, b: &BookingView, message: Option<&str>) -> Markup {
    let lang = chrome.lang;
    let title = t(lang, "Réservation", "Booking");
    let action = |verb: &str| format!("/reservations/{}/{verb}", b.id);
    page_with(
        chrome,
        title,
        html! {
            h1 { (title) " — " (b.when) }
            (alert(message))
            dl {
                dt { (t(lang, "Salle", "Room")) } dd { a href=(b.room_href) { (b.room) } }
                dt { (t(lang, "Statut", "Status")) } dd { span class="status" { (b.status_label) } }
                dt { (t(lang, "Prix", "Price")) } dd { (b.price) }
            }
            @if let Some(notice) = &b.verification_notice {
                p class="notice" role="note" { (notice) }
            }
            @if let Some(href) = &b.receipt_href {
                p { a href=(href) { (t(lang, "Reçu de paiement", "Payment receipt")) } }
            }
            p { a href={ "/reservations/" (b.id) "/agenda.ics" } download { (t(lang, "Ajouter à mon agenda (fichier .ics)", "Add to my calendar (.ics file)")) } }
            @if b.actions.pay {
                form method="post" action=(action("payer")) {
                    (csrf_field(&chrome.csrf))
                    button type="submit" { (t(lang, "Payer ", "Pay ")) (b.price) }
                }
            }
            @if b.actions.approve_reject {
                @if !b.actions.approve_blocked {
                    form method="post" action=(action("approuver")) {
                        (csrf_field(&chrome.csrf))
                        button type="submit" { (t(lang, "Approuver", "Approve")) }
                    }
                }
                form class="stack" method="post" action=(action("refuser")) {
                    (csrf_field(&chrome.csrf))
                    label for="reason" { (t(lang, "Motif du refus", "Reason for refusal")) }
                    input id="reason" name="reason" required maxlength="500";
                    div { button type="submit" class="danger" { (t(lang, "Refuser", "Reject")) } }
                }
                @if let Some(n) = b.actions.series_pending {
                    h2 { (t(lang, "Toute la série", "The whole series")) }
                    p { (n) (t(lang, " date(s) de cette série hebdomadaire attendent une décision.", " date(s) of this weekly series await a decision.")) }
                    @if !b.actions.approve_blocked {
                        form method="post" action=(action("approuver-serie")) {
                            (csrf_field(&chrome.csrf))
                            button type="submit" { (t(lang, "Approuver toute la série", "Approve the whole series")) }
                        }
                    }
                    form class="stack" method="post" action=(action("refuser-serie")) {
                        (csrf_field(&chrome.csrf))
                        label for="series-reason" { (t(lang, "Motif du refus de la série", "Reason for rejecting the series")) }
                        input id="series-reason" name="reason" required maxlength="500";
                        div { button type="submit" class="danger" { (t(lang, "Refuser toute la série", "Reject the whole series")) } }
                    }
                }
            }
            @if b.actions.cancel {
                form class="stack" method="post" action=(action("annuler")) {
                    (csrf_field(&chrome.csrf))
                    @if let Some(refund) = &b.actions.refund_if_cancelled {
                        p class="notice" { (t(lang, "En annulant maintenant, vous serez remboursé de ", "Cancelling now refunds ")) strong { (refund) } "." }
                    }
                    label for="cancel-reason" { (t(lang, "Motif (facultatif)", "Reason (optional)")) }
                    input id="cancel-reason" name="reason" maxlength="500";
                    div { button type="submit" class="danger" { (t(lang, "Annuler la réservation", "Cancel the booking")) } }
                }
            }
            @if let Some(r) = &b.actions.refund_after_slot {
                (refund_form(lang, &chrome.csrf, &action("rembourser"), r))
            }
            @if let Some(c) = &b.conversation {
                (super::conversation::conversation(lang, &chrome.csrf, &b.id, c))
            }
            h2 id="historique" { (t(lang, "Historique", "History")) }
            @if let Some(as_of) = &b.as_of {
                p class="notice" { (t(lang, "Tel qu'il était le ", "As it stood on ")) strong { (as_of) } "." }
            }
            ol class="history" {
                @for h in &b.history {
                    li {
                        (h.when) " — " (h.what) @if !h.who.is_empty() { " (" (h.who) ")" }
                        " " span class="hint" { (t(lang, "événement ", "event ")) code { (h.event_id) } }
                        @if !h.ledger.is_empty() {
                            table class="compact" {
                                caption class="visually-hidden" { (t(lang, "Écritures de cet événement", "Entries of this event")) }
                                thead { tr {
                                    th scope="col" { (t(lang, "Compte", "Account")) }
                                    th scope="col" { (t(lang, "Débit", "Debit")) }
                                    th scope="col" { (t(lang, "Crédit", "Credit")) }
                                } }
                                tbody { @for (account, name, debit, credit) in &h.ledger {
                                    tr { td { (account) " " span class="hint" { (name) } } td { (debit) } td { (credit) } }
                                } }
                            }
                        }
                    }
                }
            }
        },
    )
}

fn refund_form(lang: crate::Lang, csrf: &str, action: &str, r: &RefundForm) -> Markup {
    html! {
        section aria-labelledby="remboursement" {
            h2 id="remboursement" { (t(lang, "Rembourser après le créneau", "Refund after the slot")) }
            p { (t(lang, "Il reste au plus ", "At most ")) strong { (r.left) } (t(lang, " à rembourser sur cette réservation.", " is left to refund on this booking.")) }
            p class="hint" id="refund-next" {
                (t(lang,
                    "Ensuite : l'association est remboursée par le prestataire de paiement, puis le même montant est repris sur le virement fait à l'établissement (en attente tant que son solde ne le permet pas). Chaque étape apparaît dans l'historique ci-dessous.",
                    "Next: the association is refunded by the payment provider, then the same amount is taken back from the transfer made to the establishment (pending while its balance does not allow it). Each step shows in the history below."))
            }
            form class="stack" method="post" action=(action) aria-describedby="refund-next" {
                (csrf_field(csrf))
                label for="refund-amount" { (t(lang, "Montant à rembourser (en euros)", "Amount to refund (in euros)")) }
                input id="refund-amount" name="amount" inputmode="decimal" required value=(r.amount) autocomplete="off";
                label for="refund-reason" { (t(lang, "Motif (l'association le lira)", "Reason (the association will read it)")) }
                input id="refund-reason" name="reason" required maxlength="500" value=(r.reason);
                div { button type="submit" { (t(lang, "Rembourser", "Refund")) } }
            }
        }
    }
}
