//! The demo's data: the portfolio, the people, the contractors, and the last weeks' story as
//! a list of acts. `proplink demo` reads these tables; nothing here does anything.

use proplink_shared::records::{CertificateKind, QuoteKind, ServiceCategory};
use proplink_shared::states::{IssueStatus, TicketStatus};

/// A site with its one building and its flats.
pub struct SiteSpec {
    pub reference: &'static str,
    pub name: &'static str,
    pub address: &'static str,
    pub building: &'static str,
    pub height_decimetres: Option<i64>,
    pub storeys: Option<i64>,
    pub flats: i64,
    /// The quarterly service charge of each flat, in pence.
    pub quarterly: i64,
    /// The BSR registration if it is a higher-risk building.
    pub bsr: &'static str,
}

pub const SITES: &[SiteSpec] = &[
    SiteSpec {
        reference: "ACM01",
        name: "Riverside Court",
        address: "1–24 Riverside Court, Wandsworth, London SW18 1TQ",
        building: "Riverside Court",
        height_decimetres: None,
        storeys: Some(4),
        flats: 24,
        quarterly: 45_000,
        bsr: "",
    },
    SiteSpec {
        reference: "ACM02",
        name: "Maple Gardens",
        address: "Maple House, 2 Maple Gardens, Reading RG1 3BE",
        building: "Maple House",
        height_decimetres: None,
        storeys: Some(5),
        flats: 16,
        quarterly: 38_000,
        bsr: "",
    },
    SiteSpec {
        reference: "ACM03",
        name: "Harbour Point",
        address: "Harbour Point Tower, 9 Quay Street, Manchester M3 3JE",
        building: "Harbour Point Tower",
        height_decimetres: Some(214),
        storeys: Some(8),
        flats: 24,
        quarterly: 62_000,
        bsr: "HRB-2023-118842",
    },
];

/// Leaseholders the story names, by site and flat; everyone else is drawn from the name lists.
pub const NAMED_RESIDENTS: &[(usize, i64, &str, &str, &str)] = &[
    (2, 12, "Mrs", "Sana", "Khan"),
    (0, 5, "Mr", "Ravi", "Patel"),
];

pub const FIRST: &[&str] = &[
    "Amelia", "Oliver", "Isla", "George", "Ava", "Noah", "Mia", "Arthur", "Grace", "Leo", "Sophia",
    "Harry", "Lily", "Oscar", "Freya", "Jack", "Ella", "Charlie", "Ivy", "Thomas", "Zara", "Rohan",
    "Aisha", "Kwame", "Mei", "Tomasz", "Niamh", "Callum",
];
pub const LAST: &[&str] = &[
    "Patel", "Smith", "Jones", "Williams", "Brown", "Taylor", "Davies", "Evans", "Wilson",
    "Thomas", "Johnson", "Roberts", "Walker", "Wright", "Robinson", "Thompson", "White", "Hughes",
    "Edwards", "Green", "Hall", "Wood", "Harris", "Lewis", "Martin", "Jackson", "Clarke", "Okafor",
    "Nowak", "Chen", "Murphy", "Begum",
];
pub const TITLES: &[&str] = &["Mr", "Mrs", "Ms", "Dr", "Mx"];

/// The people of the office and the sites.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Who {
    /// Mark Manager, in the admin app.
    Mark,
    /// Sam Singh, site manager of the first two sites, on Facility Report.
    Sam,
    /// Hannah Hughes, site manager of the third, on Facility Report.
    Hannah,
    /// The leaseholder of flat `n` of site `s`, on ResidencePort.
    Resident(usize, i64),
}

pub struct VendorSpec {
    pub name: &'static str,
    pub email: &'static str,
    pub category: ServiceCategory,
    /// Days until their public liability insurance expires (negative: lapsed).
    pub cover_days: i64,
}

pub const VENDORS: &[VendorSpec] = &[
    VendorSpec {
        name: "Pipeworks Plumbing Ltd",
        email: "jobs@pipeworks.example",
        category: ServiceCategory::Plumbing,
        cover_days: 300,
    },
    VendorSpec {
        name: "Skyline Lifts Ltd",
        email: "service@skylinelifts.example",
        category: ServiceCategory::Lifts,
        cover_days: 40,
    },
    VendorSpec {
        name: "Spark Electrical Services",
        email: "office@sparkelectrical.example",
        category: ServiceCategory::Electrical,
        cover_days: 250,
    },
    VendorSpec {
        name: "Firewatch Safety Systems",
        email: "bookings@firewatch.example",
        category: ServiceCategory::FireSafety,
        cover_days: 200,
    },
    VendorSpec {
        name: "Greenleaf Grounds",
        email: "hello@greenleaf.example",
        category: ServiceCategory::Grounds,
        cover_days: -20,
    },
    VendorSpec {
        name: "Brightside Decorators",
        email: "quotes@brightside.example",
        category: ServiceCategory::General,
        cover_days: 365,
    },
    VendorSpec {
        name: "Topline Roofing",
        email: "info@toplineroofing.example",
        category: ServiceCategory::Roofing,
        cover_days: 180,
    },
];

/// One step of the last weeks' story. Records are named by a key so later acts can refer
/// to them.
pub enum Act {
    Wait(i64),
    Raise {
        key: &'static str,
        site: usize,
        flat: Option<i64>,
        by: Who,
        assignee: Option<Who>,
        subject: &'static str,
        body: &'static str,
        category: &'static str,
        priority: &'static str,
    },
    Reply {
        key: &'static str,
        by: Who,
        text: &'static str,
    },
    Note {
        key: &'static str,
        by: Who,
        text: &'static str,
    },
    Move {
        key: &'static str,
        by: Who,
        to: TicketStatus,
    },
    LogIssue {
        key: &'static str,
        site: usize,
        by: Who,
        ticket: Option<&'static str>,
        title: &'static str,
        description: &'static str,
        location: &'static str,
        category: &'static str,
        priority: &'static str,
    },
    MoveIssue {
        key: &'static str,
        by: Who,
        to: IssueStatus,
        reason: Option<&'static str>,
    },
    WorkOrder {
        key: &'static str,
        site: usize,
        ticket: Option<&'static str>,
        issues: &'static [&'static str],
        flat: Option<i64>,
        title: &'static str,
        scope: &'static str,
        category: &'static str,
        priority: &'static str,
        deadline_days: i64,
    },
    Invite {
        key: &'static str,
        vendor: usize,
    },
    Quote {
        key: &'static str,
        vendor: usize,
        kind: QuoteKind,
        net: &'static str,
        notes: &'static str,
    },
    Award {
        key: &'static str,
        vendor: usize,
    },
    Progress {
        key: &'static str,
        vendor: usize,
        note: &'static str,
    },
    Certificate {
        key: &'static str,
        vendor: usize,
        kind: CertificateKind,
        registration: &'static str,
    },
    Complete {
        key: &'static str,
        vendor: usize,
    },
    Close {
        key: &'static str,
    },
    Cancel {
        key: &'static str,
    },
    Notice {
        site: Option<usize>,
        title: &'static str,
        body: &'static str,
        days: i64,
        urgent: bool,
    },
}

use Act::*;
use Who::*;

/// The last three weeks at Acme, in order.
pub const STORY: &[Act] = &[
    // A request dealt with end to end: the golden path.
    Raise {
        key: "leak",
        site: 2,
        flat: Some(12),
        by: Resident(2, 12),
        assignee: Some(Hannah),
        subject: "Water leaking from ceiling",
        body: "Water is coming through the bathroom ceiling from the flat above. It started this morning and is getting worse.",
        category: "maintenance",
        priority: "high",
    },
    Wait(1),
    Reply {
        key: "leak",
        by: Hannah,
        text: "Thank you Mrs Khan. I am on site this afternoon and will come up to look at it.",
    },
    Wait(2),
    LogIssue {
        key: "leak-issue",
        site: 2,
        by: Hannah,
        ticket: Some("leak"),
        title: "Leak through bathroom ceiling, Flat 12",
        description: "Failed waste pipe joint in the riser between floors 4 and 5.",
        location: "Floor 4, riser cupboard outside Flat 12",
        category: "water_leak",
        priority: "high",
    },
    Note {
        key: "leak",
        by: Hannah,
        text: "Riser isolated; needs a plumber to replace the joint.",
    },
    Wait(1),
    WorkOrder {
        key: "leak-wo",
        site: 2,
        ticket: Some("leak"),
        issues: &["leak-issue"],
        flat: Some(12),
        title: "Replace failed waste pipe joint in riser",
        scope: "Replace the failed joint on the soil stack in the riser outside Flat 12, test, and make good the ceiling access panel.",
        category: "plumbing",
        priority: "high",
        deadline_days: 7,
    },
    Invite {
        key: "leak-wo",
        vendor: 0,
    },
    Wait(3),
    Quote {
        key: "leak-wo",
        vendor: 0,
        kind: QuoteKind::FixedPrice,
        net: "180.00",
        notes: "Includes parts. Access via riser cupboard.",
    },
    Wait(1),
    Award {
        key: "leak-wo",
        vendor: 0,
    },
    Wait(16),
    Progress {
        key: "leak-wo",
        vendor: 0,
        note: "Started: on site, riser isolated.",
    },
    Wait(3),
    Certificate {
        key: "leak-wo",
        vendor: 0,
        kind: CertificateKind::Completion,
        registration: "PW-2026-3341",
    },
    Complete {
        key: "leak-wo",
        vendor: 0,
    },
    Wait(1),
    Reply {
        key: "leak",
        by: Resident(2, 12),
        text: "Thank you, all dry now.",
    },
    Wait(2),
    Close { key: "leak-wo" },
    // Open requests in different states.
    Wait(20),
    Raise {
        key: "lift",
        site: 1,
        flat: None,
        by: Mark,
        assignee: Some(Sam),
        subject: "Lift out of service",
        body: "Residents report the lift is stuck on floor 2 with the doors open.",
        category: "maintenance",
        priority: "urgent",
    },
    Note {
        key: "lift",
        by: Sam,
        text: "Lift isolated and signage up. Engineer requested.",
    },
    Wait(5),
    Raise {
        key: "noise",
        site: 0,
        flat: Some(5),
        by: Resident(0, 5),
        assignee: Some(Mark),
        subject: "Loud music late at night",
        body: "The flat below plays loud music after midnight most weekends.",
        category: "antisocial_behaviour",
        priority: "medium",
    },
    Wait(2),
    Move {
        key: "noise",
        by: Mark,
        to: TicketStatus::InProgress,
    },
    Reply {
        key: "noise",
        by: Mark,
        text: "Thank you Mr Patel. We have written to the occupier and will follow up.",
    },
    Wait(6),
    Raise {
        key: "charge",
        site: 2,
        flat: Some(7),
        by: Resident(2, 7),
        assignee: None,
        subject: "Question about my service charge",
        body: "Why did my quarterly charge go up this year?",
        category: "account",
        priority: "low",
    },
    Wait(3),
    Reply {
        key: "charge",
        by: Mark,
        text: "The increase follows the budget approved at the AGM. Could you confirm which quarter you mean?",
    },
    Move {
        key: "charge",
        by: Mark,
        to: TicketStatus::WaitingOnCustomer,
    },
    Wait(4),
    Raise {
        key: "bins",
        site: 0,
        flat: Some(4),
        by: Resident(0, 4),
        assignee: Some(Sam),
        subject: "Bin store door does not close",
        body: "The bin store door is broken and foxes are getting in.",
        category: "maintenance",
        priority: "medium",
    },
    // Issues from site walks.
    Wait(5),
    LogIssue {
        key: "lights",
        site: 0,
        by: Sam,
        ticket: None,
        title: "Corridor light out",
        description: "Two bulkhead fittings not working.",
        location: "Floor 3 corridor, east end",
        category: "lighting_fault",
        priority: "medium",
    },
    Wait(1),
    LogIssue {
        key: "fire-door",
        site: 2,
        by: Hannah,
        ticket: None,
        title: "Fire door wedged open",
        description: "Fire door on the stair core held open with a wedge.",
        location: "Floor 6, stair core B",
        category: "fire_safety",
        priority: "high",
    },
    MoveIssue {
        key: "fire-door",
        by: Mark,
        to: IssueStatus::Triaged,
        reason: None,
    },
    Wait(2),
    LogIssue {
        key: "graffiti",
        site: 1,
        by: Sam,
        ticket: None,
        title: "Graffiti in bin store",
        description: "",
        location: "Bin store, rear of Maple House",
        category: "cleanliness",
        priority: "low",
    },
    MoveIssue {
        key: "graffiti",
        by: Mark,
        to: IssueStatus::Dismissed,
        reason: Some("Removed by the cleaners on their weekly visit."),
    },
    // Work orders in every state.
    Wait(3),
    WorkOrder {
        key: "alarm",
        site: 2,
        ticket: None,
        issues: &[],
        flat: None,
        title: "Annual fire alarm service",
        scope: "Service and test the fire alarm system (BS 5839-1) and issue a certificate.",
        category: "fire_safety",
        priority: "medium",
        deadline_days: 30,
    },
    WorkOrder {
        key: "lift-wo",
        site: 1,
        ticket: Some("lift"),
        issues: &[],
        flat: None,
        title: "Lift repair",
        scope: "Attend to the lift stuck on floor 2; diagnose and repair.",
        category: "lifts",
        priority: "urgent",
        deadline_days: 3,
    },
    Invite {
        key: "lift-wo",
        vendor: 1,
    },
    Wait(2),
    WorkOrder {
        key: "gutters",
        site: 0,
        ticket: None,
        issues: &[],
        flat: None,
        title: "Gutter clearance",
        scope: "Clear all gutters and downpipes; report defects with photos.",
        category: "roofing",
        priority: "low",
        deadline_days: 30,
    },
    Invite {
        key: "gutters",
        vendor: 6,
    },
    Invite {
        key: "gutters",
        vendor: 5,
    },
    Wait(20),
    Quote {
        key: "gutters",
        vendor: 6,
        kind: QuoteKind::FixedPrice,
        net: "640.00",
        notes: "Cherry picker included.",
    },
    Wait(3),
    Quote {
        key: "gutters",
        vendor: 5,
        kind: QuoteKind::DayRate,
        net: "420.00",
        notes: "Two days at £210.",
    },
    Wait(2),
    WorkOrder {
        key: "decorating",
        site: 1,
        ticket: None,
        issues: &[],
        flat: None,
        title: "Communal redecoration",
        scope: "Redecorate the entrance hall and stairwell.",
        category: "general",
        priority: "low",
        deadline_days: 30,
    },
    Invite {
        key: "decorating",
        vendor: 5,
    },
    Quote {
        key: "decorating",
        vendor: 5,
        kind: QuoteKind::FixedPrice,
        net: "2850.00",
        notes: "",
    },
    Wait(4),
    Award {
        key: "decorating",
        vendor: 5,
    },
    Wait(2),
    WorkOrder {
        key: "door-entry",
        site: 0,
        ticket: None,
        issues: &[],
        flat: None,
        title: "Door entry system repair",
        scope: "Handset in Flat 9 not releasing the main door; check the panel.",
        category: "electrical",
        priority: "medium",
        deadline_days: 30,
    },
    Invite {
        key: "door-entry",
        vendor: 2,
    },
    Quote {
        key: "door-entry",
        vendor: 2,
        kind: QuoteKind::FixedPrice,
        net: "245.00",
        notes: "",
    },
    Wait(3),
    Award {
        key: "door-entry",
        vendor: 2,
    },
    Wait(18),
    Progress {
        key: "door-entry",
        vendor: 2,
        note: "Materials ordered: replacement door release relay.",
    },
    Wait(2),
    WorkOrder {
        key: "eicr",
        site: 2,
        ticket: None,
        issues: &[],
        flat: None,
        title: "Landlord's supply EICR",
        scope: "Five-yearly electrical installation condition report for the landlord's supply.",
        category: "electrical",
        priority: "low",
        deadline_days: 60,
    },
    Cancel { key: "eicr" },
    // Notices.
    Wait(2),
    Notice {
        site: None,
        title: "Office closed over Christmas",
        body: "Our office is closed from 24 December to 2 January. For emergencies call 0161 496 0999.",
        days: 45,
        urgent: false,
    },
    Notice {
        site: Some(1),
        title: "Lift out of service",
        body: "The lift is out of service while an engineer repairs it. We are sorry for the inconvenience.",
        days: 14,
        urgent: true,
    },
    Notice {
        site: Some(2),
        title: "Fire door inspections",
        body: "Our fire safety contractor will inspect flat entrance doors next week. Please allow access.",
        days: 21,
        urgent: false,
    },
];

/// What residents ask about over the years, for the history of closed requests.
pub const PAST_REQUESTS: &[(&str, &str, &str, &str)] = &[
    (
        "Dripping tap in the communal kitchen",
        "The tap in the ground-floor kitchen drips constantly.",
        "maintenance",
        "low",
    ),
    (
        "Parking bay taken by a visitor",
        "A car without a permit has been in my bay for three days.",
        "complaint",
        "medium",
    ),
    (
        "Copy of my lease",
        "Could you send me a copy of my lease, please?",
        "query",
        "low",
    ),
    (
        "Stairwell light flickering",
        "The light on the second-floor landing flickers all evening.",
        "maintenance",
        "medium",
    ),
    (
        "Buildings insurance for my mortgage",
        "My lender needs the buildings insurance certificate.",
        "insurance",
        "low",
    ),
    (
        "Damp patch on bedroom wall",
        "A damp patch has appeared on the outside wall of my bedroom.",
        "maintenance",
        "high",
    ),
    (
        "Direct Debit date",
        "Can I change the date my Direct Debit is taken?",
        "account",
        "low",
    ),
    (
        "Entry phone not working",
        "Visitors cannot buzz my flat from the main door.",
        "maintenance",
        "medium",
    ),
];

/// What site walks find over the years, for the history of resolved issues.
pub const PAST_ISSUES: &[(&str, &str, &str, &str)] = &[
    (
        "Blocked gully by the entrance",
        "Main entrance, front path",
        "water_leak",
        "medium",
    ),
    (
        "Emergency light failed its test",
        "Ground floor lobby",
        "fire_safety",
        "high",
    ),
    ("Fly-tipping by the bins", "Bin store", "cleanliness", "low"),
    ("Broken door closer", "Rear fire exit", "security", "medium"),
    (
        "Bulb out in the car park",
        "Car park, bay 14",
        "lighting_fault",
        "low",
    ),
];

/// The repairs the years brought, for the history of closed work orders: (title, category, vendor, net).
pub const PAST_REPAIRS: &[(&str, &str, usize, &str)] = &[
    ("Repair leaking overflow pipe", "plumbing", 0, "145.00"),
    ("Replace lift door sensor", "lifts", 1, "380.00"),
    ("Replace communal light fittings", "electrical", 2, "520.00"),
    ("Service dry riser", "fire_safety", 3, "260.00"),
    ("Repaint railings", "general", 5, "890.00"),
    ("Replace slipped roof tiles", "roofing", 6, "310.00"),
];
