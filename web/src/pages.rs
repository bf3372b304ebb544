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
