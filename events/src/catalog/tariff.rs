//! Events of a tariff grid: each publication is a new version; bookings keep
//! the price computed when they were requested.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::association::RequesterCategory;

/// A fixed amount added to every paying booking (cleaning, keys, …).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlatFee {
    pub label: String,
    pub amount_cents: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "data")]
pub enum TariffEvent {
    TariffGridPublished {
        version: u32,
        /// Hourly rate in cents per requester category; 0 is free.
        hourly_rates_cents: BTreeMap<RequesterCategory, i64>,
        flat_fees: Vec<FlatFee>,
        published_at: DateTime<Utc>,
        published_by: uuid::Uuid,
    },
}

super::event_types!(TariffEvent { TariffGridPublished });
