//! The legal notice, the accessibility statement, and where the source is.

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

/// Where the source of the running version is (AGPL-3.0 §13): its version,
/// its licence, and the address the collectivité publishes it at.
pub fn source(chrome: &Chrome, version: &str, source_url: Option<&str>) -> Markup {
    let lang = chrome.lang;
    let title = t(lang, "Code source", "Source code");
    page_with(
        chrome,
        title,
        html! {
            h1 { (title) }
            p { (t(lang,
                "salle est un logiciel libre : vous pouvez l'utiliser, l'étudier, le modifier et le redistribuer selon les termes de la licence publique générale GNU Affero, version 3 ou ultérieure.",
                "salle is free software: you may use, study, change and share it under the terms of the GNU Affero General Public License, version 3 or later.")) }
            dl {
                dt { (t(lang, "Version en service", "Version running")) } dd { "salle " (version) }
                dt { (t(lang, "Licence", "Licence")) } dd { a href="/licence" { "AGPL-3.0-or-later" } }
                dt { (t(lang, "Code source de cette version", "Source of this version")) }
                dd {
                    @match source_url {
                        Some(url) => a href=(url) { (url) },
                        None => (t(lang,
                            "l'exploitant ne l'a pas encore indiqué ; demandez-le à la collectivité (voir les mentions légales), qui doit vous le fournir.",
                            "the operator has not given it yet; ask the public body (see the legal notice), which must provide it.")),
                    }
                }
            }
        },
    )
}
