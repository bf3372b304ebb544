//! Stored event payloads (a restored backup, an older version) decoded as
//! each stream's events: refused or read, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use salle_events::catalog::association::AssociationEvent;
use salle_events::catalog::establishment::EstablishmentEvent;
use salle_events::catalog::payment::PaymentEvent;
use salle_events::catalog::room::RoomEvent;
use salle_events::catalog::tariff::TariffEvent;

fn roundtrip<T: serde::de::DeserializeOwned + serde::Serialize>(payload: &str) {
    if let Ok(event) = serde_json::from_str::<T>(payload) {
        let text = serde_json::to_string(&event).expect("an event read is written back");
        serde_json::from_str::<T>(&text).expect("an event written is read back");
    }
}

fuzz_target!(|payload: &str| {
    roundtrip::<RoomEvent>(payload);
    roundtrip::<AssociationEvent>(payload);
    roundtrip::<EstablishmentEvent>(payload);
    roundtrip::<PaymentEvent>(payload);
    roundtrip::<TariffEvent>(payload);
});
