//! The legal notice and the accessibility statement.

use maud::{Markup, html};

use crate::layout::{Chrome, page_with, t};

/// The legal notice.
pub fn legal(chrome: &Chrome) -> Markup {
    let lang = chrome.lang;
    let title = t(lang, "Mentions légales", "Legal notice");
    page_with(
        chrome,
        title,
        html! {
            h1 { (title) }
            p { (t(lang,
                "salle est un logiciel libre (AGPL-3.0) exploité par la collectivité qui le met en ligne ; elle en est l'éditrice et la responsable de traitement.",
                "salle is free software (AGPL-3.0) run by the public body that puts it online; that body publishes it and controls the data.")) }
            p { (t(lang,
                "Données personnelles : les coordonnées des associations et des comptes sont conservées hors du journal des événements et peuvent être effacées sur demande.",
                "Personal data: the contact details of associations and accounts are kept out of the event log and can be erased on request.")) }
        },
    )
}

/// The accessibility statement.
pub fn accessibility(chrome: &Chrome) -> Markup {
    let lang = chrome.lang;
    let title = t(lang, "Déclaration d'accessibilité", "Accessibility statement");
    page_with(
        chrome,
        title,
        html! {
            h1 { (title) }
            p { (t(lang,
                "salle vise la conformité au RGAA 4.1 (WCAG 2.1 niveau AA). État de conformité : partiellement conforme, l'audit complet n'ayant pas encore été réalisé.",
                "salle aims at RGAA 4.1 (WCAG 2.1 level AA). Compliance: partially compliant, as the full audit has not been carried out yet.")) }
            p { (t(lang,
                "Les pages fonctionnent sans JavaScript, au clavier, avec un lien d'évitement, des libellés sur chaque champ et des statuts écrits en toutes lettres.",
                "Pages work without JavaScript, with the keyboard, with a skip link, a label on every field and statuses written out in words.")) }
        },
    )
}
