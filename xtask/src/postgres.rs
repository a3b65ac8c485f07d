//! Finding a PostgreSQL server for the tests: the one `PROPLINK_TEST_POSTGRES` or
//! `DATABASE_URL` names, else a local server on 127.0.0.1:5432, else a throwaway cluster
//! started with `initdb` and stopped when the tests end.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail};

use crate::run::{command_exists, is_root};

pub struct Server {
    /// An admin URL (database `postgres`) on which tests create their own databases.
    pub url: String,
    /// Set when this run started the cluster itself.
    throwaway: Option<Throwaway>,
    bin_dir: Option<PathBuf>,
}

struct Throwaway {
    data: PathBuf,
    pg_ctl: PathBuf,
    user: Option<String>,
}

pub fn server() -> anyhow::Result<Server> {
    for var in ["PROPLINK_TEST_POSTGRES", "DATABASE_URL"] {
        if let Ok(url) = std::env::var(var) {
            if url.starts_with("postgres") {
                println!("Using PostgreSQL from {var}.");
                return Ok(Server {
                    url,
                    throwaway: None,
                    bin_dir: bin_dir(),
                });
            }
        }
    }
    let local = "postgres://postgres@127.0.0.1:5432/postgres".to_owned();
    if std::net::TcpStream::connect_timeout(
        &([127, 0, 0, 1], 5432).into(),
        std::time::Duration::from_secs(1),
    )
    .is_ok()
        && psql_ok(&local)
    {
        println!("Using the local PostgreSQL server on 127.0.0.1:5432.");
        return Ok(Server {
            url: local,
            throwaway: None,
            bin_dir: bin_dir(),
        });
    }
    start_throwaway()
}

/// Where `initdb`, `pg_ctl` and `psql` live: the PATH, or Debian's versioned directory.
fn bin_dir() -> Option<PathBuf> {
    if command_exists("initdb") && command_exists("psql") {
        return None;
    }
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
        .collect();
    versions.sort();
    versions.pop()
}

fn tool(bin_dir: &Option<PathBuf>, name: &str) -> PathBuf {
    bin_dir
        .as_ref()
        .map_or_else(|| PathBuf::from(name), |d| d.join(name))
}

fn psql_ok(url: &str) -> bool {
    Command::new("psql")
        .args([url, "-qAtc", "SELECT 1"])
        .output()
        .is_ok_and(|o| o.status.success())
}

fn start_throwaway() -> anyhow::Result<Server> {
    let bins = bin_dir();
    let initdb = tool(&bins, "initdb");
    if bins.is_none() && !command_exists("initdb") {
        bail!(
            "no PostgreSQL server is reachable and `initdb` is not installed: install Debian's `postgresql` package \
             (apt-get install postgresql), or set PROPLINK_TEST_POSTGRES=postgres://user@host:port/postgres"
        );
    }
    let data = std::env::temp_dir().join(format!("proplink-pg-{}", std::process::id()));
    std::fs::create_dir_all(&data)?;
    // PostgreSQL refuses to run as root; run it as the `postgres` user (or `nobody`).
    let user = is_root().then(|| {
        if user_exists("postgres") {
            "postgres".to_owned()
        } else {
            "nobody".to_owned()
        }
    });
    if let Some(u) = &user {
        Command::new("chown")
            .args(["-R", u, &data.to_string_lossy()])
            .status()?;
    }
    let port = free_port()?;
    println!(
        "Starting a throwaway PostgreSQL cluster on 127.0.0.1:{port} in {}",
        data.display()
    );
    as_user(
        &user,
        &initdb,
        &[
            "-D",
            &data.join("db").to_string_lossy(),
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-sync",
        ],
    )?;
    let pg_ctl = tool(&bins, "pg_ctl");
    let options = format!(
        "-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=off",
        data.display()
    );
    as_user(
        &user,
        &pg_ctl,
        &[
            "-D",
            &data.join("db").to_string_lossy(),
            "-o",
            &options,
            "-l",
            &data.join("log").to_string_lossy(),
            "-w",
            "start",
        ],
    )?;
    Ok(Server {
        url: format!("postgres://postgres@127.0.0.1:{port}/postgres"),
        throwaway: Some(Throwaway { data, pg_ctl, user }),
        bin_dir: bins,
    })
}

fn user_exists(name: &str) -> bool {
    Command::new("id")
        .arg(name)
        .output()
        .is_ok_and(|o| o.status.success())
}

fn as_user(user: &Option<String>, program: &Path, args: &[&str]) -> anyhow::Result<()> {
    let status = match user {
        Some(u) => Command::new("runuser")
            .args(["-u", u, "--"])
            .arg(program)
            .args(args)
            .status(),
        None => Command::new(program).args(args).status(),
    }
    .with_context(|| format!("could not run {}", program.display()))?;
    if !status.success() {
        bail!("{} failed ({status})", program.display());
    }
    Ok(())
}

fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

impl Server {
    /// Creates an empty database named `prefix_<pid>` and returns its URL.
    pub fn create_database(&self, prefix: &str) -> anyhow::Result<String> {
        let name = format!("{prefix}_{}", std::process::id());
        self.psql(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))?;
        self.psql(&format!("CREATE DATABASE \"{name}\""))?;
        Ok(self
            .url
            .rsplit_once('/')
            .map_or_else(|| self.url.clone(), |(base, _)| format!("{base}/{name}")))
    }

    /// Drops the databases the tests created.
    pub fn drop_test_databases(&self) {
        let list = Command::new(tool(&self.bin_dir, "psql"))
            .args([self.url.as_str(), "-qAtc", "SELECT datname FROM pg_database WHERE datname LIKE 'pl_test_%' OR datname LIKE 'pl_e2e_%'"])
            .output();
        if let Ok(out) = list {
            for name in String::from_utf8_lossy(&out.stdout).lines() {
                let _ = self.psql(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"));
            }
        }
    }

    fn psql(&self, sql: &str) -> anyhow::Result<()> {
        let out = Command::new(tool(&self.bin_dir, "psql"))
            .args([self.url.as_str(), "-qAtc", sql])
            .output()
            .context("running psql")?;
        if !out.status.success() {
            bail!("psql: {}", String::from_utf8_lossy(&out.stderr));
        }
        Ok(())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(t) = &self.throwaway {
            let _ = as_user(
                &t.user,
                &t.pg_ctl,
                &[
                    "-D",
                    &t.data.join("db").to_string_lossy(),
                    "-m",
                    "immediate",
                    "stop",
                ],
            );
            let _ = std::fs::remove_dir_all(&t.data);
        }
    }
}
