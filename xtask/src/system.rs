//! System packages the tests need, installed from Debian when running as root, and
//! tauri-driver from crates.io. Anything that cannot be installed is named, with the command
//! that installs it.

use std::path::PathBuf;
use std::process::Command;

use anyhow::bail;

use crate::run::{command_exists, is_root, run};

/// Debian packages: what each is for.
const PACKAGES: &[(&str, &str)] = &[
    ("chromium", "the browser tests"),
    ("fonts-dejavu-core", "readable text in screenshots"),
    (
        "libwebkit2gtk-4.1-dev",
        "building the Facility Report app (WebKitGTK)",
    ),
    ("librsvg2-dev", "building the Facility Report app (icons)"),
    ("webkit2gtk-driver", "driving the app (WebKitWebDriver)"),
    ("xvfb", "running the app without a screen"),
    (
        "poppler-utils",
        "reading statement PDFs back in the tests (pdftotext)",
    ),
];

fn installed(package: &str) -> bool {
    Command::new("dpkg-query")
        .args(["-W", "-f=${Status}", package])
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains("install ok installed"))
}

/// Makes sure the packages are there (all of them, or only the build's with `skip_browser`).
pub fn ensure(skip_browser: bool) -> anyhow::Result<()> {
    let wanted: Vec<&str> = PACKAGES
        .iter()
        .filter(|(p, _)| !skip_browser || p.starts_with("lib") || *p == "poppler-utils")
        .map(|(p, _)| *p)
        .filter(|p| command_exists("dpkg-query") && !installed(p))
        .collect();
    if wanted.is_empty() {
        println!("All system packages are installed.");
        return Ok(());
    }
    if is_root() && command_exists("apt-get") {
        println!("Installing {}…", wanted.join(", "));
        run("apt-get", &["update", "-qq"], &[])?;
        let mut args = vec!["install", "-y", "-qq", "--no-install-recommends"];
        args.extend(&wanted);
        return run("apt-get", &args, &[("DEBIAN_FRONTEND", "noninteractive")]);
    }
    let why: Vec<String> = PACKAGES
        .iter()
        .filter(|(p, _)| wanted.contains(p))
        .map(|(p, w)| format!("{p} ({w})"))
        .collect();
    bail!(
        "missing system packages: {}. Install them with: sudo apt-get install {}",
        why.join(", "),
        wanted.join(" ")
    )
}

/// tauri-driver, installing it from crates.io with cargo if it is not there.
pub fn tauri_driver() -> anyhow::Result<PathBuf> {
    if let Some(path) = std::env::var_os("TAURI_DRIVER") {
        return Ok(path.into());
    }
    let cargo_bin = std::env::var_os("CARGO_HOME")
        .map_or_else(
            || PathBuf::from(std::env::var("HOME").unwrap_or_default()).join(".cargo"),
            PathBuf::from,
        )
        .join("bin")
        .join("tauri-driver");
    if cargo_bin.exists() {
        return Ok(cargo_bin);
    }
    println!("Installing tauri-driver from crates.io…");
    run(
        "cargo",
        &["install", "tauri-driver", "--locked", "--version", "^2"],
        &[],
    )?;
    if !cargo_bin.exists() {
        bail!(
            "tauri-driver was installed but is not at {}",
            cargo_bin.display()
        );
    }
    Ok(cargo_bin)
}
