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

#[cfg(test)]
mod tests {
    use super::*;

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
