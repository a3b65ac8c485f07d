//! Brand colours and the WCAG 2.2 contrast check of the white text that sits on them.

/// WCAG 2.2 level AA for normal-size text (success criterion 1.4.3).
pub const AA_NORMAL_TEXT: f64 = 4.5;

/// A colour written `#rrggbb`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rgb(pub u8, pub u8, pub u8);

/// Why a brand colour is refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ColourError {
    #[error("Enter a colour as a hex code, like #1d4f91")]
    Malformed,
    #[error(
        "White text on {colour} has a contrast ratio of {ratio:.2}:1; it needs at least 4.5:1 (WCAG AA). Choose a darker colour"
    )]
    TooLight { colour: String, ratio: f64 },
}

impl Rgb {
    pub const WHITE: Rgb = Rgb(255, 255, 255);

    /// Reads `#rrggbb` or `#rgb`, in either case.
    pub fn parse(text: &str) -> Result<Rgb, ColourError> {
        let hex = text
            .trim()
            .strip_prefix('#')
            .ok_or(ColourError::Malformed)?;
        if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(ColourError::Malformed);
        }
        let channel = |s: &str| u8::from_str_radix(s, 16).map_err(|_| ColourError::Malformed);
        match hex.len() {
            6 => Ok(Rgb(
                channel(&hex[0..2])?,
                channel(&hex[2..4])?,
                channel(&hex[4..6])?,
            )),
            3 => {
                let twice = |i: usize| channel(&hex[i..=i].repeat(2));
                Ok(Rgb(twice(0)?, twice(1)?, twice(2)?))
            }
            _ => Err(ColourError::Malformed),
        }
    }

    /// `#rrggbb`, lower case: the one way a colour is stored.
    #[must_use]
    pub fn hex(self) -> String {
        format!("#{:02x}{:02x}{:02x}", self.0, self.1, self.2)
    }

    /// Relative luminance as WCAG defines it.
    #[must_use]
    pub fn luminance(self) -> f64 {
        let linear = |c: u8| {
            let c = f64::from(c) / 255.0;
            if c <= 0.040_45 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * linear(self.0) + 0.7152 * linear(self.1) + 0.0722 * linear(self.2)
    }

    /// The contrast ratio between two colours, from 1 to 21.
    #[must_use]
    pub fn contrast(self, other: Rgb) -> f64 {
        let (a, b) = (self.luminance(), other.luminance());
        let (light, dark) = if a > b { (a, b) } else { (b, a) };
        (light + 0.05) / (dark + 0.05)
    }
}

/// A brand colour fit for white text (the masthead, buttons): stored as `#rrggbb`, or refused
/// with the ratio it measured.
pub fn brand_colour(text: &str) -> Result<String, ColourError> {
    let colour = Rgb::parse(text)?;
    let ratio = colour.contrast(Rgb::WHITE);
    if ratio < AA_NORMAL_TEXT {
        return Err(ColourError::TooLight {
            colour: colour.hex(),
            ratio: (ratio * 100.0).floor() / 100.0,
        });
    }
    Ok(colour.hex())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contrast_matches_the_wcag_examples() {
        assert!((Rgb(0, 0, 0).contrast(Rgb::WHITE) - 21.0).abs() < 1e-9);
        assert!((Rgb::WHITE.contrast(Rgb::WHITE) - 1.0).abs() < 1e-9);
        // #767676 on white is the well-known lightest grey that passes AA: 4.54:1.
        let grey = Rgb::parse("#767676").unwrap().contrast(Rgb::WHITE);
        assert!((grey - 4.54).abs() < 0.01, "{grey}");
        // #777777 just fails: 4.48:1.
        assert!(Rgb::parse("#777").unwrap().contrast(Rgb::WHITE) < AA_NORMAL_TEXT);
    }

    #[test]
    fn brand_colours_are_checked_and_normalised() {
        assert_eq!(brand_colour(" #1D4F91 "), Ok("#1d4f91".into()));
        assert_eq!(brand_colour("#767676"), Ok("#767676".into()));
        let refused = brand_colour("#ffdd00").unwrap_err();
        assert_eq!(
            refused.to_string(),
            "White text on #ffdd00 has a contrast ratio of 1.34:1; it needs at least 4.5:1 (WCAG AA). Choose a darker colour"
        );
        for bad in ["1d4f91", "#12345", "#ggg", "red", "#1d4f91;}", ""] {
            assert_eq!(brand_colour(bad), Err(ColourError::Malformed), "{bad}");
        }
    }
}
