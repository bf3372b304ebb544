//! The ledgers: the list, one ledger with its lines and balances, the chain head, and the
//! reconciliation with the payment provider.

use maud::{Markup, html};

use crate::Lang;
use crate::layout::{Chrome, page_with, t};

#[derive(Debug, Clone)]
pub struct LedgerLineView {
    pub when: String,
    pub account: String,
    pub account_name: String,
    pub debit: String,
    pub credit: String,
    /// The booking's page, when the line is about a booking.
    pub booking_href: Option<String>,
    pub event_id: String,
    /// On the département's ledger: the establishment.
    pub establishment: Option<String>,
}

/// A ledger page: one establishment's or the whole département's, for a
/// period, now or as it stood at an instant, with its exports.
#[derive(Debug, Clone, Default)]
pub struct LedgerPage {
    pub name: String,
    pub from: String,
    pub to: String,
    /// As typed: `2026-12-01T18:00`, or empty for now.
    pub as_of: String,
    pub lines: Vec<LedgerLineView>,
    /// (account, name, balance)
    pub balances: Vec<(String, String, String)>,
    /// (label, href)
    pub exports: Vec<(String, String)>,
    /// The reconciliation of this ledger with the provider (finance, admins).
    pub reconciliation: Option<String>,
}

/// The reconciliation of a ledger with the payment provider's records.
#[derive(Debug, Clone, Default)]
pub struct ReconciliationPage {
    pub name: String,
    pub from: String,
    pub to: String,
    pub as_of: String,
    /// Kept in the form, so that the same scope is asked again.
    pub establishment: Option<String>,
    pub provider: String,
    pub accounts: Vec<String>,
    pub totals: Vec<ReconciliationTotal>,
    pub mismatches: Vec<MismatchView>,
    pub ledger_href: String,
}

#[derive(Debug, Clone, Default)]
pub struct ReconciliationTotal {
    pub kind: String,
    pub ledger_count: usize,
    pub ledger_amount: String,
    pub provider_count: usize,
    pub provider_amount: String,
    pub matched: String,
}

#[derive(Debug, Clone, Default)]
pub struct MismatchView {
    pub when: String,
    pub kind: String,
    pub problem: String,
    pub reference: String,
    pub establishment: Option<String>,
    pub booking_href: Option<String>,
    pub ledger: String,
    pub provider: String,
    pub difference: String,
    pub event_id: Option<String>,
}

/// Each movement of money at the provider, the ledger's and the provider's
/// counts side by side, then every difference with its kind and amounts.
pub fn reconciliation(chrome: &Chrome, page: &ReconciliationPage) -> Markup {
    let lang = chrome.lang;
    let title = format!(
        "{} — {}",
        t(lang, "Rapprochement avec le prestataire de paiement", "Reconciliation with the payment provider"),
        page.name
    );
    page_with(
        chrome,
        &title,
        html! {
            h1 { (title) }
            p { a href=(page.ledger_href) { (t(lang, "Retour au grand livre", "Back to the ledger")) } }
            form class="inline" method="get" {
                @if let Some(e) = &page.establishment { input type="hidden" name="etablissement" value=(e); }
                label for="du" { (t(lang, "Du", "From")) } " " input id="du" name="du" type="date" value=(page.from); " "
                label for="au" { (t(lang, "Au", "To")) } " " input id="au" name="au" type="date" value=(page.to); " "
                label for="a_la_date" { (t(lang, "Grand livre tel qu'il était le", "Ledger as it stood on")) } " "
                input id="a_la_date" name="a_la_date" type="datetime-local" value=(page.as_of); " "
                button type="submit" { (t(lang, "Rapprocher", "Reconcile")) }
            }
            p {
                (t(lang, "Prestataire : ", "Provider: ")) strong { (page.provider) }
                " · " (t(lang, "comptes connectés lus : ", "connected accounts read: "))
                @if page.accounts.is_empty() { (t(lang, "aucun", "none")) }
                @for (i, a) in page.accounts.iter().enumerate() { @if i > 0 { ", " } code { (a) } }
            }
            @if page.mismatches.is_empty() {
                p class="notice" role="status" { (t(lang, "Aucun écart : chaque mouvement du grand livre est chez le prestataire, au centime, et inversement.", "No difference: every movement of the ledger is at the provider, to the cent, and the other way round.")) }
            } @else {
                div class="alert" role="alert" { p {
                    strong { (page.mismatches.len()) } (t(lang, " écart(s) entre le grand livre et le prestataire, listés ci-dessous.", " difference(s) between the ledger and the provider, listed below."))
                } }
            }
            h2 { (t(lang, "Mouvements de la période", "Movements of the period")) }
            table {
                thead { tr {
                    th scope="col" { (t(lang, "Nature", "Kind")) }
                    th scope="col" { (t(lang, "Grand livre (nombre)", "Ledger (count)")) }
                    th scope="col" { (t(lang, "Grand livre (montant)", "Ledger (amount)")) }
                    th scope="col" { (t(lang, "Prestataire (nombre)", "Provider (count)")) }
                    th scope="col" { (t(lang, "Prestataire (montant)", "Provider (amount)")) }
                    th scope="col" { (t(lang, "Concordants", "Matched")) }
                } }
                tbody { @for r in &page.totals { tr {
                    th scope="row" { (r.kind) } td { (r.ledger_count) } td { (r.ledger_amount) }
                    td { (r.provider_count) } td { (r.provider_amount) } td { (r.matched) }
                } } }
            }
            @if !page.mismatches.is_empty() {
                h2 { (t(lang, "Écarts", "Differences")) }
                table {
                    thead { tr {
                        th scope="col" { (t(lang, "Date", "Date")) }
                        th scope="col" { (t(lang, "Nature", "Kind")) }
                        th scope="col" { (t(lang, "Écart", "Difference")) }
                        th scope="col" { (t(lang, "Référence", "Reference")) }
                        th scope="col" { (t(lang, "Établissement", "Establishment")) }
                        th scope="col" { (t(lang, "Grand livre", "Ledger")) }
                        th scope="col" { (t(lang, "Prestataire", "Provider")) }
                        th scope="col" { (t(lang, "Différence", "Amount difference")) }
                        th scope="col" { (t(lang, "Réservation", "Booking")) }
                    } }
                    tbody { @for m in &page.mismatches { tr {
                        td { (m.when) } td { (m.kind) } td { strong { (m.problem) } } td { code { (m.reference) } }
                        td { (m.establishment.as_deref().unwrap_or("—")) }
                        td { (m.ledger) } td { (m.provider) } td { (m.difference) }
                        td {
                            @if let Some(href) = &m.booking_href {
                                a href=(href) { (t(lang, "historique", "history")) span class="visually-hidden" { (t(lang, " de la réservation, écart ", " of the booking, difference ")) (m.reference) } }
                            }
                            @if let Some(e) = &m.event_id { " " span class="hint" { (t(lang, "événement ", "event ")) code { (e) } } }
                        }
                    } } }
                }
            }
        },
    )
}

/// The head of the tamper-evident chain, for an auditor to write down.
#[derive(Debug, Clone, Default)]
pub struct ChainHead {
    pub position: String,
    pub hash: String,
    pub sealed: String,
}

fn chain_head(lang: Lang, head: &ChainHead) -> Markup {
    html! {
        section class="notice" aria-labelledby="chaine" {
            h2 id="chaine" { (t(lang, "Intégrité du journal", "Log integrity")) }
            p { (t(lang,
                "Chaque événement est chaîné au précédent par une empreinte SHA-256. Notez la tête de chaîne : « salle audit verify --anchor POSITION:EMPREINTE » prouvera plus tard que le journal la prolonge toujours.",
                "Every event is chained to the previous one by a SHA-256 hash. Write the head down: “salle audit verify --anchor POSITION:HASH” will later prove that the log still extends it.")) }
            p { (t(lang, "Tête : ", "Head: ")) code class="hash" { (head.position) ":" (head.hash) } " — " (head.sealed) " " (t(lang, "événements chaînés", "events chained")) }
        }
    }
}

/// The establishments whose ledger the visitor may read: (href, name, lines).
pub fn ledgers(
    chrome: &Chrome,
    establishments: &[(String, String, i64)],
    whole: Option<&str>,
    head: Option<&ChainHead>,
) -> Markup {
    let lang = chrome.lang;
    let title = t(lang, "Grands livres des établissements", "Establishments' ledgers");
    page_with(
        chrome,
        title,
        html! {
            h1 { (title) }
            @if let Some(href) = whole {
                p { a href=(href) { (t(lang, "Grand livre de tout le département", "Ledger of the whole département")) } }
            }
            @if let Some(head) = head { (chain_head(lang, head)) }
            @if establishments.is_empty() {
                p { (t(lang, "Aucune écriture pour le moment.", "No entries yet.")) }
            } @else {
                ul { @for (href, name, lines) in establishments { li { a href=(href) { (name) } " — " (lines) " " (t(lang, "lignes", "lines")) } } }
            }
        },
    )
}

/// A ledger between two dates, now or as it stood at an instant, with its
/// balances and its exports.
pub fn ledger(chrome: &Chrome, page: &LedgerPage, head: Option<&ChainHead>) -> Markup {
    let lang = chrome.lang;
    let title = format!("{} — {}", t(lang, "Grand livre", "Ledger"), page.name);
    let whole = page.lines.iter().any(|l| l.establishment.is_some());
    page_with(
        chrome,
        &title,
        html! {
            h1 { (title) }
            form class="inline" method="get" {
                label for="du" { (t(lang, "Du", "From")) } " " input id="du" name="du" type="date" value=(page.from); " "
                label for="au" { (t(lang, "Au", "To")) } " " input id="au" name="au" type="date" value=(page.to); " "
                label for="a_la_date" { (t(lang, "Tel qu'il était le", "As it stood on")) } " "
                input id="a_la_date" name="a_la_date" type="datetime-local" value=(page.as_of) aria-describedby="a_la_date-aide"; " "
                button type="submit" { (t(lang, "Afficher", "Show")) }
                span id="a_la_date-aide" class="hint" { (t(lang, " (vide : maintenant ; sinon le journal est rejoué jusqu'à cet instant)", " (empty: now; otherwise the log is replayed up to that instant)")) }
            }
            @if !page.as_of.is_empty() {
                p class="notice" { (t(lang, "Grand livre tel qu'il était le ", "Ledger as it stood on ")) strong { (page.as_of.replace('T', " ")) } (t(lang, ", rejoué depuis le journal.", ", replayed from the log.")) }
            }
            @if !page.exports.is_empty() {
                p { (t(lang, "Exporter : ", "Export: ")) @for (i, (label, href)) in page.exports.iter().enumerate() { @if i > 0 { " · " } a href=(href) download { (label) } } }
            }
            @if let Some(href) = &page.reconciliation {
                p { a href=(href) { (t(lang, "Rapprocher avec le prestataire de paiement", "Reconcile with the payment provider")) } }
            }
            @if let Some(head) = head { (chain_head(lang, head)) }
            h2 { (t(lang, "Soldes", "Balances")) }
            table {
                thead { tr { th scope="col" { (t(lang, "Compte", "Account")) } th scope="col" { (t(lang, "Intitulé", "Name")) } th scope="col" { (t(lang, "Solde (débit − crédit)", "Balance (debit − credit)")) } } }
                tbody { @for (code, name, balance) in &page.balances { tr { td { (code) } td { (name) } td { (balance) } } } }
            }
            h2 { (t(lang, "Écritures", "Entries")) }
            table {
                thead { tr {
                    th scope="col" { (t(lang, "Date", "Date")) }
                    @if whole { th scope="col" { (t(lang, "Établissement", "Establishment")) } }
                    th scope="col" { (t(lang, "Compte", "Account")) }
                    th scope="col" { (t(lang, "Débit", "Debit")) }
                    th scope="col" { (t(lang, "Crédit", "Credit")) }
                    th scope="col" { (t(lang, "Réservation", "Booking")) }
                    th scope="col" { (t(lang, "Événement", "Event")) }
                } }
                tbody {
                    @for l in &page.lines {
                        tr {
                            td { (l.when) }
                            @if whole { td { (l.establishment.as_deref().unwrap_or_default()) } }
                            td { (l.account) " " span class="hint" { (l.account_name) } }
                            td { (l.debit) }
                            td { (l.credit) }
                            td { @if let Some(href) = &l.booking_href {
                                a href=(href) { (t(lang, "historique", "history")) span class="visually-hidden" { (t(lang, " de la réservation, ligne du ", " of the booking, line of ")) (l.when) } }
                            } }
                            td { code { (l.event_id) } }
                        }
                    }
                }
            }
        },
    )
}
