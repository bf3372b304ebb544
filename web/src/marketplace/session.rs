//! Signing in, and an association signing up.

use maud::{Markup, html};

use crate::layout::{Chrome, alert, csrf_field, page_with, t};

/// The sign-in form (the e-mail is kept after a failure).
pub fn sign_in(chrome: &Chrome, email: &str, error: Option<&str>) -> Markup {
    let lang = chrome.lang;
    let title = t(lang, "Se connecter", "Sign in");
    page_with(
        chrome,
        title,
        html! {
            h1 { (title) }
            (alert(error))
            form class="stack" method="post" action="/connexion" {
                (csrf_field(&chrome.csrf))
                div {
                    label for="email" { (t(lang, "Adresse e-mail", "E-mail address")) }
                    input id="email" name="email" type="email" autocomplete="username" value=(email) required;
                }
                div {
                    label for="password" { (t(lang, "Mot de passe", "Password")) }
                    input id="password" name="password" type="password" autocomplete="current-password" required;
                }
                div { button type="submit" { (title) } }
            }
            p { (t(lang, "Pas encore de compte ? ", "No account yet? ")) a href="/inscription" { (t(lang, "Inscrire une association", "Register an association")) } }
        },
    )
}

/// The sign-up form of an association, as typed.
#[derive(Debug, Clone, Default)]
pub struct SignUpValues {
    pub name: String,
    pub identifier: String,
    pub category: String,
    pub contact_name: String,
    pub email: String,
    pub phone: String,
}

/// An association creates its account: its name, RNA or SIRET, category,
/// the contact person and the sign-in details.
pub fn sign_up(
    chrome: &Chrome,
    v: &SignUpValues,
    categories: &[(String, String)],
    error: Option<&str>,
) -> Markup {
    let lang = chrome.lang;
    let title = t(lang, "Inscrire une association", "Register an association");
    page_with(
        chrome,
        title,
        html! {
            h1 { (title) }
            (alert(error))
            form class="stack" method="post" action="/inscription" {
                (csrf_field(&chrome.csrf))
                div { label for="name" { (t(lang, "Nom de l'association", "Association's name")) } input id="name" name="name" value=(v.name) maxlength="160" required; }
                div {
                    label for="identifier" { (t(lang, "Numéro RNA ou SIRET", "RNA or SIRET number")) }
                    input id="identifier" name="identifier" value=(v.identifier) aria-describedby="identifier-hint" required;
                    p id="identifier-hint" class="hint" { (t(lang, "RNA : W suivi de 9 chiffres ; SIRET : 14 chiffres.", "RNA: W and 9 digits; SIRET: 14 digits.")) }
                }
                div {
                    label for="category" { (t(lang, "Catégorie", "Category")) }
                    select id="category" name="category" {
                        @for (code, label) in categories { option value=(code) selected[v.category == *code] { (label) } }
                    }
                }
                div { label for="contact_name" { (t(lang, "Personne à contacter", "Contact person")) } input id="contact_name" name="contact_name" value=(v.contact_name) autocomplete="name" required; }
                div { label for="phone" { (t(lang, "Téléphone (facultatif)", "Phone (optional)")) } input id="phone" name="phone" type="tel" value=(v.phone) autocomplete="tel"; }
                div { label for="su-email" { (t(lang, "Adresse e-mail", "E-mail address")) } input id="su-email" name="email" type="email" value=(v.email) autocomplete="email" required; }
                div {
                    label for="su-password" { (t(lang, "Mot de passe", "Password")) }
                    input id="su-password" name="password" type="password" autocomplete="new-password" minlength="12" aria-describedby="password-hint" required;
                    p id="password-hint" class="hint" { (t(lang, "Au moins 12 caractères.", "At least 12 characters.")) }
                }
                div { button type="submit" { (t(lang, "Créer le compte", "Create the account")) } }
            }
        },
    )
}
