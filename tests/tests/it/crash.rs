//! Crash safety: the sync runs in a child process that is killed with SIGKILL at random points
//! in photo upload, push and pull, again and again, while new work keeps arriving. At the end
//! every change is on the server exactly once and every photo is byte-identical.

use std::collections::BTreeMap;
use std::time::Duration;

use facility_report_core::actions::{self, IssueInput};
use facility_report_core::sync;
use proplink_backend::params;
use proplink_tests::{cleaned, fixtures, spawn_app};
use rand::{Rng, SeedableRng};
use sha2::{Digest, Sha256};
use tokio::io::{AsyncBufReadExt, BufReader};

fn fr_sync_bin() -> std::path::PathBuf {
    let exe = std::env::current_exe().unwrap_or_default();
    let bin = exe
        .parent()
        .and_then(|d| d.parent())
        .map(|d| d.join("fr-sync"))
        .unwrap_or_default();
    assert!(
        bin.exists(),
        "build the sync tool first: cargo build -p facility-report-core (looked for {})",
        bin.display()
    );
    bin
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killing_the_sync_at_random_points_loses_and_repeats_nothing() {
    let t = spawn_app().await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    let phone = t.phone("acme", &org.site_manager_email).await;
    let db = phone.dir.path.join("app.db");
    let seed: u64 = std::env::var("CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(rand::random);
    println!("crash test seed: {seed} (set CRASH_SEED to repeat)");
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);

    let mut issues = Vec::new();
    let mut photos: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    let mut replies = 0;
    let mut kills: BTreeMap<&str, usize> = BTreeMap::new();
    let mut completed = 0;
    let targets = ["upload", "push", "pull"];
    let mut round = 0usize;
    // Pull is the shortest step, so it is hit least often: go on until every step has been.
    let enough = |kills: &BTreeMap<&str, usize>| {
        kills.values().sum::<usize>() >= 60
            && targets
                .iter()
                .all(|t| kills.get(t).copied().unwrap_or(0) >= 5)
    };
    while !enough(&kills) && round < 400 {
        round += 1;
        // New work since the last attempt: issues with photos, and replies.
        for _ in 0..rng.gen_range(1..=3) {
            let n_photos = rng.gen_range(0..=2);
            let paths: Vec<_> = (0..n_photos)
                .map(|_| {
                    let path = phone.photo(rng.r#gen(), rng.gen_range(100_000..1_600_000));
                    let bytes = std::fs::read(&path).unwrap_or_default();
                    photos.insert(hex::encode(Sha256::digest(&bytes)), bytes);
                    path
                })
                .collect();
            let title = format!("Round {round} finding {}", issues.len());
            let input = IssueInput {
                site_id: org.site_a,
                building_id: None,
                ticket_id: None,
                title: &title,
                description: "",
                location: "Roof",
                category: "other",
                priority: "low",
                photos: &paths,
            };
            issues.push(actions::log_issue(&phone.store, &input).unwrap_or_else(|e| panic!("{e}")));
        }
        if rng.gen_bool(0.5) {
            actions::reply_ticket(
                &phone.store,
                org.ticket_a,
                &format!("Update {round}"),
                false,
            )
            .unwrap_or_else(|e| panic!("{e}"));
            replies += 1;
        }
        // Sync in a child process, and kill it once it reaches the chosen step.
        let target = targets[round % targets.len()];
        let mut child = tokio::process::Command::new(fr_sync_bin())
            .args(["--db", &db.to_string_lossy(), "sync"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|e| panic!("{e}"));
        let mut lines =
            BufReader::new(child.stderr.take().unwrap_or_else(|| panic!("no stderr"))).lines();
        let mut reached = false;
        while let Ok(Ok(Some(line))) =
            tokio::time::timeout(Duration::from_secs(30), lines.next_line()).await
        {
            if line == format!("phase: {target}") {
                reached = true;
                break;
            }
        }
        if reached {
            tokio::time::sleep(Duration::from_micros(rng.gen_range(0..15_000))).await;
        }
        match child.try_wait() {
            Ok(Some(_)) => completed += 1,
            _ => {
                child.start_kill().unwrap_or_else(|e| panic!("{e}"));
                let status = child.wait().await.unwrap_or_else(|e| panic!("{e}"));
                if status.code().is_some() {
                    completed += 1; // it finished just before the signal
                } else {
                    *kills.entry(target).or_default() += 1;
                }
            }
        }
    }
    // Signal is back for good: one last, uninterrupted sync.
    for _ in 0..2 {
        sync::sync(&phone.store)
            .await
            .unwrap_or_else(|e| panic!("final sync: {e}"));
    }

    let total_kills: usize = kills.values().sum();
    let mut applied_once = 0;
    for id in &issues {
        let n: i64 = t
            .scalar("SELECT COUNT(*) FROM issues WHERE id = $1", params![id])
            .await;
        assert_eq!(n, 1, "issue {id} is on the server {n} times");
        let events: i64 = t
            .scalar(
                "SELECT COUNT(*) FROM audit_events WHERE record_id = $1 AND action = 'create'",
                params![id],
            )
            .await;
        assert_eq!(
            events, 1,
            "issue {id} was created {events} times in the audit trail"
        );
        applied_once += 1;
    }
    let entries: i64 = t
        .scalar(
            "SELECT COUNT(*) FROM ticket_entries WHERE ticket_id = $1 AND channel = 'facility_report'",
            params![org.ticket_a],
        )
        .await;
    assert_eq!(entries, replies, "every reply exactly once");
    let settled: i64 = t
        .scalar(
            "SELECT COUNT(*) FROM sync_mutations WHERE outcome = 'applied'",
            &[],
        )
        .await;
    assert_eq!(
        settled,
        (issues.len() + usize::try_from(replies).unwrap_or(0)) as i64
    );
    for (sha, bytes) in &photos {
        let on_server = std::fs::read(proplink_backend::services::files::file_path(
            &t.app, org.id, sha,
        ))
        .unwrap_or_default();
        assert!(
            on_server == cleaned(bytes),
            "photo {sha} is not the photo taken, without its metadata"
        );
    }
    assert!(
        actions::outbox(&phone.store).unwrap_or_default().is_empty(),
        "the outbox is empty"
    );
    println!(
        "crash test: {total_kills} kills ({}), {completed} syncs that finished, {applied_once} issues and {replies} replies each applied exactly once, {} photos byte-identical",
        kills
            .iter()
            .map(|(k, v)| format!("{v} in {k}"))
            .collect::<Vec<_>>()
            .join(", "),
        photos.len()
    );
    assert!(total_kills >= 50, "only {total_kills} kills");
    for target in targets {
        assert!(
            kills.get(target).copied().unwrap_or(0) >= 5,
            "too few kills during {target}: {kills:?}"
        );
    }
}
