//! Amounts in euros and a weekday's time ranges, as typed in the pages' forms.
#![no_main]

use libfuzzer_sys::fuzz_target;
use salle::domain::typed::{euros, parse_euros, parse_windows, windows_text};

fuzz_target!(|text: &str| {
    if let Ok(cents) = parse_euros("Tarif", text) {
        assert!((0..=salle::domain::typed::MAX_TYPED_CENTS).contains(&cents));
        assert_eq!(parse_euros("Tarif", &euros(cents)).ok(), Some(cents), "{text:?} does not read back");
    }
    if let Ok(windows) = parse_windows(3, "Mercredi", text) {
        assert!(windows.iter().all(|w| w.start < w.end));
        let again = parse_windows(3, "Mercredi", &windows_text(&windows, 3)).ok();
        assert_eq!(again.as_deref(), Some(windows.as_slice()), "{text:?} does not read back");
    }
});
