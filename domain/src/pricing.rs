//! Pricing, shared by the write side (the price frozen in a request) and the
//! read side (the price shown in search results).
//!
//! Rounding rule: the price of a slot is `rate × minutes / 60` rounded half up
//! to the cent (amounts are never negative, so half up is also half away from
//! zero), plus every flat fee. A free rate (0) makes the booking free: no fees.

use std::collections::BTreeMap;

use crate::refusal::Refusal;
use salle_events::catalog::Money;
use salle_events::catalog::association::RequesterCategory;
use salle_events::catalog::tariff::{FlatFee, TariffEvent};

/// One published version of a grid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TariffVersion {
    pub version: u32,
    pub hourly_rates_cents: BTreeMap<RequesterCategory, i64>,
    pub flat_fees: Vec<FlatFee>,
}

impl TariffVersion {
    /// The version a publication event describes.
    pub fn from_event(event: &TariffEvent) -> Self {
        match event {
            TariffEvent::TariffGridPublished { version, hourly_rates_cents, flat_fees, .. } => Self {
                version: *version,
                hourly_rates_cents: hourly_rates_cents.clone(),
                flat_fees: flat_fees.clone(),
            },
        }
    }
}

/// `rate × minutes / 60`, rounded half up to the cent.
pub fn prorate(hourly_rate_cents: i64, minutes: i64) -> i64 {
    debug_assert!(hourly_rate_cents >= 0 && minutes >= 0);
    (hourly_rate_cents * minutes + 30).div_euclid(60)
}

/// The price of `minutes` for `category`: the room's own rate when it has
/// one, otherwise the grid's. Returns the price and the grid version used.
pub fn price(
    room_rate_cents: Option<i64>,
    grid: Option<&TariffVersion>,
    category: RequesterCategory,
    minutes: i64,
) -> Result<(Money, Option<u32>), Refusal> {
    let (rate, version) = match (room_rate_cents, grid) {
        (Some(rate), _) => (rate, None),
        (None, Some(grid)) => match grid.hourly_rates_cents.get(&category) {
            Some(rate) => (*rate, Some(grid.version)),
            None => return Err(no_tariff()),
        },
        (None, None) => return Err(no_tariff()),
    };
    if rate == 0 {
        return Ok((Money::ZERO, version));
    }
    let fees: i64 = grid.map(|g| g.flat_fees.iter().map(|f| f.amount_cents).sum()).unwrap_or(0);
    let total = prorate(rate, minutes.max(0)) + fees;
    debug_assert!(total >= 0);
    Ok((Money::eur(total), version))
}

fn no_tariff() -> Refusal {
    Refusal::new(
        "no_tariff",
        "Aucun tarif n'est défini pour cette salle : l'établissement doit publier sa grille tarifaire.",
    )
}
