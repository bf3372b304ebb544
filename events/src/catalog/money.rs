//! Money: integer cents and a currency, never floats.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum Currency {
    #[default]
    EUR,
}

/// An amount in minor units (cents) of a currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Money {
    pub amount_cents: i64,
    pub currency: Currency,
}

impl Money {
    pub const fn eur(amount_cents: i64) -> Self {
        Self { amount_cents, currency: Currency::EUR }
    }

    pub const ZERO: Self = Self::eur(0);

    pub fn is_zero(&self) -> bool {
        self.amount_cents == 0
    }

    /// `self × percent / 100`, rounded half up to the cent (for refunds).
    pub fn percent(&self, percent: u8) -> Self {
        let scaled = self.amount_cents as i128 * percent as i128;
        Self { amount_cents: ((scaled + 50).div_euclid(100)) as i64, currency: self.currency }
    }
}

impl std::fmt::Display for Money {
    /// French notation: `45,00 €`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let sign = if self.amount_cents < 0 { "-" } else { "" };
        let abs = self.amount_cents.unsigned_abs();
        write!(f, "{sign}{},{:02} €", abs / 100, abs % 100)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_print_the_french_way() {
        assert_eq!(Money::eur(4500).to_string(), "45,00 €");
        assert_eq!(Money::eur(5).to_string(), "0,05 €");
        assert_eq!(Money::eur(-1234).to_string(), "-12,34 €");
    }

    #[test]
    fn half_refunds_round_half_up_to_the_cent() {
        assert_eq!(Money::eur(4501).percent(50), Money::eur(2251));
        assert_eq!(Money::eur(4500).percent(50), Money::eur(2250));
        assert_eq!(Money::eur(4500).percent(100), Money::eur(4500));
        assert_eq!(Money::eur(4500).percent(0), Money::ZERO);
    }
}
