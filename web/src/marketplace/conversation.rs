//! A booking's conversation on its page: the messages, oldest first, and
//! the form to write the next one (kept filled in when it was refused).

use maud::{Markup, html};

use crate::Lang;
use crate::layout::{csrf_field, t};

/// One message as the page shows it.
#[derive(Debug, Clone)]
pub struct MessageLine {
    /// "Vous", "L'établissement", "L'association"…, already in the page's language.
    pub who: String,
    pub when: String,
    /// The instant, for `<time datetime>`.
    pub at: String,
    /// `None` once the association's data was erased.
    pub text: Option<String>,
    pub mine: bool,
}

/// The conversation of a booking, for its association and its managers.
#[derive(Debug, Clone, Default)]
pub struct Conversation {
    pub messages: Vec<MessageLine>,
    /// What the person typed, when sending it was refused.
    pub draft: String,
    /// Makes sending the same form twice post once.
    pub form_token: String,
    /// Shared by every date of a weekly series.
    pub series: bool,
    /// Who is told of a new message: "l'établissement" or "l'association".
    pub other_side: String,
    pub max_chars: usize,
}

pub(super) fn conversation(lang: Lang, csrf: &str, booking_id: &str, c: &Conversation) -> Markup {
    html! {
        section aria-labelledby="conversation" {
            h2 id="conversation" { (t(lang, "Messages", "Messages")) }
            @if c.series {
                p class="hint" { (t(lang, "Cette conversation vaut pour toutes les dates de la série.", "This conversation covers every date of the series.")) }
            }
            @if c.messages.is_empty() {
                p { (t(lang, "Aucun message pour l'instant.", "No messages yet.")) }
            } @else {
                ol class="messages" {
                    @for m in &c.messages {
                        li class=[m.mine.then_some("mine")] {
                            p class="message-meta" { strong { (m.who) } " — " time datetime=(m.at) { (m.when) } }
                            @match &m.text {
                                Some(text) => p class="message-text" { (text) },
                                None => p class="hint" { (t(lang, "Message effacé avec les données de l'association.", "Message erased with the association's data.")) },
                            }
                        }
                    }
                }
            }
            form class="stack" method="post" action={ "/reservations/" (booking_id) "/message" } {
                (csrf_field(csrf))
                input type="hidden" name="form" value=(c.form_token);
                label for="message-text" { (t(lang, "Votre message", "Your message")) }
                span id="message-hint" class="hint" {
                    (t(lang, "Au plus ", "At most ")) (c.max_chars) (t(lang, " caractères. ", " characters. "))
                    (t(lang, "Un courriel prévient ", "An e-mail tells ")) (c.other_side) "."
                }
                textarea id="message-text" name="text" rows="4" required maxlength=(c.max_chars) aria-describedby="message-hint" { (c.draft) }
                div { button type="submit" { (t(lang, "Envoyer le message", "Send the message")) } }
            }
        }
    }
}
