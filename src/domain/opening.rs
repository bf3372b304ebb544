//! Opening rules: shared with the read side, see `salle_events::opening`.

pub use salle_events::opening::*;
