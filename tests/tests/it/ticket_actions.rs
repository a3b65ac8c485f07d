//! Working a ticket from the admin app: reply, internal note, triage, assignment and status,
//! each through its form, audited with the admin channel; a form sent back keeps what was
//! typed and says what is wrong next to the field; a stale form changes nothing.

use proplink_backend::params;
use proplink_backend::services::orgs;
use proplink_shared::Role;
use proplink_tests::{Browser, Page, TestApp, fixtures, spawn_app};

struct Desk {
    t: TestApp,
    org: fixtures::Org,
    b: Browser,
    host: String,
    path: String,
}

async fn desk(email: impl FnOnce(&fixtures::Org) -> String) -> Desk {
    let t = spawn_app().await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    let b = t.browser();
    let host = t.admin_host("acme");
    t.sign_in(&b, &host, &email(&org)).await;
    let path = format!("/tickets/{}", org.ticket_a);
    Desk {
        t,
        org,
        b,
        host,
        path,
    }
}

impl Desk {
    async fn page(&self) -> Page {
        let page = self.b.get(&self.host, &self.path).await;
        assert_eq!(page.status, 200, "{}", page.body);
        page
    }

    /// Sends the form at `/tickets/{id}/{what}` with the page's token.
    async fn send(&self, what: &str, fields: &[(&str, &str)]) -> Page {
        let csrf = self.page().await.csrf();
        let mut form = vec![("csrf", csrf.as_str())];
        form.extend_from_slice(fields);
        self.b
            .post(&self.host, &format!("{}/{what}", self.path), &form)
            .await
    }

    async fn version(&self) -> String {
        self.t
            .scalar::<i64>(
                "SELECT version FROM tickets WHERE id = $1",
                params![self.org.ticket_a],
            )
            .await
            .to_string()
    }

    async fn entries(&self) -> i64 {
        self.t
            .scalar(
                "SELECT COUNT(*) FROM ticket_entries WHERE ticket_id = $1",
                params![self.org.ticket_a],
            )
            .await
    }

    async fn events(&self) -> i64 {
        self.t
            .scalar(
                "SELECT COUNT(*) FROM audit_events WHERE record_id = $1",
                params![self.org.ticket_a.to_string()],
            )
            .await
    }

    /// The latest event of the ticket: its sentence and channel.
    async fn last_event(&self) -> (String, String) {
        let sentence: String = self
            .t
            .scalar(
                "SELECT sentence FROM audit_events WHERE record_id = $1 ORDER BY seq DESC LIMIT 1",
                params![self.org.ticket_a.to_string()],
            )
            .await;
        let channel: String = self
            .t
            .scalar(
                "SELECT channel FROM audit_events WHERE record_id = $1 ORDER BY seq DESC LIMIT 1",
                params![self.org.ticket_a.to_string()],
            )
            .await;
        (sentence, channel)
    }
}

fn manager(org: &fixtures::Org) -> String {
    org.manager_email.clone()
}

#[tokio::test]
async fn a_reply_and_an_internal_note_join_the_conversation_and_the_trail() {
    let d = desk(manager).await;
    let sent = d
        .send("reply", &[("body", "A plumber is booked for Tuesday.")])
        .await;
    assert_eq!(sent.status, 303, "{}", sent.body);
    assert_eq!(
        sent.location(),
        Some(format!("{}?done=reply", d.path).as_str())
    );
    let (sentence, channel) = d.last_event().await;
    assert!(sentence.contains("replied on TKT-"), "{sentence}");
    assert_eq!(channel, "admin");

    let noted = d
        .send("note", &[("body", "Tenant prefers mornings.")])
        .await;
    assert_eq!(noted.status, 303);
    let page = d.b.get(&d.host, &format!("{}?done=note", d.path)).await;
    assert!(page.body.contains("Your internal note was added"));
    assert!(page.body.contains("A plumber is booked for Tuesday."));
    assert!(page.body.contains("Tenant prefers mornings."));
    assert!(page.body.contains("internal note"));
    let kind: String = d
        .t
        .scalar(
            "SELECT kind FROM ticket_entries WHERE ticket_id = $1 AND body = 'Tenant prefers mornings.'",
            params![d.org.ticket_a],
        )
        .await;
    assert_eq!(kind, "internal_note");
}

#[tokio::test]
async fn an_empty_reply_is_sent_back_with_the_message_by_its_field_and_nothing_written() {
    let d = desk(manager).await;
    let (entries, events) = (d.entries().await, d.events().await);
    let page = d.send("reply", &[("body", "   ")]).await;
    assert_eq!(page.status, 422, "{}", page.body);
    assert!(page.body.contains("There is a problem"));
    assert!(
        page.body.contains("href=\"#reply-body\""),
        "the summary links to the field"
    );
    assert!(
        page.body.contains("id=\"reply-body-error\""),
        "the message sits by the field"
    );
    assert_eq!((d.entries().await, d.events().await), (entries, events));
    // What was typed in a form that failed is kept: a triage without a category.
    let version = d.version().await;
    let page = d
        .send(
            "triage",
            &[
                ("version", &version),
                ("category", ""),
                ("priority", "urgent"),
            ],
        )
        .await;
    assert_eq!(page.status, 422);
    assert!(page.body.contains("Choose a category"));
    assert!(page.body.contains("<option value=\"urgent\" selected>"));
    assert_eq!(d.version().await, version, "nothing written");
}

#[tokio::test]
async fn triage_sets_category_and_priority_and_restarts_the_sla_clock() {
    let d = desk(manager).await;
    let version = d.version().await;
    let page = d
        .send(
            "triage",
            &[
                ("version", &version),
                ("category", "compliance"),
                ("priority", "urgent"),
            ],
        )
        .await;
    assert_eq!(page.status, 303, "{}", page.body);
    let (category, priority): (String, String) = (
        d.t.scalar(
            "SELECT category FROM tickets WHERE id = $1",
            params![d.org.ticket_a],
        )
        .await,
        d.t.scalar(
            "SELECT priority FROM tickets WHERE id = $1",
            params![d.org.ticket_a],
        )
        .await,
    );
    assert_eq!(
        (category.as_str(), priority.as_str()),
        ("compliance", "urgent")
    );
    let triaged: Option<i64> =
        d.t.scalar(
            "SELECT triaged_at FROM tickets WHERE id = $1",
            params![d.org.ticket_a],
        )
        .await;
    assert!(triaged.is_some(), "the SLA clock restarted");
    let (sentence, channel) = d.last_event().await;
    assert!(sentence.contains("urgent priority"), "{sentence}");
    assert_eq!(channel, "admin");
}

#[tokio::test]
async fn a_stale_form_is_a_clear_conflict_and_changes_nothing() {
    let d = desk(manager).await;
    let stale = d.version().await;
    // Someone else moves the request on meanwhile.
    let page = d
        .send(
            "status",
            &[
                ("version", &stale),
                ("status", "in_progress"),
                ("reason", ""),
            ],
        )
        .await;
    assert_eq!(page.status, 303, "{}", page.body);
    let events = d.events().await;
    let page = d
        .send(
            "triage",
            &[
                ("version", &stale),
                ("category", "query"),
                ("priority", "low"),
            ],
        )
        .await;
    assert_eq!(page.status, 409, "{}", page.body);
    assert!(
        page.body.contains("was changed by someone else"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("<option value=\"query\" selected>"),
        "what was chosen is kept"
    );
    let priority: String =
        d.t.scalar(
            "SELECT priority FROM tickets WHERE id = $1",
            params![d.org.ticket_a],
        )
        .await;
    assert_eq!(priority, "high");
    assert_eq!(d.events().await, events);
}

#[tokio::test]
async fn closing_needs_a_reason_and_a_closed_request_takes_no_reply() {
    let d = desk(manager).await;
    let version = d.version().await;
    let page = d
        .send(
            "status",
            &[("version", &version), ("status", "closed"), ("reason", "")],
        )
        .await;
    assert_eq!(page.status, 422);
    assert!(page.body.contains("Choose why the request is being closed"));
    let page = d
        .send(
            "status",
            &[
                ("version", &version),
                ("status", "closed"),
                ("reason", "resolved"),
            ],
        )
        .await;
    assert_eq!(page.status, 303, "{}", page.body);
    let page = d.page().await;
    assert!(
        !page.body.contains("Send reply"),
        "no reply form on a closed request"
    );
    let refused =
        d.b.post(
            &d.host,
            &format!("{}/reply", d.path),
            &[("csrf", &page.csrf()), ("body", "Anything else?")],
        )
        .await;
    assert_eq!(refused.status, 409, "{}", refused.body);
    assert!(refused.body.contains("is closed"));
    // A move the state machine does not allow: closed goes only back to open.
    let version = d.version().await;
    let page = d
        .send(
            "status",
            &[
                ("version", &version),
                ("status", "in_progress"),
                ("reason", ""),
            ],
        )
        .await;
    assert_eq!(page.status, 409, "{}", page.body);
}

#[tokio::test]
async fn a_ticket_goes_only_to_staff_who_work_on_its_site() {
    let d = desk(manager).await;
    let site_manager: String =
        d.t.scalar(
            "SELECT id FROM staff_users WHERE email = $1",
            params![d.org.site_manager_email],
        )
        .await;
    // ticket_a is on site A, the site manager's: they are offered and can be chosen.
    let page = d.page().await;
    assert!(
        page.body
            .contains(&format!("<option value=\"{site_manager}\""))
    );
    let version = d.version().await;
    let page = d
        .send(
            "assign",
            &[("version", &version), ("assignee", &site_manager)],
        )
        .await;
    assert_eq!(page.status, 303, "{}", page.body);
    assert!(d.page().await.body.contains("Sid Site"));
    assert!(d.last_event().await.0.contains("to Sid Site"));
    // ticket_b is on site B: the site manager is neither offered nor accepted.
    let other = format!("/tickets/{}", d.org.ticket_b);
    let page = d.b.get(&d.host, &other).await;
    assert!(
        !page
            .body
            .contains(&format!("<option value=\"{site_manager}\""))
    );
    let version: i64 =
        d.t.scalar(
            "SELECT version FROM tickets WHERE id = $1",
            params![d.org.ticket_b],
        )
        .await;
    let page =
        d.b.post(
            &d.host,
            &format!("{other}/assign"),
            &[
                ("csrf", &page.csrf()),
                ("version", &version.to_string()),
                ("assignee", &site_manager),
            ],
        )
        .await;
    assert_eq!(page.status, 422, "{}", page.body);
    assert!(
        page.body
            .contains("Choose a member of staff who works on this")
    );
}

#[tokio::test]
async fn those_who_may_not_work_a_ticket_are_refused_and_nothing_is_written() {
    let t = spawn_app().await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    fixtures::org(&t.app, "birchwood", "Birchwood Residential").await;
    orgs::add_staff(
        &t.app,
        &org.owner,
        "ada@acme.example",
        "Ada Accountant",
        Role::Accountant,
        None,
    )
    .await
    .unwrap_or_else(|e| panic!("{e:?}"));
    let host = t.admin_host("acme");
    let accountant = t.browser();
    t.sign_in(&accountant, &host, "ada@acme.example").await;
    let csrf = accountant.get(&host, "/dashboard").await.csrf();
    let count = |sql: &'static str| {
        let t = &t;
        let id = org.ticket_a;
        async move { t.scalar::<i64>(sql, params![id]).await }
    };
    let before = (
        count("SELECT version FROM tickets WHERE id = $1").await,
        count("SELECT COUNT(*) FROM ticket_entries WHERE ticket_id = $1").await,
    );
    for (what, fields) in [
        ("reply", vec![("body", "Hello")]),
        ("note", vec![("body", "Hello")]),
        (
            "triage",
            vec![("version", "1"), ("category", "query"), ("priority", "low")],
        ),
        (
            "status",
            vec![
                ("version", "1"),
                ("status", "closed"),
                ("reason", "resolved"),
            ],
        ),
    ] {
        let mut form = vec![("csrf", csrf.as_str())];
        form.extend(fields);
        let page = accountant
            .post(&host, &format!("/tickets/{}/{what}", org.ticket_a), &form)
            .await;
        assert!(
            page.status == 403 || page.status == 404,
            "{what}: {} {}",
            page.status,
            page.body
        );
    }
    assert_eq!(
        before,
        (
            count("SELECT version FROM tickets WHERE id = $1").await,
            count("SELECT COUNT(*) FROM ticket_entries WHERE ticket_id = $1").await,
        )
    );
    // Another organisation's manager: the ticket does not exist for them.
    let stranger = t.browser();
    let birchwood = t.admin_host("birchwood");
    t.sign_in(&stranger, &birchwood, "manager@birchwood.example")
        .await;
    let csrf = stranger.get(&birchwood, "/dashboard").await.csrf();
    let page = stranger
        .post(
            &birchwood,
            &format!("/tickets/{}/reply", org.ticket_a),
            &[("csrf", &csrf), ("body", "Hello")],
        )
        .await;
    assert_eq!(page.status, 404);
    // And a form without its token changes nothing either.
    let manager = t.browser();
    t.sign_in(&manager, &host, &org.manager_email).await;
    let page = manager
        .post(
            &host,
            &format!("/tickets/{}/reply", org.ticket_a),
            &[("body", "Hello")],
        )
        .await;
    assert_eq!(page.status, 403);
    assert_eq!(
        before.1,
        count("SELECT COUNT(*) FROM ticket_entries WHERE ticket_id = $1").await
    );
}
