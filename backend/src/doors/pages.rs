//! Page templates (askama, checked at compile time, escaped by default) and the small view
//! models they render. Doors fill these; templates hold no logic beyond loops and ifs.

use askama::Template;
use axum::http::{HeaderValue, header};
use axum::response::{Html, IntoResponse, Response};
use proplink_shared::records::FieldError;

use super::assets;

/// What every page around the content shows.
pub struct Chrome {
    pub org_name: String,
    pub product: &'static str,
    pub user_name: Option<String>,
    pub csrf: String,
    pub nav: Vec<NavItem>,
    /// The organisation's colour, as the one inline style block the page may carry.
    pub brand_css: String,
    /// The Content-Security-Policy source for `brand_css`.
    pub brand_hash: String,
    pub stylesheet: &'static str,
    pub favicon: &'static str,
    /// Development mode: every page says so.
    pub dev_mode: bool,
    /// The organisation's logo, beside its name in the masthead.
    pub logo: Option<String>,
    /// A script the page needs (turning notifications on): most pages have none.
    pub script: Option<&'static str>,
    /// Whether the door has a profile page the person's name opens.
    pub has_profile: bool,
}

impl Chrome {
    /// The chrome of an organisation's door, before anyone signs in.
    #[must_use]
    pub fn new(
        org_name: &str,
        product: &'static str,
        brand_colour: &str,
        dev_mode: bool,
    ) -> Chrome {
        let (brand_css, brand_hash) = assets::brand_style(brand_colour);
        Chrome {
            org_name: org_name.to_owned(),
            product,
            user_name: None,
            csrf: String::new(),
            logo: None,
            nav: Vec::new(),
            brand_css,
            brand_hash,
            stylesheet: assets::stylesheet_href(),
            favicon: assets::favicon_href(),
            dev_mode,
            script: None,
            has_profile: true,
        }
    }
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

    pub fn date(d: time::Date) -> Cell {
        Cell::text(proplink_shared::london::format_date(d))
    }

    /// Aligned as a figure.
    #[must_use]
    pub fn numeric(mut self) -> Cell {
        self.numeric = true;
        self
    }

    pub fn when(at: time::OffsetDateTime) -> Cell {
        Cell::text(proplink_shared::london::format_date_time(at))
    }
}

pub struct Header {
    pub label: std::borrow::Cow<'static, str>,
    pub numeric: bool,
}

pub fn headers(labels: &[&'static str]) -> Vec<Header> {
    labels
        .iter()
        .map(|l| Header {
            label: std::borrow::Cow::Borrowed(*l),
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

impl Table {
    /// The header of column `i`, which a narrow screen shows beside each cell.
    #[must_use]
    pub fn label(&self, i: &usize) -> &str {
        self.headers.get(*i).map_or("", |h| h.label.as_ref())
    }
}

/// Links to the pages either side of this one.
#[derive(Default)]
pub struct Pager {
    pub previous: Option<String>,
    pub next: Option<String>,
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
    /// For a long table: its other pages.
    pub pager: Pager,
    /// Links that act on the section: other views of it, a download. `(text, href)`.
    pub links: Vec<(String, String)>,
    /// A picture the section is about (the logo): `(src, alt)`.
    pub image: Option<(String, String)>,
    /// Photos shown small, each opening full size: `(src, alt)`.
    pub gallery: Vec<(String, String)>,
    /// A chart of the table's figures, as SVG drawn by [`crate::doors::chart`]: shown beside
    /// the table.
    pub chart: Option<String>,
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
    pub pager: Pager,
}

/// One control of a list's filter form.
pub enum FilterField {
    Select {
        name: &'static str,
        label: &'static str,
        options: Vec<Choice>,
    },
    Text {
        name: &'static str,
        label: &'static str,
        value: String,
    },
    /// A calendar date, `YYYY-MM-DD`.
    Date {
        name: &'static str,
        label: &'static str,
        value: String,
    },
}

pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// A form on a record's page. A problem shows in the page's summary at the top and again by
/// its field, with what was typed kept (the GOV.UK Design System's error pattern).
pub struct Form {
    /// The form's anchor and the prefix of its fields' ids: `reply`.
    pub id: &'static str,
    pub heading: &'static str,
    pub action: String,
    pub hidden: Vec<(&'static str, String)>,
    pub fields: Vec<Field>,
    pub submit: &'static str,
    /// Undoes or ends something: the button says so in red.
    pub warning: bool,
}

impl Form {
    /// Whether the form sends a file, and so must be sent as `multipart/form-data`.
    #[must_use]
    pub fn has_file(&self) -> bool {
        self.fields
            .iter()
            .any(|f| matches!(f.input, Input::File(_) | Input::Files(_)))
    }
}

pub struct Field {
    pub name: &'static str,
    pub label: &'static str,
    pub hint: Option<&'static str>,
    pub input: Input,
    pub error: Option<String>,
}

pub enum Input {
    Text(String),
    TextArea(String),
    Select(Vec<Choice>),
    /// A calendar date, `YYYY-MM-DD` (the browser shows it the UK way).
    Date(String),
    /// Pounds and pence, typed with the numeric keypad on a phone.
    Amount(String),
    Email(String),
    /// A colour as `#rrggbb`, chosen with the browser's colour picker.
    Colour(String),
    /// A file to upload; what it accepts (`image/png`).
    File(&'static str),
    /// Several files at once (a request's photos); what they may be.
    Files(&'static str),
    /// Several of a list (the sites a role covers), each its own box.
    Checkboxes(Vec<Choice>),
}

impl Field {
    /// The ids of the hint and the error that describe the field, if it has either.
    #[must_use]
    pub fn described_by(&self, form: &str) -> String {
        let mut ids = Vec::new();
        if self.hint.is_some() {
            ids.push(format!("{form}-{}-hint", self.name));
        }
        if self.error.is_some() {
            ids.push(format!("{form}-{}-error", self.name));
        }
        ids.join(" ")
    }
}

/// A problem with what was sent, linking to the field it is about: `#reply-body`.
pub struct Problem {
    pub href: String,
    pub message: String,
}

/// What a record's page offers to do, and how the last attempt went.
#[derive(Default)]
pub struct Actions {
    /// What was just done: "Your reply was sent".
    pub notice: Option<String>,
    pub problems: Vec<Problem>,
    pub forms: Vec<Form>,
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
    pub actions: Actions,
    pub audit: Option<Trail>,
}

#[derive(Template)]
#[template(path = "list.html")]
pub struct ListPage {
    pub chrome: Chrome,
    pub title: String,
    pub intro: Option<String>,
    /// Links that act on the list: "Add a contractor". `(text, href)`.
    pub links: Vec<(String, String)>,
    pub filters: Vec<FilterField>,
    /// Where the filter form goes: the list's own address.
    pub action: &'static str,
    pub table: Table,
    pub pager: Pager,
}

#[derive(Template)]
#[template(path = "sign_in.html")]
pub struct SignInPage {
    pub chrome: Chrome,
    /// What the door says above the form (a portal's welcome).
    pub intro: Vec<String>,
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
    /// No new code was sent: enough went to this address lately.
    pub already_sent: bool,
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
    /// The stable machine code, on the page for scripts and tests.
    pub code: &'static str,
    pub title: &'static str,
    pub message: String,
    pub fields: Vec<FieldError>,
}

impl ErrorPage {
    #[must_use]
    pub fn stylesheet(&self) -> &'static str {
        assets::stylesheet_href()
    }
}

/// Text typed with blank lines between paragraphs, as the paragraphs a page shows.
#[must_use]
pub fn paragraphs(text: &str) -> Vec<String> {
    text.split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_owned)
        .collect()
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

/// A page with the chrome of a door around it.
pub trait WithChrome {
    fn chrome(&self) -> &Chrome;
}

macro_rules! with_chrome {
    ($($t:ty),*) => {$(
        impl $crate::doors::pages::WithChrome for $t {
            fn chrome(&self) -> &Chrome {
                &self.chrome
            }
        }
    )*};
}

pub(crate) use with_chrome;

with_chrome!(
    RecordPage,
    ListPage,
    SignInPage,
    SignInCodePage,
    MailboxPage,
    LandingPage
);

/// A page of a door: rendered, with a Content-Security-Policy that allows its brand style.
pub fn respond<T: Template + WithChrome>(page: &T) -> Response {
    let mut response = render(page).into_response();
    let policy = format!(
        "default-src 'self'; img-src 'self' data:; style-src 'self' {}; script-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        page.chrome().brand_hash
    );
    if let Ok(value) = HeaderValue::from_str(&policy) {
        response
            .headers_mut()
            .insert(header::CONTENT_SECURITY_POLICY, value);
    }
    response
}

/// An audit event as a trail item: its sentence, London time and door.
pub fn trail_item(e: &crate::store::audit::AuditEvent) -> TrailItem {
    TrailItem {
        sentence: e.sentence.clone(),
        when: proplink_shared::london::format_date_time(e.occurred_at),
        channel: format!("via {}", e.channel.label()),
    }
}
