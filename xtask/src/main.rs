//! `cargo xtask`: the project's entry points.
//!
//! - `cargo xtask test`: every check and test — formatting, lints, unit and HTTP tests on
//!   SQLite and on PostgreSQL, and the browser tests in Chromium. Installs what it can
//!   (Chromium from Debian, npm packages) and says exactly what to install otherwise.
//! - `cargo xtask demo`: builds PropLink, loads the demo organisations and serves them.

mod postgres;
mod run;
mod system;

use std::path::PathBuf;

use anyhow::{Context, bail};

use run::{Tally, cargo, command_exists, run_counted, step};

const USAGE: &str = "usage: cargo xtask <test|demo|bench>

  test [--skip-browser]   formatting, clippy, and every test on SQLite and PostgreSQL,
                          then the browser tests (headless Chromium) and the Facility Report
                          app driven through WebDriver under Xvfb
  demo [settings]         build, create the demo data under ./data and serve it in
                          development mode (sign-in codes in a mailbox page); settings such
                          as --listen 127.0.0.1:3000 apply to both
  bench sync              time a heavy Facility Report sync against plain HTTP (release build)
  bench pages             drive the admin app's pages with wrk on SQLite and PostgreSQL at the
                          demo's x1 and x10, against a bare axum handler (release build)
  bench app               build Facility Report as shipped (the `app` profile: LTO, opt-level
                          s, one codegen unit, stripped) and check its size against 8 MB";

fn main() {
    if let Err(e) = real_main() {
        eprintln!("xtask: {e:#}");
        std::process::exit(1);
    }
}

fn real_main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    std::env::set_current_dir(repo_root()).context("entering the repository")?;
    match args.first().map(String::as_str) {
        Some("test") => test(args.iter().any(|a| a == "--skip-browser")),
        Some("demo") => demo(&args[1..]),
        Some("bench") => bench(args.get(1).map(String::as_str)),
        _ => {
            println!("{USAGE}");
            Ok(())
        }
    }
}

/// The checkout being worked on. Read at run time (`cargo run` sets CARGO_MANIFEST_DIR), not
/// baked in at build time: a binary built from another clone sharing the target directory must
/// not test that clone.
fn repo_root() -> PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .and_then(|xtask| xtask.parent().map(PathBuf::from))
        .or_else(|| std::env::current_dir().ok())
        .unwrap_or_default()
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| repo_root().join("target"), PathBuf::from)
}

fn proplink_bin() -> PathBuf {
    target_dir().join("debug").join("proplink")
}

/// Builds PropLink, loads the demo and serves it in development mode: sign-in codes appear in
/// the development mailbox, so no mail server is needed. `settings` (e.g. `--listen`,
/// `--data-dir`) reach both commands, so the addresses the demo prints are the ones served.
fn demo(settings: &[String]) -> anyhow::Result<()> {
    step("Building PropLink");
    cargo(&["build", "-p", "proplink-backend", "--bin", "proplink"])?;
    step("Loading the demo organisations");
    let status = std::process::Command::new(proplink_bin())
        .args(settings)
        .arg("demo")
        .status()?;
    if !status.success() {
        bail!("proplink demo failed");
    }
    step("Serving in development mode (Ctrl-C to stop)");
    let status = std::process::Command::new(proplink_bin())
        .args(settings)
        .args(["serve", "--dev"])
        .status()?;
    if !status.success() {
        bail!("proplink serve stopped with {status}");
    }
    Ok(())
}

/// Builds Facility Report's screens into the files the app embeds.
fn build_screens() -> anyhow::Result<()> {
    let ui = repo_root().join("mobile").join("ui");
    run::run_in(
        &ui,
        "npm",
        &["ci", "--no-audit", "--no-fund", "--loglevel=error"],
        &[],
    )?;
    run::run_in(&ui, "npm", &["run", "build"], &[])
}

fn test(skip_browser: bool) -> anyhow::Result<()> {
    let mut tally = Tally::default();

    step("System packages");
    system::ensure(skip_browser)?;

    step("Facility Report's screens (TypeScript, Vite)");
    if !command_exists("npm") {
        bail!(
            "Node.js 20+ and npm are needed to build the app's screens: install them (Debian: apt-get install nodejs npm)"
        );
    }
    build_screens()?;

    step("Formatting (cargo fmt --check)");
    cargo(&["fmt", "--all", "--", "--check"])
        .context("run `cargo fmt --all` to fix the formatting")?;

    step("Lints (cargo clippy -D warnings)");
    cargo(&[
        "clippy",
        "--workspace",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ])?;

    step("Building the server, the sync tool and the app");
    cargo(&[
        "build",
        "-p",
        "proplink-backend",
        "--bin",
        "proplink",
        "-p",
        "facility-report-core",
        "--bin",
        "fr-sync",
        "-p",
        "facility-report",
        "--bin",
        "facility-report",
    ])?;

    let nextest = command_exists("cargo-nextest");
    let runner: Vec<&str> = if nextest {
        vec!["nextest", "run", "--no-fail-fast"]
    } else {
        vec!["test", "--no-fail-fast"]
    };

    let python = python_venv()?;
    let python_text = python.to_string_lossy().into_owned();

    step("Unit and HTTP tests on SQLite");
    let mut args = runner.clone();
    // The app shell has no tests of its own; it is driven end to end below.
    args.extend(["--workspace", "--exclude", "facility-report"]);
    run_counted(
        &mut tally,
        "cargo",
        &args,
        &[
            ("PROPLINK_TEST_DATABASE", "sqlite"),
            ("PROPLINK_TEST_PYTHON", &python_text),
        ],
    )?;

    step("HTTP tests on PostgreSQL");
    let server = postgres::server()?;
    let mut args = runner.clone();
    args.extend(["-p", "proplink-tests"]);
    run_counted(
        &mut tally,
        "cargo",
        &args,
        &[
            ("PROPLINK_TEST_DATABASE", server.url.as_str()),
            ("PROPLINK_TEST_PYTHON", &python_text),
        ],
    )?;

    api_contract(&mut tally, &python)?;

    if skip_browser {
        println!("Browser and app tests skipped (--skip-browser).");
    } else {
        browser_tests(&mut tally, &server)?;
        app_tests(&mut tally)?;
    }
    server.drop_test_databases();

    println!("\nAll checks ran.");
    println!("summary: {} passed, {} failed", tally.passed, tally.failed);
    if tally.failed > 0 || tally.errors > 0 {
        bail!("{} test(s) failed", tally.failed.max(tally.errors));
    }
    Ok(())
}

/// A Python virtual environment of the tests' own under the target directory, with what the
/// API checks (`tests/api/requirements.txt`) and the push tests' browser side
/// (`tests/push/requirements.txt`: http-ece) need; returns its interpreter.
fn python_venv() -> anyhow::Result<std::path::PathBuf> {
    step("Python for the API checks and the push tests (a virtual environment)");
    let venv = target_dir().join("api-venv");
    let python = venv.join("bin").join("python");
    if !python.exists() {
        if !command_exists("python3") {
            bail!(
                "the API checks and push tests need Python 3.9+: install it (Debian: apt-get install python3 python3-venv)"
            );
        }
        let venv_text = venv.to_string_lossy();
        if run::run("python3", &["-m", "venv", &venv_text], &[]).is_err() {
            if !(run::is_root() && command_exists("apt-get")) {
                bail!(
                    "Python's venv module is missing: install it (Debian: apt-get install python3-venv)"
                );
            }
            run::run(
                "apt-get",
                &["install", "-y", "-qq", "python3-venv"],
                &[("DEBIAN_FRONTEND", "noninteractive")],
            )?;
            run::run("python3", &["-m", "venv", &venv_text], &[])?;
        }
    }
    let text = python.to_string_lossy();
    for requirements in [
        repo_root()
            .join("tests")
            .join("api")
            .join("requirements.txt"),
        repo_root()
            .join("tests")
            .join("push")
            .join("requirements.txt"),
    ] {
        run::run(
            &text,
            &[
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "-r",
                &requirements.to_string_lossy(),
            ],
            &[],
        )?;
    }
    Ok(python)
}

/// The API's description validates as OpenAPI 3.1, and schemathesis (every check, two
/// organisations, with and without a token) finds nothing wrong: `tests/api/check.py`, with
/// the tests' Python.
fn api_contract(tally: &mut Tally, python: &std::path::Path) -> anyhow::Result<()> {
    step("API contract: OpenAPI 3.1 validation and schemathesis");
    let python = python.to_string_lossy();
    let check = repo_root().join("tests").join("api").join("check.py");
    run_counted(
        tally,
        &python,
        &[&check.to_string_lossy(), &proplink_bin().to_string_lossy()],
        &[],
    )
}

fn app_tests(tally: &mut Tally) -> anyhow::Result<()> {
    step("Facility Report app, driven through tauri-driver and WebKitWebDriver under Xvfb");
    let driver = system::tauri_driver()?;
    let e2e = repo_root().join("tests").join("e2e");
    let bin = target_dir().join("debug").join("facility-report");
    let proplink = proplink_bin();
    run::run_counted_in(
        tally,
        &e2e,
        "npm",
        &["run", "test:app"],
        &[
            ("TAURI_DRIVER", &driver.to_string_lossy()),
            ("FACILITY_REPORT_BIN", &bin.to_string_lossy()),
            ("PROPLINK_BIN", &proplink.to_string_lossy()),
        ],
    )
}

fn bench(which: Option<&str>) -> anyhow::Result<()> {
    match which {
        Some("sync") => {
            step("Building (release)");
            cargo(&[
                "build",
                "--release",
                "-p",
                "facility-report-core",
                "--bin",
                "fr-sync",
                "-p",
                "proplink-tests",
                "--bin",
                "bench-sync",
            ])?;
            step("Sync benchmark");
            let status =
                std::process::Command::new(target_dir().join("release").join("bench-sync"))
                    .status()?;
            if !status.success() {
                bail!("the benchmark failed");
            }
            Ok(())
        }
        Some("pages") => bench_pages(),
        Some("app") => bench_app(),
        _ => bail!("usage: cargo xtask bench sync|pages|app"),
    }
}

/// The most the shipped app's Linux binary may weigh.
const APP_SIZE_LIMIT: u64 = 8_000_000;

/// Facility Report as shipped: built with the `app` profile, its binary's size against the
/// limit, beside the development build's for scale.
fn bench_app() -> anyhow::Result<()> {
    step("Facility Report's screens");
    build_screens()?;
    step("Building Facility Report as shipped (--profile app)");
    let started = std::time::Instant::now();
    cargo(&[
        "build",
        "--profile",
        "app",
        "-p",
        "facility-report",
        "--bin",
        "facility-report",
    ])?;
    let took = started.elapsed();
    let shipped = target_dir().join("app").join("facility-report");
    let size = std::fs::metadata(&shipped)
        .with_context(|| format!("reading {}", shipped.display()))?
        .len();
    let dev = std::fs::metadata(target_dir().join("debug").join("facility-report"))
        .map(|m| m.len())
        .ok();
    let mb = |bytes: u64| bytes as f64 / 1_000_000.0;
    println!(
        "Facility Report, Linux x86_64, as shipped: {:.2} MB ({size} bytes), built in {:.0} s",
        mb(size),
        took.as_secs_f64()
    );
    if let Some(dev) = dev {
        println!(
            "  the development build, for scale: {:.2} MB ({:.1}x the shipped one)",
            mb(dev),
            dev as f64 / size as f64
        );
    }
    println!("  limit: {:.2} MB", mb(APP_SIZE_LIMIT));
    if size > APP_SIZE_LIMIT {
        bail!(
            "the shipped app is {:.2} MB, over the {:.2} MB limit",
            mb(size),
            mb(APP_SIZE_LIMIT)
        );
    }
    Ok(())
}

/// The admin app's pages under load against a bare axum handler, on SQLite and PostgreSQL, at
/// the demo's ×1 and ×10: `tests/src/bin/bench-pages.rs` says what and how.
fn bench_pages() -> anyhow::Result<()> {
    if !command_exists("wrk") {
        if run::is_root() && command_exists("apt-get") {
            run::run(
                "apt-get",
                &["install", "-y", "-qq", "wrk"],
                &[("DEBIAN_FRONTEND", "noninteractive")],
            )?;
        } else {
            bail!(
                "the page benchmark drives load with wrk: install it (Debian: apt-get install wrk)"
            );
        }
    }
    step("Building (release)");
    cargo(&[
        "build",
        "--release",
        "-p",
        "proplink-backend",
        "--bin",
        "proplink",
        "-p",
        "proplink-tests",
        "--bin",
        "bench-pages",
        "--bin",
        "bench-bare",
    ])?;
    let server = postgres::server()?;
    step("Page benchmark");
    let status = std::process::Command::new(target_dir().join("release").join("bench-pages"))
        .env("PROPLINK_BENCH_POSTGRES", &server.url)
        .status()?;
    server.drop_test_databases();
    if !status.success() {
        bail!("a page missed its target (see the table above)");
    }
    Ok(())
}

fn browser_tests(tally: &mut Tally, server: &postgres::Server) -> anyhow::Result<()> {
    step("Browser tests: Chromium and npm packages");
    let chromium = std::env::var("CHROMIUM_PATH").unwrap_or_else(|_| "/usr/bin/chromium".into());
    if !std::path::Path::new(&chromium).exists() {
        if run::is_root() && command_exists("apt-get") {
            println!("Installing Debian's Chromium…");
            run::run("apt-get", &["update", "-qq"], &[])?;
            run::run(
                "apt-get",
                &["install", "-y", "-qq", "chromium", "fonts-dejavu-core"],
                &[("DEBIAN_FRONTEND", "noninteractive")],
            )?;
        } else {
            bail!(
                "the browser tests need Chromium at {chromium}: install Debian's `chromium` package (or set CHROMIUM_PATH), or run `cargo xtask test --skip-browser`"
            );
        }
    }
    if !command_exists("npm") {
        bail!(
            "the browser tests need Node.js 20+ and npm: install them, or run `cargo xtask test --skip-browser`"
        );
    }
    let e2e = repo_root().join("tests").join("e2e");
    run::run_in(
        &e2e,
        "npm",
        &["ci", "--no-audit", "--no-fund", "--loglevel=error"],
        &[],
    )?;
    let bin = proplink_bin();
    let bin = bin.to_string_lossy();

    step("Browser tests on SQLite");
    run::run_counted_in(
        tally,
        &e2e,
        "npm",
        &["test"],
        &[("PROPLINK_BIN", &bin), ("CHROMIUM_PATH", &chromium)],
    )?;

    step("Browser tests on PostgreSQL");
    let db = server.create_database("pl_e2e")?;
    run::run_counted_in(
        tally,
        &e2e,
        "npm",
        &["test"],
        &[
            ("PROPLINK_BIN", &bin),
            ("CHROMIUM_PATH", &chromium),
            ("E2E_DATABASE_URL", &db),
        ],
    )?;
    Ok(())
}
