//! Apportionment: a sum of money shared between units by percentages, to the penny.
//!
//! Each unit's share is rounded down and the pennies left over go, one each, to the shares that
//! lost most to the rounding (the largest-remainder method), so the parts always add up to the
//! whole exactly and no part is more than a penny from its exact share.

use crate::money::Money;

/// A percentage in thousandths of a percent: 100% is 100,000, 12.5% is 12,500.
pub type Share = u32;

/// The whole: 100%.
pub const WHOLE: Share = 100_000;

/// Why a set of percentages cannot apportion a sum.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApportionError {
    #[error("Enter a percentage for each unit, like 12.5")]
    Malformed,
    #[error("Percentages can have at most three decimal places")]
    TooPrecise,
    #[error("A percentage must be between 0 and 100")]
    OutOfRange,
    #[error("The percentages add up to {}%, not 100%", format_share(*.0))]
    NotWhole(u64),
    #[error("Nothing to share: add units first")]
    Empty,
}

/// Reads a percentage as typed ("12.5", "12.5%", " 8 ").
pub fn parse_share(text: &str) -> Result<Share, ApportionError> {
    let text = text.trim().trim_end_matches('%').trim();
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    if whole.is_empty() && fraction.is_empty()
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !fraction.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(ApportionError::Malformed);
    }
    if fraction.len() > 3 {
        return Err(ApportionError::TooPrecise);
    }
    if whole.len() > 3 {
        return Err(ApportionError::OutOfRange);
    }
    let whole: u32 = if whole.is_empty() {
        0
    } else {
        whole.parse().map_err(|_| ApportionError::Malformed)?
    };
    let fraction: u32 = format!("{fraction:0<3}")
        .parse()
        .map_err(|_| ApportionError::Malformed)?;
    let share = whole * 1000 + fraction;
    if share > WHOLE {
        return Err(ApportionError::OutOfRange);
    }
    Ok(share)
}

/// A share as a person writes it: "12.5", "33.333", "100".
#[must_use]
pub fn format_share(share: u64) -> String {
    let whole = share / 1000;
    let fraction = share % 1000;
    if fraction == 0 {
        whole.to_string()
    } else {
        format!("{whole}.{fraction:03}")
            .trim_end_matches('0')
            .to_owned()
    }
}

/// Equal shares for `n` units that add up to 100% exactly: the first units take the spare
/// thousandths.
#[must_use]
pub fn equal_shares(n: usize) -> Vec<Share> {
    let Ok(count) = u32::try_from(n) else {
        return Vec::new();
    };
    if count == 0 {
        return Vec::new();
    }
    let base = WHOLE / count;
    let spare = (WHOLE % count) as usize;
    (0..n).map(|i| base + u32::from(i < spare)).collect()
}

/// Shares `total` by `shares`, which must add up to 100%. The parts add up to `total` exactly.
pub fn apportion(total: Money, shares: &[Share]) -> Result<Vec<Money>, ApportionError> {
    if shares.is_empty() {
        return Err(ApportionError::Empty);
    }
    let sum: u64 = shares.iter().map(|s| u64::from(*s)).sum();
    if sum != u64::from(WHOLE) {
        return Err(ApportionError::NotWhole(sum));
    }
    let total = i128::from(total.pence());
    let whole = i128::from(WHOLE);
    let exact: Vec<i128> = shares.iter().map(|s| total * i128::from(*s)).collect();
    // Floor division works for credits (negative totals) too.
    let mut parts: Vec<i128> = exact.iter().map(|e| e.div_euclid(whole)).collect();
    let left = total - parts.iter().sum::<i128>();
    let mut order: Vec<usize> = (0..shares.len()).collect();
    // Largest remainder first; ties go to the earlier unit, so the result is stable.
    order.sort_by_key(|&i| (std::cmp::Reverse(exact[i].rem_euclid(whole)), i));
    for &i in order.iter().take(usize::try_from(left).unwrap_or(0)) {
        parts[i] += 1;
    }
    Ok(parts
        .into_iter()
        .map(|p| Money::from_pence(i64::try_from(p).unwrap_or(i64::MAX)))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn pennies_go_to_the_largest_remainders() {
        let parts = apportion(Money::from_pence(100), &equal_shares(3)).unwrap();
        assert_eq!(
            parts,
            vec![
                Money::from_pence(34),
                Money::from_pence(33),
                Money::from_pence(33)
            ]
        );
        let parts = apportion(Money::from_pence(100_000), &[12_500, 37_500, 50_000]).unwrap();
        assert_eq!(
            parts,
            vec![
                Money::from_pence(12_500),
                Money::from_pence(37_500),
                Money::from_pence(50_000)
            ]
        );
    }

    #[test]
    fn percentages_must_make_a_whole() {
        assert_eq!(
            apportion(Money::from_pence(100), &[50_000, 40_000]),
            Err(ApportionError::NotWhole(90_000))
        );
        assert_eq!(
            ApportionError::NotWhole(99_999).to_string(),
            "The percentages add up to 99.999%, not 100%"
        );
        assert_eq!(
            apportion(Money::from_pence(100), &[]),
            Err(ApportionError::Empty)
        );
    }

    #[test]
    fn shares_are_read_as_typed() {
        assert_eq!(parse_share("12.5"), Ok(12_500));
        assert_eq!(parse_share(" 12.5% "), Ok(12_500));
        assert_eq!(parse_share("100"), Ok(100_000));
        assert_eq!(parse_share(".25"), Ok(250));
        assert_eq!(parse_share("0"), Ok(0));
        assert_eq!(parse_share("33.3333"), Err(ApportionError::TooPrecise));
        assert_eq!(parse_share("100.001"), Err(ApportionError::OutOfRange));
        assert_eq!(parse_share("1000"), Err(ApportionError::OutOfRange));
        assert_eq!(parse_share("-5"), Err(ApportionError::Malformed));
        assert_eq!(parse_share("ten"), Err(ApportionError::Malformed));
        assert_eq!(parse_share(""), Err(ApportionError::Malformed));
        assert_eq!(parse_share("."), Err(ApportionError::Malformed));
        assert_eq!(format_share(12_500), "12.5");
        assert_eq!(format_share(33_334), "33.334");
        assert_eq!(format_share(100_000), "100");
    }

    proptest! {
        #[test]
        fn parts_add_up_to_the_whole_exactly(
            total in -1_000_000_000_i64..1_000_000_000,
            weights in prop::collection::vec(0u32..1000, 1..80),
        ) {
            // Turn any weights into shares that make 100%.
            let sum: u32 = weights.iter().sum::<u32>().max(1);
            let mut shares: Vec<Share> = weights.iter().map(|w| w * WHOLE / sum).collect();
            let short = WHOLE - shares.iter().sum::<u32>();
            shares[0] += short;
            let parts = apportion(Money::from_pence(total), &shares).unwrap();
            prop_assert_eq!(parts.iter().map(|p| p.pence()).sum::<i64>(), total);
            for (part, share) in parts.iter().zip(&shares) {
                let exact = i128::from(total) * i128::from(*share);
                let diff = i128::from(part.pence()) * i128::from(WHOLE) - exact;
                prop_assert!(diff.abs() < i128::from(WHOLE), "a part is a penny or more off");
            }
        }

        #[test]
        fn equal_shares_make_a_whole(n in 1usize..500) {
            let shares = equal_shares(n);
            prop_assert_eq!(shares.len(), n);
            prop_assert_eq!(shares.iter().map(|s| u64::from(*s)).sum::<u64>(), u64::from(WHOLE));
        }
    }
}
