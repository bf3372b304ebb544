//! Events of an establishment's stream: registration, managers, payout
//! account, legal basis, cancellation policy, status.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum EstablishmentKind {
    College,
    Gymnasium,
    Auditorium,
    CulturalVenue,
    Other,
}

super::codes::codes!(EstablishmentKind {
    College => "college",
    Gymnasium => "gymnasium",
    Auditorium => "auditorium",
    CulturalVenue => "cultural_venue",
    Other => "other",
});

/// The legal ground on which an establishment collects public money.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum LegalBasis {
    /// A régie de recettes created by the board.
    RegieDeRecettes { deliberation_ref: String, deliberation_date: NaiveDate },
    /// A convention de mandat with the collectivity, approved by the board.
    ConventionDeMandat { deliberation_ref: String, deliberation_date: NaiveDate },
}

/// How much of a paid booking an association gets back when it cancels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CancellationPolicy {
    /// Full refund when cancelled at least this many hours before the start.
    pub full_refund_hours: u32,
    /// `partial_refund_percent` when cancelled at least this many hours before.
    pub partial_refund_hours: u32,
    pub partial_refund_percent: u8,
}

impl Default for CancellationPolicy {
    /// 100 % at ≥ 7 days, 50 % at ≥ 48 h, nothing after.
    fn default() -> Self {
        Self { full_refund_hours: 7 * 24, partial_refund_hours: 48, partial_refund_percent: 50 }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "data")]
pub enum EstablishmentEvent {
    EstablishmentRegistered {
        establishment_id: Uuid,
        name: String,
        kind: EstablishmentKind,
        uai: Option<String>,
        address: String,
        commune_insee: String,
        lat: f64,
        lon: f64,
        legal_basis: Option<LegalBasis>,
        registered_at: DateTime<Utc>,
    },
    EstablishmentDetailsChanged {
        name: String,
        address: String,
        commune_insee: String,
        lat: f64,
        lon: f64,
    },
    ManagerAssigned {
        user_id: Uuid,
    },
    ManagerRemoved {
        user_id: Uuid,
    },
    PayoutAccountSet {
        /// The provider's reference of the connected account, e.g. `acct_…`.
        account_ref: String,
    },
    /// The provider said whether the connected account can receive
    /// transfers (Stripe's `account.updated`).
    PayoutAccountStatusChanged {
        account_ref: String,
        can_receive_transfers: bool,
        details_submitted: bool,
        /// The provider's event, and when the provider created it: an older
        /// status arriving late never overwrites a newer one.
        provider_event_id: String,
        provider_created: DateTime<Utc>,
    },
    LegalBasisSet {
        legal_basis: LegalBasis,
    },
    CancellationPolicySet {
        policy: CancellationPolicy,
    },
    EstablishmentSuspended {
        reason: String,
        at: DateTime<Utc>,
    },
    EstablishmentReactivated {
        at: DateTime<Utc>,
    },
}

super::event_types!(EstablishmentEvent {
    EstablishmentRegistered,
    EstablishmentDetailsChanged,
    ManagerAssigned,
    ManagerRemoved,
    PayoutAccountSet,
    PayoutAccountStatusChanged,
    LegalBasisSet,
    CancellationPolicySet,
    EstablishmentSuspended,
    EstablishmentReactivated,
});
