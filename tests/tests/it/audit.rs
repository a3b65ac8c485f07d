//! The audit trail: written with every change, worded for people, chained against tampering.

use std::process::Command;

use proplink_backend::params;
use proplink_backend::services::audit::checkpoints::{self, Checkpoints};
use proplink_backend::services::audit::{chain_hash, verify};
use proplink_backend::store::query::PageAt;
use proplink_shared::records::RecordType;
use proplink_tests::{fixtures, spawn_app};

fn proplink_bin() -> std::path::PathBuf {
    if let Ok(bin) = std::env::var("PROPLINK_BIN") {
        return bin.into();
    }
    // target/<profile>/deps/it-… → target/<profile>/proplink
    let exe = std::env::current_exe().unwrap_or_default();
    let bin = exe
        .parent()
        .and_then(|d| d.parent())
        .map(|d| d.join("proplink"))
        .unwrap_or_default();
    assert!(
        bin.exists(),
        "build the server first: cargo build -p proplink-backend (looked for {})",
        bin.display()
    );
    bin
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_write_is_recorded_with_its_door() {
    let t = spawn_app().await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    let events = t.audit_events(org.id).await;
    let has = |action: &str, sentence: &str| {
        events
            .iter()
            .any(|(a, c, s)| a == action && !c.is_empty() && s.contains(sentence))
    };
    assert!(has(
        "create",
        "PropLink created the organisation Acme Estates (acme) on "
    ));
    assert!(has(
        "create",
        "Owner Person added site Alpha Court (A1) via the admin app on "
    ));
    assert!(has("create", "added Flat 1 in Alpha Court"));
    assert!(has("update", "linked Ravi Patel to Flat 1 as leaseholder"));
    assert!(has("create", "added Mina Manager as Manager for all sites"));
    assert!(has(
        "create",
        "added Sid Site as Site Manager for 1 selected site"
    ));
    assert!(has("create", "Mina Manager raised request TKT-"));
    assert!(has(
        "create",
        "Mina Manager logged issue \"Light out\" at Alpha Court, Stairwell"
    ));
    assert!(has("create", "created work order WO-"));
    assert!(has("create", "raised invoice INV-"));
    assert!(has("approve", "approved invoice INV-"));
    assert!(has("send", "sent invoice INV-"));
    // The invoice's trail reads in order.
    let trail = proplink_backend::services::audit::trail(
        &t.app,
        org.id,
        RecordType::Invoice,
        &org.invoice.to_string(),
        &PageAt::First,
    )
    .await
    .unwrap_or_else(|e| panic!("{e:?}"));
    let actions: Vec<_> = trail.items.iter().rev().map(|r| r.action.code()).collect();
    assert_eq!(actions, ["create", "status_change", "approve", "send"]);
}

/// Runs `proplink` against the test's database and data directory.
fn cli(t: &proplink_tests::TestApp, args: &[&str]) -> (bool, String) {
    let out = Command::new(proplink_bin())
        .args(args)
        .env("DATABASE_URL", &t.database_url)
        .env("PROPLINK_DATA_DIR", &t.data_dir.path)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

async fn problems(t: &proplink_tests::TestApp, slug: &str) -> Vec<String> {
    let signed = Checkpoints::read(
        &t.app.config.audit_checkpoint_file,
        &t.app.secrets.audit_public_key(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    verify(&t.app.db, &signed)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .into_iter()
        .find(|r| r.slug == slug)
        .map(|r| r.problems)
        .unwrap_or_else(|| panic!("no report for {slug}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tampering_with_one_row_breaks_the_chain() {
    let t = spawn_app().await;
    let acme = fixtures::org(&t.app, "acme", "Acme Estates").await;
    fixtures::org(&t.app, "birchwood", "Birchwood Residential").await;
    checkpoints::write(&t.app)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(problems(&t, "acme").await.is_empty());
    let (ok, out) = cli(&t, &["audit", "verify"]);
    assert!(ok, "{out}");
    assert!(
        out.contains("acme:") && out.contains("held to the checkpoint at event"),
        "{out}"
    );

    // Someone edits one sentence in the database.
    t.tamper(
        "UPDATE audit_events SET sentence = 'nothing happened' WHERE organisation_id = $1 AND seq = 5",
        params![acme.id],
    )
    .await;
    let found = problems(&t, "acme").await;
    assert!(
        found.iter().any(|p| p.contains("event 5 was changed")),
        "{found:?}"
    );
    assert!(
        problems(&t, "birchwood").await.is_empty(),
        "one organisation's tampering does not taint another's chain"
    );
    let (ok, out) = cli(&t, &["audit", "verify"]);
    assert!(!ok);
    assert!(out.contains("TRAIL BROKEN"), "{out}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cutting_the_trail_short_is_caught_by_the_signed_checkpoint() {
    let t = spawn_app().await;
    let acme = fixtures::org(&t.app, "acme", "Acme Estates").await;
    checkpoints::write(&t.app)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let last: i64 = t
        .scalar(
            "SELECT last_seq FROM audit_heads WHERE organisation_id = $1",
            params![acme.id],
        )
        .await;
    // Delete the three newest events and move the head back onto the event before them: the
    // chain that is left is whole.
    t.tamper(
        "DELETE FROM audit_events WHERE organisation_id = $1 AND seq > $2",
        params![acme.id, last - 3],
    )
    .await;
    t.tamper(
        "UPDATE audit_heads SET last_seq = $2, last_hash = (SELECT hash FROM audit_events WHERE organisation_id = $1 AND seq = $2) \
         WHERE organisation_id = $1",
        params![acme.id, last - 3],
    )
    .await;
    let found = problems(&t, "acme").await;
    assert!(
        found
            .iter()
            .any(|p| p.contains("cut short") && p.contains(&format!("event {last} was signed"))),
        "{found:?}"
    );
    let (ok, out) = cli(&t, &["audit", "verify"]);
    assert!(!ok && out.contains("cut short"), "{out}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn re_chaining_after_an_edit_is_caught_by_the_signed_checkpoint() {
    let t = spawn_app().await;
    let acme = fixtures::org(&t.app, "acme", "Acme Estates").await;
    checkpoints::write(&t.app)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    // Edit event 5 and recompute every hash after it, and the head: the chain checks out.
    let mut conn = t.app.db.read().await.unwrap_or_else(|e| panic!("{e}"));
    let events = proplink_backend::store::audit::chain_page(&mut conn, acme.id, 0, 100_000)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    drop(conn);
    let mut prev = String::new();
    for mut e in events {
        if e.seq >= 5 {
            if e.seq == 5 {
                e.sentence = "Owner Person did nothing on 1 January 2026".into();
            }
            e.prev_hash = prev.clone();
            e.hash = chain_hash(&e);
            t.tamper(
                "UPDATE audit_events SET sentence = $3, prev_hash = $4, hash = $5 WHERE organisation_id = $1 AND seq = $2",
                params![acme.id, e.seq, e.sentence, e.prev_hash, e.hash],
            )
            .await;
            t.tamper(
                "UPDATE audit_heads SET last_hash = $2 WHERE organisation_id = $1",
                params![acme.id, e.hash],
            )
            .await;
        }
        prev = e.hash;
    }
    let found = problems(&t, "acme").await;
    assert!(
        !found.iter().any(|p| p.contains("was changed")),
        "the chain itself is consistent: {found:?}"
    );
    assert!(found.iter().any(|p| p.contains("rewritten")), "{found:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_checkpoint_not_signed_by_the_server_is_refused() {
    let t = spawn_app().await;
    fixtures::org(&t.app, "acme", "Acme Estates").await;
    checkpoints::write(&t.app)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    // A checkpoint edited to bless a shorter trail no longer carries a good signature.
    let path = &t.app.config.audit_checkpoint_file;
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{e}"));
    let forged = text.replacen("\"seq\":", "\"seq\":1", 1);
    std::fs::write(path, forged).unwrap_or_else(|e| panic!("{e}"));
    let (ok, out) = cli(&t, &["audit", "verify"]);
    assert!(
        !ok && out.contains("not signed by this server's key"),
        "{out}"
    );
}

#[test]
fn the_command_line_documents_every_setting() {
    let out = Command::new(proplink_bin())
        .args(["serve", "--help"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let help = String::from_utf8_lossy(&out.stdout);
    for setting in [
        "PROPLINK_DATA_DIR",
        "DATABASE_URL",
        "PROPLINK_LISTEN",
        "PROPLINK_SMTP_URL",
        "PROPLINK_ADMIN_DOMAIN",
        "PROPLINK_SESSION_IDLE_MINUTES",
        "PROPLINK_CONFIG",
    ] {
        assert!(help.contains(setting), "--help does not mention {setting}");
    }
}

#[test]
fn a_bad_organisation_is_refused_with_a_clear_message() {
    let dir = proplink_tests::tempdir::TempDir::new();
    let out = Command::new(proplink_bin())
        .args([
            "org",
            "create",
            "--slug",
            "api",
            "--name",
            "Reserved",
            "--owner-email",
            "x@y.example",
            "--owner-name",
            "X",
        ])
        .env_remove("DATABASE_URL")
        .env("PROPLINK_DATA_DIR", &dir.path)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("That subdomain is reserved"));
}
