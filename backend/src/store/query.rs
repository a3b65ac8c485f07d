//! Lists: the actor's scope and a person's filters put into the `WHERE` clause, and pages
//! taken by keyset on a stable order, so page five costs what page one costs and no row is
//! skipped or shown twice when rows arrive in between.

use std::borrow::Cow;
use std::fmt::Write as _;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use proplink_shared::{Filter, OrgId, Scope};
use serde::{Deserialize, Serialize};

use super::sql::{FromRow, ToValue, Value};
use super::{Conn, DbResult};

/// The columns of a list's records that a scope can constrain; `None` where the record has no
/// such field (a vendor has no site: it is organisation-wide).
#[derive(Clone, Copy, Debug, Default)]
pub struct ScopeColumns {
    pub site: Option<&'static str>,
    pub unit: Option<&'static str>,
    pub contact: Option<&'static str>,
    pub work_order: Option<&'static str>,
    pub building: Option<&'static str>,
    pub audience: Option<&'static str>,
    /// For records people add themselves to: the start of a condition on one of them, closed
    /// by the contact's placeholder and `)`.
    pub followed_by: Option<&'static str>,
}

/// Parameters gathered while a query is built.
#[derive(Default)]
pub struct Params(Vec<Value<'static>>);

impl Params {
    /// Adds a parameter; returns its placeholder.
    pub fn push(&mut self, value: &impl ToValue) -> String {
        self.0.push(owned(value.to_value()));
        format!("${}", self.0.len())
    }

    #[must_use]
    pub fn values(&self) -> &[Value<'static>] {
        &self.0
    }
}

fn owned(v: Value<'_>) -> Value<'static> {
    match v {
        Value::Null => Value::Null,
        Value::Int(i) => Value::Int(i),
        Value::Bool(b) => Value::Bool(b),
        Value::Text(t) => Value::Text(Cow::Owned(t.into_owned())),
        Value::Blob(b) => Value::Blob(Cow::Owned(b.into_owned())),
    }
}

/// `scope` as SQL over `columns`.
pub fn scope_sql(filter: &Filter, columns: &ScopeColumns, params: &mut Params) -> String {
    let within = |column: Option<&str>, ids: Vec<String>, params: &mut Params| match column {
        Some(column) if !ids.is_empty() => {
            let list: Vec<String> = ids.iter().map(|id| params.push(id)).collect();
            format!("{column} IN ({})", list.join(", "))
        }
        _ => "FALSE".into(),
    };
    let equals = |column: Option<&str>, value: String, params: &mut Params| match column {
        Some(column) => format!("{column} = {}", params.push(&value)),
        None => "FALSE".into(),
    };
    let absent = |column: Option<&str>| match column {
        Some(column) => format!("{column} IS NULL"),
        None => "TRUE".into(),
    };
    let ids = |set: &mut dyn Iterator<Item = String>| set.collect::<Vec<_>>();
    match filter {
        Filter::Everything => "TRUE".into(),
        Filter::Nothing => "FALSE".into(),
        Filter::SiteIn(s) => within(
            columns.site,
            ids(&mut s.iter().map(ToString::to_string)),
            params,
        ),
        Filter::NoSite => absent(columns.site),
        Filter::UnitIn(u) => within(
            columns.unit,
            ids(&mut u.iter().map(ToString::to_string)),
            params,
        ),
        Filter::NoUnit => absent(columns.unit),
        Filter::ContactIs(c) => equals(columns.contact, c.to_string(), params),
        Filter::FollowedBy(c) => match columns.followed_by {
            Some(condition) => format!("{condition}{})", params.push(&c.to_string())),
            None => "FALSE".into(),
        },
        Filter::NoBuilding => absent(columns.building),
        Filter::WorkOrderIs(w) => equals(columns.work_order, w.to_string(), params),
        Filter::BuildingIn(b) => within(
            columns.building,
            ids(&mut b.iter().map(ToString::to_string)),
            params,
        ),
        Filter::AudienceIs(a) => equals(columns.audience, a.code().to_owned(), params),
        Filter::All(all) if all.is_empty() => "TRUE".into(),
        Filter::Any(any) if any.is_empty() => "FALSE".into(),
        Filter::All(all) => join(all, " AND ", columns, params),
        Filter::Any(any) => join(any, " OR ", columns, params),
    }
}

fn join(filters: &[Filter], op: &str, columns: &ScopeColumns, params: &mut Params) -> String {
    let parts: Vec<String> = filters
        .iter()
        .map(|f| scope_sql(f, columns, params))
        .collect();
    format!("({})", parts.join(op))
}

/// A position in a list: the sort key of the row next to it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Key {
    Int(i64),
    Text(String),
}

impl Key {
    fn value(&self) -> Value<'_> {
        match self {
            Key::Int(i) => Value::Int(*i),
            Key::Text(t) => Value::Text(Cow::Borrowed(t)),
        }
    }
}

impl ToValue for Key {
    fn to_value(&self) -> Value<'_> {
        self.value()
    }
}

/// An opaque page position as it travels in a link.
#[must_use]
pub fn encode_cursor(key: &[Key]) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(key).unwrap_or_default())
}

/// A cursor from a link; `None` if it was not made by [`encode_cursor`] for this order.
#[must_use]
pub fn decode_cursor(text: &str, arity: usize) -> Option<Vec<Key>> {
    let bytes = URL_SAFE_NO_PAD.decode(text.trim()).ok()?;
    let key: Vec<Key> = serde_json::from_slice(&bytes).ok()?;
    (key.len() == arity).then_some(key)
}

/// A record that knows its place in its list's order.
pub trait Keyed {
    fn key(&self) -> Vec<Key>;
}

/// Which page to show.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum PageAt {
    #[default]
    First,
    /// The page after the row with this key.
    After(Vec<Key>),
    /// The page before the row with this key.
    Before(Vec<Key>),
}

/// One page of a list, with the cursors of its neighbours.
#[derive(Clone, Debug, PartialEq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next: Option<String>,
    pub previous: Option<String>,
}

impl<T> Page<T> {
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            next: self.next,
            previous: self.previous,
        }
    }
}

/// `column IN ('a', 'b')` for the codes of `states` that are (`open`) or are not terminal.
/// Stated as the states a record may be in, not as those it may not, so an index on the
/// status column serves the query.
pub fn status_condition<S: Copy>(
    column: &str,
    states: &[S],
    open: bool,
    is_terminal: impl Fn(S) -> bool,
    code: impl Fn(S) -> &'static str,
) -> String {
    let codes: Vec<String> = states
        .iter()
        .copied()
        .filter(|s| is_terminal(*s) != open)
        .map(|s| format!("'{}'", code(s)))
        .collect();
    if codes.is_empty() {
        "FALSE".into()
    } else {
        format!("{column} IN ({})", codes.join(", "))
    }
}

/// How a list is ordered: its key columns, all ascending or all descending.
pub struct Order {
    pub columns: &'static [&'static str],
    pub descending: bool,
}

/// A list query being built: `SELECT … FROM …` plus conditions.
pub struct ListQuery {
    from: String,
    conditions: Vec<String>,
    pub params: Params,
}

impl ListQuery {
    /// Rows of `from` (a `SELECT … FROM … JOIN …` without `WHERE`) in the organisation and
    /// scope.
    pub fn new(from: String, scope: &Scope, org_column: &str, columns: &ScopeColumns) -> Self {
        let mut q = ListQuery {
            from,
            conditions: Vec::new(),
            params: Params::default(),
        };
        let org = q.params.push(&scope.org);
        q.conditions.push(format!("{org_column} = {org}"));
        let scope = scope_sql(&scope.filter, columns, &mut q.params);
        if scope != "TRUE" {
            q.conditions.push(scope);
        }
        q
    }

    /// A list not limited by an actor's scope (only by organisation).
    pub fn in_org(from: String, org: OrgId, org_column: &str) -> Self {
        let mut q = ListQuery {
            from,
            conditions: Vec::new(),
            params: Params::default(),
        };
        let org = q.params.push(&org);
        q.conditions.push(format!("{org_column} = {org}"));
        q
    }

    /// `column = value` when `value` is given.
    pub fn equals<T: ToValue>(&mut self, column: &str, value: Option<T>) -> &mut Self {
        if let Some(v) = value {
            let p = self.params.push(&v);
            self.conditions.push(format!("{column} = {p}"));
        }
        self
    }

    /// A condition written with `?` where the one parameter goes.
    pub fn condition(&mut self, sql: &str, value: &impl ToValue) -> &mut Self {
        let p = self.params.push(value);
        self.conditions.push(sql.replace('?', &p));
        self
    }

    /// A condition without parameters.
    pub fn raw(&mut self, sql: &str) -> &mut Self {
        self.conditions.push(sql.to_owned());
        self
    }

    /// Rows whose `columns` contain `text`, ignoring case.
    pub fn search(&mut self, columns: &[&str], text: Option<&str>) -> &mut Self {
        let Some(text) = text.map(str::trim).filter(|t| !t.is_empty()) else {
            return self;
        };
        let mut pattern = String::from("%");
        for c in text.to_lowercase().chars() {
            if matches!(c, '%' | '_' | '\\') {
                pattern.push('\\');
            }
            pattern.push(c);
        }
        pattern.push('%');
        let p = self.params.push(&pattern);
        let any: Vec<String> = columns
            .iter()
            .map(|c| format!("LOWER({c}) LIKE {p} ESCAPE '\\'"))
            .collect();
        self.conditions.push(format!("({})", any.join(" OR ")));
        self
    }

    /// The `FROM` clause an aggregate needs: without the joins when no condition reads a
    /// joined table. The joins follow foreign keys (every inner join finds its one row), so
    /// leaving them out changes no count or sum, only its cost.
    fn aggregate_from(&self) -> &str {
        let Some(first_join) = self.from.find(" JOIN ").map(|at| {
            self.from[..at]
                .strip_suffix(" LEFT")
                .map_or(at, |base| base.len())
        }) else {
            return &self.from;
        };
        let joined: Vec<&str> = self.from[first_join..]
            .split(" JOIN ")
            .skip(1)
            .filter_map(|join| join.split_whitespace().nth(1))
            .collect();
        let reads_a_join = self.conditions.iter().any(|c| {
            joined.iter().any(|alias| {
                c.match_indices(&format!("{alias}.")).any(|(at, _)| {
                    at == 0
                        || !c.as_bytes()[at - 1].is_ascii_alphanumeric()
                            && c.as_bytes()[at - 1] != b'_'
                })
            })
        });
        if reads_a_join {
            &self.from
        } else {
            &self.from[..first_join]
        }
    }

    fn where_clause(&self) -> String {
        let mut sql = String::new();
        for (i, c) in self.conditions.iter().enumerate() {
            let _ = write!(sql, "{}{c}", if i == 0 { " WHERE " } else { " AND " });
        }
        sql
    }

    /// How many rows match.
    pub async fn count(&self, conn: &mut Conn, count: &str) -> DbResult<i64> {
        let sql = format!(
            "SELECT {count} {}{}",
            self.aggregate_from(),
            self.where_clause()
        );
        conn.scalar(&sql, self.params.values()).await
    }

    /// The one row of an aggregate over the matching rows.
    pub async fn one<T: FromRow>(&self, conn: &mut Conn, select: &str) -> DbResult<T> {
        let sql = format!(
            "SELECT {select} {}{}",
            self.aggregate_from(),
            self.where_clause()
        );
        conn.query_one(&sql, self.params.values()).await
    }

    /// All rows, in `order` (for short lists that need no pages).
    pub async fn all<T: FromRow>(
        &self,
        conn: &mut Conn,
        select: &str,
        order: &str,
    ) -> DbResult<Vec<T>> {
        let sql = format!(
            "SELECT {select} {}{} ORDER BY {order}",
            self.from,
            self.where_clause()
        );
        conn.query(&sql, self.params.values()).await
    }

    /// The first `limit` rows in `order`.
    pub async fn first<T: FromRow>(
        &self,
        conn: &mut Conn,
        select: &str,
        order: &str,
        limit: i64,
    ) -> DbResult<Vec<T>> {
        let mut params = Params(self.params.0.clone());
        let limit = params.push(&limit);
        let sql = format!(
            "SELECT {select} {}{} ORDER BY {order} LIMIT {limit}",
            self.from,
            self.where_clause()
        );
        conn.query(&sql, params.values()).await
    }

    /// One page of `size` rows in `order`, at `at`.
    pub async fn page<T: FromRow + Keyed>(
        &self,
        conn: &mut Conn,
        select: &str,
        order: &Order,
        at: &PageAt,
        size: i64,
    ) -> DbResult<Page<T>> {
        let mut params = Params(self.params.0.clone());
        let mut conditions = self.conditions.clone();
        let keys = order.columns.join(", ");
        // Walking backwards reads the order reversed, then turns the page round.
        let (from_key, backwards) = match at {
            PageAt::First => (None, false),
            PageAt::After(k) => (Some(k), false),
            PageAt::Before(k) => (Some(k), true),
        };
        if let Some(key) = from_key {
            let placeholders: Vec<String> = key.iter().map(|k| params.push(k)).collect();
            let comparison = if order.descending != backwards {
                "<"
            } else {
                ">"
            };
            conditions.push(format!(
                "({keys}) {comparison} ({})",
                placeholders.join(", ")
            ));
        }
        let direction = if order.descending != backwards {
            "DESC"
        } else {
            "ASC"
        };
        let order_by: Vec<String> = order
            .columns
            .iter()
            .map(|c| format!("{c} {direction}"))
            .collect();
        let limit = params.push(&(size + 1));
        let mut sql = format!("SELECT {select} {}", self.from);
        for (i, c) in conditions.iter().enumerate() {
            let _ = write!(sql, "{}{c}", if i == 0 { " WHERE " } else { " AND " });
        }
        let _ = write!(sql, " ORDER BY {} LIMIT {limit}", order_by.join(", "));
        let mut items: Vec<T> = conn.query(&sql, params.values()).await?;
        let more = items.len() as i64 > size;
        items.truncate(usize::try_from(size).unwrap_or(0));
        if backwards {
            items.reverse();
        }
        let (has_next, has_previous) = match at {
            PageAt::First => (more, false),
            PageAt::After(_) => (more, true),
            PageAt::Before(_) => (true, more),
        };
        Ok(Page {
            next: has_next
                .then(|| items.last().map(|i| encode_cursor(&i.key())))
                .flatten(),
            previous: has_previous
                .then(|| items.first().map(|i| encode_cursor(&i.key())))
                .flatten(),
            items,
        })
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use proplink_shared::{SiteId, UnitId};

    use super::*;

    #[test]
    fn the_open_record_indexes_have_the_predicate_the_store_writes() {
        use proplink_shared::states::{IssueStatus, TicketStatus, WorkOrderStatus};
        let conditions = [
            status_condition(
                "status",
                TicketStatus::ALL,
                true,
                TicketStatus::is_terminal,
                TicketStatus::code,
            ),
            status_condition(
                "status",
                IssueStatus::ALL,
                true,
                IssueStatus::is_terminal,
                IssueStatus::code,
            ),
            status_condition(
                "status",
                WorkOrderStatus::ALL,
                true,
                WorkOrderStatus::is_terminal,
                WorkOrderStatus::code,
            ),
        ];
        for schema in [
            include_str!("../../../migrations/sqlite/V1__schema.sql"),
            include_str!("../../../migrations/postgres/V1__schema.sql"),
        ] {
            for condition in &conditions {
                assert!(
                    schema.contains(&format!(
                        "(organisation_id, created_at, id) WHERE {condition};"
                    )),
                    "no index for {condition}"
                );
            }
        }
    }

    #[test]
    fn aggregates_leave_out_the_joins_no_condition_reads() {
        let from = "FROM invoices i JOIN units u ON u.id = i.unit_id LEFT JOIN contacts c ON c.id = i.contact_id";
        let mut q = ListQuery::in_org(
            from.into(),
            proplink_shared::OrgId::new(),
            "i.organisation_id",
        );
        q.raw("i.paid < i.total");
        assert_eq!(q.aggregate_from(), "FROM invoices i");
        q.search(&["i.number", "u.name"], Some("flat"));
        assert_eq!(
            q.aggregate_from(),
            from,
            "a search on a joined table keeps the joins"
        );
        let mut q = ListQuery::in_org(
            from.into(),
            proplink_shared::OrgId::new(),
            "i.organisation_id",
        );
        q.raw("vu.x = 1 AND i.c = 2");
        assert_eq!(q.aggregate_from(), "FROM invoices i", "vu. is not u.");
    }

    #[test]
    fn cursors_round_trip_and_refuse_strangers() {
        let key = vec![Key::Int(1_700_000_000_000_000), Key::Text("0198-ab".into())];
        let text = encode_cursor(&key);
        assert_eq!(decode_cursor(&text, 2), Some(key));
        assert_eq!(decode_cursor(&text, 3), None);
        assert_eq!(decode_cursor("not a cursor!", 2), None);
    }

    #[test]
    fn scopes_render_with_their_parameters() {
        let columns = ScopeColumns {
            site: Some("t.site_id"),
            ..ScopeColumns::default()
        };
        let site = SiteId::new();
        let mut params = Params::default();
        let sql = scope_sql(
            &Filter::Any(vec![Filter::SiteIn(BTreeSet::from([site])), Filter::NoSite]),
            &columns,
            &mut params,
        );
        assert_eq!(sql, "(t.site_id IN ($1) OR t.site_id IS NULL)");
        assert_eq!(params.values().len(), 1);
        // A unit rule on records without units admits none of them.
        let mut params = Params::default();
        assert_eq!(
            scope_sql(
                &Filter::UnitIn(BTreeSet::from([UnitId::new()])),
                &columns,
                &mut params
            ),
            "FALSE"
        );
        assert_eq!(scope_sql(&Filter::NoUnit, &columns, &mut params), "TRUE");
        assert_eq!(
            scope_sql(&Filter::SiteIn(BTreeSet::new()), &columns, &mut params),
            "FALSE"
        );
    }
}
