//! Page templates (askama, checked at compile time, escaped by default) and the small view
//! models they render. Doors fill these; templates hold no logic beyond loops and ifs.

use askama::Template;
use axum::response::Html;

/// What every page around the content shows.
pub struct Chrome {
    pub org_name: String,
    pub product: &'static str,
    pub user_name: Option<String>,
    pub csrf: String,
    pub nav: Vec<NavItem>,
}

pub struct NavItem {
    pub label: &'static str,
    pub href: &'static str,
    pub current: bool,
}

/// A table cell: text, optionally a link or a coloured tag.
#[derive(Default)]
pub struct Cell {
    pub text: String,
    pub href: Option<String>,
    /// `green`, `amber`, `red` or `grey`.
    pub tag: Option<&'static str>,
    pub numeric: bool,
}

impl Cell {
    pub fn text(text: impl Into<String>) -> Cell {
        Cell {
            text: text.into(),
            ..Cell::default()
        }
    }

    pub fn link(text: impl Into<String>, href: impl Into<String>) -> Cell {
        Cell {
            text: text.into(),
            href: Some(href.into()),
            ..Cell::default()
        }
    }

    pub fn tag(text: impl Into<String>, tone: &'static str) -> Cell {
        Cell {
            text: text.into(),
            tag: Some(tone),
            ..Cell::default()
        }
    }

    pub fn money(m: proplink_shared::Money) -> Cell {
        Cell {
            text: m.to_string(),
            numeric: true,
            ..Cell::default()
        }
    }
}

pub struct Header {
    pub label: &'static str,
    pub numeric: bool,
}

pub fn headers(labels: &[&'static str]) -> Vec<Header> {
    labels
        .iter()
        .map(|l| Header {
            label: l,
            numeric: false,
        })
        .collect()
}

pub struct Table {
    pub caption: String,
    pub headers: Vec<Header>,
    pub rows: Vec<Vec<Cell>>,
    /// Shown instead of an empty table.
    pub empty: String,
}

pub struct Entry {
    pub meta: String,
    pub body: String,
    pub internal: bool,
}

#[derive(Default)]
pub struct Section {
    pub heading: String,
    pub paragraphs: Vec<String>,
    pub entries: Vec<Entry>,
    pub table: Option<Table>,
}

pub struct Card {
    pub figure: String,
    pub label: String,
    pub href: Option<String>,
}

pub struct TrailItem {
    pub sentence: String,
    pub when: String,
    pub channel: String,
}

pub struct Trail {
    pub heading: &'static str,
    pub items: Vec<TrailItem>,
}

#[derive(Template)]
#[template(path = "record.html")]
pub struct RecordPage {
    pub chrome: Chrome,
    pub title: String,
    pub caption: Option<String>,
    pub cards: Vec<Card>,
    pub summary: Vec<(String, Cell)>,
    pub sections: Vec<Section>,
    pub audit: Option<Trail>,
}

#[derive(Template)]
#[template(path = "list.html")]
pub struct ListPage {
    pub chrome: Chrome,
    pub title: String,
    pub intro: Option<String>,
    pub tables: Vec<Table>,
}

#[derive(Template)]
#[template(path = "sign_in.html")]
pub struct SignInPage {
    pub chrome: Chrome,
    pub csrf: String,
    pub email: String,
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "sign_in_code.html")]
pub struct SignInCodePage {
    pub chrome: Chrome,
    pub csrf: String,
    pub email: String,
    pub error: Option<String>,
    pub dev_mailbox: bool,
}

pub struct MailView {
    pub to: String,
    pub subject: String,
    pub body: String,
    pub when: String,
}

#[derive(Template)]
#[template(path = "mailbox.html")]
pub struct MailboxPage {
    pub chrome: Chrome,
    pub mails: Vec<MailView>,
}

#[derive(Template)]
#[template(path = "landing.html")]
pub struct LandingPage {
    pub chrome: Chrome,
    pub heading: String,
    pub paragraphs: Vec<String>,
}

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub title: &'static str,
    pub message: String,
}

/// Renders a template; a template that fails to render is a bug, shown as a plain 500 text.
pub fn render(t: &impl Template) -> Html<String> {
    match t.render() {
        Ok(html) => Html(html),
        Err(e) => {
            tracing::error!(error = %e, "template failed to render");
            Html("<!doctype html><title>Error</title><h1>Sorry, there is a problem with the service</h1>".into())
        }
    }
}

/// An audit row as a trail item: its sentence, London time and door.
pub fn trail_item(row: &crate::store::audit::AuditRow) -> TrailItem {
    TrailItem {
        sentence: row.sentence.clone(),
        when: proplink_shared::london::format_date_time(crate::clock::from_micros(row.occurred_at)),
        channel: format!("via {}", row.channel.label()),
    }
}
