//! What an admin decides about an establishment, on its management page:
//! its name and address, its suspension or reactivation, its managers.

use maud::{Markup, html};

use crate::Lang;
use crate::layout::{csrf_field, t};

/// One manager of the establishment.
#[derive(Debug, Clone)]
pub struct ManagerLine {
    pub user_id: String,
    pub name: String,
    pub email: String,
}

/// The admin's part of an establishment's page (with what was typed, when refused).
#[derive(Debug, Clone, Default)]
pub struct EstablishmentAdmin {
    pub name: String,
    pub address: String,
    pub suspended: bool,
    pub reason: String,
    pub managers: Vec<ManagerLine>,
}

pub fn section(lang: Lang, csrf: &str, id: &str, a: &EstablishmentAdmin) -> Markup {
    let base = format!("/etablissements/{id}");
    html! {
        section aria-labelledby="administration" {
            h2 id="administration" { (t(lang, "Administration de l'établissement", "Administration of the establishment")) }
            form class="stack" method="post" action={ (base) "/fiche" } {
                (csrf_field(csrf))
                label for="establishment-name" { (t(lang, "Nom", "Name")) }
                input id="establishment-name" name="name" required maxlength="160" value=(a.name);
                label for="establishment-address" { (t(lang, "Adresse", "Address")) }
                input id="establishment-address" name="address" required maxlength="300" value=(a.address) autocomplete="street-address";
                div { button type="submit" { (t(lang, "Enregistrer le nom et l'adresse", "Save the name and address")) } }
            }
            @if a.suspended {
                p class="notice" role="status" { (t(lang, "Établissement suspendu : il ne reçoit aucune nouvelle demande ; les réservations faites tiennent.", "Suspended: it takes no new requests; the bookings made stand.")) }
                form method="post" action={ (base) "/reactiver" } {
                    (csrf_field(csrf))
                    button type="submit" { (t(lang, "Réactiver l'établissement", "Reactivate the establishment")) }
                }
            } @else {
                form class="stack" method="post" action={ (base) "/suspendre" } {
                    (csrf_field(csrf))
                    label for="suspension-reason" { (t(lang, "Motif de la suspension (les associations le liront)", "Reason for the suspension (associations will read it)")) }
                    input id="suspension-reason" name="reason" required maxlength="300" value=(a.reason);
                    p class="hint" { (t(lang, "Suspendu, l'établissement ne reçoit plus de demande ; les réservations faites tiennent.", "Suspended, it takes no new requests; the bookings made stand.")) }
                    div { button type="submit" class="danger" { (t(lang, "Suspendre l'établissement", "Suspend the establishment")) } }
                }
            }
            h3 { (t(lang, "Gestionnaires", "Managers")) }
            @if a.managers.is_empty() {
                p { (t(lang, "Aucun gestionnaire : invitez-en un depuis l'administration.", "No manager: invite one from the administration.")) }
            } @else {
                ul {
                    @for m in &a.managers {
                        li {
                            (m.name) " — " (m.email) " "
                            form class="inline-action" method="post" action={ (base) "/gestionnaires/" (m.user_id) "/retirer" } {
                                (csrf_field(csrf))
                                button type="submit" class="secondary" aria-label={ (t(lang, "Retirer ", "Remove ")) (m.name) } { (t(lang, "Retirer", "Remove")) }
                            }
                        }
                    }
                }
            }
        }
    }
}
