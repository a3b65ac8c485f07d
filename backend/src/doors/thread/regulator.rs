//! BuildingThread for inspectors of the Building Safety Regulator: the buildings the
//! organisation granted them, each with its whole golden thread as it stands, every earlier
//! version of every part with what changed, and the handover pack as PDF and JSON. Every page
//! they read and every pack they take is kept in the building's trail.

use axum::response::{IntoResponse, Response};
use proplink_shared::london::format_date;
use proplink_shared::records::{GoldenThreadCategory as Part, diff};
use proplink_shared::{BuildingId, DocumentId};

use crate::app::App;
use crate::doors::admin::documents::download as attachment;
use crate::doors::pages::{
    Actions, Cell, Chrome, NavItem, RecordPage, Section, Table, headers, respond,
};
use crate::error::{AppError, AppResult};
use crate::services::auth::InspectorSession;
use crate::services::golden_thread;
use crate::services::golden_thread::documents as thread_documents;
use crate::services::golden_thread::handover::Format;
use crate::services::golden_thread::occurrences;
use crate::services::golden_thread::regulators::last_day;
use crate::store::orgs::Organisation;

/// A signed-in inspector on the organisation the host names.
pub struct Inspector {
    pub org: Organisation,
    pub session: InspectorSession,
    pub dev_mode: bool,
}

impl Inspector {
    fn chrome(&self) -> Chrome {
        let mut chrome = Chrome::new(
            &self.org.name,
            "BuildingThread",
            &self.org.brand_colour,
            self.dev_mode,
        );
        chrome.user_name = Some(self.session.inspector.name.clone());
        chrome.logo = crate::doors::admin::logo_src(&self.org);
        chrome.csrf = self.session.csrf_token.clone();
        chrome.has_profile = false;
        chrome.nav = vec![NavItem {
            label: "Buildings",
            href: "/",
            current: true,
        }];
        chrome
    }

    /// Refuses a building whose grant has ended (403); one never granted is not found (404).
    fn open(&self, id: BuildingId) -> AppResult<()> {
        if self.session.buildings().contains(&id) {
            return Ok(());
        }
        Err(match self.session.ended(id) {
            Some(_) => AppError::Forbidden,
            None => AppError::NotFound,
        })
    }
}

fn building_href(id: BuildingId) -> String {
    format!("/buildings/{id}")
}

/// The buildings granted to them, open or ended.
pub fn home(app: &App, inspector: &Inspector) -> Response {
    let now = app.clock.now();
    let mut seen = Vec::new();
    let rows = inspector
        .session
        .grants
        .iter()
        .filter(|g| {
            let first = !seen.contains(&g.building_id);
            seen.push(g.building_id);
            first
        })
        .map(|g| {
            let open = inspector.session.buildings().contains(&g.building_id);
            vec![
                if open {
                    Cell::link(&g.building_name, building_href(g.building_id))
                } else {
                    Cell::text(&g.building_name)
                },
                Cell::text(&g.granted_by_name),
                if open {
                    Cell::text(format!("Until {}", format_date(last_day(g))))
                } else if g.revoked_at.is_some() {
                    Cell::tag("Access revoked", "grey")
                } else if g.expires_at <= now {
                    Cell::tag(format!("Ended {}", format_date(last_day(g))), "grey")
                } else {
                    Cell::tag("Ended", "grey")
                },
            ]
        })
        .collect();
    respond(&RecordPage {
        chrome: inspector.chrome(),
        title: "Golden threads open to you".into(),
        caption: Some(format!("{} · Building Safety Regulator", inspector.org.name)),
        cards: Vec::new(),
        summary: Vec::new(),
        sections: vec![Section {
            heading: "Buildings".into(),
            paragraphs: vec![format!(
                "{} gives access one building at a time, until a date. What you read and download here is recorded.",
                inspector.org.name
            )],
            table: Some(Table {
                caption: "Buildings you have been given access to".into(),
                headers: headers(&["Building", "Given by", "Access"]),
                rows,
                empty: "No building has been shared with you.".into(),
            }),
            ..Section::default()
        }],
        actions: Actions::default(),
        audit: None,
    })
    .into_response()
}

/// The whole thread as it stands, with the way to every version and the handover pack.
pub async fn building(app: &App, inspector: &Inspector, id: BuildingId) -> AppResult<Response> {
    inspector.open(id)?;
    let actor = inspector.session.actor();
    let (b, parts) = golden_thread::current(app, &actor, id).await?;
    let until = inspector
        .session
        .grants
        .iter()
        .find(|g| g.building_id == id && g.live_at(app.clock.now()))
        .map(last_day);
    let href = building_href(id);
    let mut sections = vec![Section {
        heading: "Parts of the golden thread".into(),
        paragraphs: vec![
            "Each part as it stands now. Every earlier version is kept: open a part to read them all and what changed."
                .into(),
        ],
        table: Some(Table {
            caption: format!("The golden thread of {}", b.name),
            headers: headers(&["Part", "Version", "Last changed", "By"]),
            rows: Part::ALL
                .iter()
                .filter(|p| **p != Part::MandatoryOccurrence)
                .map(|p| {
                    let latest = parts.iter().find(|v| v.section == *p);
                    vec![
                        Cell::link(p.label(), format!("{href}/parts/{}", p.code())),
                        latest.map_or_else(
                            || Cell::tag("Not recorded", "amber"),
                            |v| Cell::text(v.version.to_string()),
                        ),
                        latest.map_or_else(|| Cell::text("—"), |v| Cell::when(v.at)),
                        Cell::text(latest.map_or("—", |v| v.author.as_str())),
                    ]
                })
                .collect(),
            empty: String::new(),
        }),
        links: vec![
            ("Download the handover pack (PDF)".into(), format!("{href}/handover.pdf")),
            ("Download the handover pack (JSON)".into(), format!("{href}/handover.json")),
        ],
        ..Section::default()
    }];
    let (_, occurrences) = occurrences::list(app, &actor, id).await?;
    sections.push(Section {
        heading: "Mandatory occurrence reports".into(),
        table: Some(Table {
            caption: format!("Occurrences at {} notified to the Regulator", b.name),
            headers: headers(&[
                "Report",
                "Where it stands",
                "Aware",
                "Your reference",
                "What happened",
            ]),
            rows: occurrences
                .iter()
                .map(|o| {
                    vec![
                        Cell::text(&o.reference),
                        Cell::text(o.status.label()),
                        Cell::date(o.aware_on),
                        Cell::text(o.notice_reference.as_deref().unwrap_or("—")),
                        Cell::text(&o.what_happened),
                    ]
                })
                .collect(),
            empty: "No occurrence has been notified for this building.".into(),
        }),
        ..Section::default()
    });
    sections.push(super::super::golden_thread::documents_section(
        &thread_documents::of_building(app, &actor, id).await?,
        |d| format!("{href}/documents/{d}"),
    ));
    sections.extend(parts.iter().map(|v| Section {
        heading: v.section.label().into(),
        paragraphs: vec![super::super::golden_thread::said_by(v)],
        entries: super::super::golden_thread::entries(v.section, v),
        links: vec![(
            format!("Every version of {}", v.section.label().to_lowercase()),
            format!("{href}/parts/{}", v.section.code()),
        )],
        ..Section::default()
    }));
    let mut summary = vec![(
        "BSR registration".into(),
        Cell::text(if b.bsr_registration.is_empty() {
            "Not registered".to_owned()
        } else {
            b.bsr_registration.clone()
        }),
    )];
    summary.push((
        "Parts recorded".into(),
        Cell::text(format!("{} of {}", parts.len(), Part::ALL.len() - 1)),
    ));
    if let Some(until) = until {
        summary.push((
            "Your access".into(),
            Cell::text(format!("Until {}", format_date(until))),
        ));
    }
    Ok(respond(&RecordPage {
        chrome: inspector.chrome(),
        title: b.name.clone(),
        caption: Some("Golden thread".into()),
        cards: Vec::new(),
        summary,
        sections,
        actions: Actions::default(),
        audit: None,
    })
    .into_response())
}

/// One part: as it stands, then every version newest first with what it changed.
pub async fn part(
    app: &App,
    inspector: &Inspector,
    id: BuildingId,
    code: &str,
) -> AppResult<Response> {
    inspector.open(id)?;
    let section = Part::from_code(code).ok_or(AppError::NotFound)?;
    let actor = inspector.session.actor();
    let (b, versions) = golden_thread::history(app, &actor, id, section).await?;
    let building_name = b.name;
    let mut sections = Vec::new();
    if versions.is_empty() {
        sections.push(Section {
            heading: "Nothing recorded".into(),
            paragraphs: vec!["This part of the golden thread has not been recorded yet.".into()],
            ..Section::default()
        });
    }
    for (i, v) in versions.iter().enumerate() {
        let earlier = versions.get(i + 1);
        let mut s = Section {
            heading: if i == 0 {
                format!("Version {} (as it stands)", v.version)
            } else {
                format!("Version {}", v.version)
            },
            paragraphs: vec![
                super::super::golden_thread::said_by(v),
                format!("Why: {}", v.change_note),
            ],
            ..Section::default()
        };
        match earlier {
            Some(before) => {
                s.table = Some(Table {
                    caption: format!("What version {} changed", v.version),
                    headers: headers(&["Field", "Before", "After"]),
                    rows: diff(section, &before.body, &v.body)
                        .into_iter()
                        .map(|c| {
                            vec![
                                Cell::text(c.label),
                                Cell::text(if c.before.is_empty() {
                                    "—".into()
                                } else {
                                    c.before
                                }),
                                Cell::text(if c.after.is_empty() {
                                    "—".into()
                                } else {
                                    c.after
                                }),
                            ]
                        })
                        .collect(),
                    empty: "Nothing changed.".into(),
                });
                if i == 0 {
                    s.entries = super::super::golden_thread::entries(section, v);
                }
            }
            None => s.entries = super::super::golden_thread::entries(section, v),
        }
        sections.push(s);
    }
    Ok(respond(&RecordPage {
        chrome: inspector.chrome(),
        title: section.label().into(),
        caption: Some(format!("Golden thread · {building_name}")),
        cards: Vec::new(),
        summary: vec![
            (
                "Golden thread".into(),
                Cell::link(format!("All parts for {building_name}"), building_href(id)),
            ),
            ("Versions".into(), Cell::text(versions.len().to_string())),
        ],
        sections,
        actions: Actions::default(),
        audit: None,
    })
    .into_response())
}

/// The handover pack as a download, in the format asked for.
pub async fn pack(
    app: &App,
    inspector: &Inspector,
    id: BuildingId,
    format: Format,
) -> AppResult<Response> {
    inspector.open(id)?;
    super::super::golden_thread::download(app, &inspector.session.actor(), id, format).await
}

/// One of the building's golden-thread documents, downloaded.
pub async fn document(
    app: &App,
    inspector: &Inspector,
    id: BuildingId,
    doc: DocumentId,
) -> AppResult<Response> {
    inspector.open(id)?;
    let (kind, filename, bytes) =
        thread_documents::download(app, &inspector.session.actor(), id, doc).await?;
    Ok(attachment(&kind, &filename, bytes))
}
