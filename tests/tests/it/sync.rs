//! Facility Report's sync against a live server on loopback: exactly once, in order, nothing
//! lost, with the reasons for refusals shown on the phone.

use facility_report_core::actions::{self, IssueInput};
use facility_report_core::{Client, client::Pushed, sync};
use proplink_backend::services::{orgs, quotes, work_orders};
use proplink_shared::WorkOrderId;
use proplink_shared::records::{QuoteKind, VatRate};
use proplink_shared::states::WorkOrderStatus;
use proplink_shared::sync::{Change, Mutation, Outcome, PushRequest};
use proplink_tests::{TestApp, fixtures, spawn_app};
use sha2::{Digest, Sha256};

async fn count(t: &TestApp, sql: &str) -> i64 {
    t.scalar(sql, &[]).await
}

fn issue<'a>(
    site: proplink_shared::SiteId,
    title: &'a str,
    photos: &'a [std::path::PathBuf],
) -> IssueInput<'a> {
    IssueInput {
        site_id: site,
        building_id: None,
        ticket_id: None,
        title,
        description: "Found on the site walk",
        location: "Basement plant room",
        category: "water_leak",
        priority: "high",
        photos,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_issue_logged_offline_with_two_photos_reaches_the_server_once() {
    let t = spawn_app().await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    let phone = t.phone("acme", &org.site_manager_email).await;
    let photos = [phone.photo(1, 300_000), phone.photo(2, 1_500_000)];
    let id = actions::log_issue(
        &phone.store,
        &issue(org.site_a, "Leak in plant room", &photos),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(actions::pending_count(&phone.store).unwrap_or(0), 1);
    // Keep the mutation as it will travel, to replay it later.
    let outbox_body: String = phone
        .store
        .read(|c| Ok(c.query_row("SELECT body FROM outbox", [], |r| r.get(0))?))
        .unwrap_or_default();
    let change: Change = serde_json::from_str(&outbox_body).unwrap_or_else(|e| panic!("{e}"));
    let mutation_id: uuid::Uuid = phone
        .store
        .read(|c| {
            Ok(c.query_row("SELECT mutation_id FROM outbox", [], |r| {
                r.get::<_, String>(0)
            })?)
        })
        .unwrap_or_default()
        .parse()
        .unwrap_or_default();

    let report = sync::sync(&phone.store)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        (report.photos_uploaded, report.applied, report.rejected),
        (2, 1, 0)
    );
    assert_eq!(actions::pending_count(&phone.store).unwrap_or(-1), 0);
    assert_eq!(
        count(
            &t,
            &format!("SELECT COUNT(*) FROM issues WHERE id = '{id}'")
        )
        .await,
        1
    );
    // The photos on the server are byte for byte the ones taken.
    let stored: Vec<String> = {
        let mut conn = t.app.db.read().await.unwrap_or_else(|e| panic!("{e}"));
        proplink_backend::store::files::files_of(
            &mut conn,
            org.id,
            proplink_shared::records::RecordType::Issue,
            &id.to_string(),
        )
        .await
        .unwrap_or_default()
    };
    assert_eq!(stored.len(), 2);
    for (path, sha) in photos.iter().zip(&stored) {
        let original = std::fs::read(path).unwrap_or_default();
        let on_server = std::fs::read(proplink_backend::services::files::file_path(
            &t.app, org.id, sha,
        ))
        .unwrap_or_default();
        assert_eq!(hex::encode(Sha256::digest(&original)), *sha);
        assert!(
            proplink_tests::cleaned(&original) == on_server,
            "photo {sha} is not the photo taken, without its metadata"
        );
    }
    assert_eq!(
        count(&t, &format!("SELECT COUNT(*) FROM audit_events WHERE record_id = '{id}' AND channel = 'facility_report' AND sentence LIKE 'Sid Site logged issue \"Leak in plant room\" at %, Basement plant room via Facility Report on %'")).await,
        1
    );

    // The same batch again changes nothing and answers duplicate.
    let events = count(&t, "SELECT COUNT(*) FROM audit_events").await;
    let client = Client::new(&t.api_url()).unwrap_or_else(|e| panic!("{e}"));
    let replay = PushRequest {
        device_id: phone.device_id(),
        mutations: vec![Mutation {
            mutation_id,
            seq: 1,
            change,
        }],
    };
    let Ok(Pushed::Done(again)) = client.push(&phone.token(), &replay).await else {
        panic!("the replay was refused")
    };
    assert_eq!(again.results[0].outcome, Outcome::Duplicate);
    assert_eq!(again.results[0].original, Some(Outcome::Applied));
    assert_eq!(
        count(
            &t,
            &format!("SELECT COUNT(*) FROM issues WHERE id = '{id}'")
        )
        .await,
        1
    );
    assert_eq!(count(&t, "SELECT COUNT(*) FROM audit_events").await, events);

    // The issue shows in the admin app, with its door.
    let b = t.browser();
    t.sign_in(&b, &t.admin_host("acme"), &org.manager_email)
        .await;
    let page = b.get(&t.admin_host("acme"), &format!("/issues/{id}")).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("via Facility Report"));
    assert!(page.body.contains("Photos (2)"));
    // The photos open for staff who may read the issue, and only as photos of that issue.
    let photo = b
        .get(
            &t.admin_host("acme"),
            &format!("/issues/{id}/photos/{}", stored[0]),
        )
        .await;
    assert_eq!(photo.status, 200);
    assert_eq!(
        photo
            .headers
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("image/jpeg")
    );
    assert_eq!(
        photo
            .headers
            .get("x-content-type-options")
            .and_then(|v| v.to_str().ok()),
        Some("nosniff")
    );
    assert_eq!(
        b.get(
            &t.admin_host("acme"),
            &format!("/issues/{id}/photos/{}", "0".repeat(64))
        )
        .await
        .status,
        404
    );
    assert_eq!(
        b.get(
            &t.admin_host("acme"),
            &format!("/issues/{}/photos/{}", org.issue, stored[0])
        )
        .await
        .status,
        404
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_site_unassigned_while_offline_rejects_the_change_and_keeps_it_until_discarded() {
    let t = spawn_app().await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    let phone = t.phone("acme", &org.site_manager_email).await;
    let id = actions::log_issue(&phone.store, &issue(org.site_a, "Broken window", &[]))
        .unwrap_or_else(|e| panic!("{e}"));
    // Meanwhile the office moves Sid to the other site.
    let sid = {
        let mut conn = t.app.db.read().await.unwrap_or_else(|e| panic!("{e}"));
        proplink_backend::store::orgs::staff_by_email(&mut conn, org.id, &org.site_manager_email)
            .await
            .ok()
            .flatten()
            .map(|s| s.id)
            .unwrap_or_default()
    };
    orgs::set_scope(&t.app, &org.owner, sid, Some(&[org.site_b]))
        .await
        .unwrap_or_else(|e| panic!("{e:?}"));

    let report = sync::sync(&phone.store)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((report.applied, report.rejected), (0, 1));
    assert_eq!(
        count(
            &t,
            &format!("SELECT COUNT(*) FROM issues WHERE id = '{id}'")
        )
        .await,
        0
    );
    let outbox = actions::outbox(&phone.store).unwrap_or_default();
    assert_eq!(outbox.len(), 1, "a rejected change stays on the phone");
    assert_eq!(outbox[0].state, "rejected");
    assert_eq!(
        outbox[0].reason.as_deref(),
        Some("You are no longer assigned to Alpha Court, so this could not be saved there.")
    );
    // The pull moved the phone to the new site; the rejected issue stays visible until discarded.
    let sites = facility_report_core::view::sites(&phone.store).unwrap_or_default();
    assert_eq!(
        sites.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(),
        ["Beta House"]
    );
    // What Sid could see on Alpha Court has left the phone; Beta House's work has arrived.
    let on_phone = |id: proplink_shared::TicketId| -> i64 {
        phone
            .store
            .read(|c| {
                Ok(c.query_row(
                    "SELECT COUNT(*) FROM tickets WHERE id = ?1",
                    [id.to_string()],
                    |r| r.get(0),
                )?)
            })
            .unwrap_or(-1)
    };
    assert_eq!(
        on_phone(org.ticket_a),
        0,
        "the old site's ticket was removed from the phone"
    );
    assert_eq!(on_phone(org.ticket_b), 1, "the new site's ticket arrived");
    let local: i64 = phone
        .store
        .read(|c| {
            Ok(c.query_row(
                "SELECT COUNT(*) FROM issues WHERE id = ?1",
                [id.to_string()],
                |r| r.get(0),
            )?)
        })
        .unwrap_or(0);
    assert_eq!(local, 1);
    // A second sync does not lose or resend it.
    let report = sync::sync(&phone.store)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((report.applied, report.rejected), (0, 0));
    assert_eq!(actions::outbox(&phone.store).unwrap_or_default().len(), 1);
    actions::discard(&phone.store, outbox[0].seq).unwrap_or_else(|e| panic!("{e}"));
    assert!(actions::outbox(&phone.store).unwrap_or_default().is_empty());
    let local: i64 = phone
        .store
        .read(|c| {
            Ok(c.query_row(
                "SELECT COUNT(*) FROM issues WHERE id = ?1",
                [id.to_string()],
                |r| r.get(0),
            )?)
        })
        .unwrap_or(0);
    assert_eq!(local, 0);
    // Offline, the phone itself now refuses the old site.
    let err = actions::log_issue(&phone.store, &issue(org.site_a, "Another", &[])).err();
    assert!(
        matches!(err, Some(facility_report_core::CoreError::NotAllowed(_))),
        "{err:?}"
    );
}

async fn approved_work_order(t: &TestApp, org: &fixtures::Org) -> WorkOrderId {
    fixtures::insure(&t.app, org).await;
    work_orders::invite(&t.app, &org.manager, org.work_order, org.vendor)
        .await
        .unwrap_or_else(|e| panic!("{e:?}"));
    let quote = proplink_shared::records::NewQuote::validate(
        QuoteKind::FixedPrice,
        "100",
        VatRate::Standard,
        "",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let contractor = proplink_shared::Actor {
        org: org.id,
        principal: proplink_shared::Principal::Contractor {
            vendor: org.vendor,
            work_order: org.work_order,
        },
        channel: proplink_shared::audit::Channel::ContractorPort,
        display_name: "Fixit Ltd".into(),
    };
    let q = quotes::submit(
        &t.app,
        &contractor,
        org.work_order,
        org.vendor,
        &quote,
        None,
    )
    .await
    .unwrap_or_else(|e| panic!("{e:?}"));
    work_orders::award(&t.app, &org.manager, org.work_order, q)
        .await
        .unwrap_or_else(|e| panic!("{e:?}"));
    org.work_order
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_work_order_cancelled_in_the_office_while_started_offline_is_rejected_with_its_state() {
    let t = spawn_app().await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    let wo = approved_work_order(&t, &org).await;
    let phone = t.phone("acme", &org.site_manager_email).await;
    actions::update_work_order(
        &phone.store,
        wo,
        Some(WorkOrderStatus::InProgress),
        Some("On site now"),
        &[],
    )
    .unwrap_or_else(|e| panic!("{e}"));
    // An impossible move is refused on the phone itself, by the same state machine.
    let err =
        actions::update_work_order(&phone.store, wo, Some(WorkOrderStatus::Draft), None, &[]).err();
    assert!(
        matches!(err, Some(facility_report_core::CoreError::Invalid(_))),
        "{err:?}"
    );
    work_orders::close(&t.app, &org.manager, wo, true)
        .await
        .unwrap_or_else(|e| panic!("{e:?}"));

    let report = sync::sync(&phone.store)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(report.rejected, 1);
    let outbox = actions::outbox(&phone.store).unwrap_or_default();
    let reason = outbox[0].reason.clone().unwrap_or_default();
    assert!(
        reason.contains("is now cancelled") && reason.contains("was not moved to in progress"),
        "{reason}"
    );
    assert_eq!(
        count(
            &t,
            &format!("SELECT COUNT(*) FROM work_orders WHERE id = '{wo}' AND status = 'cancelled'")
        )
        .await,
        1
    );
    assert_eq!(
        count(
            &t,
            &format!("SELECT COUNT(*) FROM work_order_notes WHERE work_order_id = '{wo}'")
        )
        .await,
        0,
        "nothing of the rejected change was kept"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn field_updates_reach_the_work_order_with_notes_and_photos() {
    let t = spawn_app().await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    let wo = approved_work_order(&t, &org).await;
    let phone = t.phone("acme", &org.site_manager_email).await;
    let photo = [phone.photo(9, 50_000)];
    actions::update_work_order(
        &phone.store,
        wo,
        Some(WorkOrderStatus::InProgress),
        Some("Contractor arrived"),
        &photo,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    actions::reply_ticket(
        &phone.store,
        org.ticket_a,
        "I will look at it this afternoon",
        false,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    actions::reply_ticket(
        &phone.store,
        org.ticket_a,
        "Riser cupboard locked; need key",
        true,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let report = sync::sync(&phone.store)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((report.applied, report.rejected), (3, 0));
    assert_eq!(
        count(
            &t,
            &format!(
                "SELECT COUNT(*) FROM work_orders WHERE id = '{wo}' AND status = 'in_progress'"
            )
        )
        .await,
        1
    );
    assert_eq!(count(&t, &format!("SELECT COUNT(*) FROM work_order_notes WHERE work_order_id = '{wo}' AND channel = 'facility_report'")).await, 1);
    assert_eq!(
        count(
            &t,
            &format!("SELECT COUNT(*) FROM record_files WHERE record_id = '{wo}'")
        )
        .await,
        1
    );
    assert_eq!(count(&t, &format!("SELECT COUNT(*) FROM ticket_entries WHERE ticket_id = '{}' AND channel = 'facility_report'", org.ticket_a)).await, 2);
    assert_eq!(count(&t, &format!("SELECT COUNT(*) FROM ticket_entries WHERE ticket_id = '{}' AND kind = 'internal_note'", org.ticket_a)).await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_seq_gap_is_refused_with_nothing_applied() {
    let t = spawn_app().await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    let phone = t.phone("acme", &org.site_manager_email).await;
    actions::log_issue(&phone.store, &issue(org.site_a, "Gap", &[]))
        .unwrap_or_else(|e| panic!("{e}"));
    let body: String = phone
        .store
        .read(|c| Ok(c.query_row("SELECT body FROM outbox", [], |r| r.get(0))?))
        .unwrap_or_default();
    let change: Change = serde_json::from_str(&body).unwrap_or_else(|e| panic!("{e}"));
    let client = Client::new(&t.api_url()).unwrap_or_else(|e| panic!("{e}"));
    let request = PushRequest {
        device_id: phone.device_id(),
        mutations: vec![Mutation {
            mutation_id: uuid::Uuid::now_v7(),
            seq: 2,
            change,
        }],
    };
    match client.push(&phone.token(), &request).await {
        Ok(Pushed::Gap { expected }) => assert_eq!(expected, 1),
        _ => panic!("a gap must be refused"),
    }
    assert_eq!(
        count(&t, "SELECT COUNT(*) FROM issues WHERE title = 'Gap'").await,
        0
    );
    assert_eq!(count(&t, "SELECT COUNT(*) FROM sync_mutations").await, 0);
    // Another device's token cannot push for this one.
    let other = t.phone("acme", &org.manager_email).await;
    let stolen = PushRequest {
        device_id: phone.device_id(),
        mutations: vec![],
    };
    assert!(client.push(&other.token(), &stolen).await.is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_interrupted_photo_upload_resumes_from_the_servers_offset() {
    let t = spawn_app().await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    let phone = t.phone("acme", &org.site_manager_email).await;
    let photo = phone.photo(5, 2_600_000);
    actions::log_issue(
        &phone.store,
        &issue(org.site_a, "Cracked render", std::slice::from_ref(&photo)),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let bytes = std::fs::read(&photo).unwrap_or_default();
    let sha = hex::encode(Sha256::digest(&bytes));
    // The connection drops after the first piece reached the server.
    let client = Client::new(&t.api_url()).unwrap_or_else(|e| panic!("{e}"));
    let held = client
        .photo_append(
            &phone.token(),
            &sha,
            0,
            bytes.len() as u64,
            bytes[..sync::CHUNK].to_vec(),
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((held.offset, held.complete), (sync::CHUNK as u64, false));
    // A wrong offset is answered with where to resume, and nothing is written.
    let wrong = client
        .photo_append(&phone.token(), &sha, 10, bytes.len() as u64, vec![0; 10])
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(wrong.offset, sync::CHUNK as u64);

    let report = sync::sync(&phone.store)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        report.bytes_uploaded,
        (bytes.len() - sync::CHUNK) as u64,
        "only the rest was sent"
    );
    assert_eq!(report.applied, 1);
    let on_server = std::fs::read(proplink_backend::services::files::file_path(
        &t.app, org.id, &sha,
    ))
    .unwrap_or_default();
    assert!(on_server == proplink_tests::cleaned(&bytes));
    // A photo the server already holds is acknowledged without sending it again.
    actions::log_issue(
        &phone.store,
        &issue(org.site_a, "Same photo again", std::slice::from_ref(&photo)),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let report = sync::sync(&phone.store)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((report.bytes_uploaded, report.applied), (0, 1));
    // A part file lost after the database recorded it: the server asks for those bytes again
    // rather than believing it holds them.
    t.tamper(
        "UPDATE uploads SET completed_at = NULL, received_bytes = $1 WHERE sha256 = $2",
        proplink_backend::params![sync::CHUNK as i64, sha],
    )
    .await;
    let held = client
        .photo_append(
            &phone.token(),
            &sha,
            sync::CHUNK as u64,
            bytes.len() as u64,
            bytes[sync::CHUNK..].to_vec(),
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((held.offset, held.complete), (0, false));
    for (start, piece) in [
        (0, &bytes[..sync::CHUNK]),
        (sync::CHUNK, &bytes[sync::CHUNK..]),
    ] {
        client
            .photo_append(
                &phone.token(),
                &sha,
                start as u64,
                bytes.len() as u64,
                piece.to_vec(),
            )
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    }
    assert!(
        std::fs::read(proplink_backend::services::files::file_path(
            &t.app, org.id, &sha
        ))
        .unwrap_or_default()
            == proplink_tests::cleaned(&bytes)
    );
    // Bytes that do not match their name are refused.
    let fake = "0".repeat(64);
    let err = client
        .photo_append(&phone.token(), &fake, 0, 4, vec![0xFF, 0xD8, 0xFF, 0xE0])
        .await;
    assert!(
        matches!(err, Err(facility_report_core::CoreError::Server { ref code, .. }) if code == "photo_mismatch"),
        "{:?}",
        err.err()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_is_described_and_guarded() {
    let t = spawn_app().await;
    fixtures::org(&t.app, "acme", "Acme Estates").await;
    let b = t.browser();
    let doc = b.get("api.proplink.localhost", "/v1/openapi.json").await;
    assert_eq!(doc.status, 200);
    for path in [
        "/v1/sync/push",
        "/v1/sync/pull",
        "/v1/photos/{sha256}",
        "/v1/auth/token",
    ] {
        assert!(
            doc.body.contains(path),
            "{path} missing from the OpenAPI document"
        );
    }
    let pull = b.get("api.proplink.localhost", "/v1/sync/pull").await;
    assert_eq!(pull.status, 401);
    assert!(pull.body.contains("\"code\":\"unauthenticated\""));
    let bad = b
        .post(
            "api.proplink.localhost",
            "/v1/auth/code",
            &[("org", "acme")],
        )
        .await;
    assert_eq!(bad.status, 400, "{}", bad.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn knowing_a_photos_hash_never_opens_another_organisations_photo() {
    let t = spawn_app().await;
    let acme = fixtures::org(&t.app, "acme", "Acme Estates").await;
    let birch = fixtures::org(&t.app, "birchwood", "Birchwood Residential").await;
    let phone = t.phone("acme", &acme.site_manager_email).await;
    let photo = phone.photo(77, 40_000);
    actions::log_issue(
        &phone.store,
        &issue(acme.site_a, "Private photo", std::slice::from_ref(&photo)),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    sync::sync(&phone.store)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let sha = hex::encode(Sha256::digest(std::fs::read(&photo).unwrap_or_default()));
    let other = t.phone("birchwood", &birch.site_manager_email).await;
    let client = Client::new(&t.api_url()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        client.photo_held(&other.token(), &sha).await.ok().flatten(),
        None,
        "Birchwood does not hold Acme's photo"
    );
    assert!(
        client
            .photo_held(&phone.token(), &sha)
            .await
            .ok()
            .flatten()
            .is_some_and(|h| h.complete)
    );
    let b = t.browser();
    let page = b
        .get("api.proplink.localhost", &format!("/v1/photos/{sha}"))
        .await;
    assert_eq!(page.status, 401);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn device_tokens_end_at_sign_out_and_at_the_next_sign_in() {
    let t = spawn_app().await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    let client = Client::new(&t.api_url()).unwrap_or_else(|e| panic!("{e}"));
    // A wrong code or an unknown organisation gives no token, with a reason.
    client
        .request_code("acme", &org.site_manager_email)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let code = t.smtp.code(&org.site_manager_email, 1).await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let device = uuid::Uuid::now_v7();
    let refused = client
        .token("acme", &org.site_manager_email, wrong, device, "Phone")
        .await;
    assert!(
        matches!(&refused, Err(facility_report_core::CoreError::Server { code, message }) if code == "wrong_credentials" && message.contains("not right")),
        "{:?}",
        refused.err()
    );
    let nowhere = client
        .request_code("nowhere", &org.site_manager_email)
        .await;
    assert!(
        matches!(&nowhere, Err(facility_report_core::CoreError::Server { message, .. }) if message.contains("no organisation by that name")),
        "{:?}",
        nowhere.err()
    );

    // Signing the same device in again retires its earlier token.
    let first = client
        .token("acme", &org.site_manager_email, &code, device, "Phone")
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .token;
    assert!(client.pull(&first, 0).await.is_ok());
    client
        .request_code("acme", &org.site_manager_email)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let code = t.smtp.code(&org.site_manager_email, 2).await;
    let second = client
        .token("acme", &org.site_manager_email, &code, device, "Phone")
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .token;
    assert!(matches!(
        client.pull(&first, 0).await,
        Err(facility_report_core::CoreError::NotSignedIn)
    ));
    assert!(client.pull(&second, 0).await.is_ok());

    // Signing out ends the token at once, and is audited.
    let b = t.browser();
    let signed_out = b
        .post_with_bearer("api.proplink.localhost", "/v1/auth/sign-out", &second)
        .await;
    assert_eq!(signed_out.status, 204);
    assert!(matches!(
        client.pull(&second, 0).await,
        Err(facility_report_core::CoreError::NotSignedIn)
    ));
    let events = t.audit_events(org.id).await;
    assert!(events.iter().any(|(a, c, s)| a == "sign_out"
        && c == "facility_report"
        && s.starts_with("Sid Site signed out of the app via Facility Report")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_issue_linked_to_a_ticket_offline_reaches_the_server_and_other_phones_with_its_photos_and_history()
 {
    let t = spawn_app().await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    let phone = t.phone("acme", &org.site_manager_email).await;
    sync::sync(&phone.store)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let photos = [phone.photo(7, 200_000)];
    let id = actions::log_issue(
        &phone.store,
        &issue(org.site_a, "Cracked paving by the bins", &photos),
    )
    .unwrap_or_else(|e| panic!("{e}"));

    // Offline rules first: a ticket on another site is refused on the phone itself.
    let refused = actions::link_issue(&phone.store, id, None, Some(org.ticket_b));
    assert!(
        matches!(&refused, Err(facility_report_core::CoreError::Invalid(e)) if e.to_string().contains("this site's open tickets")),
        "{refused:?}"
    );
    actions::link_issue(&phone.store, id, Some(org.building), Some(org.ticket_a))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(actions::pending_count(&phone.store).unwrap_or(0), 2);
    let shown = facility_report_core::view::site_work(&phone.store, &org.site_a.to_string())
        .unwrap_or_else(|e| panic!("{e}"));
    let on_phone = shown
        .issues
        .iter()
        .find(|i| i.id == id.to_string())
        .unwrap_or_else(|| panic!("the issue is on the phone"));
    assert_eq!(on_phone.ticket_id, Some(org.ticket_a.to_string()));
    assert_eq!(on_phone.history.len(), 2, "{:?}", on_phone.history);

    let report = sync::sync(&phone.store)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((report.applied, report.rejected), (2, 0), "{report:?}");
    assert_eq!(
        count(&t, &format!("SELECT COUNT(*) FROM issues WHERE id = '{id}' AND ticket_id = '{}' AND building_id = '{}'", org.ticket_a, org.building)).await,
        1
    );
    assert_eq!(
        count(&t, &format!("SELECT COUNT(*) FROM audit_events WHERE record_id = '{id}' AND channel = 'facility_report' AND action = 'update' AND sentence LIKE 'Sid Site linked issue \"Cracked paving by the bins\" to request %'")).await,
        1
    );
    // Linking it the same way again is no change at all.
    let events = count(&t, "SELECT COUNT(*) FROM audit_events").await;
    actions::link_issue(&phone.store, id, Some(org.building), Some(org.ticket_a))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(actions::pending_count(&phone.store).unwrap_or(-1), 0);
    assert_eq!(count(&t, "SELECT COUNT(*) FROM audit_events").await, events);

    // Another phone of the same person gets the link, the history and the photo itself, at
    // its first sync.
    let other = t.phone("acme", &org.site_manager_email).await;
    let work = facility_report_core::view::site_work(&other.store, &org.site_a.to_string())
        .unwrap_or_else(|e| panic!("{e}"));
    let there = work
        .issues
        .iter()
        .find(|i| i.id == id.to_string())
        .unwrap_or_else(|| panic!("the issue reached the other phone"));
    assert_eq!(there.ticket_id, Some(org.ticket_a.to_string()));
    assert_eq!(there.building_id, Some(org.building.to_string()));
    assert_eq!(there.description, "Found on the site walk");
    assert!(
        there
            .history
            .iter()
            .any(|h| h.what.contains("logged issue"))
            && there
                .history
                .iter()
                .any(|h| h.what.contains("linked issue")),
        "{:?}",
        there.history
    );
    let sha = there.photos.first().cloned().unwrap_or_default();
    let bytes = facility_report_core::view::photo(&other.store, &sha)
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("the photo is on the other phone"));
    let original = std::fs::read(&photos[0]).unwrap_or_default();
    assert!(proplink_tests::cleaned(&original) == bytes);
    // Offline search finds it by a word of its place or title, any case.
    let found = facility_report_core::view::search(&other.store, "PAVING plant")
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].id, id.to_string());
    assert!(
        facility_report_core::view::search(&other.store, "100%")
            .unwrap_or_default()
            .is_empty()
    );
    // A ticket is found by what was said in it, never by how the phone stores it.
    let said = facility_report_core::view::search(&other.store, "floor WATER")
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        said.iter().any(|f| f.id == org.ticket_a.to_string()),
        "{said:?}"
    );
    for stored in ["body", "internal", "created_at"] {
        let found = facility_report_core::view::search(&other.store, stored)
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(
            found.iter().all(|f| f.kind != "ticket"),
            "{stored}: {found:?}"
        );
    }

    // The server checks the same: a link to another site's ticket is refused with a reason.
    let client = Client::new(&t.api_url()).unwrap_or_else(|e| panic!("{e}"));
    let token = other.store.meta("token").ok().flatten().unwrap_or_default();
    let seq: i64 = other
        .store
        .meta("next_seq")
        .ok()
        .flatten()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1);
    let request = PushRequest {
        device_id: other.device_id(),
        mutations: vec![Mutation {
            mutation_id: uuid::Uuid::now_v7(),
            seq,
            change: Change::LinkIssue(proplink_shared::sync::LinkIssue {
                issue_id: id,
                building_id: None,
                ticket_id: Some(org.ticket_b),
                seen: None,
            }),
        }],
    };
    let Pushed::Done(answer) = client
        .push(&token, &request)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
    else {
        panic!("the push was refused as a whole");
    };
    assert_eq!(answer.results[0].outcome, Outcome::Rejected, "{answer:?}");
    assert_eq!(
        count(
            &t,
            &format!(
                "SELECT COUNT(*) FROM issues WHERE id = '{id}' AND ticket_id = '{}'",
                org.ticket_a
            )
        )
        .await,
        1
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn linking_an_issue_offline_never_undoes_what_the_office_changed_meanwhile() {
    let t = spawn_app().await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    let phone = t.phone("acme", &org.site_manager_email).await;
    let photos: [std::path::PathBuf; 0] = [];
    let id = actions::log_issue(&phone.store, &issue(org.site_a, "Loose handrail", &photos))
        .unwrap_or_else(|e| panic!("{e}"));
    sync::sync(&phone.store)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    // Offline, the phone ties it to the ticket; meanwhile the office puts it in the building.
    actions::link_issue(&phone.store, id, None, Some(org.ticket_a))
        .unwrap_or_else(|e| panic!("{e}"));
    {
        let mut change = proplink_backend::services::change::Change::begin(&t.app, &org.manager)
            .await
            .unwrap_or_else(|e| panic!("{e:?}"));
        proplink_backend::services::issues::link_in(
            &mut change,
            &org.manager,
            id,
            Some(org.building),
            None,
            None,
        )
        .await
        .unwrap_or_else(|e| panic!("{e:?}"));
        change.commit().await.unwrap_or_else(|e| panic!("{e:?}"));
    }
    let report = sync::sync(&phone.store)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((report.applied, report.rejected), (0, 1), "{report:?}");
    let outbox = actions::outbox(&phone.store).unwrap_or_default();
    assert!(
        outbox[0]
            .reason
            .as_deref()
            .unwrap_or_default()
            .contains("while you were offline"),
        "{outbox:?}"
    );
    assert_eq!(
        count(&t, &format!("SELECT COUNT(*) FROM issues WHERE id = '{id}' AND building_id = '{}' AND ticket_id IS NULL", org.building)).await,
        1,
        "the office's change stands"
    );
}
