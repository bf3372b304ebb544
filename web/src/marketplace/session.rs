//! Signing in, an association signing up (and confirming its address), a
//! forgotten password.

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
            p { a href="/mot-de-passe-oublie" { (t(lang, "Mot de passe oublié ?", "Forgot your password?")) } }
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
                p class="hint" { (t(lang, "Nous vous enverrons un e-mail : son lien finit l'inscription.", "We will send you an e-mail: its link finishes the sign-up.")) }
                div { button type="submit" { (t(lang, "Créer le compte", "Create the account")) } }
            }
        },
    )
}

/// After the first step of a sign-up, or a request for a new password: the
/// next step is in the mailbox.
pub fn check_your_mail(chrome: &Chrome, email: &str, sign_up: bool) -> Markup {
    let lang = chrome.lang;
    let title = t(lang, "Regardez votre messagerie", "Check your mailbox");
    page_with(
        chrome,
        title,
        html! {
            h1 { (title) }
            div class="notice" role="status" {
                @if sign_up {
                    p { (t(lang, "Un e-mail part vers ", "An e-mail is on its way to ")) strong { (email) } "." }
                    p { (t(lang, "Ouvrez-le et suivez son lien pour finir l'inscription. Le lien vaut 48 heures ; sans lui, rien n'est enregistré.",
                           "Open it and follow its link to finish signing up. The link works for 48 hours; without it, nothing is kept.")) }
                } @else {
                    p { (t(lang, "Si un compte existe avec l'adresse ", "If an account has the address ")) strong { (email) } (t(lang, ", un e-mail part vers elle.", ", an e-mail is on its way to it.")) }
                    p { (t(lang, "Son lien sert une fois, pendant une heure, à choisir un nouveau mot de passe.", "Its link works once, for an hour, to choose a new password.")) }
                }
                p { (t(lang, "Rien reçu après quelques minutes ? Regardez dans les indésirables, puis recommencez.", "Nothing after a few minutes? Look in the spam folder, then start again.")) }
            }
            p { a href="/connexion" { (t(lang, "Aller à la connexion", "Go to sign-in")) } }
        },
    )
}

/// The link of a sign-up's e-mail: one button finishes it (a link alone
/// does not, as mail scanners open links).
pub fn confirm_sign_up(chrome: &Chrome, token: &str, error: Option<&str>) -> Markup {
    let lang = chrome.lang;
    let title = t(lang, "Finir l'inscription", "Finish signing up");
    page_with(
        chrome,
        title,
        html! {
            h1 { (title) }
            (alert(error))
            @if error.is_none() {
                p { (t(lang, "Votre adresse est confirmée par ce lien. Un dernier clic crée le compte de l'association.", "This link confirms your address. One last click creates the association's account.")) }
                form method="post" action={ "/inscription/confirmer/" (token) } {
                    (csrf_field(&chrome.csrf))
                    button type="submit" { (t(lang, "Créer le compte", "Create the account")) }
                }
            } @else {
                p { a href="/inscription" { (t(lang, "S'inscrire de nouveau", "Sign up again")) } }
            }
        },
    )
}

/// A forgotten password: the address to mail a link to.
pub fn forgot_password(chrome: &Chrome, email: &str, error: Option<&str>) -> Markup {
    let lang = chrome.lang;
    let title = t(lang, "Mot de passe oublié", "Forgotten password");
    page_with(
        chrome,
        title,
        html! {
            h1 { (title) }
            (alert(error))
            p { (t(lang, "Donnez l'adresse de votre compte : nous y enverrons un lien pour choisir un nouveau mot de passe.", "Give your account's address: we will send it a link to choose a new password.")) }
            form class="stack" method="post" action="/mot-de-passe-oublie" {
                (csrf_field(&chrome.csrf))
                div {
                    label for="email" { (t(lang, "Adresse e-mail", "E-mail address")) }
                    input id="email" name="email" type="email" autocomplete="username" value=(email) required;
                }
                div { button type="submit" { (t(lang, "Recevoir le lien", "Send me the link")) } }
            }
        },
    )
}

/// The link of a reset e-mail: the new password, twice.
pub fn new_password(chrome: &Chrome, token: &str, error: Option<&str>, usable: bool) -> Markup {
    let lang = chrome.lang;
    let title = t(lang, "Choisir un nouveau mot de passe", "Choose a new password");
    page_with(
        chrome,
        title,
        html! {
            h1 { (title) }
            (alert(error))
            @if usable {
                form class="stack" method="post" action={ "/mot-de-passe/" (token) } {
                    (csrf_field(&chrome.csrf))
                    div {
                        label for="password" { (t(lang, "Nouveau mot de passe", "New password")) }
                        input id="password" name="password" type="password" autocomplete="new-password" minlength="12" aria-describedby="np-hint" required;
                        p id="np-hint" class="hint" { (t(lang, "Au moins 12 caractères. Toutes vos sessions ouvertes seront fermées.", "At least 12 characters. Every open session will be closed.")) }
                    }
                    div {
                        label for="again" { (t(lang, "Le même, une seconde fois", "The same, once more")) }
                        input id="again" name="again" type="password" autocomplete="new-password" minlength="12" required;
                    }
                    div { button type="submit" { (t(lang, "Enregistrer le mot de passe", "Save the password")) } }
                }
            } @else {
                p { a href="/mot-de-passe-oublie" { (t(lang, "Demander un nouveau lien", "Ask for a new link")) } }
            }
        },
    )
}

/// One notice an account may receive, as the page lists it.
#[derive(Debug, Clone)]
pub struct NoticeChoice {
    pub code: String,
    pub label: String,
    pub receives: bool,
}

/// An account's secret calendar links (association members and managers).
#[derive(Debug, Clone, Default)]
pub struct AgendaView {
    /// Each link that works: its id and when it was made (local).
    pub feeds: Vec<(String, String)>,
    /// The link just made, shown this once: https and webcal.
    pub new_link: Option<(String, String)>,
}

/// What the account is told by e-mail, and in which language; its calendar links.
pub fn notices(
    chrome: &Chrome,
    lang_code: &str,
    choices: &[NoticeChoice],
    saved: bool,
    agenda: Option<&AgendaView>,
) -> Markup {
    let lang = chrome.lang;
    let title = t(lang, "Mes e-mails", "My e-mails");
    page_with(
        chrome,
        title,
        html! {
            h1 { (title) }
            @if saved { div class="notice" role="status" { p { (t(lang, "Vos choix sont enregistrés.", "Your choices are saved.")) } } }
            form class="stack" method="post" action="/compte" {
                (csrf_field(&chrome.csrf))
                fieldset {
                    legend { (t(lang, "Langue des e-mails", "Language of the e-mails")) }
                    div { input type="radio" id="lang-fr" name="lang" value="fr" checked[lang_code == "fr"]; label for="lang-fr" { "Français" } }
                    div { input type="radio" id="lang-en" name="lang" value="en" checked[lang_code == "en"]; label for="lang-en" { "English" } }
                }
                @if !choices.is_empty() {
                    fieldset {
                        legend { (t(lang, "Je reçois un e-mail quand…", "I receive an e-mail when…")) }
                        @for c in choices {
                            div {
                                input type="checkbox" id={ "n-" (c.code) } name="receives" value=(c.code) checked[c.receives];
                                label for={ "n-" (c.code) } { (c.label) }
                            }
                        }
                    }
                }
                p class="hint" { (t(lang, "Les e-mails liés à la sécurité du compte (confirmation d'adresse, nouveau mot de passe, invitation) partent toujours.", "E-mails about the account's security (address confirmation, new password, invitation) are always sent.")) }
                div { button type="submit" { (t(lang, "Enregistrer", "Save")) } }
            }
            @if let Some(agenda) = agenda {
                h2 id="agenda" { (t(lang, "Mon agenda", "My calendar")) }
                p { (t(lang, "Un lien secret montre vos réservations dans votre agenda (téléphone, Thunderbird, Outlook…), mises à jour d'heure en heure. Gardez-le pour vous : qui l'a voit vos réservations.", "A secret link shows your bookings in your calendar (phone, Thunderbird, Outlook…), updated hourly. Keep it to yourself: whoever has it sees your bookings.")) }
                @if let Some((url, webcal)) = &agenda.new_link {
                    div class="notice" role="status" {
                        p { (t(lang, "Votre lien, affiché cette seule fois : abonnez-vous-y depuis votre agenda.", "Your link, shown this once: subscribe to it from your calendar.")) }
                        p { a href=(webcal) { (t(lang, "S'abonner", "Subscribe")) } " — " code class="hash" { (url) } }
                    }
                }
                @if !agenda.feeds.is_empty() {
                    ul {
                        @for (id, made) in &agenda.feeds {
                            li {
                                (t(lang, "Lien créé le ", "Link made on ")) (made) " "
                                form method="post" action={ "/compte/agendas/" (id) "/revoquer" } class="inline-action" {
                                    (csrf_field(&chrome.csrf))
                                    button type="submit" class="secondary" aria-label={ (t(lang, "Révoquer le lien créé le ", "Revoke the link made on ")) (made) } { (t(lang, "Révoquer", "Revoke")) }
                                }
                            }
                        }
                    }
                }
                form method="post" action="/compte/agendas" {
                    (csrf_field(&chrome.csrf))
                    button type="submit" { (t(lang, "Créer un lien d'agenda", "Make a calendar link")) }
                }
            }
        },
    )
}
