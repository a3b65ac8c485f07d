//! Organisations, staff and contacts.

use super::{ValidationErrors, coded_enum, optional_text, required_text};

/// Subdomains that name a platform host, never an organisation.
pub const RESERVED_SLUGS: &[&str] = &[
    "admin",
    "api",
    "app",
    "assets",
    "auth",
    "contractorport",
    "docs",
    "help",
    "login",
    "mail",
    "proplink",
    "static",
    "status",
    "support",
    "www",
];

/// An organisation's slug: its subdomain on every door.
pub fn validate_slug(slug: &str) -> Result<String, ValidationErrors> {
    let slug = slug.trim().to_ascii_lowercase();
    let ok_chars = slug
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    let message = if !(2..=40).contains(&slug.len()) {
        Some("The subdomain must be between 2 and 40 characters")
    } else if !ok_chars {
        Some("The subdomain can only contain letters, numbers and hyphens")
    } else if slug.starts_with('-') || slug.ends_with('-') {
        Some("The subdomain cannot start or end with a hyphen")
    } else if RESERVED_SLUGS.contains(&slug.as_str()) {
        Some("That subdomain is reserved; choose another")
    } else {
        None
    };
    match message {
        Some(m) => Err(ValidationErrors::single("slug", m)),
        None => Ok(slug),
    }
}

/// A normalised email address (trimmed, lower-cased), or a message saying what is wrong.
///
/// The address must be one a mail server accepts: a dot-atom local part of at most 64
/// characters (RFC 5322: letters, digits and ``!#$%&'*+-/=?^_`{|}~``, dots only between
/// them) and a domain of at least two labels, each 1–63 letters, digits or hyphens and not
/// starting or ending with a hyphen, with a top-level label that is not all digits.
pub fn validate_email(email: &str) -> Result<String, ValidationErrors> {
    let email = email.trim().to_ascii_lowercase();
    let error = |m: &str| Err(ValidationErrors::single("email", m));
    if email.is_empty() {
        return error("Enter your email address");
    }
    if email.len() > MAX_EMAIL {
        return error("Email address must be 254 characters or fewer");
    }
    match email.split_once('@') {
        Some((local, domain)) if valid_local_part(local) && valid_domain(domain) => Ok(email),
        _ => error("Enter an email address in the correct format, like name@example.com"),
    }
}

/// The longest email address accepted (RFC 5321's path limit, less the angle brackets).
pub const MAX_EMAIL: usize = 254;

fn valid_local_part(local: &str) -> bool {
    const SPECIALS: &[u8] = b"!#$%&'*+-/=?^_`{|}~";
    !local.is_empty()
        && local.len() <= 64
        && local.split('.').all(|atom| {
            !atom.is_empty()
                && atom
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || SPECIALS.contains(&b))
        })
}

fn valid_domain(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    domain.len() <= 253
        && labels.len() >= 2
        && labels.iter().all(|label| {
            (1..=63).contains(&label.len())
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
        && labels
            .last()
            .is_some_and(|tld| !tld.bytes().all(|b| b.is_ascii_digit()))
}

/// A new organisation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewOrganisation {
    pub name: String,
    pub slug: String,
}

impl NewOrganisation {
    pub fn validate(name: &str, slug: &str) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let name = required_text(&mut errors, "name", "the organisation's name", name, 120);
        let slug = match validate_slug(slug) {
            Ok(s) => s,
            Err(e) => {
                errors.0.extend(e.0);
                String::new()
            }
        };
        errors.into_result(NewOrganisation { name, slug })
    }
}

/// What an organisation says about itself: its names and numbers, how to reach it, its brand
/// colour (fit for white text on it) and the welcome on each portal.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OrgSettings {
    pub name: String,
    pub legal_name: String,
    pub company_number: String,
    pub vat_number: String,
    pub address: String,
    pub contact_email: String,
    pub contact_phone: String,
    pub brand_colour: String,
    pub welcome_text: String,
    pub thread_welcome_text: String,
}

impl OrgSettings {
    /// Checks every field at once; the brand colour is refused with its measured contrast
    /// ratio when white text on it would fail WCAG AA.
    pub fn validate(typed: &OrgSettings) -> Result<OrgSettings, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let name = required_text(
            &mut errors,
            "name",
            "the organisation's name",
            &typed.name,
            120,
        );
        let legal_name = optional_text(
            &mut errors,
            "legal_name",
            "the legal name",
            &typed.legal_name,
            160,
        );
        let company_number = optional_text(
            &mut errors,
            "company_number",
            "the company number",
            &typed.company_number,
            20,
        );
        let vat_number = optional_text(
            &mut errors,
            "vat_number",
            "the VAT number",
            &typed.vat_number,
            20,
        );
        let address = optional_text(&mut errors, "address", "the address", &typed.address, 300);
        let contact_email = if typed.contact_email.trim().is_empty() {
            String::new()
        } else {
            match validate_email(&typed.contact_email) {
                Ok(e) => e,
                Err(e) => {
                    for err in e.0 {
                        errors.add("contact_email", err.message);
                    }
                    String::new()
                }
            }
        };
        let contact_phone = optional_text(
            &mut errors,
            "contact_phone",
            "the phone number",
            &typed.contact_phone,
            30,
        );
        if contact_phone
            .chars()
            .any(|c| !(c.is_ascii_digit() || matches!(c, ' ' | '+' | '(' | ')' | '-')))
        {
            errors.add("contact_phone", "Enter a phone number, like 020 7946 0000");
        }
        let brand_colour = match crate::colour::brand_colour(&typed.brand_colour) {
            Ok(c) => c,
            Err(e) => {
                errors.add("brand_colour", e.to_string());
                String::new()
            }
        };
        let welcome_text = optional_text(
            &mut errors,
            "welcome_text",
            "the ResidencePort welcome",
            &typed.welcome_text,
            2000,
        );
        let thread_welcome_text = optional_text(
            &mut errors,
            "thread_welcome_text",
            "the BuildingThread welcome",
            &typed.thread_welcome_text,
            2000,
        );
        errors.into_result(OrgSettings {
            name,
            legal_name,
            company_number,
            vat_number,
            address,
            contact_email,
            contact_phone,
            brand_colour,
            welcome_text,
            thread_welcome_text,
        })
    }
}

coded_enum! {
    /// What a contact is to the organisation. The kind decides ResidencePort eligibility.
    ContactKind {
        Leaseholder => "leaseholder", "Leaseholder";
        Tenant => "tenant", "Tenant";
        Resident => "resident", "Resident";
        Director => "director", "Director";
        VendorContact => "vendor_contact", "Vendor contact";
        NextOfKin => "next_of_kin", "Next of kin";
        Other => "other", "Other";
    }
}

impl ContactKind {
    /// Whether a contact of this kind may be invited to ResidencePort.
    #[must_use]
    pub fn may_use_residenceport(self) -> bool {
        matches!(
            self,
            ContactKind::Leaseholder | ContactKind::Tenant | ContactKind::Resident
        )
    }
}

coded_enum! {
    /// A contact's role on a unit.
    UnitRole {
        Leaseholder => "leaseholder", "Leaseholder";
        Tenant => "tenant", "Tenant";
        Occupier => "occupier", "Occupier";
    }
}

/// A new person in the organisation's address book.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewContact {
    pub kind: ContactKind,
    pub title: String,
    pub first_name: String,
    pub last_name: String,
    pub email: Option<String>,
    pub phone: String,
}

impl NewContact {
    pub fn validate(
        kind: ContactKind,
        title: &str,
        first_name: &str,
        last_name: &str,
        email: &str,
        phone: &str,
    ) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let title = super::optional_text(&mut errors, "title", "the title", title, 20);
        let first_name = required_text(&mut errors, "first_name", "a first name", first_name, 80);
        let last_name = required_text(&mut errors, "last_name", "a last name", last_name, 80);
        let phone = super::optional_text(&mut errors, "phone", "the phone number", phone, 30);
        let email = if email.trim().is_empty() {
            None
        } else {
            match validate_email(email) {
                Ok(e) => Some(e),
                Err(e) => {
                    errors.0.extend(e.0);
                    None
                }
            }
        };
        errors.into_result(NewContact {
            kind,
            title,
            first_name,
            last_name,
            email,
            phone,
        })
    }

    /// How the audit trail and letters address them: "Mr Patel", or "Asha Patel" with no title.
    #[must_use]
    pub fn display_name(title: &str, first_name: &str, last_name: &str) -> String {
        if title.trim().is_empty() {
            format!("{first_name} {last_name}")
        } else {
            format!("{title} {last_name}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert_eq!(validate_slug(" Acme "), Ok("acme".into()));
        assert!(validate_slug("api").is_err());
        assert!(validate_slug("a").is_err());
        assert!(validate_slug("-acme").is_err());
        assert!(validate_slug("acme_estates").is_err());
        assert!(validate_slug("acme.estates").is_err());
    }

    #[test]
    fn emails() {
        assert_eq!(
            validate_email(" Mark@Acme.Example "),
            Ok("mark@acme.example".into())
        );
        for bad in [
            "",
            "mark",
            "mark@",
            "@acme.example",
            "mark@acme",
            "ma rk@acme.example",
            "mark@acme..example",
            "a@b@c.d",
            "<script>@acme.example",
            ".mark@acme.example",
            "mark.@acme.example",
            "ma..rk@acme.example",
            "mark@-acme.example",
            "mark@acme-.example",
            "mark@acme.123",
            "mark@acme.example.",
            "\"mark\"@acme.example",
        ] {
            assert!(validate_email(bad).is_err(), "{bad}");
        }
        for good in [
            "o'brien@acme.example",
            "mark+tickets@acme.example",
            "a.b.c@sub.acme-estates.co.uk",
            "{x}=y~z@xn--bcher-kva.example",
        ] {
            assert!(validate_email(good).is_ok(), "{good}");
        }
    }

    proptest::proptest! {
        /// Every address of the RFC's dot-atom form is accepted, so a client that follows
        /// the published format is never refused.
        #[test]
        fn every_dot_atom_address_is_accepted(
            local in "[a-zA-Z0-9!#$%&'*+/=?^_`{|}~-]{1,20}(\\.[a-zA-Z0-9!#$%&'*+/=?^_`{|}~-]{1,20}){0,2}",
            labels in proptest::collection::vec("[a-z0-9]([a-z0-9-]{0,20}[a-z0-9])?", 1..4),
            tld in "[a-z]{2,10}",
        ) {
            let email = format!("{local}@{}.{tld}", labels.join("."));
            proptest::prop_assert!(validate_email(&email).is_ok(), "{}", email);
        }
    }

    #[test]
    fn contact_names() {
        assert_eq!(NewContact::display_name("Mr", "Ravi", "Patel"), "Mr Patel");
        assert_eq!(NewContact::display_name("", "Ravi", "Patel"), "Ravi Patel");
        let e = NewContact::validate(ContactKind::Tenant, "", "", "Patel", "nope", "").unwrap_err();
        assert!(e.for_field("first_name").is_some());
        assert!(e.for_field("email").is_some());
        assert!(!ContactKind::NextOfKin.may_use_residenceport());
    }
}

#[cfg(test)]
mod settings_tests {
    use super::OrgSettings;

    fn typed() -> OrgSettings {
        OrgSettings {
            name: " Acme Estates ".into(),
            contact_email: "Help@Acme.example".into(),
            contact_phone: "020 7946 0000".into(),
            brand_colour: "#1D4F91".into(),
            ..OrgSettings::default()
        }
    }

    #[test]
    fn settings_are_tidied() {
        let s = OrgSettings::validate(&typed()).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(s.name, "Acme Estates");
        assert_eq!(s.contact_email, "help@acme.example");
        assert_eq!(s.brand_colour, "#1d4f91");
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let bad = OrgSettings {
            name: " ".into(),
            contact_email: "help@".into(),
            contact_phone: "call us".into(),
            brand_colour: "#ffdd00".into(),
            ..typed()
        };
        let errors = OrgSettings::validate(&bad).unwrap_err();
        let fields: Vec<&str> = errors.0.iter().map(|e| e.field.as_ref()).collect();
        assert_eq!(
            fields,
            ["name", "contact_email", "contact_phone", "brand_colour"]
        );
        assert!(
            errors.0[3].message.contains("1.34:1"),
            "{}",
            errors.0[3].message
        );
    }
}
