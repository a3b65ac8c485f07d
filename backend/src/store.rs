//! The store: the only code that speaks SQL.
//!
//! One code path serves SQLite and PostgreSQL: portable SQL with `$n` placeholders through
//! sqlx's `Any` driver, each database with its own migrations of the same version. Every
//! query on tenant data takes an [`OrgId`] and filters by it.
//!
//! SQLite allows one writer; a deferred transaction that reads and then writes can fail with
//! `SQLITE_BUSY` under concurrency, so on SQLite every write transaction first takes an
//! in-process writer lock. PostgreSQL needs no such lock.

pub mod audit;
pub mod auth;
pub mod finance;
pub mod mail;
pub mod orgs;
pub mod people;
pub mod places;
pub mod requests;
pub mod sync;
pub mod works;

use std::ops::{Deref, DerefMut};
use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::pool::PoolConnection;
use sqlx::{Any, AnyConnection, AnyPool, Executor, Transaction};
use tokio::sync::{Mutex, OwnedMutexGuard};

pub use proplink_shared::OrgId;

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/postgres");

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

/// A handle on the database; cheap to clone.
#[derive(Clone, Debug)]
pub struct Db {
    pool: AnyPool,
    dialect: Dialect,
    writer: Option<Arc<Mutex<()>>>,
}

/// A write transaction. Dropping it without [`WriteTx::commit`] rolls everything back — and
/// on SQLite the writer lock is held until that rollback has run, so the next writer never
/// meets a half-finished transaction on another connection.
pub struct WriteTx {
    tx: Option<Transaction<'static, Any>>,
    writer: Option<OwnedMutexGuard<()>>,
}

impl Db {
    /// Connects to `url` (`sqlite://…` or `postgres://…`), creating the SQLite file and its
    /// directory if needed.
    pub async fn connect(url: &str) -> anyhow::Result<Db> {
        sqlx::any::install_default_drivers();
        let dialect = if url.starts_with("sqlite:") {
            Dialect::Sqlite
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Dialect::Postgres
        } else {
            anyhow::bail!(
                "unsupported database URL (use sqlite://… or postgres://…): {}",
                redact(url)
            );
        };
        let url = match dialect {
            Dialect::Sqlite => {
                let path = url
                    .trim_start_matches("sqlite://")
                    .trim_start_matches("sqlite:");
                let path = path.split('?').next().unwrap_or(path);
                if let Some(dir) = Path::new(path)
                    .parent()
                    .filter(|d| !d.as_os_str().is_empty())
                {
                    std::fs::create_dir_all(dir).with_context(|| {
                        format!("cannot create data directory {}", dir.display())
                    })?;
                }
                if url.contains('?') {
                    url.to_owned()
                } else {
                    format!("{url}?mode=rwc")
                }
            }
            Dialect::Postgres => url.to_owned(),
        };
        let options = AnyConnectOptions::from_str(&url)
            .with_context(|| format!("invalid database URL {}", redact(&url)))?;
        let pool = AnyPoolOptions::new()
            .max_connections(if dialect == Dialect::Sqlite { 8 } else { 16 })
            .acquire_timeout(Duration::from_secs(10))
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if dialect == Dialect::Sqlite {
                        conn.execute("PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000; PRAGMA synchronous = NORMAL;").await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await
            .with_context(|| format!("cannot connect to {}", redact(&url)))?;
        if dialect == Dialect::Sqlite {
            // WAL lets readers work while one writer writes. It is a permanent property of the
            // file, and switching needs an exclusive lock that busy_timeout does not wait for,
            // so it is set once here, before the pool is shared.
            sqlx::query("PRAGMA journal_mode = WAL")
                .execute(&pool)
                .await
                .context("enabling SQLite WAL mode")?;
        }
        let writer = (dialect == Dialect::Sqlite).then(|| Arc::new(Mutex::new(())));
        Ok(Db {
            pool,
            dialect,
            writer,
        })
    }

    /// Brings the schema up to date.
    pub async fn migrate(&self) -> anyhow::Result<()> {
        let migrator = match self.dialect {
            Dialect::Sqlite => &SQLITE_MIGRATIONS,
            Dialect::Postgres => &POSTGRES_MIGRATIONS,
        };
        let _writer = self.lock_writer().await;
        migrator
            .run(&self.pool)
            .await
            .context("migrating the database")?;
        Ok(())
    }

    #[must_use]
    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// A connection for reading.
    pub async fn read(&self) -> Result<PoolConnection<Any>, sqlx::Error> {
        self.pool.acquire().await
    }

    /// Starts a write transaction.
    pub async fn write(&self) -> Result<WriteTx, sqlx::Error> {
        let writer = self.lock_writer().await;
        let tx = self.pool.begin().await?;
        Ok(WriteTx {
            tx: Some(tx),
            writer,
        })
    }

    async fn lock_writer(&self) -> Option<OwnedMutexGuard<()>> {
        match &self.writer {
            Some(lock) => Some(lock.clone().lock_owned().await),
            None => None,
        }
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

impl WriteTx {
    pub async fn commit(mut self) -> Result<(), sqlx::Error> {
        match self.tx.take() {
            Some(tx) => tx.commit().await,
            None => Ok(()),
        }
    }

    fn conn(&self) -> &Transaction<'static, Any> {
        // `tx` is only taken by `commit` and `drop`, which consume the value.
        self.tx
            .as_ref()
            .unwrap_or_else(|| unreachable!("write transaction used after commit"))
    }
}

impl Drop for WriteTx {
    fn drop(&mut self) {
        let (Some(tx), writer) = (self.tx.take(), self.writer.take()) else {
            return;
        };
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => {
                runtime.spawn(async move {
                    let _ = tx.rollback().await;
                    drop(writer);
                });
            }
            Err(_) => drop((tx, writer)),
        }
    }
}

impl Deref for WriteTx {
    type Target = AnyConnection;
    fn deref(&self) -> &AnyConnection {
        self.conn()
    }
}

impl DerefMut for WriteTx {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        self.tx
            .as_mut()
            .unwrap_or_else(|| unreachable!("write transaction used after commit"))
    }
}

/// Hides a password in a database URL before it is printed.
#[must_use]
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let userinfo = &url[scheme_end + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme_end + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

/// Whether `e` is a unique-constraint violation, on either database.
#[must_use]
pub fn is_unique_violation(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Database(db) => db.is_unique_violation(),
        _ => false,
    }
}

/// Reads a server secret, creating it with `make` the first time.
pub async fn server_secret(
    db: &Db,
    name: &str,
    make: impl FnOnce() -> String,
) -> anyhow::Result<String> {
    let mut tx = db.write().await?;
    let existing: Option<String> =
        sqlx::query_scalar("SELECT value FROM server_secrets WHERE name = $1")
            .bind(name)
            .fetch_optional(&mut *tx)
            .await?;
    let value = match existing {
        Some(v) => v,
        None => {
            let v = make();
            sqlx::query("INSERT INTO server_secrets (name, value) VALUES ($1, $2)")
                .bind(name)
                .bind(&v)
                .execute(&mut *tx)
                .await?;
            v
        }
    };
    tx.commit().await?;
    Ok(value)
}

/// The next number in an organisation's series (`TKT` 2026 → 42), taken inside `conn`'s
/// transaction so two writers never get the same one.
pub async fn next_number(
    conn: &mut AnyConnection,
    org: OrgId,
    prefix: &str,
    year: i32,
) -> Result<i64, sqlx::Error> {
    // RETURNING statements are read to the end (`fetch_all`): a SQLite statement left
    // mid-way keeps the transaction from committing ("database is locked").
    let numbers: Vec<i64> = sqlx::query_scalar(
        "INSERT INTO record_counters (organisation_id, prefix, year, last_number) VALUES ($1, $2, $3, 1) \
         ON CONFLICT (organisation_id, prefix, year) DO UPDATE SET last_number = record_counters.last_number + 1 \
         RETURNING last_number",
    )
    .bind(org)
    .bind(prefix)
    .bind(i64::from(year))
    .fetch_all(&mut *conn)
    .await?;
    numbers.into_iter().next().ok_or(sqlx::Error::RowNotFound)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_reach_the_log() {
        assert_eq!(
            redact("postgres://app:secret@db/proplink"),
            "postgres://app:***@db/proplink"
        );
        assert_eq!(
            redact("postgres://app@db/proplink"),
            "postgres://app@db/proplink"
        );
        assert_eq!(
            redact("sqlite://./data/proplink.db"),
            "sqlite://./data/proplink.db"
        );
    }
}
