//! The audit trail: written with every change, worded for people, chained against tampering.

use std::process::Command;

use proplink_backend::services::audit::verify;
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
        "Owner Person created site A1 Alpha Court via the admin app on "
    ));
    assert!(has("create", "added Flat 1 to Alpha Court"));
    assert!(has("update", "linked Ravi Patel to Flat 1 as leaseholder"));
    assert!(has("create", "added Mina Manager as Manager for all sites"));
    assert!(has(
        "create",
        "added Sid Site as Site Manager for 1 selected site"
    ));
    assert!(has("create", "Mina Manager raised request TKT-"));
    assert!(has(
        "create",
        "Mina Manager logged issue \"Light out\" at Stairwell"
    ));
    assert!(has("create", "created work order WO-"));
    assert!(has("create", "raised invoice INV-"));
    assert!(has("approve", "approved invoice INV-"));
    assert!(has("send", "sent invoice INV-"));
    // The invoice's trail reads in order.
    let mut conn = t.app.db.read().await.unwrap_or_else(|e| panic!("{e}"));
    let trail = proplink_backend::store::audit::of_record(
        &mut conn,
        org.id,
        "invoice",
        &org.invoice.to_string(),
    )
    .await
    .unwrap_or_default();
    let actions: Vec<_> = trail.iter().rev().map(|r| r.action.code()).collect();
    assert_eq!(actions, ["create", "status_change", "approve", "send"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tampering_with_one_row_breaks_the_chain() {
    let t = spawn_app().await;
    let acme = fixtures::org(&t.app, "acme", "Acme Estates").await;
    fixtures::org(&t.app, "birchwood", "Birchwood Residential").await;
    let reports = verify(&t.app.db).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(reports.len(), 2);
    assert!(
        reports
            .iter()
            .all(|r| r.problems.is_empty() && r.events > 20),
        "{reports:?}"
    );

    // The command line says the same.
    let run = |args: &[&str]| {
        Command::new(proplink_bin())
            .args(args)
            .env("DATABASE_URL", &t.database_url)
            .env("PROPLINK_DATA_DIR", &t.data_dir.path)
            .output()
            .unwrap_or_else(|e| panic!("{e}"))
    };
    let ok = run(&["audit", "verify"]);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stdout)
    );
    assert!(String::from_utf8_lossy(&ok.stdout).contains("acme:"));

    // Someone edits one sentence in the database.
    let mut tx = t.app.db.write().await.unwrap_or_else(|e| panic!("{e}"));
    sqlx::query("UPDATE audit_events SET sentence = 'nothing happened' WHERE organisation_id = $1 AND seq = 5")
        .bind(acme.id.to_string())
        .execute(&mut *tx)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    tx.commit().await.unwrap_or_else(|e| panic!("{e}"));
    let reports = verify(&t.app.db).await.unwrap_or_else(|e| panic!("{e}"));
    let acme_report = reports
        .iter()
        .find(|r| r.slug == "acme")
        .unwrap_or_else(|| panic!("no acme report"));
    assert!(
        acme_report
            .problems
            .iter()
            .any(|p| p.contains("event 5 was changed")),
        "{:?}",
        acme_report.problems
    );
    assert!(
        reports
            .iter()
            .find(|r| r.slug == "birchwood")
            .is_some_and(|r| r.problems.is_empty()),
        "one organisation's tampering does not taint another's chain"
    );
    let broken = run(&["audit", "verify"]);
    assert!(!broken.status.success());
    assert!(String::from_utf8_lossy(&broken.stdout).contains("CHAIN BROKEN"));

    // Removing the newest event is caught too.
    let mut tx = t.app.db.write().await.unwrap_or_else(|e| panic!("{e}"));
    sqlx::query("DELETE FROM audit_events WHERE organisation_id = $1 AND seq = (SELECT MAX(seq) FROM audit_events WHERE organisation_id = $1)")
        .bind(acme.id.to_string())
        .execute(&mut *tx)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    tx.commit().await.unwrap_or_else(|e| panic!("{e}"));
    let reports = verify(&t.app.db).await.unwrap_or_else(|e| panic!("{e}"));
    let acme_report = reports
        .iter()
        .find(|r| r.slug == "acme")
        .unwrap_or_else(|| panic!("no acme report"));
    assert!(
        acme_report
            .problems
            .iter()
            .any(|p| p.contains("were written")),
        "{:?}",
        acme_report.problems
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
