//! Mandatory occurrence reports in the admin app: recorded as a draft, the notice then the
//! report, due 10 working days after becoming aware, kept 15 years; moved only the way the
//! rules allow; and what the Regulator was told is in their view and the handover pack.

use proplink_backend::error::AppError;
use proplink_backend::params;
use proplink_backend::services::golden_thread::occurrences;
use proplink_backend::services::golden_thread::regulators::{self, NewAccess};
use proplink_shared::audit::Channel;
use proplink_shared::london::format_date;
use proplink_shared::records::{occurrence_due, occurrence_kept_until};
use proplink_shared::{Actor, Principal};
use proplink_tests::{fixtures, spawn_app};
use time::Duration;

use super::golden_thread::{higher_risk, reader, send};

/// Moves the report at `report` on by one of its forms.
async fn step(
    b: &proplink_tests::Browser,
    host: &str,
    report: &str,
    action: &str,
    fields: &[(&str, &str)],
) -> proplink_tests::Page {
    send(b, host, report, &format!("{report}/{action}"), fields).await
}

#[tokio::test]
async fn an_occurrence_goes_notice_then_report_is_due_in_ten_working_days_and_kept_fifteen_years() {
    let t = spawn_app().await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    higher_risk(&t, &org).await;
    let b = t.browser();
    let host = t.admin_host("acme");
    t.sign_in(&b, &host, &org.manager_email).await;
    let list = format!("/buildings/{}/golden-thread/occurrences", org.building);
    let today = t.today();

    // Bad input is sent back by the field, and nothing is written.
    let future = (today + Duration::days(2)).to_string();
    let today_text = today.to_string();
    for (fields, field_error) in [
        (
            vec![("what_happened", ""), ("aware_on", today_text.as_str())],
            "Enter what happened",
        ),
        (
            vec![
                ("what_happened", "A vent failed"),
                ("aware_on", future.as_str()),
            ],
            "That day has not come yet",
        ),
        (
            vec![
                ("what_happened", "A vent failed"),
                ("aware_on", "yesterday"),
            ],
            "must be a real date",
        ),
    ] {
        let refused = send(&b, &host, &list, &list, &fields).await;
        assert_eq!(refused.status, 422, "{}", refused.body);
        assert!(
            refused.body.contains(field_error),
            "{field_error}: {}",
            refused.body
        );
    }
    let none: i64 = t
        .scalar("SELECT COUNT(*) FROM occurrence_reports", params![])
        .await;
    assert_eq!(none, 0);

    let recorded = send(
        &b,
        &host,
        &list,
        &list,
        &[
            (
                "what_happened",
                "The smoke vent at the head of stair B did not open at its test.",
            ),
            ("aware_on", &today.to_string()),
            ("signs", "fire"),
            ("signs", "harm"),
        ],
    )
    .await;
    assert_eq!(recorded.status, 303, "{}", recorded.body);
    let report = recorded.location().unwrap_or_default().to_owned();
    let page = b.get(&host, &report).await;
    assert_eq!(page.status, 200, "{}", page.body);
    for said in [
        "Draft",
        &format_date(occurrence_due(today)),
        "fire or smoke could spread",
        "Notice sent to the Regulator",
    ] {
        assert!(page.body.contains(said), "missing {said:?}: {}", page.body);
    }

    // The report cannot come before the notice, and the notice needs the Regulator's reference.
    let early = step(&b, &host, &report, "report", &[("report", "Full report")]).await;
    assert_eq!(early.status, 409, "{}", early.body);
    let blank = step(&b, &host, &report, "notice", &[("reference", " ")]).await;
    assert_eq!(blank.status, 422, "{}", blank.body);
    let notified = step(
        &b,
        &host,
        &report,
        "notice",
        &[("reference", "BSR-MOR-0042")],
    )
    .await;
    assert_eq!(notified.status, 303, "{}", notified.body);
    let twice = step(&b, &host, &report, "notice", &[("reference", "again")]).await;
    assert_eq!(twice.status, 409, "notified once: {}", twice.body);
    let reported = step(
        &b,
        &host,
        &report,
        "report",
        &[(
            "report",
            "Cause: a seized actuator. Replaced the next day; vents now tested under load.",
        )],
    )
    .await;
    assert_eq!(reported.status, 303, "{}", reported.body);
    let dismissed = step(&b, &host, &report, "dismiss", &[("reason", "x")]).await;
    assert_eq!(
        dismissed.status, 409,
        "a report sent stays sent: {}",
        dismissed.body
    );
    let (status, kept): (String, String) = (
        t.scalar("SELECT status FROM occurrence_reports", params![])
            .await,
        t.scalar("SELECT keep_until FROM occurrence_reports", params![])
            .await,
    );
    assert_eq!(status, "reported");
    assert_eq!(kept, occurrence_kept_until(today).to_string());
    let trail = t.audit_events(org.id).await;
    for said in [
        "recorded MOR-",
        "sent the notice of MOR-",
        "sent the full report of MOR-",
    ] {
        assert!(
            trail.iter().any(|(_, _, s)| s.contains(said)),
            "{said}: {trail:#?}"
        );
    }

    // The Regulator reads what they were told, on their page and in the pack.
    regulators::grant(
        &t.app,
        &org.manager,
        org.building,
        &NewAccess {
            name: "Ann Inspector",
            email: "ann@bsr.example",
            until: &(today + Duration::days(5)).to_string(),
        },
    )
    .await
    .unwrap_or_else(|e| panic!("{e:?}"));
    let (inspector, thread) = reader(&t, "acme", "ann@bsr.example").await;
    let building = format!("/buildings/{}", org.building);
    let view = inspector.get(&thread, &building).await;
    assert!(view.body.contains("BSR-MOR-0042"), "{}", view.body);
    let pack = inspector
        .get(&thread, &format!("{building}/handover.json"))
        .await;
    let pack: serde_json::Value =
        serde_json::from_slice(&pack.bytes).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(pack["mandatory_occurrences"][0]["status"], "reported");
    assert_eq!(
        pack["mandatory_occurrences"][0]["notice_reference"],
        "BSR-MOR-0042"
    );

    // Another organisation finds nothing; the accountant keeps no reports.
    let birch = fixtures::org(&t.app, "birchwood", "Birchwood Lettings").await;
    let theirs = t.browser();
    let their_host = t.admin_host("birchwood");
    t.sign_in(&theirs, &their_host, &birch.manager_email).await;
    assert_eq!(theirs.get(&their_host, &report).await.status, 404);
    assert_eq!(theirs.get(&their_host, &list).await.status, 404);
    let accounts = t.browser();
    t.sign_in(&accounts, &host, &org.accountant_email).await;
    let read_only = accounts.get(&host, &list).await;
    assert_eq!(read_only.status, 200, "{}", read_only.body);
    assert!(
        !read_only.body.contains("Record it as a draft"),
        "{}",
        read_only.body
    );
    let refused = send(
        &accounts,
        &host,
        &list,
        &list,
        &[("what_happened", "x"), ("aware_on", &today.to_string())],
    )
    .await;
    assert_eq!(refused.status, 403, "{}", refused.body);
}

#[tokio::test]
async fn a_draft_left_past_its_due_day_shows_as_overdue_and_can_be_dismissed_with_a_reason() {
    let t = spawn_app().await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    higher_risk(&t, &org).await;
    let b = t.browser();
    let host = t.admin_host("acme");
    t.sign_in(&b, &host, &org.manager_email).await;
    let list = format!("/buildings/{}/golden-thread/occurrences", org.building);
    let aware = t.today() - Duration::days(30);
    let recorded = send(
        &b,
        &host,
        &list,
        &list,
        &[
            ("what_happened", "A crack in the car park's transfer beam."),
            ("aware_on", &aware.to_string()),
            ("signs", "structure"),
        ],
    )
    .await;
    assert_eq!(recorded.status, 303, "{}", recorded.body);
    let page = b.get(&host, &list).await;
    assert!(page.body.contains("overdue"), "{}", page.body);
    let report = recorded.location().unwrap_or_default().to_owned();
    let no_reason = step(&b, &host, &report, "dismiss", &[("reason", "")]).await;
    assert_eq!(no_reason.status, 422);
    let dismissed = step(
        &b,
        &host,
        &report,
        "dismiss",
        &[(
            "reason",
            "The engineer found surface cracking of the screed only; the beam is sound.",
        )],
    )
    .await;
    assert_eq!(dismissed.status, 303, "{}", dismissed.body);
    let page = b.get(&host, &list).await;
    assert!(!page.body.contains("overdue"), "settled: {}", page.body);
    assert!(page.body.contains("Not a mandatory occurrence"));
    let unknown = step(&b, &host, &report, "approve", &[("reason", "x")]).await;
    assert_eq!(unknown.status, 404);
}

/// A double click records one report; a report is found only under its own building and
/// organisation, for reading and for moving on; the Regulator's reading never includes a draft.
#[tokio::test]
async fn a_draft_sent_twice_is_recorded_once_and_only_what_the_regulator_was_told_reaches_them() {
    let t = spawn_app().await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    higher_risk(&t, &org).await;
    t.tamper(
        "UPDATE buildings SET is_hrb = $1 WHERE id = $2",
        params![true, org.building_b.to_string()],
    )
    .await;
    let b = t.browser();
    let host = t.admin_host("acme");
    t.sign_in(&b, &host, &org.manager_email).await;
    let list = format!("/buildings/{}/golden-thread/occurrences", org.building);
    let today = t.today().to_string();
    let fields = [
        (
            "what_happened",
            "The fire door to the bin store would not close.",
        ),
        ("aware_on", today.as_str()),
        ("signs", "fire"),
    ];
    let first = send(&b, &host, &list, &list, &fields).await;
    assert_eq!(first.status, 303, "{}", first.body);
    let again = send(&b, &host, &list, &list, &fields).await;
    assert_eq!(again.status, 409, "{}", again.body);
    assert!(
        again.body.contains("already recorded as MOR-"),
        "{}",
        again.body
    );
    let reports: i64 = t
        .scalar("SELECT COUNT(*) FROM occurrence_reports", params![])
        .await;
    assert_eq!(reports, 1, "a report is never deleted: it is written once");

    // Under another building of the same organisation, the report is not there.
    let report = first.location().unwrap_or_default().to_owned();
    let id = report.rsplit('/').next().unwrap_or_default().to_owned();
    let elsewhere = format!(
        "/buildings/{}/golden-thread/occurrences/{id}",
        org.building_b
    );
    assert_eq!(b.get(&host, &elsewhere).await.status, 404);
    let moved = send(
        &b,
        &host,
        &report,
        &format!("{elsewhere}/notice"),
        &[("reference", "BSR-1")],
    )
    .await;
    assert_eq!(moved.status, 404, "{}", moved.body);
    // Nor to another organisation's staff, who cannot move it on either.
    let birch = fixtures::org(&t.app, "birchwood", "Birchwood Lettings").await;
    let theirs = t.browser();
    let their_host = t.admin_host("birchwood");
    t.sign_in(&theirs, &their_host, &birch.manager_email).await;
    let dismissed = send(
        &theirs,
        &their_host,
        "/dashboard",
        &format!("{report}/dismiss"),
        &[("reason", "Not ours to keep")],
    )
    .await;
    assert_eq!(dismissed.status, 404, "{}", dismissed.body);
    let status: String = t
        .scalar("SELECT status FROM occurrence_reports", params![])
        .await;
    assert_eq!(status, "draft");

    // The Regulator's reading leaves out the draft until the notice is sent.
    let account = regulators::grant(
        &t.app,
        &org.manager,
        org.building,
        &NewAccess {
            name: "Ann Inspector",
            email: "ann@bsr.example",
            until: &(t.today() + Duration::days(5)).to_string(),
        },
    )
    .await
    .unwrap_or_else(|e| panic!("{e:?}"));
    let regulator = Actor {
        org: org.id,
        principal: Principal::Regulator {
            account,
            buildings: [org.building].into(),
        },
        channel: Channel::BuildingThread,
        display_name: "Ann Inspector (Building Safety Regulator)".into(),
    };
    let (_, seen) = occurrences::list(&t.app, &regulator, org.building)
        .await
        .unwrap_or_else(|e| panic!("{e:?}"));
    assert!(seen.is_empty(), "{seen:?}");
    assert!(matches!(
        occurrences::one(&t.app, &regulator, org.building, &id).await,
        Err(AppError::NotFound)
    ));
    let notified = step(&b, &host, &report, "notice", &[("reference", "BSR-7")]).await;
    assert_eq!(notified.status, 303, "{}", notified.body);
    let (_, seen) = occurrences::list(&t.app, &regulator, org.building)
        .await
        .unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(seen.len(), 1);
}
