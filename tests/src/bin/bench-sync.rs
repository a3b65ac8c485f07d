//! `cargo xtask bench sync`: how long Facility Report takes to sync a heavy day — 1,000 queued
//! changes and 50 photos of 3 MB — against a live server on loopback, compared with sending
//! the same bytes with a plain HTTP client, and the sync process's peak memory.

use std::time::Instant;

use facility_report_core::actions::{self, IssueInput};
use proplink_tests::{fixtures, spawn_app};

const CHANGES: usize = 1_000;
const PHOTOS: usize = 50;
const PHOTO_BYTES: usize = 3 * 1024 * 1024;

#[tokio::main]
async fn main() {
    let t = spawn_app().await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    let phone = t.phone("acme", &org.site_manager_email).await;

    // The day's work, queued offline: every 20th issue carries a photo.
    let mut photo_bytes = Vec::new();
    for i in 0..CHANGES {
        let photos: Vec<_> = if i % (CHANGES / PHOTOS) == 0 && photo_bytes.len() < PHOTOS {
            let path = phone.photo(i as u64 + 1, PHOTO_BYTES);
            photo_bytes.push(std::fs::read(&path).unwrap_or_default());
            vec![path]
        } else {
            Vec::new()
        };
        let title = format!("Finding {i}");
        let input = IssueInput {
            site_id: org.site_a,
            building_id: None,
            ticket_id: None,
            title: &title,
            description: "Logged on the site walk",
            location: "Block A",
            category: "other",
            priority: "low",
            photos: &photos,
        };
        actions::log_issue(&phone.store, &input).unwrap_or_else(|e| panic!("{e}"));
    }
    let outbox_json: Vec<u8> = phone
        .store
        .read(|c| {
            let mut stmt = c.prepare("SELECT body FROM outbox")?;
            let bodies: Vec<String> = stmt
                .query_map([], |r| r.get(0))?
                .collect::<Result<_, _>>()?;
            Ok(bodies.join(",").into_bytes())
        })
        .unwrap_or_default();
    let total_bytes: usize = photo_bytes.iter().map(Vec::len).sum::<usize>() + outbox_json.len();

    // The sync, in its own process as on the phone.
    let bin = std::env::current_exe()
        .ok()
        .and_then(|e| e.parent().map(|d| d.join("fr-sync")))
        .unwrap_or_default();
    let started = Instant::now();
    let out = tokio::process::Command::new(&bin)
        .args([
            "--db",
            &phone.dir.path.join("app.db").to_string_lossy(),
            "sync",
        ])
        .env("FR_SYNC_STATS", "1")
        .output()
        .await
        .unwrap_or_else(|e| panic!("running {}: {e}", bin.display()));
    let sync_secs = started.elapsed().as_secs_f64();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "sync failed: {stderr}");
    let peak_kb = stderr
        .lines()
        .find_map(|l| l.strip_prefix("peak_rss_kb: "))
        .unwrap_or("unknown")
        .to_owned();
    assert_eq!(
        actions::pending_count(&phone.store).unwrap_or(-1),
        0,
        "everything was sent"
    );

    // The same bytes with a plain HTTP client to a server that only reads them.
    let sink = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let sink_addr = sink.local_addr().unwrap_or_else(|e| panic!("{e}"));
    let app = axum::Router::new()
        .route(
            "/sink",
            axum::routing::post(|body: axum::body::Bytes| async move { body.len().to_string() }),
        )
        .layer(axum::extract::DefaultBodyLimit::disable());
    tokio::spawn(async move {
        let _ = axum::serve(sink, app).await;
    });
    let client = reqwest::Client::new();
    let started = Instant::now();
    for body in photo_bytes.iter().chain(std::iter::once(&outbox_json)) {
        let r = client
            .post(format!("http://{sink_addr}/sink"))
            .body(body.clone())
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(r.status().is_success());
    }
    let plain_secs = started.elapsed().as_secs_f64();

    println!(
        "sync bench: {CHANGES} changes and {PHOTOS} photos of {} MB ({:.1} MB in all) over loopback",
        PHOTO_BYTES / 1024 / 1024,
        total_bytes as f64 / 1_048_576.0
    );
    println!("  sync:        {sync_secs:.2} s");
    println!("  plain HTTP:  {plain_secs:.2} s (same bytes, no processing)");
    println!("  ratio:       {:.1}x", sync_secs / plain_secs.max(1e-9));
    println!("  peak memory of the sync process: {peak_kb} kB");
    println!(
        "  database: {}",
        if proplink_tests::on_postgres() {
            "PostgreSQL"
        } else {
            "SQLite"
        }
    );
}
