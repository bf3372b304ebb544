//! # salle-web — the pages
//!
//! Views are pure functions from a view model to `Markup`: no async, no
//! database, no HTTP types. The application's handlers build the view model
//! and call the view. French first; every page has a skip link, a `lang`
//! attribute and a landmark structure (RGAA 4.1 / WCAG 2.1 AA).
//!
//! # Layout
//! - [`layout`]: the document shell shared by every page.
//! - [`pages`]: pages of any kind (not found).
//! - [`marketplace`]: search, room, sign-in, bookings, legal pages.
//! - [`payments`]: the simulated provider's pages.
//! - [`manage`]: the managers' and admins' pages (establishments, rooms).
//! - [`admin`]: the admins' pages (import, invitations, tariffs, verification).
//! - [`establishment_admin`]: an admin's part of an establishment's page (details, suspension, managers).

pub mod admin;
pub mod establishment_admin;
pub mod layout;
pub mod manage;
pub mod marketplace;
pub mod pages;
pub mod payments;

/// The interface languages; French is the default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Fr,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Self::Fr => "fr",
            Self::En => "en",
        }
    }

    /// The language of a code as `code` writes it (`fr`, `en`).
    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "fr" => Some(Self::Fr),
            "en" => Some(Self::En),
            _ => None,
        }
    }

    /// Picks French or English from an `Accept-Language` header; French otherwise.
    pub fn from_accept_language(header: Option<&str>) -> Self {
        let Some(header) = header else { return Self::Fr };
        let mut best = (Self::Fr, -1.0f32);
        for part in header.split(',') {
            let mut pieces = part.trim().split(';');
            let tag = pieces.next().unwrap_or("").trim().to_ascii_lowercase();
            let q = pieces
                .find_map(|p| p.trim().strip_prefix("q=").and_then(|q| q.parse::<f32>().ok()))
                .unwrap_or(1.0);
            let lang = if tag.starts_with("fr") {
                Some(Self::Fr)
            } else if tag.starts_with("en") {
                Some(Self::En)
            } else {
                None
            };
            if let Some(lang) = lang
                && q > best.1
            {
                best = (lang, q);
            }
        }
        best.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn french_is_the_default_language() {
        assert_eq!(Lang::from_accept_language(None), Lang::Fr);
        assert_eq!(Lang::from_accept_language(Some("de-DE")), Lang::Fr);
        assert_eq!(Lang::from_accept_language(Some("en-GB,en;q=0.9")), Lang::En);
        assert_eq!(Lang::from_accept_language(Some("en;q=0.5, fr-FR;q=0.8")), Lang::Fr);
    }
}
