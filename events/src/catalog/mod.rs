//! The catalog of salle's events: the contract between the write side
//! (`src/domain`) and every reader (projections, process managers, exports).
//!
//! Events are history: past tense, never renamed or edited once shipped. A
//! changed payload gets a new schema version and an upcaster (`crate::upcast`).
//! Each enum is stored as `event_type` = the variant name and `payload` = its
//! fields, so `BookingRequested` in the log is `RoomEvent::BookingRequested`.

pub mod association;
pub mod establishment;
pub mod money;
pub mod payment;
pub mod room;
pub mod tariff;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::envelope::{Metadata, NewEvent, RecordedEvent};

pub use association::AssociationEvent;
pub use establishment::EstablishmentEvent;
pub use money::{Currency, Money};
pub use payment::PaymentEvent;
pub use room::RoomEvent;
pub use tariff::TariffEvent;

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

    /// Into the envelope, with a fresh event id.
    fn to_new_event(&self, metadata: &Metadata) -> Result<NewEvent, serde_json::Error> {
        let tagged = serde_json::to_value(self)?;
        let payload = tagged.get("data").cloned().unwrap_or(serde_json::Value::Null);
        Ok(NewEvent::new(self.event_type(), self.schema_version(), payload, metadata.clone()))
    }

    /// Back from the envelope (already upcast to the current version).
    fn from_recorded(event: &RecordedEvent) -> Result<Self, serde_json::Error> {
        #[derive(serde::Serialize)]
        struct Tagged<'a> {
            r#type: &'a str,
            data: &'a serde_json::value::RawValue,
        }
        let tagged = serde_json::to_string(&Tagged { r#type: &event.event_type, data: &event.payload })?;
        serde_json::from_str(&tagged)
    }
}

/// Implements `event_type` from the variant names of an adjacently tagged enum.
macro_rules! event_types {
    ($enum:ident { $($variant:ident),* $(,)? }) => {
        impl $crate::catalog::DomainEvent for $enum {
            fn event_type(&self) -> &'static str {
                match self {
                    $(Self::$variant { .. } => stringify!($variant),)*
                }
            }
        }
        impl $enum {
            /// Every event type of this family, as stored.
            pub const EVENT_TYPES: &'static [&'static str] = &[$(stringify!($variant)),*];
        }
    };
}
pub(crate) use event_types;
