//! The document shell: language, title, skip link, header with navigation,
//! main landmark, footer.

use maud::{DOCTYPE, Markup, html};

use crate::Lang;

/// The stylesheet, served at `/static/salle.css`.
pub const STYLESHEET: &str = include_str!("../static/salle.css");

/// The results' map script, served at `/static/carte.js`.
pub const MAP_SCRIPT: &str = include_str!("../static/carte.js");

/// Leaflet, vendored (`static/leaflet/SOURCE.md`), served under
/// `/static/leaflet/`: (file name, content type, bytes).
pub const LEAFLET: [(&str, &str, &[u8]); 5] = [
    ("leaflet.js", "text/javascript; charset=utf-8", include_bytes!("../static/leaflet/leaflet.js")),
    ("leaflet.css", "text/css; charset=utf-8", include_bytes!("../static/leaflet/leaflet.css")),
    ("images/marker-icon.png", "image/png", include_bytes!("../static/leaflet/images/marker-icon.png")),
    ("images/marker-icon-2x.png", "image/png", include_bytes!("../static/leaflet/images/marker-icon-2x.png")),
    ("images/marker-shadow.png", "image/png", include_bytes!("../static/leaflet/images/marker-shadow.png")),
];

/// Who is signed in, as the navigation shows it.
#[derive(Debug, Clone, Default)]
pub struct Chrome {
    pub lang: Lang,
    /// The signed-in person's name and role label.
    pub user: Option<(String, String)>,
    /// Requests waiting for a manager's decision (shown in the navigation).
    pub pending: Option<usize>,
    /// The token every form of the page carries.
    pub csrf: String,
    /// The visitor may read ledgers (managers, finance, admins).
    pub ledgers: bool,
    /// The visitor runs establishments (managers, admins).
    pub manages: bool,
    /// The visitor administers the marketplace.
    pub admin: bool,
    /// The visitor is a member of an association (its page is in the navigation).
    pub association: bool,
}

impl Chrome {
    pub fn anonymous(lang: Lang, csrf: &str) -> Self {
        Self {
            lang,
            user: None,
            pending: None,
            csrf: csrf.to_owned(),
            ledgers: false,
            manages: false,
            admin: false,
            association: false,
        }
    }
}

/// French or English text.
pub fn t(lang: Lang, fr: &'static str, en: &'static str) -> &'static str {
    match lang {
        Lang::Fr => fr,
        Lang::En => en,
    }
}

/// The hidden field of a form's CSRF token.
pub fn csrf_field(token: &str) -> Markup {
    html! { input type="hidden" name="csrf" value=(token); }
}

/// A refusal shown at the top of a form's page, announced to screen readers.
pub fn alert(message: Option<&str>) -> Markup {
    html! { @if let Some(m) = message { div class="alert" role="alert" { p { (m) } } } }
}

/// A page without navigation (errors, the simulated provider).
pub fn page(lang: Lang, title: &str, body: Markup) -> Markup {
    shell(&Chrome::anonymous(lang, ""), title, body, false)
}

/// A page of the marketplace, with its navigation.
pub fn page_with(chrome: &Chrome, title: &str, body: Markup) -> Markup {
    shell(chrome, title, body, true)
}

fn shell(chrome: &Chrome, title: &str, body: Markup, navigation: bool) -> Markup {
    let lang = chrome.lang;
    html! {
        (DOCTYPE)
        html lang=(lang.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " — salle" }
                link rel="stylesheet" href="/static/salle.css";
            }
            body {
                a href="#contenu" class="skip-link" { (t(lang, "Aller au contenu", "Skip to content")) }
                header role="banner" {
                    a href="/" class="brand" aria-label=(t(lang, "Accueil salle", "salle home")) { "salle" }
                    @if navigation {
                        nav aria-label=(t(lang, "Navigation principale", "Main navigation")) {
                            ul {
                                li { a href="/" { (t(lang, "Rechercher une salle", "Find a room")) } }
                                @if let Some((name, role)) = &chrome.user {
                                    li {
                                        a href="/reservations" {
                                            (t(lang, "Réservations", "Bookings"))
                                            @if let Some(n) = chrome.pending.filter(|n| *n > 0) {
                                                " " span class="badge" {
                                                    (n) span class="visually-hidden" { " " (t(lang, "en attente", "pending")) }
                                                }
                                            }
                                        }
                                    }
                                    @if chrome.association {
                                        li { a href="/association" { (t(lang, "Mon association", "My association")) } }
                                    }
                                    @if chrome.manages {
                                        li { a href="/etablissements" { (t(lang, "Établissements", "Establishments")) } }
                                    }
                                    @if chrome.admin {
                                        li { a href="/admin" { (t(lang, "Administration", "Administration")) } }
                                    }
                                    @if chrome.ledgers {
                                        li { a href="/grand-livre" { (t(lang, "Grands livres", "Ledgers")) } }
                                    }
                                    li { a href="/compte" title=(t(lang, "Mes e-mails et ma langue", "My e-mails and language")) { (name) " (" (role) ")" } }
                                    li {
                                        form method="post" action="/deconnexion" {
                                            (csrf_field(&chrome.csrf))
                                            button type="submit" class="secondary" { (t(lang, "Se déconnecter", "Sign out")) }
                                        }
                                    }
                                } @else {
                                    li { a href="/connexion" { (t(lang, "Se connecter", "Sign in")) } }
                                }
                            }
                        }
                    }
                }
                main id="contenu" tabindex="-1" { (body) }
                footer role="contentinfo" {
                    a href="/mentions-legales" { (t(lang, "Mentions légales", "Legal notice")) }
                    " · "
                    a href="/accessibilite" { (t(lang, "Accessibilité : partiellement conforme", "Accessibility: partially compliant")) }
                    " · "
                    a href="/code-source" { (t(lang, "Code source (logiciel libre)", "Source code (free software)")) }
                }
            }
        }
    }
}
