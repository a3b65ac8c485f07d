//! Notices (announcements) to a site's residents, or the whole organisation's.

use proplink_shared::audit::AuditAction;
use proplink_shared::records::{NewNotice, RecordType};
use proplink_shared::{Action, Actor, Domain, NoticeId, Resource, Scope, SiteId};
use serde_json::json;

use super::change::{Change, Event};
use super::{PAGE_SIZE, check};
use crate::app::App;
use crate::error::{AppError, AppResult};
use crate::store::notices::{self as store, Notice, NoticeFilter};
use crate::store::query::{Page, PageAt};

pub async fn publish(
    app: &App,
    actor: &Actor,
    site: Option<SiteId>,
    new: &NewNotice,
) -> AppResult<NoticeId> {
    let mut res = Resource::org_wide(actor.org, Domain::Notices);
    res.site = site;
    check(actor, Action::Create, &res)?;
    let id = NoticeId::new();
    let mut change = Change::begin(app, actor).await?;
    let now = change.now;
    if let Err(e) = store::insert_notice(&mut change, actor.org, id, site, new, now).await {
        return Err(if e.is_foreign_key_violation() {
            AppError::NotFound
        } else {
            e.into()
        });
    }
    change
        .record(Event::new(
            RecordType::Notice,
            id,
            AuditAction::Create,
            format!("published {}notice \"{}\"", if new.urgent { "urgent " } else { "" }, new.title),
            json!({ "title": new.title, "body": new.body, "publish_on": crate::store::date_text(new.publish_on), "expires_on": new.expires_on.map(crate::store::date_text), "urgent": new.urgent, "site": site.map(|s| s.to_string()) }),
        ))
        .await?;
    change.commit().await?;
    Ok(id)
}

pub async fn notices(
    app: &App,
    actor: &Actor,
    filter: &NoticeFilter,
    at: &PageAt,
) -> AppResult<Page<Notice>> {
    let scope = Scope::of(actor, Domain::Notices);
    super::remember(
        app,
        &scope,
        format!("notices {filter:?} {at:?}"),
        || async {
            let mut conn = app.db.read().await?;
            Ok(store::notices(&mut conn, &scope, filter, at, PAGE_SIZE).await?)
        },
    )
    .await
}
