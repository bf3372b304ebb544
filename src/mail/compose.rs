//! A letter — what a notice says to one person — made into an RFC 5322
//! message: plain text and HTML (the same words; whatever people wrote is
//! escaped, so HTML in a message shows as text), a link to the page it is
//! about, `Auto-Submitted: auto-generated`, and nothing that tracks: no
//! remote image, no rewritten link.

use lettre::message::header::{ContentType, Header, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart, SinglePart};
use maud::{DOCTYPE, html};
use salle_web::Lang;

/// What one notice says to one person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Letter {
    pub lang: Lang,
    pub subject: String,
    /// « Bonjour Camille, »
    pub greeting: String,
    pub paragraphs: Vec<String>,
    /// Lines shown apart (dates, amounts), in order.
    pub details: Vec<String>,
    /// The page it is about: a label and an absolute address.
    pub action: Option<(String, String)>,
    /// Why the person receives it, and where to choose what they receive.
    pub footer: String,
}

/// RFC 3834: a message sent by a program, which autoresponders must not answer.
#[derive(Clone)]
struct AutoSubmitted;

impl Header for AutoSubmitted {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("Auto-Submitted")
    }

    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self)
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "auto-generated".to_owned())
    }
}

/// The language of the message's words (RFC 3282).
#[derive(Clone)]
struct ContentLanguage(&'static str);

impl Header for ContentLanguage {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("Content-Language")
    }

    fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self(if s.trim() == "en" { "en" } else { "fr" }))
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), self.0.to_owned())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ComposeError {
    #[error("« {0} » cannot receive e-mail: {1}")]
    Address(String, String),
    #[error("the message could not be built: {0}")]
    Build(#[from] lettre::error::Error),
    #[error("the message is not ASCII once encoded")]
    NotAscii,
}

impl Letter {
    pub fn text(&self) -> String {
        let mut out = format!("{}\n\n", self.greeting);
        for p in &self.paragraphs {
            out.push_str(p);
            out.push_str("\n\n");
        }
        for d in &self.details {
            out.push_str("  - ");
            out.push_str(d);
            out.push('\n');
        }
        if !self.details.is_empty() {
            out.push('\n');
        }
        if let Some((label, url)) = &self.action {
            out.push_str(&format!("{label} : {url}\n\n"));
        }
        out.push_str("-- \n");
        out.push_str(&self.footer);
        out.push('\n');
        out
    }

    pub fn html(&self) -> String {
        let lang = match self.lang {
            Lang::Fr => "fr",
            Lang::En => "en",
        };
        html! {
            (DOCTYPE)
            html lang=(lang) {
                head {
                    meta charset="utf-8";
                    meta name="viewport" content="width=device-width, initial-scale=1";
                    title { (self.subject) }
                }
                body style="font-family: sans-serif; font-size: 16px; line-height: 1.5; color: #1b1b1b; max-width: 40em; margin: 1em auto; padding: 0 1em" {
                    p { (self.greeting) }
                    @for p in &self.paragraphs { p { (p) } }
                    @if !self.details.is_empty() {
                        ul { @for d in &self.details { li { (d) } } }
                    }
                    @if let Some((label, url)) = &self.action {
                        p {
                            a href=(url) style="display: inline-block; padding: 0.6em 1em; background: #0b4f6c; color: #ffffff; text-decoration: underline; border-radius: 4px" { (label) }
                        }
                        p style="font-size: 14px" { (url) }
                    }
                    hr;
                    p style="font-size: 14px; color: #444444" { (self.footer) }
                }
            }
        }
        .into_string()
    }

    /// The message to `to`, identified by `message_id` (`<key@host>`).
    pub fn message(
        &self,
        from: &Mailbox,
        to: &str,
        to_name: &str,
        message_id: String,
    ) -> Result<String, ComposeError> {
        let address = to.parse().map_err(|e: lettre::address::AddressError| {
            ComposeError::Address(to.to_owned(), e.to_string())
        })?;
        let name = (!to_name.trim().is_empty()).then(|| to_name.trim().to_owned());
        let lang = match self.lang {
            Lang::Fr => "fr",
            Lang::En => "en",
        };
        let message = lettre::Message::builder()
            .from(from.clone())
            .to(Mailbox::new(name, address))
            .subject(self.subject.clone())
            .message_id(Some(message_id))
            .header(AutoSubmitted)
            .header(ContentLanguage(lang))
            .multipart(
                MultiPart::alternative()
                    .singlepart(SinglePart::builder().header(ContentType::TEXT_PLAIN).body(self.text()))
                    .singlepart(SinglePart::builder().header(ContentType::TEXT_HTML).body(self.html())),
            )?;
        String::from_utf8(message.formatted()).map_err(|_| ComposeError::NotAscii)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn letter() -> Letter {
        Letter {
            lang: Lang::Fr,
            subject: "Demande approuvée".into(),
            greeting: "Bonjour Camille,".into(),
            paragraphs: vec!["<b>Répétition</b> & concert".into()],
            details: vec!["mardi 8 décembre, 18 h – 20 h".into()],
            action: Some(("Voir la réservation".into(), "https://salle.example/reservations/1".into())),
            footer: "Vous recevez ce message parce que…".into(),
        }
    }

    #[test]
    fn what_people_wrote_is_text_in_both_parts() {
        let l = letter();
        assert!(l.html().contains("&lt;b&gt;Répétition&lt;/b&gt; &amp; concert"));
        assert!(!l.html().contains("<b>"));
        assert!(l.text().contains("<b>Répétition</b> & concert"));
        assert!(l.text().contains("Voir la réservation : https://salle.example/reservations/1"));
    }

    #[test]
    fn the_message_is_ascii_with_both_parts_and_its_headers() {
        let from: Mailbox = "salle <salle@salle.example>".parse().unwrap();
        let m = letter()
            .message(&from, "camille@example.org", "Camille Dupont", "<k@salle.example>".into())
            .unwrap();
        assert!(m.is_ascii());
        assert!(m.contains("Auto-Submitted: auto-generated"), "{m}");
        assert!(m.contains("Content-Language: fr"), "{m}");
        assert!(m.contains("Message-ID: <k@salle.example>"), "{m}");
        assert!(m.contains("multipart/alternative"), "{m}");
        assert!(m.contains("text/plain") && m.contains("text/html"), "{m}");
    }

    #[test]
    fn a_bad_address_is_named() {
        let from: Mailbox = "salle@salle.example".parse().unwrap();
        let e = letter().message(&from, "pas une adresse", "", "<k@x>".into()).unwrap_err();
        assert!(e.to_string().contains("pas une adresse"), "{e}");
    }
}
