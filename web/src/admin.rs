//! The admins' pages: the Isère collèges' import, manager invitations, the
//! département's tariff grid and the associations' verification; and the
//! page where an invited manager chooses a password.

use maud::{Markup, html};

use crate::layout::{Chrome, alert, csrf_field, page_with, t};

/// An association awaiting (or past) verification.
#[derive(Debug, Clone, Default)]
pub struct AssociationLine {
    pub id: String,
    pub name: String,
    pub category: String,
    /// The category's code: the one the verification form proposes.
    pub category_code: String,
    pub identifier: String,
    pub registered: String,
    pub verified: bool,
}

/// One category's hourly rate, as typed.
#[derive(Debug, Clone, Default)]
pub struct RateField {
    pub code: String,
    pub label: String,
    pub value: String,
}

/// The invitation form, as typed.
#[derive(Debug, Clone, Default)]
pub struct InviteValues {
    pub establishment: String,
    pub email: String,
    pub name: String,
}

/// The forms on finance and admin accounts, as typed.
#[derive(Debug, Clone, Default)]
pub struct StaffValues {
    pub email: String,
    pub name: String,
    /// `finance` or `admin`
    pub role: String,
    /// The address of the account to disable or enable.
    pub target: String,
}

#[derive(Debug, Clone, Default)]
pub struct AdminPage {
    /// Collèges of the shipped list already registered, out of how many.
    pub colleges_registered: usize,
    pub colleges_shipped: usize,
    pub associations: Vec<AssociationLine>,
    /// (code, label) of each tariff category, for the verification.
    pub categories: Vec<(String, String)>,
    /// The grid in force (its version), and the form's fields.
    pub tariff_version: Option<u32>,
    /// Whose grid the form shows: an establishment's id, or empty for the département's.
    pub tariff_owner: String,
    pub rates: Vec<RateField>,
    /// One flat fee per line: `Ménage = 15,00`.
    pub fees: String,
    /// (id, name) of every establishment, for the invitation.
    pub establishments: Vec<(String, String)>,
    pub invite: InviteValues,
    pub staff: StaffValues,
    /// Which form a refusal belongs to (`colleges`, `associations`, `tarifs`, `invitation`, `comptes`), and why.
    pub error: Option<(String, String)>,
    pub notice: Option<String>,
}

fn section_error(page: &AdminPage, section: &str) -> Markup {
    alert(page.error.as_ref().filter(|(s, _)| s == section).map(|(_, m)| m.as_str()))
}

pub fn admin(chrome: &Chrome, page: &AdminPage) -> Markup {
    let lang = chrome.lang;
    let title = t(lang, "Administration", "Administration");
    page_with(
        chrome,
        title,
        html! {
            h1 { (title) }
            @if let Some(n) = &page.notice { p class="notice" role="status" { (n) } }
            h2 id="colleges" { (t(lang, "Collèges publics de l'Isère", "Isère's public collèges")) }
            (section_error(page, "colleges"))
            p { (page.colleges_registered) " / " (page.colleges_shipped) (t(lang, " collèges de la liste fournie sont enregistrés (source : ", " collèges of the shipped list are registered (source: ")) "data/isere/colleges.csv)." }
            @if page.colleges_registered < page.colleges_shipped {
                form method="post" action="/admin/colleges" {
                    (csrf_field(&chrome.csrf))
                    button type="submit" { (t(lang, "Importer les collèges manquants", "Import the missing collèges")) }
                    " " span class="hint" { (t(lang, "(les collèges déjà enregistrés ne sont pas modifiés)", "(collèges already registered are left as they are)")) }
                }
            }
            h2 id="invitation" { (t(lang, "Inviter un gestionnaire", "Invite a manager")) }
            (section_error(page, "invitation"))
            form class="stack" method="post" action="/admin/invitations" {
                (csrf_field(&chrome.csrf))
                div {
                    label for="invite-establishment" { (t(lang, "Établissement", "Establishment")) }
                    select id="invite-establishment" name="establishment" required {
                        @for (id, name) in &page.establishments { option value=(id) selected[page.invite.establishment == *id] { (name) } }
                    }
                }
                div { label for="invite-name" { (t(lang, "Nom de la personne", "Person's name")) } input id="invite-name" name="name" value=(page.invite.name) maxlength="120" required; }
                div { label for="invite-email" { (t(lang, "Adresse e-mail", "E-mail address")) } input id="invite-email" name="email" type="email" value=(page.invite.email) autocomplete="off" required; }
                div { button type="submit" { (t(lang, "Envoyer l'invitation", "Send the invitation")) } }
            }
            (staff_forms(chrome, page))
            h2 id="tarifs" { (t(lang, "Grilles tarifaires", "Tariff grids")) }
            form class="inline" method="get" action="/admin#tarifs" {
                label for="grille" { (t(lang, "Grille de", "Grid of")) } " "
                select id="grille" name="grille" {
                    option value="" selected[page.tariff_owner.is_empty()] { (t(lang, "Département (par défaut)", "Département (default)")) }
                    @for (id, name) in &page.establishments { option value=(id) selected[page.tariff_owner == *id] { (name) } }
                }
                " " button type="submit" class="secondary" { (t(lang, "Afficher", "Show")) }
            }
            @if !page.tariff_owner.is_empty() {
                p class="hint" { (t(lang, "Une grille propre à l'établissement remplace celle du Département pour ses salles.", "An establishment's own grid replaces the département's for its rooms.")) }
            }
            (section_error(page, "tarifs"))
            p {
                @match page.tariff_version {
                    Some(v) => { (t(lang, "Version en vigueur : ", "Version in force: ")) (v) ". " }
                    None => { (t(lang, "Aucune grille publiée : les salles sans tarif propre ne peuvent pas être réservées.", "No grid published: rooms without their own rate cannot be booked.")) " " }
                }
                (t(lang, "Une nouvelle version s'applique aux demandes qui suivent ; les réservations déjà faites gardent leur prix.", "A new version applies to the requests that follow; bookings already made keep their price."))
            }
            form class="stack" method="post" action="/admin/tarifs" {
                (csrf_field(&chrome.csrf))
                input type="hidden" name="owner" value=(page.tariff_owner);
                fieldset {
                    legend { (t(lang, "Tarif horaire en euros, par catégorie de demandeur", "Hourly rate in euros, by category of requester")) }
                    @for r in &page.rates {
                        div { label for=(format!("rate-{}", r.code)) { (r.label) } input id=(format!("rate-{}", r.code)) name=(format!("rate_{}", r.code)) inputmode="decimal" value=(r.value) required; }
                    }
                }
                div {
                    label for="fees" { (t(lang, "Forfaits (un par ligne : libellé = montant)", "Flat fees (one per line: label = amount)")) }
                    textarea id="fees" name="fees" rows="3" aria-describedby="fees-hint" { (page.fees) }
                    p id="fees-hint" class="hint" { (t(lang, "Par exemple : Ménage = 15,00", "For example: Ménage = 15,00")) }
                }
                div { button type="submit" { (t(lang, "Publier la nouvelle grille", "Publish the new grid")) } }
            }
            h2 id="associations" { (t(lang, "Associations", "Associations")) }
            (section_error(page, "associations"))
            @if page.associations.is_empty() {
                p { (t(lang, "Aucune association inscrite.", "No association registered.")) }
            } @else {
                table {
                    thead { tr {
                        th scope="col" { (t(lang, "Association", "Association")) }
                        th scope="col" { (t(lang, "Catégorie", "Category")) }
                        th scope="col" { (t(lang, "Identifiant", "Identifier")) }
                        th scope="col" { (t(lang, "Inscrite le", "Registered on")) }
                        th scope="col" { (t(lang, "Vérification", "Verification")) }
                    } }
                    tbody { @for a in &page.associations { tr {
                        td { (a.name) }
                        td { (a.category) }
                        td { code { (a.identifier) } }
                        td { (a.registered) }
                        td {
                            @if a.verified {
                                (t(lang, "vérifiée", "verified")) " "
                                form class="inline-action" method="post" action=(format!("/admin/associations/{}/revoquer", a.id)) {
                                    (csrf_field(&chrome.csrf))
                                    label for=(format!("revoke-{}", a.id)) class="visually-hidden" { (t(lang, "Motif du retrait de vérification de ", "Reason for revoking the verification of ")) (a.name) }
                                    input id=(format!("revoke-{}", a.id)) name="reason" placeholder=(t(lang, "motif", "reason")) required;
                                    " " button type="submit" class="secondary" { (t(lang, "Retirer", "Revoke")) span class="visually-hidden" { " " (a.name) } }
                                }
                            } @else {
                                strong { (t(lang, "à vérifier", "to verify")) } " "
                                form class="inline-action" method="post" action=(format!("/admin/associations/{}/verifier", a.id)) {
                                    (csrf_field(&chrome.csrf))
                                    label for=(format!("category-{}", a.id)) { (t(lang, "Catégorie confirmée", "Confirmed category")) span class="visually-hidden" { " " (a.name) } }
                                    " "
                                    select id=(format!("category-{}", a.id)) name="category" {
                                        @for (code, label) in &page.categories {
                                            option value=(code) selected[*code == a.category_code] { (label) }
                                        }
                                    }
                                    " " button type="submit" { (t(lang, "Vérifier", "Verify")) span class="visually-hidden" { " " (a.name) } }
                                }
                            }
                        }
                    } } }
                }
            }
        },
    )
}

/// What an invitation is for: managing an establishment, or joining an
/// association's account (the name of either).
#[derive(Debug, Clone)]
pub enum InvitedTo {
    Manage(String),
    Join(String),
}

/// Where an invited manager or association member chooses a password.
pub fn invitation(chrome: &Chrome, to: &InvitedTo, email: &str, name: &str, error: Option<&str>) -> Markup {
    let lang = chrome.lang;
    let (title, invited, whom) = match to {
        InvitedTo::Manage(establishment) => (
            t(lang, "Rejoindre salle comme gestionnaire", "Join salle as a manager"),
            t(lang, "Vous êtes invité à gérer les salles de ", "You are invited to manage the rooms of "),
            establishment,
        ),
        InvitedTo::Join(association) => (
            t(lang, "Rejoindre le compte de votre association", "Join your association's account"),
            t(
                lang,
                "Vous êtes invité à réserver des salles au nom de ",
                "You are invited to book rooms on behalf of ",
            ),
            association,
        ),
    };
    page_with(
        chrome,
        title,
        html! {
            h1 { (title) }
            p { (invited) strong { (whom) } "." }
            (alert(error))
            form class="stack" method="post" {
                (csrf_field(&chrome.csrf))
                div { label for="email" { (t(lang, "Adresse e-mail", "E-mail address")) } input id="email" value=(email) readonly; }
                div { label for="name" { (t(lang, "Votre nom", "Your name")) } input id="name" name="name" value=(name) maxlength="120" autocomplete="name" required; }
                div {
                    label for="password" { (t(lang, "Mot de passe", "Password")) }
                    input id="password" name="password" type="password" autocomplete="new-password" minlength="12" aria-describedby="password-hint" required;
                    p id="password-hint" class="hint" { (t(lang, "12 caractères au moins.", "At least 12 characters.")) }
                }
                div { button type="submit" { (t(lang, "Créer mon compte", "Create my account")) } }
            }
        },
    )
}

/// Finance and admin accounts made by an admin; any account disabled or enabled again.
fn staff_forms(chrome: &Chrome, page: &AdminPage) -> Markup {
    let lang = chrome.lang;
    let s = &page.staff;
    html! {
        h2 id="comptes" { (t(lang, "Comptes de la finance et des administrateurs", "Finance and admin accounts")) }
        (section_error(page, "comptes"))
        form class="stack" method="post" action="/admin/comptes" {
            (csrf_field(&chrome.csrf))
            div {
                label for="staff-role" { (t(lang, "Rôle", "Role")) }
                select id="staff-role" name="role" {
                    option value="finance" selected[s.role != "admin"] { (t(lang, "Finance (lit et exporte les grands livres)", "Finance (reads and exports the ledgers)")) }
                    option value="admin" selected[s.role == "admin"] { (t(lang, "Administration", "Administration")) }
                }
            }
            div { label for="staff-name" { (t(lang, "Nom du titulaire", "Holder's name")) } input id="staff-name" name="name" value=(s.name) maxlength="120" required; }
            div { label for="staff-email" { (t(lang, "Courriel du nouveau compte", "New account's e-mail")) } input id="staff-email" name="email" type="email" value=(s.email) autocomplete="off" required; }
            div {
                label for="staff-password" { (t(lang, "Mot de passe initial (12 caractères au moins)", "First password (12 characters or more)")) }
                input id="staff-password" name="password" type="password" minlength="12" autocomplete="new-password" required aria-describedby="staff-password-hint";
                p class="hint" id="staff-password-hint" { (t(lang, "Transmettez-le de vive voix ; la personne le change par « Mot de passe oublié ».", "Give it in person; they change it with « Forgotten password ».")) }
            }
            div { button type="submit" { (t(lang, "Créer le compte", "Create the account")) } }
        }
        h3 { (t(lang, "Désactiver ou réactiver un compte", "Disable or enable an account")) }
        form class="stack" method="post" action="/admin/comptes/etat" {
            (csrf_field(&chrome.csrf))
            div {
                label for="staff-target" { (t(lang, "Courriel du compte", "The account's e-mail")) }
                input id="staff-target" name="email" type="email" value=(s.target) autocomplete="off" required aria-describedby="staff-target-hint";
                p class="hint" id="staff-target-hint" { (t(lang, "Un compte désactivé ne peut plus se connecter, et ses sessions et jetons cessent aussitôt de fonctionner.", "A disabled account cannot sign in, and its sessions and tokens stop working at once.")) }
            }
            div {
                button type="submit" name="disabled" value="1" class="danger" { (t(lang, "Désactiver", "Disable")) }
                " "
                button type="submit" name="disabled" value="0" class="secondary" { (t(lang, "Réactiver", "Enable")) }
            }
        }
    }
}
