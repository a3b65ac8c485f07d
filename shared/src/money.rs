//! Money in integer pence, formatted and parsed the way a UK reader writes it (`£1,234.56`).
//!
//! Floats never touch money: parsing works on the digits, and arithmetic is checked so an
//! overflow is an error, not a wrapped balance.

use std::fmt;
use std::iter::Sum;

use serde::{Deserialize, Serialize};

/// An amount of pounds sterling in pence. Negative amounts are credits.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Money(i64);

/// Why a piece of text is not an amount of money.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("Enter an amount, like £12.50")]
    Empty,
    #[error("Enter an amount in pounds and pence, like £12.50")]
    Malformed,
    #[error("Amounts can only have two decimal places (pence)")]
    FractionOfPenny,
    #[error("The amount cannot be negative")]
    Negative,
    #[error("The amount must be more than £0.00")]
    Zero,
    #[error("The amount is too large")]
    Overflow,
}

/// Whether a parsed amount may be negative or zero.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sign {
    /// Greater than zero: a payment, an invoice line.
    Positive,
    /// Zero or more.
    NonNegative,
    /// Any sign: an adjustment or a balance.
    Any,
}

impl Money {
    pub const ZERO: Money = Money(0);

    #[must_use]
    pub const fn from_pence(pence: i64) -> Self {
        Self(pence)
    }

    #[must_use]
    pub const fn pence(self) -> i64 {
        self.0
    }

    #[must_use]
    pub fn is_negative(self) -> bool {
        self.0 < 0
    }

    /// A balance as a statement reads it: what is owed, or what is held in credit
    /// (`£150.00 in credit`).
    #[must_use]
    pub fn as_balance(self) -> String {
        if self.0 < 0 {
            format!("{} in credit", Money(self.0.saturating_neg()))
        } else {
            self.to_string()
        }
    }

    pub fn checked_add(self, other: Money) -> Result<Money, MoneyError> {
        self.0
            .checked_add(other.0)
            .map(Money)
            .ok_or(MoneyError::Overflow)
    }

    pub fn checked_sub(self, other: Money) -> Result<Money, MoneyError> {
        self.0
            .checked_sub(other.0)
            .map(Money)
            .ok_or(MoneyError::Overflow)
    }

    /// VAT at `rate_basis_points` (2000 = 20%), rounded half away from zero to the penny.
    pub fn vat_at(self, rate_basis_points: u32) -> Result<Money, MoneyError> {
        let product = i128::from(self.0) * i128::from(rate_basis_points);
        let rounded = (product.abs() + 5_000) / 10_000 * product.signum();
        i64::try_from(rounded)
            .map(Money)
            .map_err(|_| MoneyError::Overflow)
    }

    /// Parses `£1,234.56`, `1234.5`, `1234` or `-£5.00` (the last only where `sign` allows).
    /// Thousands separators must be in the right places; more than two decimals is refused.
    pub fn parse(text: &str, sign: Sign) -> Result<Money, MoneyError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(MoneyError::Empty);
        }
        let (negative, rest) = match text.strip_prefix('-') {
            Some(rest) => (true, rest.trim_start()),
            None => (false, text),
        };
        let rest = rest.strip_prefix('£').unwrap_or(rest);
        let (whole, fraction) = match rest.split_once('.') {
            Some((whole, fraction)) => (whole, Some(fraction)),
            None => (rest, None),
        };
        let whole_pounds = parse_grouped_digits(whole)?;
        let pence_part = match fraction {
            None => 0,
            Some(f) if f.is_empty() || !f.bytes().all(|b| b.is_ascii_digit()) => {
                return Err(MoneyError::Malformed);
            }
            Some(f) if f.len() > 2 => {
                // Even "1.500": a third decimal place means the writer meant something else.
                return Err(MoneyError::FractionOfPenny);
            }
            Some(f) if f.len() == 1 => i64::from(f.as_bytes()[0] - b'0') * 10,
            Some(f) => i64::from(f.as_bytes()[0] - b'0') * 10 + i64::from(f.as_bytes()[1] - b'0'),
        };
        let magnitude = whole_pounds
            .checked_mul(100)
            .and_then(|p| p.checked_add(pence_part))
            .ok_or(MoneyError::Overflow)?;
        let value = if negative { -magnitude } else { magnitude };
        match sign {
            Sign::Positive if value < 0 => Err(MoneyError::Negative),
            Sign::Positive if value == 0 => Err(MoneyError::Zero),
            Sign::NonNegative if value < 0 => Err(MoneyError::Negative),
            _ => Ok(Money(value)),
        }
    }
}

/// Digits with optional thousands separators: `1234` or `1,234`, never `12,34` or `,123`.
fn parse_grouped_digits(text: &str) -> Result<i64, MoneyError> {
    if text.is_empty() {
        return Err(MoneyError::Malformed);
    }
    let groups: Vec<&str> = text.split(',').collect();
    if groups.len() > 1 {
        let first_ok = (1..=3).contains(&groups[0].len());
        let rest_ok = groups[1..].iter().all(|g| g.len() == 3);
        if !first_ok || !rest_ok {
            return Err(MoneyError::Malformed);
        }
    }
    let mut value: i64 = 0;
    for b in groups.concat().bytes() {
        if !b.is_ascii_digit() {
            return Err(MoneyError::Malformed);
        }
        value = value
            .checked_mul(10)
            .and_then(|v| v.checked_add(i64::from(b - b'0')))
            .ok_or(MoneyError::Overflow)?;
    }
    Ok(value)
}

impl fmt::Display for Money {
    /// `£1,234.56`; negative amounts as `-£1,234.56`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let magnitude = self.0.unsigned_abs();
        let pounds = (magnitude / 100).to_string();
        let mut grouped = String::with_capacity(pounds.len() + pounds.len() / 3);
        for (i, ch) in pounds.chars().enumerate() {
            if i > 0 && (pounds.len() - i) % 3 == 0 {
                grouped.push(',');
            }
            grouped.push(ch);
        }
        let sign = if self.0 < 0 { "-" } else { "" };
        write!(f, "{sign}£{grouped}.{:02}", magnitude % 100)
    }
}

impl Sum for Money {
    /// Sums saturate rather than wrap; a ledger never reaches nine hundred trillion pounds.
    fn sum<I: Iterator<Item = Money>>(iter: I) -> Money {
        Money(iter.fold(0i64, |acc, m| acc.saturating_add(m.0)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Result<Money, MoneyError> {
        Money::parse(s, Sign::Any)
    }

    #[test]
    fn formats_with_separators_and_sign() {
        assert_eq!(Money::from_pence(0).to_string(), "£0.00");
        assert_eq!(Money::from_pence(5).to_string(), "£0.05");
        assert_eq!(Money::from_pence(45_000).to_string(), "£450.00");
        assert_eq!(Money::from_pence(123_456).to_string(), "£1,234.56");
        assert_eq!(Money::from_pence(100_000_000).to_string(), "£1,000,000.00");
        assert_eq!(Money::from_pence(-123_456).to_string(), "-£1,234.56");
        assert_eq!(
            Money::from_pence(i64::MIN).to_string(),
            "-£92,233,720,368,547,758.08"
        );
    }

    #[test]
    fn parses_the_ways_people_write_amounts() {
        assert_eq!(parse("£1,234.56"), Ok(Money(123_456)));
        assert_eq!(parse("1234.56"), Ok(Money(123_456)));
        assert_eq!(parse(" 1234.5 "), Ok(Money(123_450)));
        assert_eq!(parse("450"), Ok(Money(45_000)));
        assert_eq!(parse("£0.01"), Ok(Money(1)));
        assert_eq!(parse("-£5.00"), Ok(Money(-500)));
        assert_eq!(parse("1,000,000"), Ok(Money(100_000_000)));
    }

    #[test]
    fn refuses_what_is_not_money() {
        assert_eq!(parse(""), Err(MoneyError::Empty));
        assert_eq!(parse("   "), Err(MoneyError::Empty));
        assert_eq!(parse("£"), Err(MoneyError::Malformed));
        assert_eq!(parse("abc"), Err(MoneyError::Malformed));
        assert_eq!(parse("1.2.3"), Err(MoneyError::Malformed));
        assert_eq!(parse("12,34"), Err(MoneyError::Malformed));
        assert_eq!(parse(",123"), Err(MoneyError::Malformed));
        assert_eq!(parse("1234,567"), Err(MoneyError::Malformed));
        assert_eq!(parse("1."), Err(MoneyError::Malformed));
        assert_eq!(parse(".50"), Err(MoneyError::Malformed));
        assert_eq!(parse("1e3"), Err(MoneyError::Malformed));
        assert_eq!(parse("$5"), Err(MoneyError::Malformed));
        assert_eq!(parse("--5"), Err(MoneyError::Malformed));
        assert_eq!(parse("+5"), Err(MoneyError::Malformed));
    }

    #[test]
    fn refuses_fractions_of_a_penny() {
        assert_eq!(parse("1.234"), Err(MoneyError::FractionOfPenny));
        assert_eq!(parse("£0.001"), Err(MoneyError::FractionOfPenny));
    }

    #[test]
    fn refuses_overflow_rather_than_wrapping() {
        assert_eq!(parse("92233720368547758.08"), Err(MoneyError::Overflow));
        assert_eq!(parse("999999999999999999999"), Err(MoneyError::Overflow));
        assert_eq!(parse("92233720368547758.07"), Ok(Money(i64::MAX)));
        assert_eq!(
            Money(i64::MAX).checked_add(Money(1)),
            Err(MoneyError::Overflow)
        );
    }

    #[test]
    fn sign_rules() {
        assert_eq!(
            Money::parse("-1", Sign::Positive),
            Err(MoneyError::Negative)
        );
        assert_eq!(Money::parse("0", Sign::Positive), Err(MoneyError::Zero));
        assert_eq!(Money::parse("0.00", Sign::NonNegative), Ok(Money(0)));
        assert_eq!(
            Money::parse("-0.01", Sign::NonNegative),
            Err(MoneyError::Negative)
        );
    }

    #[test]
    fn vat_rounds_to_the_penny() {
        assert_eq!(Money(18_000).vat_at(2000), Ok(Money(3_600)));
        assert_eq!(Money(1).vat_at(2000), Ok(Money(0)));
        assert_eq!(Money(3).vat_at(2000), Ok(Money(1))); // 0.6p rounds up
        assert_eq!(Money(-3).vat_at(2000), Ok(Money(-1)));
        assert_eq!(Money(999).vat_at(500), Ok(Money(50))); // 49.95p
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn display_then_parse_round_trips(pence in any::<i64>().prop_filter("MIN has no positive twin", |p| *p != i64::MIN)) {
                let m = Money(pence);
                prop_assert_eq!(Money::parse(&m.to_string(), Sign::Any), Ok(m));
            }
        }
    }
}
