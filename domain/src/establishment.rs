//! The establishment aggregate: identity, location, managers, payout account,
//! legal basis for collecting public money, cancellation policy, status.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use salle_events::catalog::category;
use salle_events::catalog::establishment::{
    CancellationPolicy, EstablishmentEvent, EstablishmentKind, LegalBasis,
};
use uuid::Uuid;

use super::identifiers::{InseeCode, Uai};
use super::{Aggregate, DomainError, text};

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Establishment {
    pub id: Option<Uuid>,
    pub name: String,
    pub kind: Option<EstablishmentKind>,
    pub uai: Option<String>,
    pub address: String,
    pub commune_insee: String,
    pub lat: f64,
    pub lon: f64,
    pub managers: BTreeSet<Uuid>,
    pub payout_account: Option<String>,
    /// Whether the provider said the payout account can receive transfers.
    pub payout_ready: bool,
    /// The newest provider status applied: (created, provider event id).
    pub payout_status_seen: Option<(DateTime<Utc>, String)>,
    pub legal_basis: Option<LegalBasis>,
    pub cancellation_policy: CancellationPolicy,
    pub suspended: bool,
}

impl Establishment {
    pub fn is_active(&self) -> bool {
        self.id.is_some() && !self.suspended
    }

    /// Whether paid bookings can be taken: the money would reach the establishment.
    pub fn accepts_payments(&self) -> bool {
        self.payout_account.is_some() && self.payout_ready
    }

    pub fn is_managed_by(&self, user_id: Uuid) -> bool {
        self.managers.contains(&user_id)
    }
}

impl Aggregate for Establishment {
    type Event = EstablishmentEvent;
    const CATEGORY: &'static str = category::ESTABLISHMENT;

    fn evolve(mut self, event: &EstablishmentEvent) -> Self {
        match event {
            EstablishmentEvent::EstablishmentRegistered {
                establishment_id,
                name,
                kind,
                uai,
                address,
                commune_insee,
                lat,
                lon,
                legal_basis,
                ..
            } => {
                self.id = Some(*establishment_id);
                self.name = name.clone();
                self.kind = Some(*kind);
                self.uai = uai.clone();
                self.address = address.clone();
                self.commune_insee = commune_insee.clone();
                self.lat = *lat;
                self.lon = *lon;
                self.legal_basis = legal_basis.clone();
            }
            EstablishmentEvent::EstablishmentDetailsChanged { name, address, commune_insee, lat, lon } => {
                self.name = name.clone();
                self.address = address.clone();
                self.commune_insee = commune_insee.clone();
                self.lat = *lat;
                self.lon = *lon;
            }
            EstablishmentEvent::ManagerAssigned { user_id } => {
                self.managers.insert(*user_id);
            }
            EstablishmentEvent::ManagerRemoved { user_id } => {
                self.managers.remove(user_id);
            }
            EstablishmentEvent::PayoutAccountSet { account_ref } => {
                if self.payout_account.as_ref() != Some(account_ref) {
                    self.payout_ready = false;
                    self.payout_status_seen = None;
                }
                self.payout_account = Some(account_ref.clone())
            }
            EstablishmentEvent::PayoutAccountStatusChanged {
                can_receive_transfers,
                provider_event_id,
                provider_created,
                ..
            } => {
                self.payout_ready = *can_receive_transfers;
                self.payout_status_seen = Some((*provider_created, provider_event_id.clone()));
            }
            EstablishmentEvent::LegalBasisSet { legal_basis } => self.legal_basis = Some(legal_basis.clone()),
            EstablishmentEvent::CancellationPolicySet { policy } => self.cancellation_policy = *policy,
            EstablishmentEvent::EstablishmentSuspended { .. } => self.suspended = true,
            EstablishmentEvent::EstablishmentReactivated { .. } => self.suspended = false,
        }
        self
    }
}

#[derive(Debug, Clone)]
pub struct RegisterEstablishment {
    pub establishment_id: Uuid,
    pub name: String,
    pub kind: EstablishmentKind,
    pub uai: Option<String>,
    pub address: String,
    pub commune_insee: String,
    pub lat: f64,
    pub lon: f64,
    pub legal_basis: Option<LegalBasis>,
    pub now: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub enum EstablishmentCommand {
    Register(RegisterEstablishment),
    /// A new name or address (the commune and the position stay).
    ChangeDetails {
        name: String,
        address: String,
    },
    AssignManager {
        user_id: Uuid,
    },
    RemoveManager {
        user_id: Uuid,
    },
    SetPayoutAccount {
        account_ref: String,
    },
    /// The provider's news about the payout account (a verified webhook).
    RecordPayoutStatus {
        account_ref: String,
        can_receive_transfers: bool,
        details_submitted: bool,
        provider_event_id: String,
        provider_created: DateTime<Utc>,
    },
    SetLegalBasis {
        legal_basis: LegalBasis,
    },
    SetCancellationPolicy {
        policy: CancellationPolicy,
    },
    Suspend {
        reason: String,
        now: DateTime<Utc>,
    },
    Reactivate {
        now: DateTime<Utc>,
    },
}

pub fn decide(
    state: &Establishment,
    command: EstablishmentCommand,
) -> Result<Vec<EstablishmentEvent>, DomainError> {
    if let EstablishmentCommand::Register(r) = command {
        if state.id.is_some() {
            return Err(DomainError::conflict("establishment_exists", "Cet établissement existe déjà."));
        }
        let name = text("invalid_name", "Le nom de l'établissement", &r.name, 160)?;
        let address = text("invalid_address", "L'adresse", &r.address, 300)?;
        let commune = InseeCode::parse(&r.commune_insee)?;
        let uai = match (r.kind, r.uai.as_deref().map(str::trim).filter(|u| !u.is_empty())) {
            (EstablishmentKind::College, None) => {
                return Err(DomainError::rule(
                    "uai_required",
                    "Un collège est identifié par son code UAI (ex. 0380001V).",
                ));
            }
            (_, Some(uai)) => Some(Uai::parse(uai)?.as_str().to_owned()),
            (_, None) => None,
        };
        check_location(r.lat, r.lon)?;
        if let Some(basis) = &r.legal_basis {
            check_legal_basis(basis)?;
        }
        return Ok(vec![EstablishmentEvent::EstablishmentRegistered {
            establishment_id: r.establishment_id,
            name,
            kind: r.kind,
            uai,
            address,
            commune_insee: commune.as_str().to_owned(),
            lat: r.lat,
            lon: r.lon,
            legal_basis: r.legal_basis,
            registered_at: r.now,
        }]);
    }
    if state.id.is_none() {
        return Err(DomainError::not_found("establishment_not_found", "Cet établissement n'existe pas."));
    }
    match command {
        EstablishmentCommand::Register(_) => {
            Err(DomainError::conflict("establishment_exists", "Cet établissement existe déjà."))
        }
        EstablishmentCommand::ChangeDetails { name, address } => {
            let name = text("invalid_name", "Le nom de l'établissement", &name, 160)?;
            let address = text("invalid_address", "L'adresse", &address, 300)?;
            if name == state.name && address == state.address {
                return Ok(vec![]);
            }
            Ok(vec![EstablishmentEvent::EstablishmentDetailsChanged {
                name,
                address,
                commune_insee: state.commune_insee.clone(),
                lat: state.lat,
                lon: state.lon,
            }])
        }
        EstablishmentCommand::AssignManager { user_id } => {
            if state.managers.contains(&user_id) {
                return Err(DomainError::conflict(
                    "already_manager",
                    "Cette personne gère déjà l'établissement.",
                ));
            }
            if state.managers.len() >= 50 {
                return Err(DomainError::rule(
                    "too_many_managers",
                    "Un établissement a au plus 50 gestionnaires.",
                ));
            }
            Ok(vec![EstablishmentEvent::ManagerAssigned { user_id }])
        }
        EstablishmentCommand::RemoveManager { user_id } => {
            if !state.managers.contains(&user_id) {
                return Err(DomainError::not_found(
                    "not_a_manager",
                    "Cette personne ne gère pas l'établissement.",
                ));
            }
            Ok(vec![EstablishmentEvent::ManagerRemoved { user_id }])
        }
        EstablishmentCommand::SetPayoutAccount { account_ref } => {
            let account_ref = account_ref.trim().to_owned();
            let ok = (3..=100).contains(&account_ref.len())
                && account_ref.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
            if !ok {
                return Err(DomainError::rule(
                    "invalid_payout_account",
                    "La référence du compte de versement est un identifiant du prestataire (ex. acct_1Nv0FG…).",
                ));
            }
            if state.payout_account.as_deref() == Some(account_ref.as_str()) {
                return Ok(vec![]);
            }
            Ok(vec![EstablishmentEvent::PayoutAccountSet { account_ref }])
        }
        EstablishmentCommand::RecordPayoutStatus {
            account_ref,
            can_receive_transfers,
            details_submitted,
            provider_event_id,
            provider_created,
        } => {
            if state.payout_account.as_deref() != Some(account_ref.as_str()) {
                return Err(DomainError::not_found(
                    "payout_account_unknown",
                    "Ce compte de versement n'est pas celui de l'établissement.",
                ));
            }
            // A repeated or older notice changes nothing: deliveries may be
            // duplicated and arrive in any order.
            let seen = (provider_created, provider_event_id.clone());
            if state.payout_status_seen.as_ref().is_some_and(|last| &seen <= last) {
                return Ok(vec![]);
            }
            Ok(vec![EstablishmentEvent::PayoutAccountStatusChanged {
                account_ref,
                can_receive_transfers,
                details_submitted,
                provider_event_id,
                provider_created,
            }])
        }
        EstablishmentCommand::SetLegalBasis { legal_basis } => {
            check_legal_basis(&legal_basis)?;
            Ok(vec![EstablishmentEvent::LegalBasisSet { legal_basis }])
        }
        EstablishmentCommand::SetCancellationPolicy { policy } => {
            let ok = policy.partial_refund_hours <= policy.full_refund_hours
                && policy.full_refund_hours <= 90 * 24
                && policy.partial_refund_percent <= 100;
            if !ok {
                return Err(DomainError::rule(
                    "invalid_policy",
                    "Le remboursement partiel s'applique plus près du créneau que le remboursement total, \
                     à un taux de 0 à 100 %.",
                ));
            }
            Ok(vec![EstablishmentEvent::CancellationPolicySet { policy }])
        }
        EstablishmentCommand::Suspend { reason, now } => {
            if state.suspended {
                return Err(DomainError::conflict(
                    "already_suspended",
                    "Cet établissement est déjà suspendu.",
                ));
            }
            let reason = text("invalid_reason", "Le motif", &reason, 300)?;
            Ok(vec![EstablishmentEvent::EstablishmentSuspended { reason, at: now }])
        }
        EstablishmentCommand::Reactivate { now } => {
            if !state.suspended {
                return Err(DomainError::conflict("not_suspended", "Cet établissement n'est pas suspendu."));
            }
            Ok(vec![EstablishmentEvent::EstablishmentReactivated { at: now }])
        }
    }
}

/// Metropolitan France and overseas départements lie within these bounds;
/// the check catches swapped or missing coordinates.
fn check_location(lat: f64, lon: f64) -> Result<(), DomainError> {
    let ok = lat.is_finite()
        && lon.is_finite()
        && (-90.0..=90.0).contains(&lat)
        && (-180.0..=180.0).contains(&lon);
    if !ok {
        return Err(DomainError::rule(
            "invalid_location",
            format!("Les coordonnées ({lat}, {lon}) ne sont pas une latitude et une longitude."),
        ));
    }
    Ok(())
}

fn check_legal_basis(basis: &LegalBasis) -> Result<(), DomainError> {
    let (LegalBasis::RegieDeRecettes { deliberation_ref, .. }
    | LegalBasis::ConventionDeMandat { deliberation_ref, .. }) = basis;
    text("invalid_deliberation", "La référence de la délibération", deliberation_ref, 100)?;
    Ok(())
}
