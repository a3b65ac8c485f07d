//! Staff and roles in the admin app: an invitation by email that the new member signs in
//! with, role and site changes, deactivation that ends sessions and devices at once, and the
//! rules — owners and administrators only, only an owner makes an owner, never the last owner.

use facility_report_core::{CoreError, sync};
use proplink_backend::error::AppError;
use proplink_backend::params;
use proplink_backend::services::staff;
use proplink_shared::{Role, StaffUserId};
use proplink_tests::{Browser, Page, TestApp, fixtures, spawn_app};

async fn signed_in(t: &TestApp, email: &str) -> (Browser, String) {
    let b = t.browser();
    let host = t.admin_host("acme");
    t.sign_in(&b, &host, email).await;
    (b, host)
}

async fn send(
    b: &Browser,
    host: &str,
    page_path: &str,
    action: &str,
    fields: &[(&str, &str)],
) -> Page {
    let csrf = b.get(host, page_path).await.csrf();
    let mut form = vec![("csrf", csrf.as_str())];
    form.extend_from_slice(fields);
    b.post(host, action, &form).await
}

async fn staff_count(t: &TestApp) -> i64 {
    t.scalar("SELECT COUNT(*) FROM staff_users", params![])
        .await
}

async fn id_of(t: &TestApp, email: &str) -> StaffUserId {
    let id: String = t
        .scalar(
            "SELECT id FROM staff_users WHERE email = $1",
            params![email],
        )
        .await;
    id.parse().unwrap_or_else(|e| panic!("{e:?}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invited_member_of_staff_signs_in_and_a_bad_invitation_keeps_what_was_typed() {
    let t = spawn_app().await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    let (b, host) = signed_in(&t, &org.owner_email()).await;
    let before = staff_count(&t).await;
    // A Site Manager without sites, and an address that is not one.
    let page = send(
        &b,
        &host,
        "/staff",
        "/staff",
        &[
            ("name", "Sam Singh"),
            ("email", "sam@"),
            ("role", "site_manager"),
        ],
    )
    .await;
    assert_eq!(page.status, 422, "{}", page.body);
    assert!(
        page.body.contains("href=\"#invite-email\""),
        "{}",
        page.body
    );
    assert!(page.body.contains("href=\"#invite-sites\""));
    assert!(page.body.contains("value=\"Sam Singh\""));
    assert!(
        page.body
            .contains("<option value=\"site_manager\" selected>")
    );
    assert_eq!(staff_count(&t).await, before, "nothing written");
    let site = org.site_a.to_string();
    let page = send(
        &b,
        &host,
        "/staff",
        "/staff",
        &[
            ("name", "Sam Singh"),
            ("email", "Sam.Singh@acme.example"),
            ("role", "site_manager"),
            ("sites", &site),
        ],
    )
    .await;
    assert_eq!(page.status, 303, "{}", page.body);
    assert_eq!(page.location(), Some("/staff?done=invite"));
    let mail = t.smtp.wait_for("sam.singh@acme.example", 1).await;
    assert!(
        mail.subject()
            .contains("You have been added to Acme Estates"),
        "{}",
        mail.subject()
    );
    // The same address again is refused by its field.
    let page = send(
        &b,
        &host,
        "/staff",
        "/staff",
        &[
            ("name", "Sam Again"),
            ("email", "sam.singh@acme.example"),
            ("role", "manager"),
        ],
    )
    .await;
    assert_eq!(page.status, 422);
    assert!(
        page.body
            .contains("There is already a user with that email address")
    );
    // Sam signs in and sees only their site's requests.
    let (sam, _) = signed_in(&t, "sam.singh@acme.example").await;
    let tickets = sam.get(&host, "/tickets").await;
    assert_eq!(tickets.status, 200);
    assert!(tickets.body.contains("Leak in hallway"));
    assert!(
        !tickets.body.contains("Broken gate"),
        "site B is not theirs"
    );
    let events = t.audit_events(org.id).await;
    assert!(
        events.iter().any(|(a, c, s)| a == "create"
            && c == "admin"
            && s.contains("added Sam Singh as Site Manager for 1 selected site")),
        "{events:#?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_owners_and_administrators_manage_staff_and_only_an_owner_makes_an_owner() {
    let t = spawn_app().await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    let other = fixtures::org(&t.app, "birch", "Birchwood").await;
    let before = staff_count(&t).await;
    // A Manager is refused, through the door too, and nothing is written.
    let err = staff::invite(
        &t.app,
        &org.manager,
        "x@acme.example",
        "X",
        Role::ReadOnly,
        &[],
    )
    .await;
    assert!(matches!(err, Err(AppError::Forbidden)), "{err:?}");
    let (b, host) = signed_in(&t, &org.manager_email).await;
    let page = send(
        &b,
        &host,
        "/dashboard",
        "/staff",
        &[
            ("name", "X"),
            ("email", "x@acme.example"),
            ("role", "read_only"),
        ],
    )
    .await;
    assert_eq!(page.status, 403, "{}", page.body);
    assert_eq!(staff_count(&t).await, before);
    // An Administrator manages staff, but makes nobody an owner and touches no owner.
    staff::invite(
        &t.app,
        &org.owner,
        "ada@acme.example",
        "Ada Admin",
        Role::Administrator,
        &[],
    )
    .await
    .unwrap_or_else(|e| panic!("{e:?}"));
    t.smtp.wait_for("ada@acme.example", 1).await;
    let (b, host) = signed_in(&t, "ada@acme.example").await;
    let page = send(
        &b,
        &host,
        "/staff",
        "/staff",
        &[
            ("name", "Olly"),
            ("email", "olly@acme.example"),
            ("role", "organisation_owner"),
        ],
    )
    .await;
    assert_eq!(page.status, 403, "{}", page.body);
    let owner = id_of(&t, &org.owner_email()).await;
    let page = send(
        &b,
        &host,
        "/staff",
        &format!("/staff/{owner}/deactivate"),
        &[],
    )
    .await;
    assert_eq!(page.status, 403, "{}", page.body);
    let manager = id_of(&t, &org.manager_email).await;
    let page = send(
        &b,
        &host,
        &format!("/staff/{manager}"),
        &format!("/staff/{manager}/role"),
        &[("role", "accountant")],
    )
    .await;
    assert_eq!(page.status, 303, "{}", page.body);
    let role: String = t
        .scalar(
            "SELECT role FROM staff_users WHERE email = $1",
            params![org.manager_email.as_str()],
        )
        .await;
    assert_eq!(role, "accountant");
    // Another organisation's member of staff is missing here.
    let theirs = id_of(&t, &other.manager_email).await;
    for action in ["role", "deactivate"] {
        let page = send(
            &b,
            &host,
            "/staff",
            &format!("/staff/{theirs}/{action}"),
            &[("role", "read_only")],
        )
        .await;
        assert_eq!(page.status, 404, "{action}: {}", page.body);
    }
    assert_eq!(b.get(&host, &format!("/staff/{theirs}")).await.status, 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_last_owner_stays_and_a_deactivated_member_is_signed_out_everywhere_at_once() {
    let t = spawn_app().await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    let owner = id_of(&t, &org.owner_email()).await;
    // The only owner cannot stop being one.
    let err = staff::change_role(&t.app, &org.owner, owner, Role::Manager, &[]).await;
    assert!(
        matches!(&err, Err(AppError::Conflict { message, .. }) if message.contains("only Organisation Owner")),
        "{err:?}"
    );
    // Nor deactivate themselves.
    let err = staff::deactivate(&t.app, &org.owner, owner).await;
    assert!(matches!(err, Err(AppError::Conflict { .. })), "{err:?}");
    // The manager is signed in on the web and on a phone.
    let (b, host) = signed_in(&t, &org.manager_email).await;
    assert_eq!(b.get(&host, "/tickets").await.status, 200);
    let phone = t.phone("acme", &org.manager_email).await;
    let manager = id_of(&t, &org.manager_email).await;
    let (ob, _) = signed_in(&t, &org.owner_email()).await;
    let page = send(
        &ob,
        &host,
        &format!("/staff/{manager}"),
        &format!("/staff/{manager}/deactivate"),
        &[],
    )
    .await;
    assert_eq!(page.status, 303, "{}", page.body);
    let shown = ob.get(&host, page.location().unwrap_or_default()).await;
    assert!(shown.body.contains("Deactivated"), "{}", shown.body);
    // Their next page asks them to sign in; their phone is signed out; they cannot sign in.
    let page = b.get(&host, "/tickets").await;
    assert_eq!(page.status, 303, "{}", page.body);
    assert!(page.location().unwrap_or_default().starts_with("/sign-in"));
    assert!(matches!(
        sync::sync(&phone.store).await,
        Err(CoreError::NotSignedIn)
    ));
    let sessions: i64 = t
        .scalar(
            "SELECT COUNT(*) FROM sessions WHERE subject_id = $1",
            params![manager.to_string()],
        )
        .await;
    assert_eq!(sessions, 0);
    let mails_before = t.smtp.to(&org.manager_email).len();
    let again = t.browser();
    let page = t.ask_for_code(&again, &host, &org.manager_email).await;
    assert_eq!(
        page.status, 303,
        "no telling who has an account: {}",
        page.body
    );
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(
        t.smtp.to(&org.manager_email).len(),
        mails_before,
        "no code for a deactivated member"
    );
    // Reactivated, the manager can sign in again.
    staff::reactivate(&t.app, &org.owner, manager)
        .await
        .unwrap_or_else(|e| panic!("{e:?}"));
    let (b, _) = signed_in(&t, &org.manager_email).await;
    assert_eq!(b.get(&host, "/tickets").await.status, 200);
    // With a second owner, the first may step down.
    staff::invite(
        &t.app,
        &org.owner,
        "otto@acme.example",
        "Otto Owner",
        Role::OrganisationOwner,
        &[],
    )
    .await
    .unwrap_or_else(|e| panic!("{e:?}"));
    staff::change_role(&t.app, &org.owner, owner, Role::Manager, &[])
        .await
        .unwrap_or_else(|e| panic!("{e:?}"));
    let owners: i64 = t.scalar("SELECT COUNT(*) FROM staff_users WHERE role = 'organisation_owner' AND active AND organisation_id = $1", params![org.id.to_string()]).await;
    assert_eq!(owners, 1);
    let events = t.audit_events(org.id).await;
    assert!(
        events
            .iter()
            .any(|(a, _, s)| a == "archive" && s.contains("deactivated Mina Manager")),
        "{events:#?}"
    );
    assert!(
        events
            .iter()
            .any(|(a, _, s)| a == "restore" && s.contains("reactivated Mina Manager")),
        "{events:#?}"
    );
}
