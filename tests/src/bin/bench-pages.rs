//! `cargo xtask bench pages`: how fast the admin app's pages are, against a bare axum handler
//! serving an 8 KiB page measured in the same run.
//!
//! For SQLite, and PostgreSQL when `PROPLINK_BENCH_POSTGRES` names a server, and for the demo
//! at each scale of `BENCH_SCALES` (default `1,10`): loads `proplink demo --scale N` into a
//! fresh database, serves it (release build), signs in as the demo's Manager and drives the
//! dashboard, the first and fifth page of each list, a unit with its account, a statement, an
//! invoice, a ticket and a work order with wrk at 64 connections for `BENCH_SECONDS` (default 5) each. Prints a table of
//! requests/s, p50, p99 and the ratio to the bare handler, then checks the targets: every page
//! at least 10% of the bare rate with p99 under 25 ms, and the dashboard at the largest scale
//! costing at most 1.5 times what it costs at the smallest. Exits 1 if a target is missed.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use proplink_tests::Browser;

const CONNECTIONS: &str = "64";
const MANAGER: &str = "mark.manager@acme.example";
const HOST: &str = "acme.proplink.localhost";

/// One measurement.
#[derive(Clone, Debug)]
struct Load {
    rps: f64,
    p50_ms: f64,
    p99_ms: f64,
}

struct Row {
    database: &'static str,
    scale: u32,
    page: String,
    load: Load,
    bare: f64,
}

fn bin(name: &str) -> PathBuf {
    let path = std::env::current_exe()
        .ok()
        .and_then(|e| e.parent().map(|d| d.join(name)))
        .unwrap_or_default();
    assert!(
        path.exists(),
        "{} is missing: build it first",
        path.display()
    );
    path
}

fn free_addr() -> SocketAddr {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .unwrap_or_else(|e| panic!("{e}"))
}

fn millis(text: &str) -> f64 {
    let text = text.trim();
    let (number, unit) = text.split_at(
        text.find(|c: char| c.is_ascii_alphabetic())
            .unwrap_or(text.len()),
    );
    let n: f64 = number.parse().unwrap_or(f64::NAN);
    match unit {
        "us" => n / 1000.0,
        "ms" => n,
        "s" => n * 1000.0,
        "m" => n * 60_000.0,
        _ => f64::NAN,
    }
}

/// wrk against `url` with `headers`; panics if any answer is not a success.
fn wrk(url: &str, headers: &[String], seconds: u64) -> Load {
    let mut command = Command::new("wrk");
    command.args([
        "-t2",
        "-c",
        CONNECTIONS,
        "-d",
        &format!("{seconds}s"),
        "--latency",
    ]);
    for h in headers {
        command.args(["-H", h]);
    }
    let out = command
        .arg(url)
        .output()
        .unwrap_or_else(|e| panic!("running wrk: {e} (install it: apt-get install wrk)"));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        !text.contains("Non-2xx or 3xx responses"),
        "{url} answered errors under load:\n{text}"
    );
    let percentile = |p: &str| {
        text.lines()
            .map(str::trim)
            .find_map(|l| l.strip_prefix(p))
            .map_or(f64::NAN, millis)
    };
    Load {
        rps: text
            .lines()
            .find_map(|l| l.strip_prefix("Requests/sec:"))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(f64::NAN),
        p50_ms: percentile("50%"),
        p99_ms: percentile("99%"),
    }
}

/// A process that is killed when dropped.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn wait_for(addr: SocketAddr) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while std::net::TcpStream::connect(addr).is_err() {
        assert!(Instant::now() < deadline, "nothing listens on {addr}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn bare(seconds: u64) -> f64 {
    let addr = free_addr();
    let _server = Running(
        Command::new(bin("bench-bare"))
            .arg(addr.to_string())
            .stdout(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("{e}")),
    );
    wait_for(addr);
    wrk(&format!("http://{addr}/"), &[], 1);
    wrk(&format!("http://{addr}/"), &[], seconds).rps
}

/// Links of `rel` ("next") or to records under `prefix` on a page.
/// The first link to a record under `prefix` (not the list's "new" form).
fn first_link(body: &str, prefix: &str) -> Option<String> {
    let marker = format!("href=\"{prefix}");
    body.match_indices(&marker).find_map(|(at, _)| {
        let at = at + 6;
        let end = at + body[at..].find('"')?;
        let link = &body[at..end];
        (!link.ends_with("/new")).then(|| link.replace("&#38;", "&").replace("&amp;", "&"))
    })
}

fn next_link(body: &str) -> Option<String> {
    let at = body.find("rel=\"next\"")?;
    let start = body[..at].rfind("href=\"")? + 6;
    let end = start + body[start..].find('"')?;
    Some(body[start..end].replace("&#38;", "&").replace("&amp;", "&"))
}

/// Signs the Manager in through the development mailbox; the session cookie.
async fn sign_in(browser: &Browser) -> String {
    let form = browser.get(HOST, "/sign-in").await;
    let sent = browser
        .post(
            HOST,
            "/sign-in",
            &[("csrf", &form.csrf()), ("email", MANAGER)],
        )
        .await;
    assert_eq!(sent.status, 303, "{}", sent.body);
    let mailbox = browser.get(HOST, "/dev/mailbox").await;
    let marker = "Your sign-in code is ";
    let at = mailbox
        .body
        .rfind(marker)
        .unwrap_or_else(|| panic!("no code in the mailbox"))
        + marker.len();
    let code = mailbox.body[at..at + 6].to_owned();
    let form = browser.get(HOST, "/sign-in/code").await;
    let done = browser
        .post(
            HOST,
            "/sign-in/code",
            &[("csrf", &form.csrf()), ("code", &code)],
        )
        .await;
    assert_eq!(done.status, 303, "{}", done.body);
    browser
        .cookie(HOST, "__Host-proplink_session")
        .or_else(|| browser.cookie(HOST, "proplink_session"))
        .unwrap_or_else(|| panic!("no session cookie"))
}

/// The pages to drive: (label, path).
async fn pages(browser: &Browser) -> Vec<(String, String)> {
    let mut out = vec![("dashboard".to_owned(), "/dashboard".to_owned())];
    for list in [
        "/tickets",
        "/issues",
        "/work-orders",
        "/invoices",
        "/contacts",
        "/contractors",
        "/sites",
        "/notices",
        "/documents",
        "/staff",
        "/arrears",
        "/audit",
        "/communications",
    ] {
        out.push((format!("{list} p1"), list.to_owned()));
        let mut path = list.to_owned();
        let mut page = 1;
        while page < 5 {
            let body = browser.get(HOST, &path).await.body;
            match next_link(&body) {
                Some(next) => {
                    path = next;
                    page += 1;
                }
                None => break,
            }
        }
        if page > 1 {
            out.push((format!("{list} p{page}"), path));
        }
    }
    let invoices = browser.get(HOST, "/invoices").await.body;
    let tickets = browser.get(HOST, "/tickets").await.body;
    let orders = browser.get(HOST, "/work-orders").await.body;
    let arrears = browser.get(HOST, "/arrears").await.body;
    for (label, body, prefix) in [
        ("unit", &invoices, "/units/"),
        ("statement", &arrears, "/units/"),
        ("invoice", &invoices, "/invoices/"),
        ("ticket", &tickets, "/tickets/"),
        ("work order", &orders, "/work-orders/"),
    ] {
        let link = first_link(body, prefix).unwrap_or_else(|| panic!("no {label} link"));
        out.push((label.to_owned(), link));
    }
    out
}

async fn database(kind: &'static str, dir: &Path) -> Option<String> {
    match kind {
        "SQLite" => Some(format!("sqlite://{}", dir.join("proplink.db").display())),
        _ => match std::env::var("PROPLINK_BENCH_POSTGRES") {
            Ok(server) => Some(proplink_tests::fresh_postgres_database(&server).await),
            Err(_) => None,
        },
    }
}

#[tokio::main]
async fn main() {
    let seconds: u64 = std::env::var("BENCH_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(5);
    let scales: Vec<u32> = std::env::var("BENCH_SCALES")
        .unwrap_or_else(|_| "1,10".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    let proplink = bin("proplink");
    // The servers inherit PROPLINK_READ_CACHE: `false` measures every page read afresh.
    println!(
        "read cache: {}",
        std::env::var("PROPLINK_READ_CACHE").unwrap_or_else(|_| "on (the default)".into())
    );
    let mut rows = Vec::new();
    for kind in ["SQLite", "PostgreSQL"] {
        for &scale in &scales {
            let dir = proplink_tests::tempdir::TempDir::new();
            let Some(url) = database(kind, &dir.path).await else {
                println!("{kind}: skipped (set PROPLINK_BENCH_POSTGRES to a postgres:// server)");
                break;
            };
            let settings = |command: &mut Command| {
                command
                    .arg("--data-dir")
                    .arg(&dir.path)
                    .args(["--database-url", &url])
                    .env_remove("PROPLINK_SMTP_URL")
                    .env("RUST_LOG", "warn");
            };
            let started = Instant::now();
            let mut demo = Command::new(&proplink);
            settings(&mut demo);
            let status = demo
                .args(["demo", "--scale", &scale.to_string()])
                .stdout(Stdio::null())
                .status()
                .unwrap_or_else(|e| panic!("{e}"));
            assert!(status.success(), "proplink demo --scale {scale} failed");
            println!(
                "{kind} ×{scale}: demo loaded in {:.1} s",
                started.elapsed().as_secs_f64()
            );
            let addr = free_addr();
            let mut serve = Command::new(&proplink);
            settings(&mut serve);
            let _server = Running(
                serve
                    .args(["--listen", &addr.to_string(), "serve", "--dev"])
                    .stdout(Stdio::null())
                    .spawn()
                    .unwrap_or_else(|e| panic!("{e}")),
            );
            wait_for(addr);
            let browser = Browser::new(addr);
            let session = sign_in(&browser).await;
            let headers = vec![
                format!("Host: {HOST}"),
                format!("Cookie: __Host-proplink_session={session}; proplink_session={session}"),
            ];
            let bare_rps = bare(seconds);
            for (label, path) in pages(&browser).await {
                let url = format!("http://{addr}{path}");
                wrk(&url, &headers, 1);
                let load = wrk(&url, &headers, seconds);
                println!(
                    "  {label:<22} {:>8.0} req/s  p50 {:>6.2} ms  p99 {:>6.2} ms  {:>5.1}% of bare",
                    load.rps,
                    load.p50_ms,
                    load.p99_ms,
                    100.0 * load.rps / bare_rps
                );
                rows.push(Row {
                    database: kind,
                    scale,
                    page: label,
                    load,
                    bare: bare_rps,
                });
            }
        }
    }
    std::process::exit(report(&rows, &scales));
}

/// Prints the table and the verdict; the exit code.
fn report(rows: &[Row], scales: &[u32]) -> i32 {
    println!(
        "\n| Database | Scale | Page | Requests/s | p50 (ms) | p99 (ms) | Bare req/s | Ratio |"
    );
    println!("|---|---|---|---:|---:|---:|---:|---:|");
    for r in rows {
        println!(
            "| {} | ×{} | {} | {:.0} | {:.2} | {:.2} | {:.0} | {:.1}% |",
            r.database,
            r.scale,
            r.page,
            r.load.rps,
            r.load.p50_ms,
            r.load.p99_ms,
            r.bare,
            100.0 * r.load.rps / r.bare
        );
    }
    let mut missed = Vec::new();
    for r in rows {
        if r.load.rps < 0.10 * r.bare || r.load.rps.is_nan() {
            missed.push(format!(
                "{} ×{} {}: {:.1}% of bare",
                r.database,
                r.scale,
                r.page,
                100.0 * r.load.rps / r.bare
            ));
        }
        if r.load.p99_ms >= 25.0 || r.load.p99_ms.is_nan() {
            missed.push(format!(
                "{} ×{} {}: p99 {:.1} ms",
                r.database, r.scale, r.page, r.load.p99_ms
            ));
        }
    }
    if let (Some(small), Some(large)) = (scales.iter().min(), scales.iter().max()) {
        for kind in ["SQLite", "PostgreSQL"] {
            let dashboard = |scale: u32| {
                rows.iter()
                    .find(|r| r.database == kind && r.scale == scale && r.page == "dashboard")
                    .map(|r| r.load.rps)
            };
            if let (Some(a), Some(b)) = (dashboard(*small), dashboard(*large)) {
                let cost = a / b;
                println!(
                    "{kind}: the dashboard at ×{large} costs {cost:.2}× what it costs at ×{small}"
                );
                if cost > 1.5 {
                    missed.push(format!(
                        "{kind}: dashboard ×{large} costs {cost:.2}× ×{small}"
                    ));
                }
            }
        }
    }
    if missed.is_empty() {
        println!(
            "\nEvery target met: each page at least 10% of the bare handler with p99 under 25 ms."
        );
        0
    } else {
        println!("\nTargets missed:");
        for m in &missed {
            println!("  - {m}");
        }
        1
    }
}
