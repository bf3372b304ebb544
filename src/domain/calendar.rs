//! School and public holidays: shared with the read side, see `salle_events::calendar`.

pub use salle_events::calendar::*;
