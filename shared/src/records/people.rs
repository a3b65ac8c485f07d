//! Organisations, staff and contacts.

use super::{ValidationErrors, coded_enum, required_text};

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
pub fn validate_email(email: &str) -> Result<String, ValidationErrors> {
    let email = email.trim().to_ascii_lowercase();
    let error = |m: &str| Err(ValidationErrors::single("email", m));
    if email.is_empty() {
        return error("Enter your email address");
    }
    if email.len() > 254 {
        return error("Email address must be 254 characters or fewer");
    }
    let Some((local, domain)) = email.split_once('@') else {
        return error("Enter an email address in the correct format, like name@example.com");
    };
    let domain_ok = domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
        && domain
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-');
    let local_ok = !local.is_empty()
        && local.len() <= 64
        && !local
            .bytes()
            .any(|b| b.is_ascii_whitespace() || b == b'@' || b.is_ascii_control());
    if !domain_ok || !local_ok {
        return error("Enter an email address in the correct format, like name@example.com");
    }
    Ok(email)
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
        ] {
            assert!(validate_email(bad).is_err(), "{bad}");
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
