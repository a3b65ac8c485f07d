//! The demo's data: the portfolio, the people, the contractors, and what the years brought
//! (requests, issues, repairs). `proplink demo` reads these tables; nothing here does anything.

use proplink_shared::records::ServiceCategory;

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

/// The tenant the demo's printout names, renting flat 8 of the first site.
pub const NAMED_TENANT: (usize, i64, &str, &str) = (0, 8, "Tomasz", "Nowak");

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
