//! The official identifiers people give: UAI, RNA, SIREN, SIRET, INSEE codes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use salle::domain::association::parse_identifier;
use salle::domain::identifiers::{InseeCode, Rna, Siren, Siret, Uai};

fuzz_target!(|text: &str| {
    // What parses is valid: parsing its own text gives it back.
    if let Ok(uai) = Uai::parse(text) {
        assert_eq!(Uai::parse(uai.as_str()).ok().as_ref().map(Uai::as_str), Some(uai.as_str()));
    }
    if let Ok(rna) = Rna::parse(text) {
        assert_eq!(Rna::parse(rna.as_str()).ok().as_ref().map(Rna::as_str), Some(rna.as_str()));
    }
    if let Ok(siren) = Siren::parse(text) {
        assert_eq!(Siren::parse(siren.as_str()).ok().as_ref().map(Siren::as_str), Some(siren.as_str()));
    }
    if let Ok(siret) = Siret::parse(text) {
        assert_eq!(Siret::parse(siret.as_str()).ok().as_ref().map(Siret::as_str), Some(siret.as_str()));
    }
    let _ = InseeCode::parse(text);
    let (a, b) = text.split_at(text.char_indices().nth(text.chars().count() / 2).map_or(0, |(i, _)| i));
    let _ = parse_identifier(Some(a), None);
    let _ = parse_identifier(None, Some(b));
    let _ = parse_identifier(Some(a), Some(b));
});
