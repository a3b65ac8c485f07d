//! What the admin app's pages share: a list's page position and filters from the query string,
//! its filter form and the links to the pages either side; a record page and its audit trail.

use axum::response::Response;
use proplink_shared::SiteId;
use proplink_shared::records::RecordType;
use serde::Deserialize;

use super::Staff;
use crate::app::App;
use crate::doors::pages::{
    Choice, FilterField, ListPage, Pager, Table, Trail, respond, trail_item,
};
use crate::error::{AppError, AppResult};
use crate::services::audit;
use crate::store::query::{Page, PageAt, decode_cursor};

/// A list's query string: where in the list, and the filters a manager can set. A list reads
/// the filters it has and ignores the rest.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct ListParams {
    pub after: Option<String>,
    pub before: Option<String>,
    pub site: Option<String>,
    pub status: Option<String>,
    pub priority: Option<String>,
    /// Older than this many days.
    pub age: Option<String>,
    pub kind: Option<String>,
    pub q: Option<String>,
    /// The audit log's filters.
    pub record: Option<String>,
    pub door: Option<String>,
    pub action: Option<String>,
    /// Who did it, by name.
    pub person: Option<String>,
    /// A date range, `YYYY-MM-DD`, both days included.
    pub from: Option<String>,
    pub to: Option<String>,
}

fn given(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

impl ListParams {
    /// The page asked for; a cursor this list did not make is refused.
    pub fn at(&self, arity: usize) -> AppResult<PageAt> {
        let cursor = |text: &str| {
            decode_cursor(text, arity).ok_or_else(|| {
                AppError::bad_request(
                    "bad_cursor",
                    "That page link is not valid. Go back to the first page.",
                )
            })
        };
        Ok(match (given(&self.after), given(&self.before)) {
            (Some(a), _) => PageAt::After(cursor(a)?),
            (None, Some(b)) => PageAt::Before(cursor(b)?),
            (None, None) => PageAt::First,
        })
    }

    pub fn site(&self) -> AppResult<Option<SiteId>> {
        given(&self.site)
            .map(|s| s.parse().map_err(|_| invalid_filter("site")))
            .transpose()
    }

    /// A coded filter (a status, a priority, a kind) by its code.
    pub fn coded<T>(
        &self,
        value: &Option<String>,
        name: &str,
        from_code: impl Fn(&str) -> Option<T>,
    ) -> AppResult<Option<T>> {
        given(value)
            .map(|v| from_code(v).ok_or_else(|| invalid_filter(name)))
            .transpose()
    }

    /// "Older than N days" as the instant before which records qualify.
    pub fn older_than(&self, now: time::OffsetDateTime) -> AppResult<Option<time::OffsetDateTime>> {
        given(&self.age)
            .map(|a| match a.parse::<u16>() {
                Ok(days @ 1..=3650) => Ok(now - time::Duration::days(i64::from(days))),
                _ => Err(invalid_filter("age")),
            })
            .transpose()
    }

    pub fn text(&self) -> Option<String> {
        given(&self.q).map(|q| q.chars().take(100).collect())
    }

    /// The name of who did it, for the audit log.
    pub fn person(&self) -> Option<String> {
        given(&self.person).map(|q| q.chars().take(100).collect())
    }

    /// A day given by a date filter.
    pub fn day(&self, value: &Option<String>, name: &'static str) -> AppResult<Option<time::Date>> {
        given(value)
            .map(|d| {
                time::Date::parse(d, time::macros::format_description!("[year]-[month]-[day]"))
                    .map_err(|_| invalid_filter(name))
            })
            .transpose()
    }

    /// The filters in force, for links that keep them.
    fn kept(&self) -> Vec<(&'static str, &str)> {
        [
            ("site", &self.site),
            ("status", &self.status),
            ("priority", &self.priority),
            ("age", &self.age),
            ("kind", &self.kind),
            ("q", &self.q),
            ("record", &self.record),
            ("door", &self.door),
            ("person", &self.person),
            ("from", &self.from),
            ("to", &self.to),
            ("action", &self.action),
        ]
        .into_iter()
        .filter_map(|(k, v)| given(v).map(|v| (k, v)))
        .collect()
    }

    /// Links to the pages either side of `page`, keeping the filters.
    pub fn pager<T>(&self, base: &str, page: &Page<T>) -> Pager {
        let link = |key: &str, cursor: &str| {
            let mut pairs = self.kept();
            pairs.push((if key == "after" { "after" } else { "before" }, cursor));
            format!(
                "{base}?{}",
                serde_urlencoded::to_string(pairs).unwrap_or_default()
            )
        };
        Pager {
            previous: page.previous.as_deref().map(|c| link("before", c)),
            next: page.next.as_deref().map(|c| link("after", c)),
        }
    }
}

pub fn invalid_filter(name: &str) -> AppError {
    AppError::bad_request(
        "bad_filter",
        format!("The {name} filter is not one this list offers"),
    )
}

/// A drop-down of `options`, with "Any" first.
pub fn select(
    name: &'static str,
    label: &'static str,
    options: impl IntoIterator<Item = (String, String)>,
    selected: Option<&str>,
) -> FilterField {
    let selected = selected.map(str::trim).unwrap_or("");
    let mut choices = vec![Choice {
        value: String::new(),
        label: "Any".into(),
        selected: selected.is_empty(),
    }];
    choices.extend(options.into_iter().map(|(value, label)| Choice {
        selected: value == selected,
        value,
        label,
    }));
    FilterField::Select {
        name,
        label,
        options: choices,
    }
}

/// The choices of a coded enum.
pub fn codes<T: Copy>(
    all: &[T],
    code: impl Fn(T) -> &'static str,
    label: impl Fn(T) -> &'static str,
) -> Vec<(String, String)> {
    all.iter()
        .map(|v| (code(*v).to_owned(), label(*v).to_owned()))
        .collect()
}

pub fn age_filter(selected: Option<&str>) -> FilterField {
    select(
        "age",
        "Older than",
        [
            ("1", "1 day"),
            ("7", "7 days"),
            ("30", "30 days"),
            ("90", "90 days"),
        ]
        .into_iter()
        .map(|(v, l)| (v.to_owned(), l.to_owned())),
        selected,
    )
}

/// A date filter: the day as typed is kept, to show in the form again.
pub fn date_filter(name: &'static str, label: &'static str, value: Option<&str>) -> FilterField {
    FilterField::Date {
        name,
        label,
        value: value.unwrap_or("").to_owned(),
    }
}

pub fn text_filter(label: &'static str, value: Option<&str>) -> FilterField {
    FilterField::Text {
        name: "q",
        label,
        value: value.unwrap_or("").to_owned(),
    }
}

pub fn site_filter(sites: &[(SiteId, String)], selected: Option<&str>) -> FilterField {
    select(
        "site",
        "Site",
        sites
            .iter()
            .map(|(id, name)| (id.to_string(), name.clone())),
        selected,
    )
}

/// Whether the actor may create a record of `domain` anywhere: for the organisation, or on
/// one of their sites (each record is checked again where it goes).
pub async fn may_create_somewhere(
    app: &App,
    staff: &Staff,
    domain: proplink_shared::Domain,
) -> AppResult<bool> {
    use proplink_shared::{Action, Resource, authorize};
    let actor = staff.actor();
    if authorize(
        actor,
        Action::Create,
        &Resource::org_wide(actor.org, domain),
    )
    .is_ok()
    {
        return Ok(true);
    }
    Ok(crate::services::places::site_choices(app, actor)
        .await?
        .iter()
        .any(|(site, _)| {
            authorize(
                actor,
                Action::Create,
                &Resource::on_site(actor.org, domain, *site),
            )
            .is_ok()
        }))
}

/// A list page: its filters, one table, and the pager.
pub fn list_page(
    staff: &Staff,
    action: &'static str,
    title: &str,
    filters: Vec<FilterField>,
    table: Table,
    pager: Pager,
) -> Response {
    respond(&ListPage {
        chrome: staff.chrome(action),
        title: title.into(),
        intro: None,
        links: Vec::new(),
        filters,
        action,
        table,
        pager,
    })
}

/// Where a record's trail starts: `?trail_after=…` pages back through it.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct TrailParams {
    pub trail_after: Option<String>,
    pub trail_before: Option<String>,
}

/// A record's audit trail, newest first, a page at a time.
pub async fn trail(
    app: &App,
    staff: &Staff,
    record_type: RecordType,
    id: &str,
    at: &TrailParams,
) -> AppResult<Trail> {
    let params = ListParams {
        after: at.trail_after.clone(),
        before: at.trail_before.clone(),
        ..ListParams::default()
    };
    let page = audit::trail(app, staff.org.id, record_type, id, &params.at(1)?).await?;
    let link = |key: &str, cursor: &str| {
        format!(
            "?{}",
            serde_urlencoded::to_string([(key, cursor)]).unwrap_or_default()
        )
    };
    Ok(Trail {
        heading: "Audit trail",
        items: page.items.iter().map(trail_item).collect(),
        pager: Pager {
            previous: page.previous.as_deref().map(|c| link("trail_before", c)),
            next: page.next.as_deref().map(|c| link("trail_after", c)),
        },
    })
}

/// The tone of a status tag: grey once a record is finished with.
#[must_use]
pub fn status_tone(terminal: bool) -> &'static str {
    if terminal { "grey" } else { "green" }
}
