//! The association aggregate: name, category, official identifier (RNA, or
//! SIREN/SIRET), verification by an admin. People's names, e-mail addresses
//! and phone numbers are not here: see `app::personal_data`.

use chrono::{DateTime, Utc};
use salle_events::catalog::association::{AssociationEvent, LegalIdentifier, RequesterCategory};
use salle_events::catalog::category;
use uuid::Uuid;

use super::identifiers::{Rna, Siren, Siret};
use super::{Aggregate, DomainError, text};

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Association {
    pub id: Option<Uuid>,
    pub name: String,
    pub category: Option<RequesterCategory>,
    pub identifier: Option<LegalIdentifier>,
    pub contact_id: Option<Uuid>,
    pub verified: bool,
}

impl Aggregate for Association {
    type Event = AssociationEvent;
    const CATEGORY: &'static str = category::ASSOCIATION;

    fn evolve(mut self, event: &AssociationEvent) -> Self {
        match event {
            AssociationEvent::AssociationRegistered {
                association_id,
                name,
                category,
                identifier,
                contact_id,
                ..
            } => {
                self.id = Some(*association_id);
                self.name = name.clone();
                self.category = Some(*category);
                self.identifier = Some(identifier.clone());
                self.contact_id = Some(*contact_id);
            }
            AssociationEvent::AssociationVerified { .. } => self.verified = true,
            AssociationEvent::AssociationVerificationRevoked { .. } => self.verified = false,
            AssociationEvent::AssociationCategoryChanged { category, .. } => self.category = Some(*category),
        }
        self
    }
}

/// Parses the identifier an association gives: exactly one of RNA or SIRET/SIREN.
pub fn parse_identifier(rna: Option<&str>, siret: Option<&str>) -> Result<LegalIdentifier, DomainError> {
    let rna = rna.map(str::trim).filter(|s| !s.is_empty());
    let siret = siret.map(str::trim).filter(|s| !s.is_empty());
    match (rna, siret) {
        (Some(_), Some(_)) => Err(DomainError::rule(
            "two_identifiers",
            "Indiquez soit le numéro RNA, soit le numéro SIRET (ou SIREN), pas les deux.",
        )),
        (None, None) => Err(DomainError::rule(
            "identifier_required",
            "Indiquez le numéro RNA de l'association (W suivi de 9 chiffres) ou son numéro SIRET.",
        )),
        (Some(rna), None) => Ok(LegalIdentifier::Rna(Rna::parse(rna)?.as_str().to_owned())),
        (None, Some(number)) => {
            let digits: String = number.chars().filter(|c| !c.is_whitespace()).collect();
            if digits.len() == 9 {
                Ok(LegalIdentifier::Siren(Siren::parse(number)?.as_str().to_owned()))
            } else {
                Ok(LegalIdentifier::Siret(Siret::parse(number)?.as_str().to_owned()))
            }
        }
    }
}

#[derive(Debug, Clone)]
pub enum AssociationCommand {
    Register {
        association_id: Uuid,
        name: String,
        category: RequesterCategory,
        identifier: LegalIdentifier,
        contact_id: Uuid,
        now: DateTime<Utc>,
    },
    Verify {
        by: Uuid,
        now: DateTime<Utc>,
    },
    RevokeVerification {
        by: Uuid,
        reason: String,
        now: DateTime<Utc>,
    },
    ChangeCategory {
        category: RequesterCategory,
        by: Uuid,
    },
}

pub fn decide(
    state: &Association,
    command: AssociationCommand,
) -> Result<Vec<AssociationEvent>, DomainError> {
    match command {
        AssociationCommand::Register { association_id, name, category, identifier, contact_id, now } => {
            if state.id.is_some() {
                return Err(DomainError::conflict("association_exists", "Cette association existe déjà."));
            }
            let name = text("invalid_name", "Le nom de l'association", &name, 160)?;
            Ok(vec![AssociationEvent::AssociationRegistered {
                association_id,
                name,
                category,
                identifier,
                contact_id,
                registered_at: now,
            }])
        }
        _ if state.id.is_none() => {
            Err(DomainError::not_found("association_not_found", "Cette association n'existe pas."))
        }
        AssociationCommand::Verify { by, now } => {
            if state.verified {
                return Err(DomainError::conflict(
                    "already_verified",
                    "Cette association est déjà vérifiée.",
                ));
            }
            Ok(vec![AssociationEvent::AssociationVerified { by, at: now }])
        }
        AssociationCommand::RevokeVerification { by, reason, now } => {
            if !state.verified {
                return Err(DomainError::conflict("not_verified", "Cette association n'est pas vérifiée."));
            }
            let reason = text("invalid_reason", "Le motif", &reason, 300)?;
            Ok(vec![AssociationEvent::AssociationVerificationRevoked { by, reason, at: now }])
        }
        AssociationCommand::ChangeCategory { category, by } => {
            if state.category == Some(category) {
                return Err(DomainError::conflict(
                    "same_category",
                    "L'association est déjà dans cette catégorie.",
                ));
            }
            Ok(vec![AssociationEvent::AssociationCategoryChanged { category, by }])
        }
    }
}
