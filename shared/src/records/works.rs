//! Money-bearing records: invoices, payments, quotes, certificates, notices, documents.

use time::Date;

use super::{ValidationErrors, coded_enum, optional_text, required_text};
use crate::money::{Money, Sign};

coded_enum! {
    /// VAT rates; residential service charges are usually exempt.
    VatRate {
        Standard => "standard", "Standard 20%";
        Reduced => "reduced", "Reduced 5%";
        Zero => "zero", "Zero 0%";
        Exempt => "exempt", "Exempt";
        OutsideScope => "outside_scope", "Outside the scope of VAT";
    }
}

impl VatRate {
    /// In basis points: 2000 = 20%.
    #[must_use]
    pub fn basis_points(self) -> u32 {
        match self {
            VatRate::Standard => 2000,
            VatRate::Reduced => 500,
            VatRate::Zero | VatRate::Exempt | VatRate::OutsideScope => 0,
        }
    }
}

coded_enum! {
    /// What an invoice charges for: the ledger accounts of the reference.
    InvoiceCategory {
        ServiceCharge => "service_charge", "Service charge";
        GroundRent => "ground_rent", "Ground rent";
        ReserveFund => "reserve_fund", "Reserve fund";
        Insurance => "insurance", "Buildings insurance";
        MajorWorks => "major_works", "Major works";
        AdministrationFee => "administration_fee", "Administration fee";
        Utilities => "utilities", "Utilities";
        Other => "other", "Other charge";
    }
}

coded_enum! {
    PaymentMethod {
        Bacs => "bacs", "BACS";
        FasterPayments => "faster_payments", "Faster Payments";
        Card => "card", "Card";
        DirectDebit => "direct_debit", "Direct Debit";
        Cheque => "cheque", "Cheque";
        Cash => "cash", "Cash";
        Other => "other", "Other";
    }
}

/// One line of an invoice, with its VAT worked out to the penny.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvoiceLine {
    pub description: String,
    pub net: Money,
    pub vat_rate: VatRate,
    pub vat: Money,
}

impl InvoiceLine {
    pub fn validate(
        description: &str,
        net: &str,
        vat_rate: VatRate,
    ) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let description = required_text(
            &mut errors,
            "description",
            "a description",
            description,
            200,
        );
        let net = Money::parse(net, Sign::Positive)
            .map_err(|e| errors.add("amount", e.to_string()))
            .ok();
        let vat = net.map(|n| n.vat_at(vat_rate.basis_points()));
        match (net, vat) {
            (Some(net), Some(Ok(vat))) => errors.into_result(InvoiceLine {
                description,
                net,
                vat_rate,
                vat,
            }),
            (_, Some(Err(e))) => {
                errors.add("amount", e.to_string());
                Err(errors)
            }
            _ => Err(errors),
        }
    }
}

/// Totals of a set of lines: (net, VAT, gross).
pub fn invoice_totals(
    lines: &[InvoiceLine],
) -> Result<(Money, Money, Money), crate::money::MoneyError> {
    let mut net = Money::ZERO;
    let mut vat = Money::ZERO;
    for line in lines {
        net = net.checked_add(line.net)?;
        vat = vat.checked_add(line.vat)?;
    }
    Ok((net, vat, net.checked_add(vat)?))
}

/// Arrears buckets by days overdue.
#[must_use]
pub fn arrears_bucket(days_overdue: i64) -> &'static str {
    match days_overdue {
        i64::MIN..=30 => "0–30 days",
        31..=60 => "31–60 days",
        61..=90 => "61–90 days",
        91..=180 => "91–180 days",
        _ => "180+ days",
    }
}

coded_enum! {
    QuoteKind {
        FixedPrice => "fixed_price", "Fixed price";
        DayRate => "day_rate", "Day-rate estimate";
    }
}

coded_enum! {
    ServiceCategory {
        Plumbing => "plumbing", "Plumbing";
        Electrical => "electrical", "Electrical";
        Gas => "gas", "Gas";
        FireSafety => "fire_safety", "Fire safety";
        Roofing => "roofing", "Roofing";
        Lifts => "lifts", "Lifts";
        Cleaning => "cleaning", "Cleaning";
        Grounds => "grounds", "Grounds";
        General => "general", "General building";
    }
}

impl ServiceCategory {
    /// The trades whose works on a building's shared parts keep its residents safe: what
    /// BuildingThread tells residents has been done or is under way.
    pub const SAFETY: &'static [ServiceCategory] = &[
        ServiceCategory::FireSafety,
        ServiceCategory::Electrical,
        ServiceCategory::Gas,
        ServiceCategory::Lifts,
    ];
}

coded_enum! {
    CertificateKind {
        PublicLiability => "public_liability", "Public liability insurance";
        EmployersLiability => "employers_liability", "Employers' liability insurance";
        GasSafe => "gas_safe", "Gas safety certificate (Gas Safe)";
        Niceic => "niceic", "NICEIC";
        Bafe => "bafe", "BAFE";
        Eicr => "eicr", "Electrical installation condition report";
        FireRiskAssessment => "fire_risk_assessment", "Fire risk assessment";
        Completion => "completion", "Completion certificate";
        FireAlarm => "fire_alarm", "Fire alarm certificate";
        EmergencyLighting => "emergency_lighting", "Emergency lighting certificate";
        Asbestos => "asbestos", "Asbestos survey";
        Other => "other", "Other certificate";
    }
}

/// What one contractor may send to one work order through their link: generous for any real
/// job, and a bound on what a leaked or misused link can pile up (and email the office).
pub const MAX_QUOTES_PER_CONTRACTOR: usize = 10;
pub const MAX_CERTIFICATES_PER_CONTRACTOR: usize = 20;
pub const MAX_UPDATES_PER_CONTRACTOR: usize = 100;

impl CertificateKind {
    /// The certificates a contractor files for work they did (not their insurance cover).
    pub const FOR_WORK: &'static [CertificateKind] = &[
        CertificateKind::GasSafe,
        CertificateKind::Eicr,
        CertificateKind::FireAlarm,
        CertificateKind::EmergencyLighting,
        CertificateKind::Asbestos,
        CertificateKind::Completion,
        CertificateKind::Other,
    ];
}

/// Whether cover expiring on `expires_on` is lapsed, or due for a reminder, on `today`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CoverStatus {
    Valid,
    /// Within the 60 days in which reminders go out.
    ExpiringSoon,
    Lapsed,
}

#[must_use]
pub fn cover_status(expires_on: Date, today: Date) -> CoverStatus {
    if expires_on < today {
        CoverStatus::Lapsed
    } else if (expires_on - today).whole_days() <= 60 {
        CoverStatus::ExpiringSoon
    } else {
        CoverStatus::Valid
    }
}

/// The state of a contractor's cover as a whole: lapsed without public liability insurance on
/// file, otherwise as its first expiry.
#[must_use]
pub fn contractor_cover(
    has_liability: bool,
    earliest_expiry: Option<Date>,
    today: Date,
) -> CoverStatus {
    match earliest_expiry {
        Some(expiry) if has_liability => cover_status(expiry, today),
        _ => CoverStatus::Lapsed,
    }
}

/// A contractor's quotation: a fixed price or a day-rate estimate, before VAT.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewQuote {
    pub kind: QuoteKind,
    pub net: Money,
    pub vat_rate: VatRate,
    pub vat: Money,
    pub notes: String,
}

impl NewQuote {
    pub fn validate(
        kind: QuoteKind,
        net: &str,
        vat_rate: VatRate,
        notes: &str,
    ) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let net = match Money::parse(net, Sign::Positive) {
            Ok(n) if n.pence() > 0 => Some(n),
            Ok(_) => {
                errors.add("net", "The quote must be more than £0.00");
                None
            }
            Err(e) => {
                errors.add("net", e.to_string());
                None
            }
        };
        let notes = optional_text(&mut errors, "notes", "the notes", notes, 10_000);
        let vat = net.map(|n| n.vat_at(vat_rate.basis_points()));
        match (net, vat) {
            (Some(net), Some(Ok(vat))) => errors.into_result(NewQuote {
                kind,
                net,
                vat_rate,
                vat,
                notes,
            }),
            (_, Some(Err(e))) => {
                errors.add("net", e.to_string());
                Err(errors)
            }
            _ => Err(errors),
        }
    }
}

/// A certificate filed against a work order: a gas safety record, an EICR, a completion
/// certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewCertificate {
    pub kind: CertificateKind,
    /// Who issued it: the contractor, or a certification body.
    pub body: String,
    pub registration: String,
    pub issued_on: Date,
    pub expires_on: Option<Date>,
}

impl NewCertificate {
    pub fn validate(
        kind: CertificateKind,
        body: &str,
        registration: &str,
        issued_on: Date,
        expires_on: Option<Date>,
    ) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let body = required_text(&mut errors, "body", "who issued the certificate", body, 150);
        let registration = optional_text(
            &mut errors,
            "registration",
            "the registration number",
            registration,
            60,
        );
        if expires_on.is_some_and(|e| e <= issued_on) {
            errors.add(
                "expires_on",
                "The certificate must expire after it was issued",
            );
        }
        errors.into_result(NewCertificate {
            kind,
            body,
            registration,
            issued_on,
            expires_on,
        })
    }
}

/// A new work order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewWorkOrder {
    pub title: String,
    pub scope: String,
    pub service_category: ServiceCategory,
    pub priority: super::Priority,
    pub deadline: Option<Date>,
}

impl NewWorkOrder {
    pub fn validate(
        title: &str,
        scope: &str,
        category: &str,
        priority: &str,
        deadline: Option<Date>,
        today: Date,
    ) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let title = required_text(&mut errors, "title", "a title", title, 150);
        let scope = required_text(&mut errors, "scope", "the scope of works", scope, 10_000);
        let service_category = ServiceCategory::from_code(category);
        if service_category.is_none() {
            errors.add("service_category", "Choose a service category");
        }
        let priority = super::Priority::from_code(priority);
        if priority.is_none() {
            errors.add("priority", "Choose a priority");
        }
        if deadline.is_some_and(|d| d < today) {
            errors.add("deadline", "The deadline must be today or in the future");
        }
        match (service_category, priority) {
            (Some(service_category), Some(priority)) => errors.into_result(NewWorkOrder {
                title,
                scope,
                service_category,
                priority,
                deadline,
            }),
            _ => Err(errors),
        }
    }
}

/// A notice (announcement) to residents.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewNotice {
    pub title: String,
    pub body: String,
    pub publish_on: Date,
    pub expires_on: Option<Date>,
    pub urgent: bool,
}

impl NewNotice {
    pub fn validate(
        title: &str,
        body: &str,
        publish_on: Date,
        expires_on: Option<Date>,
        urgent: bool,
    ) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let title = required_text(&mut errors, "title", "a title", title, 150);
        let body = required_text(&mut errors, "body", "the notice", body, 20_000);
        if expires_on.is_some_and(|e| e <= publish_on) {
            errors.add("expires_on", "The notice must expire after it is published");
        }
        errors.into_result(NewNotice {
            title,
            body,
            publish_on,
            expires_on,
            urgent,
        })
    }
}

/// A document's title and file name.
pub fn validate_document(
    title: &str,
    filename: &str,
) -> Result<(String, String), ValidationErrors> {
    let mut errors = ValidationErrors::default();
    let title = required_text(&mut errors, "title", "a title", title, 150);
    let filename = optional_text(&mut errors, "filename", "the file name", filename, 200);
    if filename.contains(['/', '\\']) || filename.chars().any(char::is_control) {
        errors.add(
            "filename",
            "The file name cannot contain slashes or control characters",
        );
    }
    errors.into_result((title, filename))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn invoice_line_vat() {
        let line = InvoiceLine::validate("Plumbing", "180.00", VatRate::Standard).unwrap();
        assert_eq!(line.vat, Money::from_pence(3_600));
        let exempt = InvoiceLine::validate("Service charge", "£450", VatRate::Exempt).unwrap();
        let (net, vat, gross) = invoice_totals(&[line, exempt]).unwrap();
        assert_eq!(
            (net.pence(), vat.pence(), gross.pence()),
            (63_000, 3_600, 66_600)
        );
        assert!(InvoiceLine::validate("x", "0", VatRate::Exempt).is_err());
        assert!(InvoiceLine::validate("x", "1.001", VatRate::Exempt).is_err());
    }

    #[test]
    fn cover_reminders_start_sixty_days_out() {
        let today = date!(2026 - 05 - 10);
        assert_eq!(
            cover_status(date!(2026 - 05 - 09), today),
            CoverStatus::Lapsed
        );
        assert_eq!(
            cover_status(date!(2026 - 07 - 09), today),
            CoverStatus::ExpiringSoon
        );
        assert_eq!(
            cover_status(date!(2026 - 07 - 10), today),
            CoverStatus::Valid
        );
    }

    #[test]
    fn quotes_must_be_above_nothing() {
        assert!(NewQuote::validate(QuoteKind::FixedPrice, "0", VatRate::Standard, "").is_err());
        assert!(NewQuote::validate(QuoteKind::FixedPrice, "-5", VatRate::Standard, "").is_err());
        let q = NewQuote::validate(QuoteKind::FixedPrice, "180", VatRate::Standard, "").unwrap();
        assert_eq!(q.vat, Money::from_pence(3_600));
    }

    #[test]
    fn certificates_expire_after_they_are_issued() {
        let issued = date!(2026 - 05 - 10);
        assert!(
            NewCertificate::validate(
                CertificateKind::GasSafe,
                "Acme Gas",
                "GS1",
                issued,
                Some(issued)
            )
            .is_err()
        );
        assert!(
            NewCertificate::validate(CertificateKind::GasSafe, "", "GS1", issued, None).is_err()
        );
        assert!(
            NewCertificate::validate(
                CertificateKind::GasSafe,
                "Acme Gas",
                "GS1",
                issued,
                Some(date!(2027 - 05 - 10))
            )
            .is_ok()
        );
    }

    #[test]
    fn cover_without_liability_insurance_is_lapsed() {
        let today = date!(2026 - 05 - 10);
        assert_eq!(
            contractor_cover(false, Some(date!(2030 - 01 - 01)), today),
            CoverStatus::Lapsed
        );
        assert_eq!(contractor_cover(true, None, today), CoverStatus::Lapsed);
        assert_eq!(
            contractor_cover(true, Some(date!(2026 - 06 - 01)), today),
            CoverStatus::ExpiringSoon
        );
        assert_eq!(
            contractor_cover(true, Some(date!(2030 - 01 - 01)), today),
            CoverStatus::Valid
        );
    }

    #[test]
    fn arrears_buckets() {
        assert_eq!(arrears_bucket(0), "0–30 days");
        assert_eq!(arrears_bucket(31), "31–60 days");
        assert_eq!(arrears_bucket(181), "180+ days");
    }

    #[test]
    fn notices_expire_after_publishing() {
        assert!(
            NewNotice::validate(
                "Lift",
                "Out of order",
                date!(2026 - 05 - 10),
                Some(date!(2026 - 05 - 10)),
                false
            )
            .is_err()
        );
    }
}
