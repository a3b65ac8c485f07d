//! Arrears: what each leaseholder owes on each unit past its due date, by how long overdue.

use proplink_shared::{ContactId, Money, Scope, SiteId, UnitId};
use time::{Date, Duration};

use super::finance::OPEN;
use super::query::{Key, Keyed, ListQuery, Order, Page, PageAt, ScopeColumns};
use super::{Conn, DbResult};
use crate::read_model;

/// Money overdue in each age bucket: 0–30, 31–60, 61–90, 91–180 and over 180 days.
pub const BUCKETS: [&str; 5] = [
    "0–30 days",
    "31–60 days",
    "61–90 days",
    "91–180 days",
    "Over 180 days",
];

read_model! {
    /// One leaseholder's arrears on one unit.
    pub struct Arrears {
        pub unit_id: UnitId = "a.unit_id",
        pub unit_name: String = "u.name",
        pub site_id: SiteId = "a.site_id",
        pub contact_id: ContactId = "a.contact_id",
        pub contact_name: String = "c.first_name || ' ' || c.last_name",
        pub oldest_due: Date = "a.oldest_due",
        pub days_0_30: Money = "a.b0",
        pub days_31_60: Money = "a.b1",
        pub days_61_90: Money = "a.b2",
        pub days_91_180: Money = "a.b3",
        pub over_180: Money = "a.b4",
        pub total: Money = "a.total",
    }
}

impl Arrears {
    #[must_use]
    pub fn buckets(&self) -> [Money; 5] {
        [
            self.days_0_30,
            self.days_31_60,
            self.days_61_90,
            self.days_91_180,
            self.over_180,
        ]
    }
}

impl Keyed for Arrears {
    fn key(&self) -> Vec<Key> {
        vec![
            Key::Int(self.total.pence()),
            Key::Text(self.unit_id.to_string()),
            Key::Text(self.contact_id.to_string()),
        ]
    }
}

const SCOPE: ScopeColumns = ScopeColumns {
    site: Some("a.site_id"),
    unit: Some("a.unit_id"),
    contact: Some("a.contact_id"),
    work_order: None,
    building: None,
    audience: None,
    followed_by: None,
};

/// Overdue invoices summed per unit and contact into the buckets, as of `today`. The dates are
/// ours (never typed by a person), so they are written into the grouping as literals, which
/// leaves the organisation and scope conditions on the grouped columns where both databases
/// push them down into the grouping.
fn query(scope: &Scope, site: Option<SiteId>, today: Date) -> ListQuery {
    let day = |n: i64| format!("'{}'", super::date_text(today - Duration::days(n)));
    let owed = "i.total - i.paid";
    // The money of invoices overdue by more than `after` days and at most `upto` days
    // (days overdue = today − due date).
    let bucket = |after: i64, upto: Option<i64>| {
        let older = upto.map_or(String::new(), |u| format!(" AND i.due_date >= {}", day(u)));
        format!(
            "CAST(COALESCE(SUM(CASE WHEN i.due_date < {}{older} THEN {owed} ELSE 0 END), 0) AS BIGINT)",
            day(after)
        )
    };
    let from = format!(
        "FROM (SELECT i.organisation_id, i.unit_id, i.site_id, i.contact_id, MIN(i.due_date) AS oldest_due, \
           {} AS b0, {} AS b1, {} AS b2, {} AS b3, {} AS b4, CAST(SUM({owed}) AS BIGINT) AS total \
           FROM invoices i WHERE i.status IN {OPEN} AND i.paid < i.total AND i.due_date < {} \
           GROUP BY i.organisation_id, i.unit_id, i.site_id, i.contact_id) a \
         JOIN units u ON u.organisation_id = a.organisation_id AND u.id = a.unit_id \
         JOIN contacts c ON c.organisation_id = a.organisation_id AND c.id = a.contact_id",
        bucket(0, Some(30)),
        bucket(30, Some(60)),
        bucket(60, Some(90)),
        bucket(90, Some(180)),
        bucket(180, None),
        day(0),
    );
    let mut q = ListQuery::new(from, scope, "a.organisation_id", &SCOPE);
    q.equals("a.site_id", site);
    q
}

/// A page of arrears, largest first.
pub async fn arrears(
    conn: &mut Conn,
    scope: &Scope,
    site: Option<SiteId>,
    today: Date,
    at: &PageAt,
    size: i64,
) -> DbResult<Page<Arrears>> {
    query(scope, site, today)
        .page(
            conn,
            Arrears::COLUMNS,
            &Order {
                columns: &["a.total", "a.unit_id", "a.contact_id"],
                descending: true,
            },
            at,
            size,
        )
        .await
}

/// The totals of every bucket and of all, over every page.
pub async fn totals(
    conn: &mut Conn,
    scope: &Scope,
    site: Option<SiteId>,
    today: Date,
) -> DbResult<(i64, [Money; 5], Money)> {
    let (count, b0, b1, b2, b3, b4, total): (i64, Money, Money, Money, Money, Money, Money) =
        query(scope, site, today)
            .one(
                conn,
                "COUNT(*), CAST(COALESCE(SUM(a.b0), 0) AS BIGINT), CAST(COALESCE(SUM(a.b1), 0) AS BIGINT), \
                 CAST(COALESCE(SUM(a.b2), 0) AS BIGINT), CAST(COALESCE(SUM(a.b3), 0) AS BIGINT), \
                 CAST(COALESCE(SUM(a.b4), 0) AS BIGINT), CAST(COALESCE(SUM(a.total), 0) AS BIGINT)",
            )
            .await?;
    Ok((count, [b0, b1, b2, b3, b4], total))
}
