//! The Building Safety Regulator on BuildingThread: an inspector given a building by the
//! organisation reads its whole golden thread and every version, takes the handover pack as
//! PDF and JSON, and every view and export is in the trail; a grant that ends or is revoked
//! refuses them. And the fire-safety information issued to residents, delivered when opened.

use proplink_backend::params;
use proplink_backend::services::documents::{self, DocumentPlace};
use proplink_backend::services::golden_thread::fire_safety;
use proplink_backend::services::golden_thread::regulators::{self, NewAccess};
use proplink_backend::services::golden_thread::{self};
use proplink_backend::services::people;
use proplink_shared::authz::Audience;
use proplink_shared::records::{ContactKind, NewContact, UnitRole};
use proplink_shared::records::{NewThreadVersion, RecordType};
use proplink_tests::{Browser, TestApp, fixtures, pdftotext, spawn_app};
use time::Duration;

use super::golden_thread::{higher_risk, part, reader, send, thread_host};

const INSPECTOR: &str = "ann.inspector@bsr.example";

/// External walls in two versions, and the summary residents read.
async fn a_thread(t: &TestApp, org: &fixtures::Org) {
    higher_risk(t, org).await;
    part(
        t,
        org,
        "external_walls",
        &[
            ("wall_system", "HPL rainscreen panels"),
            ("insulation", "Phenolic foam"),
        ],
    )
    .await;
    let v2 = NewThreadVersion::validate(
        "external_walls",
        &[
            ("wall_system", "Fibre cement panels, A2-s1,d0"),
            ("insulation", "Mineral wool (A1)"),
            ("remediation", "HPL panels replaced, completed March 2026"),
        ],
        "Cladding remediation complete",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    golden_thread::save(&t.app, &org.manager, org.building, 1, &v2)
        .await
        .unwrap_or_else(|e| panic!("{e:?}"));
    part(
        t,
        org,
        "resident_summary",
        &[("summary", "New non-combustible cladding.")],
    )
    .await;
}

/// The manager gives `email` the building through the admin app.
async fn give(t: &TestApp, org: &fixtures::Org, email: &str, until: time::Date) -> Browser {
    let b = t.browser();
    let host = t.admin_host(&org.slug);
    t.sign_in(&b, &host, &org.manager_email).await;
    let access = format!("/buildings/{}/golden-thread/access", org.building);
    let given = send(
        &b,
        &host,
        &access,
        &access,
        &[
            ("name", "Ann Inspector"),
            ("email", email),
            ("until", &until.to_string()),
        ],
    )
    .await;
    assert_eq!(given.status, 303, "{}", given.body);
    b
}

fn pdf(text: &str) -> Vec<u8> {
    format!("%PDF-1.4\n% {text}\n%%EOF\n").into_bytes()
}

/// Files a PDF on the building, in `folder` for `audience`.
async fn file(
    t: &TestApp,
    org: &fixtures::Org,
    folder: &str,
    audience: Audience,
    title: &str,
) -> proplink_shared::DocumentId {
    documents::add(
        &t.app,
        &org.manager,
        DocumentPlace {
            site: Some(org.site_a),
            record_type: RecordType::Building,
            record_id: org.building.to_string(),
            folder,
            audience,
        },
        title,
        "file.pdf",
        &pdf(title),
    )
    .await
    .unwrap_or_else(|e| panic!("{e:?}"))
}

#[tokio::test]
async fn an_inspector_reads_the_whole_thread_and_every_version_exports_the_pack_and_all_of_it_is_audited()
 {
    let t = spawn_app().await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    a_thread(&t, &org).await;
    let strategy = file(
        &t,
        &org,
        "Fire strategy",
        Audience::Regulator,
        "Fire strategy report",
    )
    .await;
    let minutes = file(&t, &org, "Meetings", Audience::StaffOnly, "Board minutes").await;
    let until = t.today() + Duration::days(30);
    give(&t, &org, INSPECTOR, until).await;
    // The inspector is told where to sign in.
    let told = t.smtp.wait_for(INSPECTOR, 1).await;
    assert!(
        told.text().contains(&thread_host(&t, "acme")),
        "{}",
        told.text()
    );

    let (b, host) = reader(&t, "acme", INSPECTOR).await;
    let home = b.get(&host, "/").await;
    assert_eq!(home.status, 200, "{}", home.body);
    let building = format!("/buildings/{}", org.building);
    assert!(
        home.body.contains(&format!("href=\"{building}\"")),
        "{}",
        home.body
    );

    let page = b.get(&host, &building).await;
    assert_eq!(page.status, 200, "{}", page.body);
    for said in [
        "Fibre cement panels, A2-s1,d0",
        "New non-combustible cladding.",
        "handover.pdf",
        "handover.json",
        "Ann Inspector",
    ] {
        assert!(page.body.contains(said), "missing {said:?}: {}", page.body);
    }
    let versions = b
        .get(&host, &format!("{building}/parts/external_walls"))
        .await;
    assert_eq!(versions.status, 200, "{}", versions.body);
    for said in [
        "Version 2 (as it stands)",
        "Version 1",
        "HPL rainscreen panels",
        "Cladding remediation complete",
    ] {
        assert!(
            versions.body.contains(said),
            "missing {said:?}: {}",
            versions.body
        );
    }
    assert_eq!(
        b.get(&host, &format!("{building}/parts/nonsense"))
            .await
            .status,
        404
    );
    // The thread's documents: the Regulator's folder opens, the staff's does not exist here.
    assert!(page.body.contains("Fire strategy report"), "{}", page.body);
    assert!(!page.body.contains("Board minutes"), "{}", page.body);
    let got = b
        .get(&host, &format!("{building}/documents/{strategy}"))
        .await;
    assert_eq!(got.status, 200);
    assert_eq!(got.bytes, pdf("Fire strategy report"));
    assert_eq!(
        b.get(&host, &format!("{building}/documents/{minutes}"))
            .await
            .status,
        404
    );

    let pdf = b.get(&host, &format!("{building}/handover.pdf")).await;
    assert_eq!(pdf.status, 200);
    assert_eq!(
        pdf.headers
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("application/pdf")
    );
    let text = pdftotext(&pdf.bytes);
    for said in [
        "Golden thread",
        "External walls and insulation",
        "Fibre cement panels, A2-s1,d0",
        "HPL rainscreen panels",
        "Ann Inspector",
    ] {
        assert!(text.contains(said), "the pack lacks {said:?}: {text}");
    }
    let json = b.get(&host, &format!("{building}/handover.json")).await;
    assert_eq!(json.status, 200);
    let pack: serde_json::Value =
        serde_json::from_slice(&json.bytes).unwrap_or_else(|e| panic!("{e}"));
    let walls = pack["parts"]
        .as_array()
        .and_then(|p| p.iter().find(|p| p["code"] == "external_walls"))
        .unwrap_or_else(|| panic!("{pack}"));
    assert_eq!(walls["current_version"], 2);
    assert_eq!(walls["versions"].as_array().map(Vec::len), Some(2));
    assert_eq!(
        walls["versions"][1]["fields"][0]["value"],
        "HPL rainscreen panels"
    );

    let trail = t.audit_events(org.id).await;
    let by_inspector = |action: &str| {
        trail
            .iter()
            .filter(|(a, channel, sentence)| {
                a == action && channel == "buildingthread" && sentence.contains("Ann Inspector")
            })
            .count()
    };
    assert_eq!(
        by_inspector("view"),
        2,
        "the thread and the versions: {trail:#?}"
    );
    assert_eq!(
        by_inspector("download"),
        3,
        "the document, the PDF and the JSON: {trail:#?}"
    );
    assert_eq!(
        pack["documents"].as_array().map(Vec::len),
        Some(1),
        "{pack}"
    );

    // The Regulator reads; nothing else is theirs.
    let form = b.get(&host, &building).await.csrf();
    let concern = b
        .post(
            &host,
            &format!("{building}/concerns"),
            &[("csrf", form.as_str()), ("area", "stairs"), ("body", "x")],
        )
        .await;
    assert_eq!(concern.status, 404, "{}", concern.body);
    let other_building = org.building_b;
    assert_eq!(
        b.get(&host, &format!("/buildings/{other_building}"))
            .await
            .status,
        404,
        "a building not granted"
    );
    assert_eq!(
        b.get(&t.admin_host("acme"), "/dashboard").await.status,
        303,
        "not signed in to the admin app"
    );
    // Another organisation's inspector door does not know them.
    let birch = fixtures::org(&t.app, "birchwood", "Birchwood Lettings").await;
    higher_risk(&t, &birch).await;
    assert_eq!(
        b.get(
            &thread_host(&t, "birchwood"),
            &format!("/buildings/{}", birch.building)
        )
        .await
        .status,
        303
    );
    // A resident of the building has no inspector's pages.
    let (resident, _) = reader(&t, "acme", "ravi@acme.example").await;
    let document = format!("/documents/{strategy}");
    for path in [
        "/parts/external_walls",
        "/handover.pdf",
        "/handover.json",
        document.as_str(),
    ] {
        assert_eq!(
            resident
                .get(&host, &format!("{building}{path}"))
                .await
                .status,
            404,
            "{path}"
        );
    }
}

#[tokio::test]
async fn a_grant_that_ends_or_is_revoked_refuses_the_inspector() {
    let t = spawn_app().await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    a_thread(&t, &org).await;
    let building = format!("/buildings/{}", org.building);
    let today = t.today();
    // Five minutes before midnight: the grant ends within the session's idle time, so what
    // refuses the inspector is the grant, not an idle session.
    t.app
        .clock
        .set(proplink_shared::london::midnight(today + Duration::days(1)) - Duration::minutes(5));

    // Given until today: open today, refused after midnight, and no code is sent any more.
    regulators::grant(
        &t.app,
        &org.manager,
        org.building,
        &NewAccess {
            name: "Ann Inspector",
            email: INSPECTOR,
            until: &today.to_string(),
        },
    )
    .await
    .unwrap_or_else(|e| panic!("{e:?}"));
    let (b, host) = reader(&t, "acme", INSPECTOR).await;
    assert_eq!(b.get(&host, &building).await.status, 200);
    t.app.clock.advance(Duration::minutes(10));
    let after = b.get(&host, &building).await;
    assert_eq!(after.status, 303, "the session ended with the grant");
    assert_eq!(after.location(), Some("/sign-in"));
    assert_eq!(
        b.get(&host, &format!("{building}/handover.pdf"))
            .await
            .status,
        303
    );
    let before = t.smtp.to(INSPECTOR).len();
    let asked = t.ask_for_code(&b, &host, INSPECTOR).await;
    assert_eq!(asked.status, 303, "the same answer as for anyone");
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(
        t.smtp.to(INSPECTOR).len(),
        before,
        "no code for an ended grant"
    );

    // Two buildings given; one revoked from the admin app is refused at once, the other stays.
    let building_b = org.building_b.to_string();
    t.tamper(
        "UPDATE buildings SET is_hrb = $1 WHERE id = $2",
        params![true, building_b.as_str()],
    )
    .await;
    let today = t.today();
    let admin = give(&t, &org, INSPECTOR, today + Duration::days(10)).await;
    regulators::grant(
        &t.app,
        &org.manager,
        building_b.parse().unwrap_or_else(|e| panic!("{e:?}")),
        &NewAccess {
            name: "Ann Inspector",
            email: INSPECTOR,
            until: &(today + Duration::days(10)).to_string(),
        },
    )
    .await
    .unwrap_or_else(|e| panic!("{e:?}"));
    let (b, host) = reader(&t, "acme", INSPECTOR).await;
    assert_eq!(b.get(&host, &building).await.status, 200);
    assert_eq!(
        b.get(&host, &format!("/buildings/{building_b}"))
            .await
            .status,
        200
    );
    let admin_host = t.admin_host("acme");
    let access = format!("{building}/golden-thread/access");
    let page = admin.get(&admin_host, &access).await;
    assert!(page.body.contains(INSPECTOR), "{}", page.body);
    let grant: String = t
        .scalar(
            "SELECT id FROM regulator_grants WHERE building_id = $1 AND revoked_at IS NULL AND expires_at > $2",
            params![org.building.to_string(), t.app.clock.now()],
        )
        .await;
    let revoked = send(
        &admin,
        &admin_host,
        &access,
        &format!("{access}/revoke"),
        &[("grant", &grant)],
    )
    .await;
    assert_eq!(revoked.status, 303, "{}", revoked.body);
    let refused = b.get(&host, &building).await;
    assert_eq!(refused.status, 403, "revoked: refused, and said so");
    assert_eq!(
        b.get(&host, &format!("{building}/handover.json"))
            .await
            .status,
        403
    );
    assert_eq!(
        b.get(&host, &format!("/buildings/{building_b}"))
            .await
            .status,
        200
    );
    let again = send(
        &admin,
        &admin_host,
        &access,
        &format!("{access}/revoke"),
        &[("grant", &grant)],
    )
    .await;
    assert_eq!(again.status, 409, "nothing left to revoke: {}", again.body);
    let trail = t.audit_events(org.id).await;
    assert!(
        trail
            .iter()
            .any(|(_, _, s)| s.contains("revoked Ann Inspector's access")),
        "{trail:#?}"
    );
}

async fn access(
    t: &TestApp,
    org: &fixtures::Org,
    until: &str,
    email: &str,
) -> Result<proplink_shared::RegulatorId, proplink_backend::error::AppError> {
    regulators::grant(
        &t.app,
        &org.manager,
        org.building,
        &NewAccess {
            name: "Ann Inspector",
            email,
            until,
        },
    )
    .await
}

#[tokio::test]
async fn access_is_given_only_by_those_who_keep_the_thread_with_a_date_that_makes_sense() {
    let t = spawn_app().await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    a_thread(&t, &org).await;
    let today = t.today();
    for (until, email, field) in [
        ((today - Duration::days(1)).to_string(), INSPECTOR, "until"),
        (
            (today + Duration::days(400)).to_string(),
            INSPECTOR,
            "until",
        ),
        ("next week".to_owned(), INSPECTOR, "until"),
        (
            (today + Duration::days(5)).to_string(),
            "not an address",
            "email",
        ),
    ] {
        match access(&t, &org, &until, email).await {
            Err(proplink_backend::error::AppError::Invalid(e)) => {
                assert!(e.for_field(field).is_some(), "{until} {email}: {e:?}");
            }
            other => panic!("{until} {email}: {other:?}"),
        }
    }
    let grants: i64 = t
        .scalar("SELECT COUNT(*) FROM regulator_grants", params![])
        .await;
    assert_eq!(grants, 0, "nothing half-written");
    let until = (today + Duration::days(5)).to_string();
    assert!(access(&t, &org, &until, INSPECTOR).await.is_ok());
    let until = (today + Duration::days(9)).to_string();
    match access(&t, &org, &until, INSPECTOR).await {
        Err(proplink_backend::error::AppError::Invalid(e)) => {
            assert!(e.summary().contains("already has access"), "{e:?}");
        }
        other => panic!("a second live grant: {other:?}"),
    }

    t.tamper(
        "UPDATE buildings SET is_hrb = $1 WHERE id = $2",
        params![true, org.building_b.to_string()],
    )
    .await;
    let give = |building, name: &'static str, email: &'static str, days: i64| {
        let (t, org) = (&t, &org);
        async move {
            regulators::grant(
                &t.app,
                &org.manager,
                building,
                &NewAccess {
                    name,
                    email,
                    until: &(t.today() + Duration::days(days)).to_string(),
                },
            )
            .await
        }
    };
    // Two "Give access" at once for an inspector known already: one grant, the other told why.
    give(org.building_b, "Tom Twin", "twin@bsr.example", 3)
        .await
        .unwrap_or_else(|e| panic!("{e:?}"));
    let (one, other) = tokio::join!(
        give(org.building, "Tom Twin", "twin@bsr.example", 3),
        give(org.building, "Tom Twin", "twin@bsr.example", 4)
    );
    assert_eq!(
        [one.is_ok(), other.is_ok()]
            .iter()
            .filter(|ok| **ok)
            .count(),
        1,
        "{one:?} {other:?}"
    );
    let live: i64 = t
        .scalar(
            "SELECT COUNT(*) FROM regulator_grants g JOIN regulator_accounts a ON a.id = g.account_id \
             WHERE a.email = 'twin@bsr.example' AND g.building_id = $1",
            params![org.building.to_string()],
        )
        .await;
    assert_eq!(live, 1);
    // Given another building under a corrected name: every list shows it, and the trail says so.
    give(org.building_b, "Ann Inspector-Hale", INSPECTOR, 5)
        .await
        .unwrap_or_else(|e| panic!("{e:?}"));
    let trail = t.audit_events(org.id).await;
    assert!(
        trail
            .iter()
            .any(|(_, _, s)| s.contains("Ann Inspector-Hale")
                && s.contains("listed until now as Ann Inspector")),
        "{trail:#?}"
    );
    // A grant is revoked only from its own building: another building's id is not found.
    let (_, grants) = regulators::grants(&t.app, &org.manager, org.building)
        .await
        .unwrap_or_else(|e| panic!("{e:?}"));
    let theirs_here = regulators::revoke(&t.app, &org.manager, org.building_b, &grants[0].id).await;
    assert!(
        matches!(
            theirs_here,
            Err(proplink_backend::error::AppError::NotFound)
        ),
        "{theirs_here:?}"
    );

    // The accountant and a site manager do not keep the thread; another organisation cannot
    // even see the building.
    for who in [&org.accountant] {
        let refused = regulators::grant(
            &t.app,
            who,
            org.building,
            &NewAccess {
                name: "Eve",
                email: "eve@bsr.example",
                until: &(today + Duration::days(5)).to_string(),
            },
        )
        .await;
        assert!(refused.is_err(), "{refused:?}");
    }
    let birch = fixtures::org(&t.app, "birchwood", "Birchwood Lettings").await;
    let theirs = regulators::grant(
        &t.app,
        &birch.manager,
        org.building,
        &NewAccess {
            name: "Eve",
            email: "eve@bsr.example",
            until: &(today + Duration::days(5)).to_string(),
        },
    )
    .await;
    assert!(
        matches!(theirs, Err(proplink_backend::error::AppError::NotFound)),
        "{theirs:?}"
    );
    let b = t.browser();
    let host = t.admin_host("acme");
    t.sign_in(&b, &host, &org.site_manager_email).await;
    assert_ne!(
        b.get(
            &host,
            &format!("/buildings/{}/golden-thread/access", org.building)
        )
        .await
        .status,
        200
    );
}

#[tokio::test]
async fn fire_safety_information_is_issued_to_residents_and_delivered_when_they_open_it() {
    let t = spawn_app().await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    higher_risk(&t, &org).await;
    let b = t.browser();
    let host = t.admin_host("acme");
    t.sign_in(&b, &host, &org.manager_email).await;
    let page_path = format!(
        "/buildings/{}/golden-thread/fire-safety-information",
        org.building
    );
    let nothing = send(&b, &host, &page_path, &page_path, &[]).await;
    assert_eq!(nothing.status, 409, "{}", nothing.body);
    assert!(
        nothing.body.contains("no fire safety information to issue"),
        "{}",
        nothing.body
    );
    part(
        &t,
        &org,
        "fire_safety_information",
        &[(
            "information",
            "Keep your front door shut. Test your smoke alarm monthly.",
        )],
    )
    .await;
    let before = b.get(&host, &page_path).await;
    assert!(before.body.contains("Not issued"), "{}", before.body);
    let issued = send(&b, &host, &page_path, &page_path, &[]).await;
    assert_eq!(issued.status, 303, "{}", issued.body);
    let mut nth = 1;
    let letter = loop {
        let m = t.smtp.wait_for("ravi@acme.example", nth).await;
        if m.subject().contains("Fire safety information") {
            break m;
        }
        nth += 1;
    };
    assert!(
        letter.text().contains(&thread_host(&t, "acme")),
        "{}",
        letter.text()
    );
    assert!(b.get(&host, &page_path).await.body.contains("Not opened"));
    let again = send(&b, &host, &page_path, &page_path, &[]).await;
    assert_eq!(again.status, 409, "nobody is due: {}", again.body);
    assert!(again.body.contains("nothing was sent"), "{}", again.body);

    // Mr Patel opens his building's page: that is the proof of delivery.
    let (resident, thread) = reader(&t, "acme", "ravi@acme.example").await;
    let building = resident
        .get(&thread, &format!("/buildings/{}", org.building))
        .await;
    assert!(building.body.contains("Keep your front door shut."));
    let opened: i64 = t
        .scalar(
            "SELECT COUNT(*) FROM fire_safety_deliveries WHERE opened_at IS NOT NULL",
            params![],
        )
        .await;
    assert_eq!(opened, 1);
    let staff_view = b.get(&host, &page_path).await;
    assert!(staff_view.body.contains("Opened"), "{}", staff_view.body);
    resident
        .get(&thread, &format!("/buildings/{}", org.building))
        .await;
    let trail = t.audit_events(org.id).await;
    assert_eq!(
        trail
            .iter()
            .filter(|(a, c, s)| a == "view"
                && c == "buildingthread"
                && s.contains("opened the fire safety information"))
            .count(),
        1,
        "opened once, recorded once: {trail:#?}"
    );

    // Someone moves in: PropLink issues it to them, and only to them.
    let tenant = people::add_contact(
        &t.app,
        &org.owner,
        &NewContact::validate(
            ContactKind::Tenant,
            "Ms",
            "Tia",
            "Lee",
            "tia@acme.example",
            "",
        )
        .unwrap_or_else(|e| panic!("{e}")),
    )
    .await
    .unwrap_or_else(|e| panic!("{e:?}"));
    people::link_to_unit(
        &t.app,
        &org.owner,
        tenant,
        org.unit,
        UnitRole::Tenant,
        false,
        t.today(),
    )
    .await
    .unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(fire_safety::issue_due(&t.app).await.ok(), Some(1));
    let letter = t.smtp.wait_for("tia@acme.example", 1).await;
    assert!(letter.subject().contains("Fire safety information"));
    assert_eq!(fire_safety::issue_due(&t.app).await.ok(), Some(0));

    // A year on, it is due to everyone again, and PropLink issues it.
    t.app.clock.advance(Duration::days(366));
    t.sign_in(&b, &host, &org.manager_email).await;
    let due = b.get(&host, &page_path).await;
    assert!(
        due.body.contains("Issue to residents who are due"),
        "{}",
        due.body
    );
    assert_eq!(fire_safety::issue_due(&t.app).await.ok(), Some(2));
}
