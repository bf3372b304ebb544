//! The document shell: language, title, skip link, header, main landmark, footer.

use maud::{DOCTYPE, Markup, html};

use crate::Lang;

pub fn page(lang: Lang, title: &str, body: Markup) -> Markup {
    let (skip, home, suffix) = match lang {
        Lang::Fr => ("Aller au contenu", "Accueil salle", "salle"),
        Lang::En => ("Skip to content", "salle home", "salle"),
    };
    html! {
        (DOCTYPE)
        html lang=(lang.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " — " (suffix) }
            }
            body {
                a href="#contenu" class="skip-link" { (skip) }
                header role="banner" {
                    a href="/" aria-label=(home) { "salle" }
                }
                main id="contenu" tabindex="-1" { (body) }
            }
        }
    }
}
