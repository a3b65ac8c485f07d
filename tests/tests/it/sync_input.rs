//! What a device may send in a push, and how every kind of wrong input is answered: never a
//! 500, never half a batch, never a hint about another organisation.

use facility_report_core::Client;
use facility_report_core::client::Pushed;
use proplink_shared::records::{IssueCategory, Priority};
use proplink_shared::sync::{
    Change, LogIssue, MAX_MUTATIONS_PER_PUSH, Mutation, Outcome, PushRequest, PushResponse,
    ReplyTicket,
};
use proplink_shared::{IssueId, SiteId, TicketId};
use proplink_tests::{Phone, TestApp, fixtures, spawn_app};
use uuid::Uuid;

fn log_issue(site: SiteId, issue: IssueId, ticket: Option<TicketId>, title: &str) -> Change {
    Change::LogIssue(LogIssue {
        issue_id: issue,
        site_id: site,
        building_id: None,
        ticket_id: ticket,
        title: title.into(),
        description: String::new(),
        location: "Lobby".into(),
        category: IssueCategory::Other,
        priority: Priority::Low,
        photos: Vec::new(),
    })
}

/// The changes numbered from the server's next `seq` for this phone, each with a fresh id.
async fn numbered(t: &TestApp, phone: &Phone, changes: Vec<Change>) -> Vec<Mutation> {
    let last: i64 = t
        .scalar(
            "SELECT COALESCE(MAX(last_seq), 0) FROM sync_devices WHERE device_id = $1",
            proplink_backend::params![phone.device_id().to_string()],
        )
        .await;
    let first = last.max(phone.next_seq() - 1) + 1;
    changes
        .into_iter()
        .zip(first..)
        .map(|(change, seq)| Mutation {
            mutation_id: Uuid::now_v7(),
            seq,
            change,
        })
        .collect()
}

async fn push(t: &TestApp, phone: &Phone, mutations: Vec<Mutation>) -> PushResponse {
    let client = Client::new(&t.api_url()).unwrap_or_else(|e| panic!("{e}"));
    let request = PushRequest {
        device_id: phone.device_id(),
        mutations,
    };
    match client.push(&phone.token(), &request).await {
        Ok(Pushed::Done(r)) => r,
        Ok(Pushed::Gap { expected }) => panic!("gap: expected {expected}"),
        Err(e) => panic!("push failed: {e}"),
    }
}

async fn issues_titled(t: &TestApp, title: &str) -> i64 {
    t.scalar(
        "SELECT COUNT(*) FROM issues WHERE title = $1",
        proplink_backend::params![title],
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_id_sent_again_under_a_new_number_is_acknowledged_not_a_failure() {
    let t = spawn_app().await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    let phone = t.phone("acme", &org.site_manager_email).await;
    let mut batch = numbered(
        &t,
        &phone,
        vec![
            log_issue(org.site_a, IssueId::new(), None, "First"),
            log_issue(org.site_a, IssueId::new(), None, "Same id, other content"),
            log_issue(org.site_a, IssueId::new(), None, "Third"),
        ],
    )
    .await;
    batch[1].mutation_id = batch[0].mutation_id;
    let answer = push(&t, &phone, batch.clone()).await;
    let outcomes: Vec<_> = answer
        .results
        .iter()
        .map(|r| (r.outcome, r.original))
        .collect();
    assert_eq!(
        outcomes,
        vec![
            (Outcome::Applied, None),
            (Outcome::Duplicate, Some(Outcome::Applied)),
            (Outcome::Applied, None),
        ]
    );
    assert_eq!(answer.last_seq, batch[2].seq, "the phone's outbox moves on");
    assert_eq!(issues_titled(&t, "Same id, other content").await, 0);
    // Sent again whole (a reply lost on the way), every change is a duplicate; nothing twice.
    let again = push(&t, &phone, batch).await;
    assert!(
        again
            .results
            .iter()
            .all(|r| r.outcome == Outcome::Duplicate)
    );
    assert_eq!(issues_titled(&t, "First").await, 1);
    assert_eq!(issues_titled(&t, "Third").await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_organisations_ids_are_indistinguishable_from_ids_never_used() {
    let t = spawn_app().await;
    let acme = fixtures::org(&t.app, "acme", "Acme Estates").await;
    let birch = fixtures::org(&t.app, "birchwood", "Birchwood Residential").await;
    let phone = t.phone("birchwood", &birch.site_manager_email).await;
    // An issue id Acme already uses is free for Birchwood: ids belong to an organisation.
    let answer = push(
        &t,
        &phone,
        numbered(
            &t,
            &phone,
            vec![log_issue(birch.site_a, acme.issue, None, "Our own")],
        )
        .await,
    )
    .await;
    assert_eq!(
        answer.results[0].outcome,
        Outcome::Applied,
        "{:?}",
        answer.results
    );
    // Replying to Acme's request reads exactly as replying to one that never existed.
    let reply = |ticket| {
        Change::ReplyTicket(ReplyTicket {
            ticket_id: ticket,
            body: "Hello".into(),
            internal: false,
        })
    };
    let answer = push(
        &t,
        &phone,
        numbered(
            &t,
            &phone,
            vec![reply(acme.ticket_a), reply(TicketId::new())],
        )
        .await,
    )
    .await;
    let [theirs, nobodys] = &answer.results[..] else {
        panic!("{:?}", answer.results)
    };
    assert_eq!(theirs.outcome, Outcome::Rejected);
    assert_eq!(
        (&theirs.code, &theirs.reason),
        (&nobodys.code, &nobodys.reason)
    );
    assert_eq!(theirs.code.as_deref(), Some("not_found"));
    // And the same issue id twice within Birchwood is a clear refusal, not a failure.
    let answer = push(
        &t,
        &phone,
        numbered(
            &t,
            &phone,
            vec![log_issue(birch.site_a, acme.issue, None, "Twice")],
        )
        .await,
    )
    .await;
    assert_eq!(answer.results[0].outcome, Outcome::Rejected);
    assert_eq!(answer.results[0].code.as_deref(), Some("already_exists"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_issue_cannot_name_a_request_on_a_site_the_device_cannot_see() {
    let t = spawn_app().await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    let phone = t.phone("acme", &org.site_manager_email).await;
    let answer = push(
        &t,
        &phone,
        numbered(
            &t,
            &phone,
            vec![
                log_issue(
                    org.site_a,
                    IssueId::new(),
                    Some(org.ticket_b),
                    "Linked elsewhere",
                ),
                log_issue(
                    org.site_a,
                    IssueId::new(),
                    Some(TicketId::new()),
                    "Linked to nothing",
                ),
                log_issue(
                    org.site_a,
                    IssueId::new(),
                    Some(org.ticket_a),
                    "Linked at home",
                ),
            ],
        )
        .await,
    )
    .await;
    let [elsewhere, nothing, home] = &answer.results[..] else {
        panic!("{:?}", answer.results)
    };
    assert_eq!(elsewhere.outcome, Outcome::Rejected);
    assert_eq!(
        (&elsewhere.code, &elsewhere.reason),
        (&nothing.code, &nothing.reason)
    );
    assert_eq!(home.outcome, Outcome::Applied);
    assert_eq!(issues_titled(&t, "Linked elsewhere").await, 0);
    let refusals = t
        .audit_events(org.id)
        .await
        .into_iter()
        .filter(|(action, _, _)| action == "permission_refused")
        .count();
    assert_eq!(refusals, 2, "each refusal is in the audit trail");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_push_of_too_many_changes_is_refused_whole_with_the_limit_named() {
    let t = spawn_app().await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    let phone = t.phone("acme", &org.site_manager_email).await;
    let changes = (0..=MAX_MUTATIONS_PER_PUSH)
        .map(|i| log_issue(org.site_a, IssueId::new(), None, &format!("Flood {i}")))
        .collect();
    let client = Client::new(&t.api_url()).unwrap_or_else(|e| panic!("{e}"));
    let request = PushRequest {
        device_id: phone.device_id(),
        mutations: numbered(&t, &phone, changes).await,
    };
    let err = client.push(&phone.token(), &request).await.err();
    assert!(
        matches!(&err, Some(facility_report_core::CoreError::Server { code, message }) if code == "invalid" && message.contains("at most 100 changes")),
        "{err:?}"
    );
    assert_eq!(issues_titled(&t, "Flood 0").await, 0);
    // The app's own sync sends such an outbox in batches the server takes.
    for i in 0..=MAX_MUTATIONS_PER_PUSH {
        facility_report_core::actions::log_issue(
            &phone.store,
            &facility_report_core::actions::IssueInput {
                site_id: org.site_a,
                building_id: None,
                ticket_id: None,
                title: &format!("Batch {i}"),
                description: "",
                location: "Lobby",
                category: "other",
                priority: "low",
                photos: &[],
            },
        )
        .unwrap_or_else(|e| panic!("{e}"));
    }
    let report = facility_report_core::sync::sync(&phone.store)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(report.applied, MAX_MUTATIONS_PER_PUSH + 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn photo_uploads_abandoned_for_a_day_are_removed() {
    let t = spawn_app().await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    let phone = t.phone("acme", &org.site_manager_email).await;
    let client = Client::new(&t.api_url()).unwrap_or_else(|e| panic!("{e}"));
    let start = |seed: u64| {
        let bytes = proplink_tests::camera_jpeg(seed, 50_000);
        let sha = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&bytes));
        (bytes, sha)
    };
    let (old_bytes, old) = start(1);
    client
        .photo_append(
            &phone.token(),
            &old,
            0,
            old_bytes.len() as u64,
            old_bytes[..10_000].to_vec(),
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let uploads = t.data_dir.path.join("uploads");
    let parts = || {
        walk(&uploads)
            .into_iter()
            .filter(|p| p.extension().is_some_and(|e| e == "part"))
            .count()
    };
    assert_eq!(parts(), 1);
    t.app.clock.advance(time::Duration::hours(23));
    let (new_bytes, new) = start(2);
    client
        .photo_append(
            &phone.token(),
            &new,
            0,
            new_bytes.len() as u64,
            new_bytes[..10_000].to_vec(),
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    t.app.clock.advance(time::Duration::hours(2));
    let removed = proplink_backend::services::maintenance::tidy(&t.app)
        .await
        .unwrap_or_else(|e| panic!("{e:?}"));
    assert!(removed >= 1);
    assert_eq!(parts(), 1, "only the upload touched within a day is kept");
    assert_eq!(
        client.photo_held(&phone.token(), &old).await.ok().flatten(),
        None
    );
    let held = client
        .photo_held(&phone.token(), &new)
        .await
        .ok()
        .flatten()
        .unwrap_or_else(|| panic!("the recent upload is kept"));
    assert_eq!(held.offset, 10_000);
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                out.extend(walk(&path));
            } else {
                out.push(path);
            }
        }
    }
    out
}
