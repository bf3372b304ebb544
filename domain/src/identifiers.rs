//! Official identifiers, parsed once and valid while held: UAI (establishments
//! of the Éducation nationale), RNA, SIREN and SIRET (organisations), INSEE
//! commune codes. Errors are French sentences naming what is wrong.

use super::DomainError;

/// Unité administrative immatriculée: 7 characters (3 for the département,
/// 4 digits) and a check letter. Collèges of Isère are `038….`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Uai(String);

/// The 23 check letters of a UAI: the alphabet without I, O and Q.
const UAI_LETTERS: &[u8; 23] = b"ABCDEFGHJKLMNPRSTUVWXYZ";

impl Uai {
    pub fn parse(value: &str) -> Result<Self, DomainError> {
        let v = value.trim().to_ascii_uppercase();
        let bad =
            |why: &str| DomainError::rule("invalid_uai", format!("Le code UAI « {} » {why}.", value.trim()));
        if v.len() != 8 || !v.is_ascii() {
            return Err(bad("doit compter 8 caractères : 7 chiffres et une lettre clé (ex. 0380001V)"));
        }
        let (digits, key) = v.split_at(7);
        // Corsica's 2A/2B codes keep a letter in the département part.
        let numeric: String = digits.chars().map(|c| if c == 'A' || c == 'B' { '0' } else { c }).collect();
        if !numeric.chars().all(|c| c.is_ascii_digit()) {
            return Err(bad("doit commencer par 7 chiffres"));
        }
        let number: u64 = numeric.parse().map_err(|_| bad("doit commencer par 7 chiffres"))?;
        let expected = UAI_LETTERS[(number % 23) as usize] as char;
        if !key.starts_with(expected) {
            return Err(bad(&format!("a une lettre clé incorrecte (attendue : {expected})")));
        }
        Ok(Self(v))
    }

    /// The UAI of a 7-digit number (département, then establishment), with its key letter.
    pub fn from_number(number: u32) -> Option<Self> {
        (number < 10_000_000)
            .then(|| Self(format!("{number:07}{}", UAI_LETTERS[(number % 23) as usize] as char)))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Luhn's check, used by SIREN and SIRET.
fn luhn_ok(digits: &str) -> bool {
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = (b - b'0') as u32;
            if i % 2 == 1 {
                let doubled = d * 2;
                if doubled > 9 { doubled - 9 } else { doubled }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

fn digits_only(value: &str) -> String {
    value.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Numéro RNA: `W` followed by 9 digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Rna(String);

impl Rna {
    pub fn parse(value: &str) -> Result<Self, DomainError> {
        let v = digits_only(value).to_ascii_uppercase();
        let ok = v.len() == 10 && v.starts_with('W') && v[1..].bytes().all(|b| b.is_ascii_digit());
        if !ok {
            return Err(DomainError::rule(
                "invalid_rna",
                format!(
                    "Le numéro RNA « {} » doit être la lettre W suivie de 9 chiffres (ex. W381234567).",
                    value.trim()
                ),
            ));
        }
        Ok(Self(v))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// SIREN: 9 digits whose Luhn key is right.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Siren(String);

impl Siren {
    pub fn parse(value: &str) -> Result<Self, DomainError> {
        let v = digits_only(value);
        if v.len() != 9 || !v.bytes().all(|b| b.is_ascii_digit()) {
            return Err(DomainError::rule(
                "invalid_siren",
                format!("Le numéro SIREN « {} » doit compter 9 chiffres.", value.trim()),
            ));
        }
        if !luhn_ok(&v) {
            return Err(DomainError::rule(
                "invalid_siren",
                format!(
                    "Le numéro SIREN « {} » n'est pas valide : sa clé de contrôle est fausse.",
                    value.trim()
                ),
            ));
        }
        Ok(Self(v))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// SIRET: a SIREN and a 5-digit establishment number, 14 digits whose Luhn key
/// is right (La Poste's establishments, SIREN 356000000, use a digit sum
/// divisible by 5 instead).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Siret(String);

const LA_POSTE_SIREN: &str = "356000000";

impl Siret {
    pub fn parse(value: &str) -> Result<Self, DomainError> {
        let v = digits_only(value);
        if v.len() != 14 || !v.bytes().all(|b| b.is_ascii_digit()) {
            return Err(DomainError::rule(
                "invalid_siret",
                format!("Le numéro SIRET « {} » doit compter 14 chiffres.", value.trim()),
            ));
        }
        let valid = if v.starts_with(LA_POSTE_SIREN) {
            v.bytes().map(|b| (b - b'0') as u32).sum::<u32>().is_multiple_of(5)
        } else {
            luhn_ok(&v)
        };
        if !valid {
            return Err(DomainError::rule(
                "invalid_siret",
                format!(
                    "Le numéro SIRET « {} » n'est pas valide : sa clé de contrôle est fausse.",
                    value.trim()
                ),
            ));
        }
        Ok(Self(v))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn siren(&self) -> &str {
        &self.0[..9]
    }
}

/// A commune's INSEE code: 5 characters, digits (or 2A/2B for Corsica).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct InseeCode(String);

impl InseeCode {
    pub fn parse(value: &str) -> Result<Self, DomainError> {
        let v = value.trim().to_ascii_uppercase();
        let ok = v.len() == 5
            && (v.bytes().all(|b| b.is_ascii_digit())
                || ((v.starts_with("2A") || v.starts_with("2B"))
                    && v[2..].bytes().all(|b| b.is_ascii_digit())));
        if !ok {
            return Err(DomainError::rule(
                "invalid_insee",
                format!(
                    "Le code INSEE « {} » doit compter 5 chiffres (ex. 38185 pour Grenoble).",
                    value.trim()
                ),
            ));
        }
        Ok(Self(v))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_isere_college_uai_has_a_valid_key() {
        let csv = include_str!("../../data/isere/colleges.csv");
        let mut count = 0;
        for line in csv.lines().skip(1) {
            let uai = line.split(',').next().unwrap();
            Uai::parse(uai).unwrap_or_else(|e| panic!("{uai}: {e}"));
            count += 1;
        }
        assert_eq!(count, 97);
    }

    #[test]
    fn a_uai_with_a_wrong_key_names_the_right_one() {
        let err = Uai::parse("0380001W").unwrap_err();
        assert_eq!(err.code, "invalid_uai");
        assert!(err.message.contains("attendue : V"), "{err}");
        assert!(Uai::parse("038001V").is_err());
        assert!(Uai::parse("0380001v").is_ok(), "lower case is accepted");
    }

    #[test]
    fn a_uai_made_from_a_number_carries_its_key() {
        assert_eq!(Uai::from_number(380001).unwrap().as_str(), "0380001V");
        for number in [0, 1, 120_097, 9_999_999] {
            let uai = Uai::from_number(number).unwrap();
            assert_eq!(Uai::parse(uai.as_str()).unwrap(), uai);
        }
        assert!(Uai::from_number(10_000_000).is_none());
    }

    #[test]
    fn rna_is_w_and_nine_digits() {
        assert_eq!(Rna::parse(" w381234567 ").unwrap().as_str(), "W381234567");
        for bad in ["381234567", "W38123456", "W3812345678", "X381234567", "W38123456A"] {
            let err = Rna::parse(bad).unwrap_err();
            assert!(err.message.contains("W suivie de 9 chiffres"), "{bad}: {err}");
        }
    }

    #[test]
    fn siren_and_siret_keys_are_checked_with_luhn() {
        assert!(Siren::parse("223 800 012").is_ok());
        assert!(Siret::parse("22380001200013").is_ok());
        assert_eq!(Siret::parse("223 800 012 00013").unwrap().siren(), "223800012");
        let wrong = Siren::parse("223800013").unwrap_err();
        assert!(wrong.message.contains("clé de contrôle"), "{wrong}");
        assert!(Siret::parse("22380001200012").unwrap_err().message.contains("clé de contrôle"));
        assert!(Siret::parse("2238000120001").unwrap_err().message.contains("14 chiffres"));
        assert!(Siren::parse("22380001A").unwrap_err().message.contains("9 chiffres"));
    }

    #[test]
    fn la_poste_sirets_use_their_own_key() {
        // 35600000000048: digit sum 3+5+6+4+8 = 26 → invalid; 35600000000053: 3+5+6+5+3 = 22 → invalid;
        // 35600000049837 (digit sum 45) is a real La Poste SIRET.
        assert!(Siret::parse("35600000049837").is_ok());
        assert!(Siret::parse("35600000000048").is_err());
    }

    #[test]
    fn insee_codes_have_five_characters() {
        assert_eq!(InseeCode::parse("38185").unwrap().as_str(), "38185");
        assert!(InseeCode::parse("2A004").is_ok());
        assert!(InseeCode::parse("3818").is_err());
        assert!(InseeCode::parse("38I85").is_err());
    }
}
