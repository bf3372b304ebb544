//! Slots in Europe/Paris time: shared with the read side, see `salle_events::time`.

pub use salle_events::time::*;
