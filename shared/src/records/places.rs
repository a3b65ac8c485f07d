//! Sites, buildings and units.

use super::{ValidationErrors, optional_text, required_text};

/// A higher-risk building under the Building Safety Act 2022: at least 18 m or at least 7
/// storeys, and at least 2 residential units.
#[must_use]
pub fn qualifies_as_hrb(
    height_decimetres: Option<i64>,
    storeys: Option<i64>,
    residential_units: i64,
) -> bool {
    let tall = height_decimetres.is_some_and(|h| h >= 180) || storeys.is_some_and(|s| s >= 7);
    tall && residential_units >= 2
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewSite {
    pub reference: String,
    pub name: String,
    pub address: String,
}

impl NewSite {
    pub fn validate(reference: &str, name: &str, address: &str) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let reference = required_text(&mut errors, "reference", "a site reference", reference, 20);
        let name = required_text(&mut errors, "name", "the site's name", name, 120);
        let address = required_text(&mut errors, "address", "the site's address", address, 300);
        errors.into_result(NewSite {
            reference,
            name,
            address,
        })
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewBuilding {
    pub name: String,
    /// Height in tenths of a metre, so 18.0 m is exact.
    pub height_decimetres: Option<i64>,
    pub storeys: Option<i64>,
    pub is_hrb: bool,
    pub bsr_registration: String,
}

impl NewBuilding {
    pub fn validate(
        name: &str,
        height_decimetres: Option<i64>,
        storeys: Option<i64>,
        is_hrb: bool,
        bsr_registration: &str,
    ) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let name = required_text(&mut errors, "name", "the building's name", name, 120);
        if height_decimetres.is_some_and(|h| !(1..=10_000).contains(&h)) {
            errors.add("height", "Enter a height between 0.1 and 1,000 metres");
        }
        if storeys.is_some_and(|s| !(1..=200).contains(&s)) {
            errors.add("storeys", "Enter a number of storeys between 1 and 200");
        }
        let bsr_registration = optional_text(
            &mut errors,
            "bsr_registration",
            "the BSR registration",
            bsr_registration,
            40,
        );
        errors.into_result(NewBuilding {
            name,
            height_decimetres,
            storeys,
            is_hrb,
            bsr_registration,
        })
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewUnit {
    pub name: String,
    pub floor: String,
}

impl NewUnit {
    pub fn validate(name: &str, floor: &str) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let name = required_text(
            &mut errors,
            "name",
            "the unit's name, like Flat 12",
            name,
            60,
        );
        let floor = optional_text(&mut errors, "floor", "the floor", floor, 20);
        errors.into_result(NewUnit { name, floor })
    }
}

/// A height as typed in metres ("18", "18.5 m") in tenths of a metre; empty is `None`.
pub fn parse_metres(text: &str) -> Result<Option<i64>, &'static str> {
    let text = text.trim().trim_end_matches('m').trim();
    if text.is_empty() {
        return Ok(None);
    }
    let (whole, tenths) = text.split_once('.').unwrap_or((text, "0"));
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(whole) || !digits(tenths) {
        return Err("Enter the height in metres, like 18.5");
    }
    if tenths.len() > 1 {
        return Err("Enter the height to the nearest tenth of a metre, like 18.5");
    }
    let whole: i64 = whole
        .parse()
        .map_err(|_| "Enter a height between 0.1 and 1,000 metres")?;
    let tenths: i64 = tenths.parse().unwrap_or(0);
    Ok(Some(whole.saturating_mul(10).saturating_add(tenths)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heights_are_read_in_metres() {
        assert_eq!(parse_metres("18"), Ok(Some(180)));
        assert_eq!(parse_metres(" 18.5 m "), Ok(Some(185)));
        assert_eq!(parse_metres(""), Ok(None));
        assert!(parse_metres("18.55").is_err());
        assert!(parse_metres("tall").is_err());
        assert!(parse_metres("-3").is_err());
    }

    #[test]
    fn hrb_test() {
        assert!(qualifies_as_hrb(Some(180), None, 2));
        assert!(qualifies_as_hrb(None, Some(7), 40));
        assert!(!qualifies_as_hrb(Some(179), Some(6), 40));
        assert!(!qualifies_as_hrb(Some(300), Some(10), 1));
    }

    #[test]
    fn building_limits() {
        assert!(NewBuilding::validate("Tower", Some(0), None, false, "").is_err());
        assert!(NewBuilding::validate("Tower", Some(250), Some(9), true, "HRB-123").is_ok());
    }
}
