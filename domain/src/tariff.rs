//! The tariff grid: versioned hourly rates per requester category and flat
//! fees, per establishment (or the département's default), and the price of
//! a slot.
//!
//! The price of a slot and its rounding rule live in `crate::pricing`,
//! shared with the read side; they are re-exported here.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use salle_events::catalog::association::RequesterCategory;
use salle_events::catalog::tariff::{FlatFee, TariffEvent};
use salle_events::catalog::{Money, category};
use uuid::Uuid;

pub use crate::pricing::{TariffVersion, price, prorate};

use super::{Aggregate, DomainError};

/// Highest hourly rate accepted: 1,000 € an hour.
pub const MAX_HOURLY_RATE_CENTS: i64 = 100_000;
/// Highest flat fee accepted: 1,000 €.
pub const MAX_FLAT_FEE_CENTS: i64 = 100_000;
pub const MAX_FLAT_FEES: usize = 10;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TariffGrid {
    pub versions: Vec<TariffVersion>,
}

impl TariffGrid {
    pub fn current(&self) -> Option<&TariffVersion> {
        self.versions.last()
    }
}

impl Aggregate for TariffGrid {
    type Event = TariffEvent;
    const CATEGORY: &'static str = category::TARIFF;

    fn evolve(mut self, event: &TariffEvent) -> Self {
        match event {
            TariffEvent::TariffGridPublished { .. } => self.versions.push(TariffVersion::from_event(event)),
        }
        self
    }
}

/// Publishes a new version of the grid.
#[derive(Debug, Clone)]
pub struct PublishTariff {
    pub hourly_rates_cents: BTreeMap<RequesterCategory, i64>,
    pub flat_fees: Vec<FlatFee>,
    pub by: Uuid,
    pub now: DateTime<Utc>,
}

pub fn decide_publish(grid: &TariffGrid, cmd: PublishTariff) -> Result<Vec<TariffEvent>, DomainError> {
    for category in RequesterCategory::ALL {
        match cmd.hourly_rates_cents.get(&category) {
            None => {
                return Err(DomainError::rule(
                    "tariff_category_missing",
                    format!(
                        "La grille doit donner un tarif horaire pour chaque catégorie (manque : {category:?})."
                    ),
                ));
            }
            Some(rate) if !(0..=MAX_HOURLY_RATE_CENTS).contains(rate) => {
                return Err(DomainError::rule(
                    "invalid_rate",
                    format!(
                        "Un tarif horaire va de 0 à {} (reçu : {}).",
                        Money::eur(MAX_HOURLY_RATE_CENTS),
                        Money::eur(*rate)
                    ),
                ));
            }
            Some(_) => {}
        }
    }
    if cmd.flat_fees.len() > MAX_FLAT_FEES {
        return Err(DomainError::rule("too_many_fees", format!("Au plus {MAX_FLAT_FEES} forfaits.")));
    }
    let mut fees = Vec::with_capacity(cmd.flat_fees.len());
    for fee in cmd.flat_fees {
        let label = super::text("invalid_fee_label", "Le libellé d'un forfait", &fee.label, 80)?;
        if !(0..=MAX_FLAT_FEE_CENTS).contains(&fee.amount_cents) {
            return Err(DomainError::rule(
                "invalid_fee",
                format!("Le forfait « {label} » va de 0 à {}.", Money::eur(MAX_FLAT_FEE_CENTS)),
            ));
        }
        fees.push(FlatFee { label, amount_cents: fee.amount_cents });
    }
    let version = grid.current().map_or(1, |v| v.version + 1);
    Ok(vec![TariffEvent::TariffGridPublished {
        version,
        hourly_rates_cents: cmd.hourly_rates_cents,
        flat_fees: fees,
        published_at: cmd.now,
        published_by: cmd.by,
    }])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grid(rates: [i64; 4], fees: &[(&str, i64)]) -> TariffVersion {
        TariffVersion {
            version: 3,
            hourly_rates_cents: RequesterCategory::ALL.into_iter().zip(rates).collect(),
            flat_fees: fees.iter().map(|(l, a)| FlatFee { label: l.to_string(), amount_cents: *a }).collect(),
        }
    }

    #[test]
    fn the_price_is_prorated_and_rounded_half_up_to_the_cent() {
        assert_eq!(prorate(1000, 90), 1500);
        assert_eq!(prorate(1001, 30), 501, "500.5 rounds up");
        assert_eq!(prorate(1001, 10), 167, "166.83 rounds to 167");
        assert_eq!(prorate(999, 10), 167, "166.5 rounds up");
        assert_eq!(prorate(1000, 0), 0);
    }

    #[test]
    fn each_category_pays_its_own_rate_plus_flat_fees() {
        let g = grid([1000, 1500, 2000, 4000], &[("Ménage", 2500)]);
        let local = price(None, Some(&g), RequesterCategory::LocalAssociation, 120).unwrap();
        assert_eq!(local, (Money::eur(4500), Some(3)));
        let company = price(None, Some(&g), RequesterCategory::Company, 120).unwrap();
        assert_eq!(company.0, Money::eur(10_500));
    }

    #[test]
    fn a_room_rate_overrides_the_grid_and_zero_is_free() {
        let g = grid([1000, 1500, 2000, 4000], &[("Ménage", 2500)]);
        assert_eq!(
            price(Some(800), Some(&g), RequesterCategory::Company, 60).unwrap(),
            (Money::eur(3300), None)
        );
        assert_eq!(price(Some(0), Some(&g), RequesterCategory::Company, 60).unwrap().0, Money::ZERO);
        let free_for_locals = grid([0, 1500, 2000, 4000], &[("Ménage", 2500)]);
        assert_eq!(
            price(None, Some(&free_for_locals), RequesterCategory::LocalAssociation, 60).unwrap().0,
            Money::ZERO
        );
    }

    #[test]
    fn no_rate_anywhere_is_a_clear_error() {
        assert_eq!(price(None, None, RequesterCategory::Company, 60).unwrap_err().code, "no_tariff");
    }

    #[test]
    fn publishing_numbers_versions_and_checks_every_category() {
        let rates: BTreeMap<_, _> = RequesterCategory::ALL.into_iter().map(|c| (c, 1000)).collect();
        let cmd = |rates: BTreeMap<RequesterCategory, i64>| PublishTariff {
            hourly_rates_cents: rates,
            flat_fees: vec![],
            by: Uuid::nil(),
            now: Utc::now(),
        };
        let first = decide_publish(&TariffGrid::default(), cmd(rates.clone())).unwrap();
        let grid = TariffGrid::fold(&first);
        let second = decide_publish(&grid, cmd(rates.clone())).unwrap();
        assert!(matches!(second[0], TariffEvent::TariffGridPublished { version: 2, .. }));
        let mut missing = rates.clone();
        missing.remove(&RequesterCategory::Company);
        assert_eq!(decide_publish(&grid, cmd(missing)).unwrap_err().code, "tariff_category_missing");
        let mut negative = rates;
        negative.insert(RequesterCategory::Company, -1);
        assert_eq!(decide_publish(&grid, cmd(negative)).unwrap_err().code, "invalid_rate");
    }
}
