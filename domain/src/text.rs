//! The one rule for text that people type: names, purposes, reasons, labels
//! and e-mail addresses. Everything typed goes through here before it is
//! decided on, stored or written to the log.
//!
//! Refused: control characters (NUL, escape…; a line break is allowed in
//! free text, CR LF read as one), and the invisible format characters that make a text read
//! otherwise than it is stored — zero-width spaces and joiners, the byte
//! order mark, and the bidirectional embeddings, overrides and isolates
//! (CVE-2021-42574, "Trojan Source").

use super::DomainError;

/// Whether `c` may never appear in what people type.
pub fn is_forbidden(c: char) -> bool {
    (c.is_control() && c != '\n')
        || matches!(c,
            '\u{200B}'..='\u{200F}'   // zero-width space, non-joiner, joiner; LRM, RLM
            | '\u{202A}'..='\u{202E}' // bidirectional embeddings and overrides
            | '\u{2060}'..='\u{2064}' // word joiner, invisible operators
            | '\u{2066}'..='\u{2069}' // bidirectional isolates
            | '\u{FEFF}'              // byte order mark, zero-width no-break space
            | '\u{FFF9}'..='\u{FFFB}' // interlinear annotations
        )
}

fn check_characters(field: &'static str, label: &str, value: &str) -> Result<(), DomainError> {
    match value.chars().find(|c| is_forbidden(*c)) {
        None => Ok(()),
        Some(c) => Err(DomainError::rule(
            field,
            format!(
                "{label} contient un caractère invisible ou de contrôle (U+{:04X}) : retapez-le sans copier-coller.",
                u32::from(c)
            ),
        )),
    }
}

/// A required free-text field: trimmed, not empty, at most `max_chars`,
/// without forbidden characters.
pub fn text(field: &'static str, label: &str, value: &str, max_chars: usize) -> Result<String, DomainError> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(DomainError::rule(field, format!("{label} est obligatoire.")));
    }
    optional_text(field, label, trimmed, max_chars)
}

/// An optional free-text field (may be empty once trimmed), with the same
/// rule as [`text`] otherwise.
pub fn optional_text(
    field: &'static str,
    label: &str,
    value: &str,
    max_chars: usize,
) -> Result<String, DomainError> {
    // Browsers send a text area's line breaks as CR LF (HTML's form
    // encoding): one line break, kept as LF.
    let normalised;
    let value = if value.contains('\r') {
        normalised = value.replace("\r\n", "\n").replace('\r', "\n");
        normalised.as_str()
    } else {
        value
    };
    let trimmed = value.trim();
    if trimmed.chars().count() > max_chars {
        return Err(DomainError::rule(field, format!("{label} dépasse {max_chars} caractères.")));
    }
    check_characters(field, label, trimmed)?;
    Ok(trimmed.to_owned())
}

/// An e-mail address: its shape checked, lower-cased.
pub fn email(value: &str) -> Result<String, DomainError> {
    let v = value.trim().to_lowercase();
    let valid = v.len() <= 254
        && !v.chars().any(|c| c.is_whitespace() || is_forbidden(c))
        && v.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        });
    if !valid {
        let shown: String = value.trim().chars().filter(|c| !is_forbidden(*c)).take(254).collect();
        return Err(DomainError::rule(
            "invalid_email",
            format!("L'adresse e-mail « {shown} » n'est pas valide (ex. nom@exemple.fr)."),
        ));
    }
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invisible_and_control_characters_are_refused_everywhere() {
        for bad in ["a\u{0}b", "a\u{200B}b", "a\u{202E}b", "a\u{2066}b", "\u{FEFF}ab", "a\u{1B}[31mb"] {
            let e = text("invalid_name", "Le nom", bad, 100).unwrap_err();
            assert!(e.message.contains("U+"), "{bad:?}: {}", e.message);
            assert!(optional_text("invalid_reason", "Le motif", bad, 100).is_err(), "{bad:?}");
            assert!(email(&format!("{bad}@exemple.fr")).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn ordinary_text_passes_trimmed_with_its_accents_and_line_breaks() {
        assert_eq!(text("f", "Le nom", "  Chorale des Voirons  ", 100).unwrap(), "Chorale des Voirons");
        assert_eq!(
            optional_text("f", "Le motif", "Répétition\ngénérale", 100).unwrap(),
            "Répétition\ngénérale"
        );
        assert_eq!(optional_text("f", "Le motif", "   ", 100).unwrap(), "");
        assert_eq!(text("f", "Le message", "Bonjour,\r\nà jeudi\r", 100).unwrap(), "Bonjour,\nà jeudi");
        assert!(text("f", "Le nom", "   ", 100).is_err());
        assert!(optional_text("f", "Le motif", &"é".repeat(101), 100).is_err());
    }

    #[test]
    fn emails_are_checked_and_lower_cased() {
        assert_eq!(email("  Marie.Curie@Exemple.FR ").unwrap(), "marie.curie@exemple.fr");
        for bad in
            ["", "marie", "marie@", "@exemple.fr", "marie@exemple", "marie @exemple.fr", "m@.fr", "a@b@c.fr"]
        {
            assert!(email(bad).is_err(), "{bad}");
        }
    }
}
