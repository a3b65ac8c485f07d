//! Photos: read only through a record the reader may see, attached only by someone who holds
//! them, and kept without the personal metadata a camera writes.

use facility_report_core::Client;
use facility_report_core::actions::{self, IssueInput};
use facility_report_core::client::Pushed;
use facility_report_core::sync;
use proplink_backend::services::orgs;
use proplink_shared::authz::Role;
use proplink_shared::records::{IssueCategory, Priority};
use proplink_shared::sync::{Change, LogIssue, Mutation, PushRequest};
use proplink_shared::{IssueId, SiteId};
use proplink_tests::{Phone, TestApp, camera_jpeg, fixtures, spawn_app};
use sha2::{Digest, Sha256};

fn issue<'a>(site: SiteId, title: &'a str, photos: &'a [std::path::PathBuf]) -> IssueInput<'a> {
    IssueInput {
        site_id: site,
        building_id: None,
        ticket_id: None,
        title,
        description: "",
        location: "Bin store",
        category: "other",
        priority: "low",
        photos,
    }
}

/// A Site Manager of `site` only, with a phone signed in.
async fn site_manager_of(t: &TestApp, org: &fixtures::Org, site: SiteId, email: &str) -> Phone {
    orgs::add_staff(
        &t.app,
        &org.owner,
        email,
        "Bo Beta",
        Role::SiteManager,
        Some(&[site]),
    )
    .await
    .unwrap_or_else(|e| panic!("{e:?}"));
    t.phone(&org.slug, email).await
}

async fn api_get(t: &TestApp, token: &str, sha: &str) -> proplink_tests::Page {
    t.browser()
        .request(
            "GET",
            &t.app.config.api_domain,
            &format!("/v1/photos/{sha}"),
            &[("authorization", &format!("Bearer {token}"))],
            Vec::new(),
        )
        .await
}

/// Logs an issue with one photo from `phone` and syncs it; returns the photo's bytes and hash,
/// and the issue.
async fn issue_with_photo(phone: &Phone, site: SiteId, seed: u64) -> (Vec<u8>, String, IssueId) {
    let photo = phone.photo(seed, 20_000);
    let id = actions::log_issue(
        &phone.store,
        &issue(site, "Overflowing bins", std::slice::from_ref(&photo)),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let report = sync::sync(&phone.store)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(report.applied, 1);
    let bytes = std::fs::read(&photo).unwrap_or_else(|e| panic!("{e}"));
    let sha = hex::encode(Sha256::digest(&bytes));
    (bytes, sha, id)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_photo_is_read_only_through_a_record_the_reader_may_see() {
    let t = spawn_app().await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    let alpha = t.phone("acme", &org.site_manager_email).await;
    let beta = site_manager_of(&t, &org, org.site_b, "beta@acme.example").await;
    let (_, sha, id) = issue_with_photo(&alpha, org.site_a, 1).await;

    assert_eq!(api_get(&t, &alpha.token(), &sha).await.status, 200);
    // A device of another site neither reads it nor learns that it exists.
    let client = Client::new(&t.api_url()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        client.photo_held(&beta.token(), &sha).await.ok().flatten(),
        None
    );
    let refused = api_get(&t, &beta.token(), &sha).await;
    assert_eq!(refused.status, 404);
    assert_eq!(
        refused.body,
        api_get(&t, &beta.token(), &"a".repeat(64)).await.body
    );

    // Moved off the site, the device that took the photo no longer reads it either.
    let alpha_id = orgs::staff_by_email(&t.app, &org.owner, &org.site_manager_email)
        .await
        .unwrap_or_else(|e| panic!("{e:?}"))
        .id;
    orgs::set_scope(&t.app, &org.owner, alpha_id, Some(&[org.site_b]))
        .await
        .unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(api_get(&t, &alpha.token(), &sha).await.status, 404);

    // In the admin app: a Manager of every site sees it, a Site Manager of the other does not.
    let admin = t.admin_host("acme");
    let manager = t.browser();
    t.sign_in(&manager, &admin, &org.manager_email).await;
    let address = format!("/issues/{id}/photos/{sha}");
    let page = manager.get(&admin, &address).await;
    assert_eq!(page.status, 200);
    assert_eq!(page.headers["content-type"], "image/jpeg");
    let site_b = t.browser();
    t.sign_in(&site_b, &admin, "beta@acme.example").await;
    assert_eq!(
        site_b.get(&admin, &format!("/photos/{sha}")).await.status,
        404
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attaching_a_photo_needs_its_bytes_or_a_record_that_shows_it() {
    let t = spawn_app().await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    let alpha = t.phone("acme", &org.site_manager_email).await;
    let beta = site_manager_of(&t, &org, org.site_b, "beta@acme.example").await;
    let (bytes, sha, _) = issue_with_photo(&alpha, org.site_a, 2).await;

    // Knowing only the hash, Beta pushes an issue of its own site citing Alpha's photo.
    let client = Client::new(&t.api_url()).unwrap_or_else(|e| panic!("{e}"));
    let issue_id = IssueId::new();
    let push = PushRequest {
        device_id: beta.device_id(),
        mutations: vec![Mutation {
            mutation_id: uuid::Uuid::now_v7(),
            seq: beta.next_seq(),
            change: Change::LogIssue(LogIssue {
                issue_id,
                site_id: org.site_b,
                building_id: None,
                ticket_id: None,
                title: "Borrowed photo".into(),
                description: String::new(),
                location: "Gate".into(),
                category: IssueCategory::Other,
                priority: Priority::Low,
                photos: vec![sha.clone()],
            }),
        }],
    };
    let Ok(Pushed::Done(answer)) = client.push(&beta.token(), &push).await else {
        panic!("the push should be answered");
    };
    assert_eq!(
        answer.missing_photos,
        vec![sha.clone()],
        "asked for the bytes, as for any photo it lacks"
    );
    assert!(
        answer.results.is_empty(),
        "nothing applied: {:?}",
        answer.results
    );
    let on_server: i64 = t
        .scalar(
            "SELECT COUNT(*) FROM issues WHERE id = $1",
            proplink_backend::params![issue_id],
        )
        .await;
    assert_eq!(on_server, 0);

    // Holding the bytes is the proof: uploaded by Beta itself, the same photo attaches.
    let length = bytes.len() as u64;
    let held = client
        .photo_append(&beta.token(), &sha, 0, length, bytes)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(held.complete);
    let Ok(Pushed::Done(answer)) = client.push(&beta.token(), &push).await else {
        panic!("the push should be answered");
    };
    assert!(answer.missing_photos.is_empty());
    assert_eq!(answer.results.len(), 1);
    assert_eq!(
        answer.results[0].outcome,
        proplink_shared::sync::Outcome::Applied
    );
    assert_eq!(api_get(&t, &beta.token(), &sha).await.status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn photos_lose_their_position_and_camera_but_keep_their_orientation() {
    use exif::{Field, In, Reader, Tag, Value};
    let t = spawn_app().await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    let phone = t.phone("acme", &org.site_manager_email).await;
    let (taken, sha, _) = issue_with_photo(&phone, org.site_a, 3).await;
    let before = Reader::new()
        .read_from_container(&mut std::io::Cursor::new(&taken))
        .unwrap_or_else(|e| panic!("the camera photo has EXIF: {e}"));
    assert!(before.get_field(Tag::GPSLatitude, In::PRIMARY).is_some());

    let kept = api_get(&t, &phone.token(), &sha).await;
    assert_eq!(kept.status, 200);
    let kept = kept.bytes;
    assert!(kept.len() < taken.len());
    assert!(
        !kept.windows(8).any(|w| w == b"PhoneCam"),
        "the camera's make is gone"
    );
    assert!(
        Reader::new()
            .read_from_container(&mut std::io::Cursor::new(&kept))
            .is_err(),
        "no EXIF is left when the photo was already upright"
    );

    // A photo taken sideways keeps the one tag that turns it upright, and nothing else.
    let mut sideways = Vec::new();
    {
        let mut writer = exif::experimental::Writer::new();
        let fields = [
            Field {
                tag: Tag::Orientation,
                ifd_num: In::PRIMARY,
                value: Value::Short(vec![6]),
            },
            Field {
                tag: Tag::GPSLatitudeRef,
                ifd_num: In::PRIMARY,
                value: Value::Ascii(vec![b"N".to_vec()]),
            },
        ];
        for field in &fields {
            writer.push_field(field);
        }
        let mut tiff = std::io::Cursor::new(Vec::new());
        writer
            .write(&mut tiff, false)
            .unwrap_or_else(|e| panic!("{e}"));
        let mut app1 = b"Exif\0\0".to_vec();
        app1.extend_from_slice(&tiff.into_inner());
        let jpeg = camera_jpeg(4, 4_000);
        sideways.extend_from_slice(&jpeg[..2]);
        sideways.extend_from_slice(&[0xFF, 0xE1]);
        sideways.extend_from_slice(&u16::try_from(app1.len() + 2).unwrap_or(0).to_be_bytes());
        sideways.extend_from_slice(&app1);
        sideways.extend_from_slice(&jpeg[2..]);
    }
    let path = phone.dir.path.join("sideways.jpg");
    std::fs::write(&path, &sideways).unwrap_or_else(|e| panic!("{e}"));
    actions::log_issue(
        &phone.store,
        &issue(org.site_a, "Sideways", std::slice::from_ref(&path)),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    sync::sync(&phone.store)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let sha = hex::encode(Sha256::digest(&sideways));
    let kept = api_get(&t, &phone.token(), &sha).await.bytes;
    let exif = Reader::new()
        .read_from_container(&mut std::io::Cursor::new(&kept))
        .unwrap_or_else(|e| panic!("the orientation is kept: {e}"));
    let tags: Vec<Tag> = exif.fields().map(|f| f.tag).collect();
    assert_eq!(tags, vec![Tag::Orientation]);
    assert_eq!(
        exif.get_field(Tag::Orientation, In::PRIMARY)
            .and_then(|f| f.value.get_uint(0)),
        Some(6)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_that_is_not_a_photo_is_refused_with_a_reason() {
    let t = spawn_app().await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    let phone = t.phone("acme", &org.site_manager_email).await;
    let client = Client::new(&t.api_url()).unwrap_or_else(|e| panic!("{e}"));
    // An iPhone's HEIC photo: the server says what to change on the phone.
    let mut heic = vec![0, 0, 0, 24];
    heic.extend_from_slice(b"ftypheic\0\0\0\0mif1heic");
    heic.resize(2_000, 0);
    let sha = hex::encode(Sha256::digest(&heic));
    let length = heic.len() as u64;
    let err = client
        .photo_append(&phone.token(), &sha, 0, length, heic)
        .await;
    assert!(
        matches!(&err, Err(facility_report_core::CoreError::Invalid(v)) if v.summary().contains("Most Compatible"))
            || matches!(&err, Err(facility_report_core::CoreError::Server { message, .. }) if message.contains("Most Compatible")),
        "{:?}",
        err.err()
    );
    assert_eq!(
        client.photo_held(&phone.token(), &sha).await.ok().flatten(),
        None,
        "nothing kept"
    );
}
