//! The golden thread of a higher-risk building: every edit a new version, older ones readable,
//! a diff that says what changed, by whom and when; kept only by those who may, and only for a
//! higher-risk building of their own organisation.

use proplink_backend::error::AppError;
use proplink_backend::params;
use proplink_backend::services::golden_thread;
use proplink_shared::records::{GoldenThreadCategory, NewThreadVersion};
use proplink_tests::{TestApp, fixtures, spawn_app};

pub(crate) async fn higher_risk(t: &TestApp, org: &fixtures::Org) {
    t.tamper(
        "UPDATE buildings SET is_hrb = $1 WHERE id = $2",
        params![true, org.building.to_string()],
    )
    .await;
}

fn walls(system: &str, remediation: &str, note: &str) -> NewThreadVersion {
    NewThreadVersion::validate(
        "external_walls",
        &[
            ("wall_system", system),
            ("insulation", "Mineral wool, non-combustible (A1)"),
            ("remediation", remediation),
        ],
        note,
    )
    .unwrap_or_else(|e| panic!("{e}"))
}

#[tokio::test]
async fn an_edit_is_a_new_version_the_old_stays_readable_and_the_diff_says_what_changed() {
    let t = spawn_app().await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    higher_risk(&t, &org).await;
    let first = golden_thread::save(
        &t.app,
        &org.manager,
        org.building,
        0,
        &walls(
            "HPL rainscreen panels on aluminium rails",
            "",
            "Recorded from the as-built survey",
        ),
    )
    .await
    .unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(first, 1);
    let second = golden_thread::save(
        &t.app,
        &org.manager,
        org.building,
        1,
        &walls(
            "Fibre cement panels, A2-s1,d0",
            "HPL panels removed and replaced, completed March 2026",
            "Cladding remediation complete",
        ),
    )
    .await
    .unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(second, 2);

    let (_, history) = golden_thread::history(
        &t.app,
        &org.manager,
        org.building,
        GoldenThreadCategory::ExternalWalls,
    )
    .await
    .unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(
        history.iter().map(|v| v.version).collect::<Vec<_>>(),
        [2, 1]
    );
    assert_eq!(
        history[1].body.get("wall_system").map(String::as_str),
        Some("HPL rainscreen panels on aluminium rails"),
        "the first version is kept as it was written"
    );
    assert_eq!(history[1].change_note, "Recorded from the as-built survey");
    assert_eq!(history[0].author, org.manager.display_name);

    let diff = golden_thread::compare(
        &t.app,
        &org.manager,
        org.building,
        GoldenThreadCategory::ExternalWalls,
        1,
        2,
    )
    .await
    .unwrap_or_else(|e| panic!("{e:?}"));
    let said: Vec<(&str, &str, &str)> = diff
        .changes
        .iter()
        .map(|c| (c.label, c.before.as_str(), c.after.as_str()))
        .collect();
    assert_eq!(
        said,
        [
            (
                "Wall system and cladding",
                "HPL rainscreen panels on aluminium rails",
                "Fibre cement panels, A2-s1,d0"
            ),
            (
                "Remediation done or planned",
                "",
                "HPL panels removed and replaced, completed March 2026"
            ),
        ],
        "the insulation did not change and is not listed"
    );
    assert_eq!(diff.to.author, org.manager.display_name);
    assert!(diff.to.at >= diff.from.at);

    let (_, parts) = golden_thread::current(&t.app, &org.manager, org.building)
        .await
        .unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(parts.len(), 1);
    assert_eq!(parts[0].version, 2);
    let events: i64 = t
        .scalar(
            "SELECT COUNT(*) FROM audit_events WHERE record_type = 'golden_thread' AND record_id = $1 AND sentence LIKE '%updated \"External walls and insulation\" in the golden thread of %'",
            params![org.building.to_string()],
        )
        .await;
    assert_eq!(events, 2);
    // The trail keeps what changed too.
    let detail: String = t
        .scalar(
            "SELECT detail FROM audit_events WHERE record_type = 'golden_thread' AND detail LIKE '%\"version\":2%'",
            params![],
        )
        .await;
    assert!(detail.contains("Fibre cement panels"), "{detail}");
}

#[tokio::test]
async fn a_stale_or_empty_edit_is_refused_and_nothing_is_lost() {
    let t = spawn_app().await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    higher_risk(&t, &org).await;
    let v1 = walls("Brick slips on render", "", "First entry");
    golden_thread::save(&t.app, &org.manager, org.building, 0, &v1)
        .await
        .unwrap_or_else(|e| panic!("{e:?}"));
    // Someone else's form, opened before that first save, is refused.
    let late = golden_thread::save(
        &t.app,
        &org.manager,
        org.building,
        0,
        &walls("Render", "", "Mine"),
    )
    .await;
    assert!(
        matches!(&late, Err(AppError::Conflict { code, .. }) if *code == "stale"),
        "{late:?}"
    );
    // Saving the same again is not a version.
    let same = golden_thread::save(&t.app, &org.manager, org.building, 1, &v1).await;
    assert!(matches!(&same, Err(AppError::Invalid(_))), "{same:?}");
    let (_, history) = golden_thread::history(
        &t.app,
        &org.manager,
        org.building,
        GoldenThreadCategory::ExternalWalls,
    )
    .await
    .unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(history.len(), 1);
    assert_eq!(
        history[0].body.get("wall_system").map(String::as_str),
        Some("Brick slips on render")
    );
}

#[tokio::test]
async fn only_a_higher_risk_building_has_a_thread_kept_by_those_who_may_in_its_organisation() {
    let t = spawn_app().await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    let v1 = walls("Brick", "", "First entry");
    // Not higher-risk: no thread at all.
    let none = golden_thread::save(&t.app, &org.manager, org.building, 0, &v1).await;
    assert!(matches!(none, Err(AppError::NotFound)), "{none:?}");
    assert!(matches!(
        golden_thread::current(&t.app, &org.manager, org.building).await,
        Err(AppError::NotFound)
    ));
    higher_risk(&t, &org).await;
    // An accountant does not keep the thread.
    let accountant = golden_thread::save(&t.app, &org.accountant, org.building, 0, &v1).await;
    assert!(
        matches!(accountant, Err(AppError::Forbidden | AppError::NotFound)),
        "{accountant:?}"
    );
    // Another organisation's manager finds nothing there.
    let other = fixtures::org(&t.app, "birchwood", "Birchwood Lettings").await;
    let stranger = golden_thread::save(&t.app, &other.manager, org.building, 0, &v1).await;
    assert!(matches!(stranger, Err(AppError::NotFound)), "{stranger:?}");
    assert!(matches!(
        golden_thread::history(
            &t.app,
            &other.manager,
            org.building,
            GoldenThreadCategory::ExternalWalls
        )
        .await,
        Err(AppError::NotFound)
    ));
    let rows: i64 = t
        .scalar("SELECT COUNT(*) FROM thread_versions", params![])
        .await;
    assert_eq!(rows, 0, "nothing was written by anyone refused");
}

/// Sends a form on `page_path` to `action`, with the page's token.
pub(crate) async fn send(
    b: &proplink_tests::Browser,
    host: &str,
    page_path: &str,
    action: &str,
    fields: &[(&str, &str)],
) -> proplink_tests::Page {
    let csrf = b.get(host, page_path).await.csrf();
    let mut form = vec![("csrf", csrf.as_str())];
    form.extend_from_slice(fields);
    b.post(host, action, &form).await
}

#[tokio::test]
async fn a_manager_keeps_the_thread_from_its_pages_and_compares_versions() {
    let t = spawn_app().await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    let b = t.browser();
    let host = t.admin_host("acme");
    t.sign_in(&b, &host, &org.manager_email).await;
    let thread = format!("/buildings/{}/golden-thread", org.building);
    assert_eq!(
        b.get(&host, &thread).await.status,
        404,
        "not higher-risk: no thread"
    );
    higher_risk(&t, &org).await;
    let building = b.get(&host, &format!("/buildings/{}", org.building)).await;
    assert!(
        building.body.contains("Open the golden thread"),
        "{}",
        building.body
    );
    let page = b.get(&host, &thread).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("External walls and insulation"));
    assert!(page.body.contains("Not recorded yet"));

    let part = format!("{thread}/evacuation_strategy");
    // A form missing what it must say is sent back with the reasons, keeping what was typed.
    let refused = send(
        &b,
        &host,
        &part,
        &part,
        &[
            ("based_on", "0"),
            ("strategy", "stay_put"),
            (
                "what_to_do",
                "Stay in your flat unless fire or smoke reaches it.",
            ),
            ("change_note", ""),
        ],
    )
    .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(refused.body.contains("Enter what changed and why"));
    assert!(
        refused
            .body
            .contains("Stay in your flat unless fire or smoke reaches it.")
    );
    let saved = send(
        &b,
        &host,
        &part,
        &part,
        &[
            ("based_on", "0"),
            ("strategy", "stay_put"),
            (
                "what_to_do",
                "Stay in your flat unless fire or smoke reaches it.",
            ),
            ("change_note", "From the 2025 fire risk assessment"),
        ],
    )
    .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let saved = send(
        &b,
        &host,
        &part,
        &part,
        &[
            ("based_on", "1"),
            ("strategy", "simultaneous"),
            (
                "what_to_do",
                "Leave by the nearest stair when the alarm sounds.",
            ),
            ("change_note", "Waking watch ended; alarm installed"),
        ],
    )
    .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    // A form opened before that save is refused, not applied.
    let stale = send(
        &b,
        &host,
        &part,
        &part,
        &[
            ("based_on", "1"),
            ("strategy", "phased"),
            ("what_to_do", "x"),
            ("change_note", "late"),
        ],
    )
    .await;
    assert_eq!(stale.status, 409, "{}", stale.body);

    let page = b.get(&host, &part).await;
    assert!(page.body.contains("Versions (2)"), "{}", page.body);
    assert!(page.body.contains("Simultaneous evacuation"));
    let diff = b.get(&host, &format!("{part}?from=1&to=2")).await;
    assert_eq!(diff.status, 200);
    assert!(
        diff.body
            .contains("What changed from version 1 to version 2")
    );
    assert!(diff.body.contains("Stay put") && diff.body.contains("Simultaneous evacuation"));
    assert!(diff.body.contains("Waking watch ended; alarm installed"));
    assert_eq!(
        b.get(&host, &format!("{part}?from=1&to=9")).await.status,
        404
    );
    assert_eq!(
        b.get(&host, &format!("{thread}/not_a_part")).await.status,
        404
    );
    // Occurrence reports are not free edits of the thread.
    let occurrence = format!("{thread}/mandatory_occurrence");
    let csrf = b.get(&host, &part).await.csrf();
    let refused = b
        .post(
            &host,
            &occurrence,
            &[
                ("csrf", &csrf),
                ("based_on", "0"),
                ("what_happened", "x"),
                ("change_note", "y"),
            ],
        )
        .await;
    assert_eq!(
        refused.status,
        404,
        "{:?} {}",
        refused.location(),
        refused.body
    );

    // An accountant reads no golden thread and cannot write one.
    let accounts = t.browser();
    t.sign_in(&accounts, &host, &org.accountant_email).await;
    let tried = accounts
        .post(
            &host,
            &part,
            &[
                ("csrf", "x"),
                ("based_on", "2"),
                ("strategy", "phased"),
                ("what_to_do", "y"),
                ("change_note", "z"),
            ],
        )
        .await;
    assert!(matches!(tried.status, 403 | 404), "{}", tried.status);
    // Another organisation's manager finds nothing at that address.
    let other = fixtures::org(&t.app, "birchwood", "Birchwood Lettings").await;
    let stranger = t.browser();
    let their_host = t.admin_host("birchwood");
    t.sign_in(&stranger, &their_host, &other.manager_email)
        .await;
    assert_eq!(stranger.get(&their_host, &thread).await.status, 404);
    let rows: i64 = t
        .scalar("SELECT COUNT(*) FROM thread_versions", params![])
        .await;
    assert_eq!(rows, 2);
}

pub(crate) fn thread_host(t: &TestApp, slug: &str) -> String {
    format!("{slug}.{}", t.app.config.thread_domain)
}

/// Signs `email` in to `slug`'s BuildingThread.
pub(crate) async fn reader(
    t: &TestApp,
    slug: &str,
    email: &str,
) -> (proplink_tests::Browser, String) {
    let b = t.browser();
    let host = thread_host(t, slug);
    let code = t.request_code(&b, &host, email).await;
    let page = t.submit_code(&b, &host, &code).await;
    assert_eq!(
        page.status, 303,
        "BuildingThread sign-in failed: {}",
        page.body
    );
    (b, host)
}

pub(crate) async fn part(t: &TestApp, org: &fixtures::Org, part: &str, fields: &[(&str, &str)]) {
    let new =
        NewThreadVersion::validate(part, fields, "Recorded").unwrap_or_else(|e| panic!("{e}"));
    golden_thread::save(&t.app, &org.manager, org.building, 0, &new)
        .await
        .unwrap_or_else(|e| panic!("{e:?}"));
}

#[tokio::test]
async fn a_resident_reads_their_buildings_thread_in_plain_words_and_nothing_else() {
    let t = spawn_app().await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    higher_risk(&t, &org).await;
    part(
        &t,
        &org,
        "resident_summary",
        &[(
            "summary",
            "New non-combustible cladding and fire doors to every flat.",
        )],
    )
    .await;
    part(
        &t,
        &org,
        "evacuation_strategy",
        &[
            ("strategy", "stay_put"),
            (
                "what_to_do",
                "Stay in your flat unless heat or smoke reaches you.",
            ),
        ],
    )
    .await;
    part(
        &t,
        &org,
        "accountable_persons",
        &[
            ("principal", "Alpha Court RMC Ltd"),
            ("principal_contact", "safety@alpha.example"),
        ],
    )
    .await;
    part(
        &t,
        &org,
        "external_walls",
        &[
            ("wall_system", "Fibre cement panels"),
            ("insulation", "Mineral wool"),
        ],
    )
    .await;

    // Safety works on the shared parts: a fire-door repair done, one in his own flat, a
    // cleaning job, and a draft nobody has sent yet.
    let mut works = Vec::new();
    for (title, trade, unit) in [
        (
            "Replace the self-closer on the stair door",
            "fire_safety",
            None,
        ),
        ("Fire door to Flat 1", "fire_safety", Some(org.unit)),
        ("Deep clean of the bin store", "cleaning", None),
        ("Test the dry riser", "fire_safety", None),
    ] {
        let new = proplink_shared::records::NewWorkOrder::validate(
            title,
            "As described",
            trade,
            "medium",
            None,
            t.app.clock.now().date(),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let place = proplink_backend::store::work_orders::WorkOrderPlace {
            site: org.site_a,
            building: Some(org.building),
            unit,
            ticket: None,
        };
        works.push(
            proplink_backend::services::work_orders::create(&t.app, &org.manager, place, &[], &new)
                .await
                .unwrap_or_else(|e| panic!("{e:?}")),
        );
    }
    // As if a contractor had done the first three: the last stays a draft.
    for wo in &works[..3] {
        t.tamper(
            "UPDATE work_orders SET status = 'completed' WHERE id = $1",
            params![wo.to_string()],
        )
        .await;
    }

    let (b, host) = reader(&t, "acme", "ravi@acme.example").await;
    let home = b.get(&host, "/").await;
    assert_eq!(home.status, 303);
    let building = format!("/buildings/{}", org.building);
    assert_eq!(home.location(), Some(building.as_str()));
    let page = b.get(&host, &building).await;
    assert_eq!(page.status, 200, "{}", page.body);
    for said in [
        "What keeps you safe",
        "New non-combustible cladding and fire doors to every flat.",
        "If there is a fire",
        "This building&#39;s strategy: Stay put.",
        "Stay in your flat unless heat or smoke reaches you.",
        "The Principal Accountable Person is Alpha Court RMC Ltd.",
        "Acme Estates",
        "BuildingThread",
    ] {
        assert!(page.body.contains(said), "missing {said:?}: {}", page.body);
    }
    assert!(
        !page.body.contains("href=\"/profile\""),
        "BuildingThread has no profile page to link to"
    );
    // The fire-safety works done on the shared parts, said as the trade and where they stand:
    // never the office's words, never a home's works, a cleaning job or an unsent draft.
    assert!(page.body.contains("Recent safety works"));
    assert_eq!(
        page.body.matches("Fire safety works").count(),
        1,
        "{}",
        page.body
    );
    assert!(page.body.contains("Done"));
    for private in [
        "Replace the self-closer",
        "Fire door to Flat 1",
        "Deep clean of the bin store",
        "Cleaning works",
        "Test the dry riser",
    ] {
        assert!(!page.body.contains(private), "{private}: {}", page.body);
    }
    assert!(
        !page.body.contains("Fibre cement panels"),
        "the Key Building Information is the Regulator's, not on the residents' page"
    );

    // Another building of theirs they do not live in, and one that is not higher-risk: nothing.
    let other_building = org.building_b;
    assert_eq!(
        b.get(&host, &format!("/buildings/{other_building}"))
            .await
            .status,
        404
    );
    // Another organisation's resident, even of a higher-risk building there, sees nothing here.
    let birch = fixtures::org(&t.app, "birchwood", "Birchwood Lettings").await;
    higher_risk(&t, &birch).await;
    let (theirs, their_host) = reader(&t, "birchwood", "ravi@birchwood.example").await;
    assert_eq!(theirs.get(&their_host, &building).await.status, 404);
    // And this organisation's door does not know them.
    assert_eq!(
        theirs.get(&host, &building).await.status,
        303,
        "not signed in here"
    );
}

#[tokio::test]
async fn a_resident_of_a_building_that_is_not_higher_risk_is_sent_no_code() {
    let t = spawn_app().await;
    fixtures::org(&t.app, "acme", "Acme Estates").await;
    let b = t.browser();
    let host = thread_host(&t, "acme");
    let form = b.get(&host, "/sign-in").await;
    let before = t.smtp.to("bea@acme.example").len();
    let asked = b
        .post(
            &host,
            "/sign-in",
            &[("csrf", &form.csrf()), ("email", "bea@acme.example")],
        )
        .await;
    assert_eq!(
        asked.status, 303,
        "the same answer as for anyone: {}",
        asked.body
    );
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(
        t.smtp.to("bea@acme.example").len(),
        before,
        "no code was sent"
    );
}

#[tokio::test]
async fn a_safety_concern_becomes_a_compliance_request_and_a_possible_occurrence_prompts_staff() {
    let t = spawn_app().await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    higher_risk(&t, &org).await;
    let (b, host) = reader(&t, "acme", "ravi@acme.example").await;
    let building = format!("/buildings/{}", org.building);
    let action = format!("{building}/concerns");
    let page = b.get(&host, &building).await;
    assert!(page.body.contains("Raise a safety concern"));

    // Without a token: refused, nothing kept.
    let forged = b
        .post(&host, &action, &[("area", "stairs"), ("body", "x")])
        .await;
    assert!(matches!(forged.status, 400 | 403), "{}", forged.status);
    // Said nothing: sent back by the field.
    let empty = b
        .post(
            &host,
            &action,
            &[("csrf", &page.csrf()), ("area", ""), ("body", "")],
        )
        .await;
    assert_eq!(empty.status, 422, "{}", empty.body);
    assert!(empty.body.contains("Choose where it is"));
    let tickets_before: i64 = t.scalar("SELECT COUNT(*) FROM tickets", params![]).await;

    // A fire door that does not close, which could let smoke spread and hurt people.
    let page = b.get(&host, &building).await;
    let sent = b
        .post(
            &host,
            &action,
            &[
                ("csrf", &page.csrf()),
                ("area", "stairs"),
                (
                    "body",
                    "The fire door on the 6th floor landing no longer closes by itself.",
                ),
                ("signs", "fire"),
                ("signs", "harm"),
            ],
        )
        .await;
    assert_eq!(sent.status, 303, "{}", sent.body);
    let to = sent.location().unwrap_or_default().to_owned();
    assert!(to.contains("mandatory=yes"), "{to}");
    let thanks = b.get(&host, &to).await;
    assert!(
        thanks
            .body
            .contains("It may need reporting to the Building Safety Regulator")
    );
    // The address cannot put words on the page: only a concern of their own is thanked for.
    for crafted in [
        format!("{building}?concern=TKT-1.%20Evacuate%20now&mandatory=yes"),
        format!("{building}?concern={}&mandatory=yes", uuid::Uuid::now_v7()),
    ] {
        let page = b.get(&host, &crafted).await;
        assert_eq!(page.status, 200);
        assert!(!page.body.contains("Thank you."), "{crafted}");
        assert!(!page.body.contains("Evacuate"), "{crafted}");
    }
    let (category, priority, channel): (String, String, String) = (
        t.scalar("SELECT category FROM tickets ORDER BY created_at DESC LIMIT 1", params![]).await,
        t.scalar("SELECT priority FROM tickets ORDER BY created_at DESC LIMIT 1", params![]).await,
        t.scalar("SELECT channel FROM audit_events WHERE record_type = 'ticket' ORDER BY seq DESC LIMIT 1", params![]).await,
    );
    assert_eq!(
        (category.as_str(), priority.as_str(), channel.as_str()),
        ("compliance", "high", "buildingthread")
    );
    let note: String = t
        .scalar(
            "SELECT body FROM ticket_entries WHERE kind = 'internal_note' ORDER BY created_at DESC LIMIT 1",
            params![],
        )
        .await;
    assert!(
        note.contains("Pre-filled notice") && note.contains("fire or smoke spreading"),
        "{note}"
    );
    assert!(note.contains("no longer closes by itself"));
    // A draft occurrence report is open for staff, linked to the request, due in 10 working days.
    let (reference, status, due): (String, String, String) = (
        t.scalar("SELECT reference FROM occurrence_reports", params![])
            .await,
        t.scalar("SELECT status FROM occurrence_reports", params![])
            .await,
        t.scalar("SELECT due_on FROM occurrence_reports", params![])
            .await,
    );
    assert!(note.contains(&reference), "{note}");
    assert_eq!(status, "draft");
    let today = proplink_shared::london::local(t.app.clock.now()).date();
    assert_eq!(
        due,
        proplink_shared::records::occurrence_due(today).to_string()
    );

    // Something that does not meet the test is a request and nothing more.
    let page = b.get(&host, &building).await;
    let minor = b
        .post(
            &host,
            &action,
            &[
                ("csrf", &page.csrf()),
                ("area", "bins"),
                ("body", "The bin store light is out."),
            ],
        )
        .await;
    assert_eq!(minor.status, 303);
    assert!(!minor.location().unwrap_or_default().contains("mandatory"));
    let tickets_after: i64 = t.scalar("SELECT COUNT(*) FROM tickets", params![]).await;
    assert_eq!(tickets_after, tickets_before + 2);
    let notes: i64 = t
        .scalar(
            "SELECT COUNT(*) FROM ticket_entries WHERE kind = 'internal_note'",
            params![],
        )
        .await;
    assert_eq!(notes, 1, "only the possible occurrence prompts staff");
}
