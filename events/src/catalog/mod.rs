//! The catalog of salle's events: the contract between the write side
//! (`src/domain`) and every reader (projections, process managers, exports).
//!
//! Events are history: past tense, never renamed or edited once shipped. A
//! changed payload gets a new schema version and an upcaster (`crate::upcast`).
//! Each enum is stored as `event_type` = the variant name and `payload` = its
//! fields, so `BookingRequested` in the log is `RoomEvent::BookingRequested`.

pub mod association;
pub mod codes;
pub mod establishment;
pub mod money;
pub mod payment;
pub mod room;
pub mod tariff;
pub mod text;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::envelope::{Metadata, NewEvent, RecordedEvent};

pub use association::AssociationEvent;
pub use establishment::EstablishmentEvent;
pub use money::{Currency, Money};
pub use payment::PaymentEvent;
pub use room::RoomEvent;
pub use tariff::TariffEvent;
pub use text::{FreeText, NewText};

/// Stream categories. Renaming one breaks history: every stored stream id
/// starts with it.
pub mod category {
    /// `establishment-<uuid>`
    pub const ESTABLISHMENT: &str = "establishment";
    /// `room-<uuid>`: the room, its rules, and every booking of it (the room's
    /// stream is the consistency boundary that forbids double booking).
    pub const ROOM: &str = "room";
    /// `association-<uuid>`
    pub const ASSOCIATION: &str = "association";
    /// `tariff-<establishment uuid>`, or `tariff-departement` for the default grid.
    pub const TARIFF: &str = "tariff";
    /// `payment-<booking uuid>`: the provider's side of one booking's money.
    pub const PAYMENT: &str = "payment";
}

/// A family of events stored in one kind of stream.
pub trait DomainEvent: Serialize + DeserializeOwned + Clone + std::fmt::Debug + Send + Sync {
    /// The variant name, stored as `event_type`.
    fn event_type(&self) -> &'static str;

    /// The current schema version of this event type.
    fn schema_version(&self) -> u32 {
        1
    }

    /// The free texts this event brings, to store beside it in the same
    /// transaction (see [`text`]); none for most events.
    fn texts_to_store(&self) -> Vec<NewText<'_>> {
        vec![]
    }

    /// Into the envelope, with a fresh event id.
    fn to_new_event(&self, metadata: &Metadata) -> Result<NewEvent, serde_json::Error> {
        let tagged = serde_json::to_value(self)?;
        let payload = tagged.get("data").cloned().unwrap_or(serde_json::Value::Null);
        Ok(NewEvent::new(self.event_type(), self.schema_version(), payload, metadata.clone()))
    }

    /// Back from the envelope (already upcast to the current version): the
    /// stored type and payload are read as the enum's `{"type", "data"}`
    /// without writing them out again, so the payload is parsed once.
    fn from_recorded(event: &RecordedEvent) -> Result<Self, serde_json::Error> {
        Self::deserialize(Tagged { event_type: &event.event_type, payload: &event.payload, next: 0 })
    }
}

/// The adjacently tagged form of a stored event, `{"type": event_type,
/// "data": payload}`, presented to serde as a map. Written here because
/// serde offers no way to read an adjacently tagged enum from a tag and a
/// content held apart; the alternative, building the tagged JSON text and
/// parsing it, copied every payload once more on each replay.
struct Tagged<'a> {
    event_type: &'a str,
    payload: &'a serde_json::value::RawValue,
    /// 0: the tag comes next, 1: the content, 2: done.
    next: u8,
}

impl<'de> serde::Deserializer<'de> for Tagged<'de> {
    type Error = serde_json::Error;

    fn deserialize_any<V: serde::de::Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        visitor.visit_map(self)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf option unit
        unit_struct newtype_struct seq tuple tuple_struct map struct enum identifier ignored_any
    }
}

impl<'de> serde::de::MapAccess<'de> for Tagged<'de> {
    type Error = serde_json::Error;

    fn next_key_seed<K: serde::de::DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Self::Error> {
        let key = match self.next {
            0 => "type",
            1 => "data",
            _ => return Ok(None),
        };
        seed.deserialize(serde::de::value::BorrowedStrDeserializer::new(key)).map(Some)
    }

    fn next_value_seed<V: serde::de::DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, Self::Error> {
        self.next += 1;
        match self.next {
            1 => seed.deserialize(serde::de::value::BorrowedStrDeserializer::new(self.event_type)),
            _ => seed.deserialize(self.payload),
        }
    }
}

/// Implements `event_type` from the variant names of an adjacently tagged
/// enum (and `texts_to_store` with `texts = f`, for families with free text).
macro_rules! event_types {
    ($enum:ident { $($variant:ident),* $(,)? }) => {
        $crate::catalog::event_types!($enum { $($variant),* } texts = |_| vec![]);
    };
    ($enum:ident { $($variant:ident),* $(,)? } texts = $texts:expr) => {
        impl $crate::catalog::DomainEvent for $enum {
            fn event_type(&self) -> &'static str {
                match self {
                    $(Self::$variant { .. } => stringify!($variant),)*
                }
            }

            fn texts_to_store(&self) -> Vec<$crate::catalog::NewText<'_>> {
                let texts: fn(&Self) -> Vec<$crate::catalog::NewText<'_>> = $texts;
                texts(self)
            }
        }
        impl $enum {
            /// Every event type of this family, as stored.
            pub const EVENT_TYPES: &'static [&'static str] = &[$(stringify!($variant)),*];
        }
    };
}
pub(crate) use event_types;
