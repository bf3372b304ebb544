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
            AssociationEvent::AssociationVerified { category, .. } => {
                self.verified = true;
                self.category = category.or(self.category);
            }
            AssociationEvent::AssociationVerificationRevoked { .. } => self.verified = false,
            AssociationEvent::AssociationCategoryChanged { category, .. } => self.category = Some(*category),
        }
        self
    }
}

impl Association {
    /// What the association may do now, holding `held_dates` dates.
    pub fn standing(&self, held_dates: usize, unverified_limit: usize) -> Standing {
        Standing { verified: self.verified, held_dates, unverified_limit }
    }
}

/// What an association's verification lets it do when it asks for a room.
/// Until an admin has verified it, an association is priced at the "other
/// association" rate (a company stays a company), may hold only a few dates
/// at once, and no request of it is approved, by a manager or by the room.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Standing {
    pub verified: bool,
    /// Dates it holds now, in every room: requested, or approved and not paid.
    pub held_dates: usize,
    /// How many dates an unverified association may hold (`SALLE_UNVERIFIED_HOLD_LIMIT`).
    pub unverified_limit: usize,
}

impl Standing {
    /// A verified association: its confirmed category, no hold limit.
    pub const VERIFIED: Standing = Standing { verified: true, held_dates: 0, unverified_limit: 0 };

    /// The category a request is priced at, given the one on record.
    pub fn priced_as(&self, category: RequesterCategory) -> RequesterCategory {
        match category {
            _ if self.verified => category,
            RequesterCategory::Company => RequesterCategory::Company,
            _ => RequesterCategory::OtherAssociation,
        }
    }

    /// Refuses a request for `more` dates that would hold more than an
    /// unverified association may.
    pub fn check_can_hold(&self, more: usize) -> Result<(), DomainError> {
        if self.verified || self.held_dates + more <= self.unverified_limit {
            return Ok(());
        }
        let left = self.unverified_limit.saturating_sub(self.held_dates);
        Err(DomainError::rule(
            "unverified_hold_limit",
            format!(
                "Tant que le département n'a pas vérifié votre association, elle peut avoir au plus {} date(s) \
                 en attente ; elle en a {}, cette demande en compte {more}{}. La vérification lève cette limite.",
                self.unverified_limit,
                self.held_dates,
                if left == 0 { String::new() } else { format!(" (il en reste {left} possible(s))") },
            ),
        ))
    }

    /// Refuses the approval of a request of an association not verified yet.
    pub fn check_can_be_approved(&self) -> Result<(), DomainError> {
        if self.verified {
            return Ok(());
        }
        Err(DomainError::rule(
            "association_not_verified",
            "Cette association n'est pas encore vérifiée par le département : sa demande pourra être \
             approuvée une fois la vérification faite (vous pouvez la refuser dès maintenant).",
        ))
    }
}

/// The key under which salle keeps one account per association: its RNA,
/// or its SIREN (a SIRET's first nine digits: one account per legal person).
pub fn registry_key(identifier: &LegalIdentifier) -> String {
    match identifier {
        LegalIdentifier::Rna(rna) => format!("rna:{rna}"),
        LegalIdentifier::Siren(siren) => format!("siren:{siren}"),
        LegalIdentifier::Siret(siret) => format!("siren:{}", &siret[..siret.len().min(9)]),
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
    /// An admin checked the association against its identifier (and its
    /// documents) and confirms the category it is priced at.
    Verify {
        by: Uuid,
        category: RequesterCategory,
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
        AssociationCommand::Verify { by, category, now } => {
            if state.verified {
                return Err(DomainError::conflict(
                    "already_verified",
                    "Cette association est déjà vérifiée.",
                ));
            }
            let category = (state.category != Some(category)).then_some(category);
            Ok(vec![AssociationEvent::AssociationVerified { by, at: now, category }])
        }
        AssociationCommand::RevokeVerification { by, reason, now } => {
            if !state.verified {
                return Err(DomainError::conflict("not_verified", "Cette association n'est pas vérifiée."));
            }
            let reason = text("invalid_reason", "Le motif", &reason, 300)?;
            let (id, key) = (state.id.unwrap_or_default(), format!("revocation:{}", now.timestamp_micros()));
            let reason = salle_events::catalog::FreeText::new(id, &key, id, reason);
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
