//! The simulated payment provider's pages: a checkout with a pay and a
//! decline button, the outcome, and the payout account's onboarding.

use maud::{Markup, html};

use crate::Lang;
use crate::layout::page;

/// The checkout of one payment; the form posts `outcome` to `action`.
pub fn simulated_checkout(lang: Lang, amount: &str, description: &str, action: &str, csrf: &str) -> Markup {
    let (title, notice, pay, decline) = match lang {
        Lang::Fr => (
            "Paiement simulé",
            "Ce paiement est simulé : aucune carte n'est débitée. Choisissez l'issue du paiement.",
            "Payer",
            "Refuser le paiement",
        ),
        Lang::En => (
            "Simulated payment",
            "This payment is simulated: no card is charged. Choose how the payment ends.",
            "Pay",
            "Decline the payment",
        ),
    };
    page(
        lang,
        title,
        html! {
            h1 { (title) }
            p { (notice) }
            dl {
                dt { @if lang == Lang::Fr { "Objet" } @else { "For" } }
                dd { (description) }
                dt { @if lang == Lang::Fr { "Montant" } @else { "Amount" } }
                dd { (amount) }
            }
            form method="post" action=(action) {
                input type="hidden" name="csrf" value=(csrf);
                button type="submit" name="outcome" value="succeeded" { (pay) " " (amount) }
                " "
                button type="submit" name="outcome" value="declined" { (decline) }
            }
        },
    )
}

/// What happened after the buttons.
pub fn simulated_outcome(lang: Lang, paid: bool, back: &str) -> Markup {
    let (title, text) = match (lang, paid) {
        (Lang::Fr, true) => {
            ("Paiement accepté", "Le paiement est accepté ; la réservation sera marquée payée.")
        }
        (Lang::Fr, false) => {
            ("Paiement refusé", "Le paiement est refusé ; vous pouvez réessayer depuis la réservation.")
        }
        (Lang::En, true) => ("Payment accepted", "The payment is accepted; the booking will be marked paid."),
        (Lang::En, false) => {
            ("Payment declined", "The payment was declined; you can try again from the booking.")
        }
    };
    page(
        lang,
        title,
        html! {
            h1 { (title) }
            p role="status" { (text) }
            p { a href=(back) { @if lang == Lang::Fr { "Retour à la réservation" } @else { "Back to the booking" } } }
        },
    )
}

/// The payout account's onboarding; the form posts to `action`.
pub fn simulated_onboarding(lang: Lang, account: &str, action: &str, done: bool, csrf: &str) -> Markup {
    let title = match lang {
        Lang::Fr => "Compte de versement simulé",
        Lang::En => "Simulated payout account",
    };
    page(
        lang,
        title,
        html! {
            h1 { (title) }
            p { @if lang == Lang::Fr { "Compte : " } @else { "Account: " } code { (account) } }
            @if done {
                p role="status" {
                    @if lang == Lang::Fr { "Le compte peut recevoir les versements." }
                    @else { "The account can receive transfers." }
                }
            } @else {
                p {
                    @if lang == Lang::Fr { "Ce prestataire est simulé : confirmer active le compte sans pièce justificative." }
                    @else { "This provider is simulated: confirming activates the account without documents." }
                }
                form method="post" action=(action) {
                    input type="hidden" name="csrf" value=(csrf);
                    button type="submit" { @if lang == Lang::Fr { "Activer le compte" } @else { "Activate the account" } }
                }
            }
        },
    )
}
