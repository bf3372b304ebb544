//! Free text people write — a booking's purpose, the reason of a refusal, a
//! cancellation or a refund — kept out of the permanent log: the event holds
//! the text's id, and the text lives in the erasable `free_texts` table,
//! written in the same transaction as the event. Erasing an association's
//! texts (RGPD) leaves every event, its hash and every total unchanged.
//!
//! Events recorded before texts left the log hold them inline; they read
//! back as [`FreeText::Inline`].

use serde::de::{self, MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use uuid::Uuid;

/// A person's words, as an event refers to them.
#[derive(Debug, Clone)]
pub enum FreeText {
    /// Held in the event itself: recorded before texts left the log, or empty.
    Inline(String),
    /// In the erasable store under this id (as read back from the log).
    Stored { text_id: Uuid },
    /// Just decided: the text to store under `text_id`, whose the words are
    /// (`owner`, an association). Written out as `Stored`.
    New { text_id: Uuid, owner: Uuid, body: String },
}

/// A text an event brings, to store with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NewText<'a> {
    pub text_id: Uuid,
    pub owner: Uuid,
    pub body: &'a str,
}

impl FreeText {
    /// The text `body` of `owner`, under an id derived from `key` (so that
    /// deciding the same command again gives the same id). Empty text stays inline.
    pub fn new(key: Uuid, what: &str, owner: Uuid, body: String) -> Self {
        if body.is_empty() {
            return Self::Inline(body);
        }
        Self::New { text_id: Uuid::new_v5(&key, what.as_bytes()), owner, body }
    }

    /// The id of the stored text, if it is stored.
    pub fn text_id(&self) -> Option<Uuid> {
        match self {
            Self::Inline(_) => None,
            Self::Stored { text_id } | Self::New { text_id, .. } => Some(*text_id),
        }
    }

    /// The text to store, when it was just decided.
    pub fn to_store(&self) -> Option<NewText<'_>> {
        match self {
            Self::New { text_id, owner, body } => Some(NewText { text_id: *text_id, owner: *owner, body }),
            _ => None,
        }
    }
}

impl From<&str> for FreeText {
    /// Inline text: no words of a person (test data, a system's own wording).
    fn from(text: &str) -> Self {
        Self::Inline(text.to_owned())
    }
}

impl Default for FreeText {
    fn default() -> Self {
        Self::Inline(String::new())
    }
}

impl PartialEq for FreeText {
    /// The same words: the same inline text, or the same stored id (what an
    /// event decided and the same event read back are equal).
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Self::Inline(a), Self::Inline(b)) => a == b,
            _ => self.text_id().is_some() && self.text_id() == other.text_id(),
        }
    }
}

impl Eq for FreeText {}

impl Serialize for FreeText {
    /// Inline as a string; stored as `{"text_id": …}` (never the words).
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Inline(text) => serializer.serialize_str(text),
            Self::Stored { text_id } | Self::New { text_id, .. } => {
                let mut map = serializer.serialize_map(Some(1))?;
                map.serialize_entry("text_id", text_id)?;
                map.end()
            }
        }
    }
}

impl<'de> Deserialize<'de> for FreeText {
    /// A string (inline) or `{"text_id": …}`; read by hand rather than with
    /// `#[serde(untagged)]`, which buffers every value first, on the
    /// replay's most frequent event.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct FreeTextVisitor;
        impl<'de> Visitor<'de> for FreeTextVisitor {
            type Value = FreeText;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a text, or {\"text_id\": uuid}")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<FreeText, E> {
                Ok(FreeText::Inline(v.to_owned()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<FreeText, E> {
                Ok(FreeText::Inline(v))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<FreeText, A::Error> {
                let mut text_id = None;
                while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
                    match key.as_ref() {
                        "text_id" => text_id = Some(map.next_value::<Uuid>()?),
                        _ => {
                            map.next_value::<de::IgnoredAny>()?;
                        }
                    }
                }
                text_id
                    .map(|text_id| FreeText::Stored { text_id })
                    .ok_or_else(|| de::Error::missing_field("text_id"))
            }
        }
        deserializer.deserialize_any(FreeTextVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_text_is_written_as_its_id_only_and_reads_back_equal() {
        let owner = Uuid::from_u128(7);
        let text = FreeText::new(Uuid::from_u128(1), "purpose", owner, "Répétition de Marie Curie".into());
        let json = serde_json::to_string(&text).unwrap();
        assert!(!json.contains("Marie"), "{json}");
        let back: FreeText = serde_json::from_str(&json).unwrap();
        assert!(matches!(back, FreeText::Stored { .. }));
        assert_eq!(back, text);
        assert_eq!(text.to_store().map(|t| t.body), Some("Répétition de Marie Curie"));
    }

    #[test]
    fn an_old_inline_text_and_an_empty_one_stay_strings() {
        let old: FreeText = serde_json::from_str("\"Réunion\"").unwrap();
        assert_eq!(old, FreeText::Inline("Réunion".into()));
        let empty = FreeText::new(Uuid::from_u128(1), "reason", Uuid::from_u128(7), String::new());
        assert_eq!(serde_json::to_string(&empty).unwrap(), "\"\"");
        assert!(empty.to_store().is_none());
        assert!(serde_json::from_str::<FreeText>("{\"id\": 1}").is_err());
    }
}
