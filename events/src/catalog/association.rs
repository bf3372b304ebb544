//! Events of an association's stream. Names of people, e-mail addresses and
//! phone numbers never appear here: they live in the erasable personal-data
//! table, referenced by `contact_id`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The requester categories, which are also the tariff categories.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RequesterCategory {
    LocalAssociation,
    OtherAssociation,
    PublicBody,
    Company,
}

super::codes::codes!(RequesterCategory {
    LocalAssociation => "local_association",
    OtherAssociation => "other_association",
    PublicBody => "public_body",
    Company => "company",
});

/// The official identifier of an association or organisation (already checked).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum LegalIdentifier {
    /// Répertoire national des associations: `W` + 9 digits.
    Rna(String),
    /// 9 digits, Luhn key.
    Siren(String),
    /// 14 digits, Luhn key.
    Siret(String),
}

impl std::fmt::Display for LegalIdentifier {
    /// As it is written on documents: `RNA W381000001`, `SIRET 123…`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Rna(v) => write!(f, "RNA {v}"),
            Self::Siren(v) => write!(f, "SIREN {v}"),
            Self::Siret(v) => write!(f, "SIRET {v}"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "data")]
pub enum AssociationEvent {
    AssociationRegistered {
        association_id: Uuid,
        /// The organisation's public name (not personal data).
        name: String,
        category: RequesterCategory,
        identifier: LegalIdentifier,
        /// The contact person, whose details are in the personal-data table.
        contact_id: Uuid,
        registered_at: DateTime<Utc>,
    },
    AssociationVerified {
        by: Uuid,
        at: DateTime<Utc>,
        /// The tariff category the admin confirmed, when it is not the one
        /// the association declared (absent in events recorded before it was asked).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        category: Option<RequesterCategory>,
    },
    AssociationVerificationRevoked {
        by: Uuid,
        reason: super::text::FreeText,
        at: DateTime<Utc>,
    },
    AssociationCategoryChanged {
        category: RequesterCategory,
        by: Uuid,
    },
}

super::event_types!(AssociationEvent {
    AssociationRegistered,
    AssociationVerified,
    AssociationVerificationRevoked,
    AssociationCategoryChanged,
} texts = |e| match e {
    AssociationEvent::AssociationVerificationRevoked { reason, .. } => reason.to_store().into_iter().collect(),
    _ => vec![],
});
