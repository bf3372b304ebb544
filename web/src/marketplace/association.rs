//! An association's own page: what salle knows of it, what its verification
//! changes, its members and the invitation of another one.

use maud::{Markup, html};

use crate::layout::{Chrome, alert, csrf_field, page_with, t};

#[derive(Debug, Clone, Default)]
pub struct AssociationView {
    pub name: String,
    pub identifier: String,
    pub category: String,
    pub verified: bool,
    pub pending_dates: usize,
    pub hold_limit: usize,
    /// (name, e-mail) of each member.
    pub members: Vec<(String, String)>,
    /// The invitation form, as typed.
    pub invite_email: String,
    pub invite_name: String,
    /// The address the invitation was just mailed to, and until when it works.
    pub invitation: Option<(String, String)>,
    pub notice: Option<String>,
    pub error: Option<String>,
}

pub fn association(chrome: &Chrome, a: &AssociationView) -> Markup {
    let lang = chrome.lang;
    page_with(
        chrome,
        &a.name,
        html! {
            h1 { (a.name) }
            @if let Some(n) = &a.notice { p class="notice" role="status" { (n) } }
            dl {
                dt { (t(lang, "Identifiant", "Identifier")) } dd { code { (a.identifier) } }
                dt { (t(lang, "Catégorie", "Category")) } dd { (a.category) }
                dt { (t(lang, "Vérification", "Verification")) }
                dd {
                    @if a.verified {
                        (t(lang, "vérifiée par le département", "verified by the département"))
                    } @else {
                        strong { (t(lang, "pas encore vérifiée", "not verified yet")) }
                    }
                }
            }
            @if !a.verified {
                section class="notice" aria-labelledby="verification-title" {
                    h2 id="verification-title" { (t(lang, "En attendant la vérification", "Until the verification")) }
                    p { (t(lang, "Le département vérifie chaque association inscrite (son numéro RNA ou SIREN). D'ici là :", "The département checks every association that signs up (its RNA or SIREN number). Until then:")) }
                    ul {
                        li { (t(lang, "vos demandes sont comptées au tarif « autre association » ;", "your requests are priced at the \"other association\" rate;")) }
                        li {
                            (t(lang, "vous pouvez avoir au plus ", "you may have at most "))
                            strong { (a.hold_limit) } (t(lang, " date(s) en attente ; vous en avez ", " date(s) awaiting a decision; you have "))
                            strong { (a.pending_dates) } ";"
                        }
                        li { (t(lang, "l'établissement ne peut approuver vos demandes qu'après la vérification.", "the establishment can approve your requests only after the verification.")) }
                    }
                }
            }
            h2 { (t(lang, "Membres", "Members")) }
            p { (t(lang, "Une association a un seul compte sur salle ; chaque membre y entre avec sa propre adresse.", "An association has one account on salle; each member signs in with their own address.")) }
            ul { @for (name, email) in &a.members { li { (name) " — " (email) } } }
            h2 id="inviter" { (t(lang, "Inviter un membre", "Invite a member")) }
            (alert(a.error.as_deref()))
            @if let Some((address, until)) = &a.invitation {
                div class="notice" role="status" {
                    p { (t(lang, "Le lien d'invitation part par e-mail à ", "The invitation link is on its way to ")) strong { (address) } (t(lang, " ; il sert une fois, jusqu'au ", "; it works once, until ")) (until) "." }
                }
            }
            form class="stack" method="post" action="/association/invitations" {
                (csrf_field(&chrome.csrf))
                div { label for="invite-name" { (t(lang, "Nom", "Name")) } input id="invite-name" name="name" value=(a.invite_name) maxlength="120" autocomplete="off" required; }
                div { label for="invite-email" { (t(lang, "Adresse e-mail", "E-mail address")) } input id="invite-email" name="email" type="email" value=(a.invite_email) autocomplete="off" required; }
                div { button type="submit" { (t(lang, "Envoyer l'invitation", "Send the invitation")) } }
            }
        },
    )
}
