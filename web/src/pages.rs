//! One function per page.

use maud::{Markup, html};

use crate::Lang;
use crate::layout::page;

/// The page for an address that leads nowhere.
pub fn not_found(lang: Lang, path: &str) -> Markup {
    let (title, text, back) = match lang {
        Lang::Fr => ("Page introuvable", "Aucune page ne correspond à l'adresse", "Revenir à l'accueil"),
        Lang::En => ("Page not found", "No page matches the address", "Back to the home page"),
    };
    page(
        lang,
        title,
        html! {
            h1 { (title) }
            p { (text) " " code { (path) } "." }
            p { a href="/" { (back) } }
        },
    )
}

/// A refusal or failure on a page: what happened and what to do next.
pub fn error(lang: Lang, status: u16, message: &str) -> Markup {
    let title = match (lang, status) {
        (Lang::Fr, 401) => "Connexion nécessaire",
        (Lang::Fr, 403) => "Action non permise",
        (Lang::Fr, 404) => "Page introuvable",
        (Lang::Fr, 429) => "Trop d'essais",
        (Lang::Fr, 400..=499) => "Demande refusée",
        (Lang::Fr, _) => "Erreur du service",
        (Lang::En, 401) => "Sign-in needed",
        (Lang::En, 403) => "Action not allowed",
        (Lang::En, 404) => "Page not found",
        (Lang::En, 429) => "Too many attempts",
        (Lang::En, 400..=499) => "Request refused",
        (Lang::En, _) => "Service error",
    };
    page(
        lang,
        title,
        html! {
            h1 { (title) }
            p role="alert" { (message) }
            p { a href="/" { (match lang { Lang::Fr => "Revenir à l'accueil", Lang::En => "Back to the home page" }) } }
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_missing_path_is_escaped() {
        let html = not_found(Lang::Fr, "/<script>").into_string();
        assert!(html.contains("&lt;script&gt;"), "{html}");
        assert!(html.contains(r#"lang="fr""#) && html.contains("Aller au contenu"));
    }
}
