//! The database handle: pooled connections to SQLite or PostgreSQL, transactions, and the
//! schema's migrations.
//!
//! SQLite statements run on the calling task: they answer from the page cache in
//! microseconds, and a hand-off to another thread per statement costs more than the statement
//! (measured: half the CPU of a page went to waking sqlx's SQLite worker threads). Writes go
//! through the one writer connection, one transaction at a time, started `IMMEDIATE` so a
//! transaction never fails half-way for want of the write lock. PostgreSQL connections come
//! from a pool and keep their prepared statements.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use rusqlite::OpenFlags;
use tokio::sync::{Mutex, OwnedMutexGuard};
use tokio_postgres::NoTls;

use super::sql::{FromCell, FromRow, Row, Value, sqlite_placeholders};

mod watch;

pub use watch::Heard;

mod sqlite_migrations {
    refinery::embed_migrations!("../migrations/sqlite");
}

mod postgres_migrations {
    refinery::embed_migrations!("../migrations/postgres");
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

/// Why a database call failed.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("SQLite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("PostgreSQL: {0}")]
    Postgres(#[from] tokio_postgres::Error),
    #[error("no database connection is free: {0}")]
    Pool(String),
    #[error("column {index}: {message}")]
    Decode { index: usize, message: String },
    #[error("the query returned no row")]
    NoRow,
}

pub type DbResult<T> = Result<T, DbError>;

impl DbError {
    pub(super) fn decode(index: usize, message: &str) -> DbError {
        DbError::Decode {
            index,
            message: message.to_owned(),
        }
    }

    /// A unique or primary-key constraint refused the write.
    #[must_use]
    pub fn is_unique_violation(&self) -> bool {
        match self {
            DbError::Sqlite(rusqlite::Error::SqliteFailure(e, _)) => matches!(
                e.extended_code,
                rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
                    | rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY
            ),
            DbError::Postgres(e) => {
                e.code() == Some(&tokio_postgres::error::SqlState::UNIQUE_VIOLATION)
            }
            _ => false,
        }
    }

    /// A foreign key refused the write: the record it names does not exist in the organisation.
    #[must_use]
    pub fn is_foreign_key_violation(&self) -> bool {
        match self {
            DbError::Sqlite(rusqlite::Error::SqliteFailure(e, _)) => {
                e.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_FOREIGNKEY
            }
            DbError::Postgres(e) => {
                e.code() == Some(&tokio_postgres::error::SqlState::FOREIGN_KEY_VIOLATION)
            }
            _ => false,
        }
    }
}

/// A handle on the database; cheap to clone.
#[derive(Clone)]
pub struct Db {
    backend: Arc<Backend>,
}

enum Backend {
    Sqlite {
        readers: deadpool::unmanaged::Pool<rusqlite::Connection>,
        writer: Arc<Mutex<rusqlite::Connection>>,
    },
    Postgres {
        pool: Pool,
        /// How to open a connection of its own: the change listener's.
        config: Box<tokio_postgres::Config>,
    },
}

const SQLITE_READERS: usize = 8;
const POSTGRES_CONNECTIONS: usize = 16;

impl Db {
    /// Connects to `url` (`sqlite://…` or `postgres://…`), creating the SQLite file and its
    /// directory if needed.
    pub async fn connect(url: &str) -> anyhow::Result<Db> {
        let backend = if let Some(path) = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
        {
            let path = path.split('?').next().unwrap_or(path);
            open_sqlite(Path::new(path))?
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let mut config: tokio_postgres::Config = url
                .parse()
                .with_context(|| format!("invalid database URL {}", redact(url)))?;
            // Each statement is prepared once per connection and run many times with other
            // values; the queries are written so one plan suits every value, so PostgreSQL
            // may skip planning on every run.
            let options = format!(
                "{} -c plan_cache_mode=force_generic_plan",
                config.get_options().unwrap_or("")
            );
            config.options(options.trim());
            let manager = Manager::from_config(
                config.clone(),
                NoTls,
                ManagerConfig {
                    recycling_method: RecyclingMethod::Fast,
                },
            );
            let pool = Pool::builder(manager)
                .max_size(POSTGRES_CONNECTIONS)
                .wait_timeout(Some(Duration::from_secs(10)))
                .create_timeout(Some(Duration::from_secs(10)))
                .runtime(deadpool_postgres::Runtime::Tokio1)
                .build()
                .context("creating the PostgreSQL pool")?;
            // Fail at start-up, not on the first request.
            drop(
                pool.get()
                    .await
                    .with_context(|| format!("cannot connect to {}", redact(url)))?,
            );
            Backend::Postgres {
                pool,
                config: Box::new(config),
            }
        } else {
            anyhow::bail!(
                "unsupported database URL (use sqlite://… or postgres://…): {}",
                redact(url)
            );
        };
        Ok(Db {
            backend: Arc::new(backend),
        })
    }

    #[must_use]
    pub fn dialect(&self) -> Dialect {
        match *self.backend {
            Backend::Sqlite { .. } => Dialect::Sqlite,
            Backend::Postgres { .. } => Dialect::Postgres,
        }
    }

    /// Refreshes PostgreSQL's planner statistics after a bulk load such as the demo: until
    /// autovacuum gets round to it, a freshly filled table looks empty to the planner, which
    /// then scans where it should seek. SQLite is left without statistics on purpose: its
    /// planner picks the indexes the schema was designed for, and with statistics (STAT4) it
    /// would prepare a statement again whenever a bound value changes.
    pub async fn refresh_statistics(&self) -> DbResult<()> {
        match &*self.backend {
            Backend::Sqlite { .. } => Ok(()),
            Backend::Postgres { pool, .. } => {
                let mut conn = Conn::new(Inner::Postgres(pool.get().await.map_err(pool_error)?));
                conn.batch("ANALYZE").await
            }
        }
    }

    /// Brings the schema up to date.
    pub async fn migrate(&self) -> anyhow::Result<()> {
        match &*self.backend {
            Backend::Sqlite { writer, .. } => {
                let mut conn = Conn::new(Inner::SqliteWrite(writer.clone().lock_owned().await));
                refuse_legacy(&mut conn).await?;
                let Inner::SqliteWrite(guard) = &mut conn.inner else {
                    unreachable!("the SQLite writer")
                };
                sqlite_migrations::migrations::runner()
                    .run(&mut **guard)
                    .context("migrating the database")?;
            }
            Backend::Postgres { pool, .. } => {
                let client = pool.get().await.map_err(pool_error)?;
                // Replicas starting together take turns.
                client
                    .batch_execute("SELECT pg_advisory_lock(7302015)")
                    .await?;
                let mut conn = Conn::new(Inner::Postgres(client));
                let outcome = async {
                    refuse_legacy(&mut conn).await?;
                    let Inner::Postgres(client) = &mut conn.inner else {
                        unreachable!("a PostgreSQL connection")
                    };
                    postgres_migrations::migrations::runner()
                        .run_async(&mut ***client)
                        .await
                        .context("migrating the database")?;
                    anyhow::Ok(())
                }
                .await;
                conn.execute("SELECT pg_advisory_unlock(7302015)", &[])
                    .await?;
                outcome?;
            }
        }
        Ok(())
    }

    /// A connection for reading.
    pub async fn read(&self) -> DbResult<Conn> {
        match &*self.backend {
            Backend::Sqlite { readers, .. } => {
                let reader = readers
                    .get()
                    .await
                    .map_err(|e| DbError::Pool(e.to_string()))?;
                Ok(Conn::new(Inner::SqliteRead(reader)))
            }
            Backend::Postgres { pool, .. } => Ok(Conn::new(Inner::Postgres(
                pool.get().await.map_err(pool_error)?,
            ))),
        }
    }

    /// Starts a write transaction. Dropping it without [`Tx::commit`] rolls it back.
    pub async fn begin(&self) -> DbResult<Tx> {
        let mut conn = match &*self.backend {
            Backend::Sqlite { writer, .. } => {
                Conn::new(Inner::SqliteWrite(writer.clone().lock_owned().await))
            }
            Backend::Postgres { pool, .. } => {
                Conn::new(Inner::Postgres(pool.get().await.map_err(pool_error)?))
            }
        };
        let begin = match conn.dialect() {
            Dialect::Sqlite => "BEGIN IMMEDIATE",
            Dialect::Postgres => "BEGIN",
        };
        conn.batch(begin).await?;
        Ok(Tx { conn: Some(conn) })
    }

    pub async fn close(&self) {
        if let Backend::Postgres { pool, .. } = &*self.backend {
            pool.close();
        }
    }
}

fn pool_error(e: deadpool_postgres::PoolError) -> DbError {
    match e {
        deadpool_postgres::PoolError::Backend(e) => DbError::Postgres(e),
        other => DbError::Pool(other.to_string()),
    }
}

fn open_sqlite(path: &Path) -> anyhow::Result<Backend> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create data directory {}", dir.display()))?;
    }
    let open = |read_only: bool| -> anyhow::Result<rusqlite::Connection> {
        let conn = rusqlite::Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .with_context(|| format!("cannot open the database {}", path.display()))?;
        conn.busy_timeout(Duration::from_secs(10))?;
        conn.set_prepared_statement_cache_capacity(256);
        conn.execute_batch("PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;")?;
        if read_only {
            // A reader that tried to write would be a bug; make it an error instead.
            conn.execute_batch("PRAGMA query_only = ON;")?;
        }
        Ok(conn)
    };
    let writer = open(false)?;
    // WAL lets readers work while the writer writes. It is a lasting property of the file.
    writer
        .query_row("PRAGMA journal_mode = WAL", [], |_| Ok(()))
        .context("enabling SQLite WAL mode")?;
    let readers = (0..SQLITE_READERS)
        .map(|_| open(true))
        .collect::<anyhow::Result<Vec<_>>>()?;
    Ok(Backend::Sqlite {
        readers: deadpool::unmanaged::Pool::from(readers),
        writer: Arc::new(Mutex::new(writer)),
    })
}

/// A database made by the development builds before this schema cannot be upgraded in place.
async fn refuse_legacy(conn: &mut Conn) -> anyhow::Result<()> {
    let sql = match conn.dialect() {
        Dialect::Sqlite => {
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'"
        }
        Dialect::Postgres => {
            "SELECT COUNT(*) FROM information_schema.tables WHERE table_name = '_sqlx_migrations'"
        }
    };
    let legacy: i64 = conn.scalar(sql, &[]).await?;
    anyhow::ensure!(
        legacy == 0,
        "this database was made by an early development build of PropLink and cannot be upgraded; \
         delete it (for the demo: remove the data directory) and run PropLink again"
    );
    Ok(())
}

/// One connection, for reading or inside a [`Tx`].
pub struct Conn {
    inner: Inner,
}

enum Inner {
    SqliteRead(deadpool::unmanaged::Object<rusqlite::Connection>),
    SqliteWrite(OwnedMutexGuard<rusqlite::Connection>),
    Postgres(deadpool_postgres::Object),
}

impl Conn {
    fn new(inner: Inner) -> Conn {
        Conn { inner }
    }

    #[must_use]
    pub fn dialect(&self) -> Dialect {
        match self.inner {
            Inner::Postgres(_) => Dialect::Postgres,
            _ => Dialect::Sqlite,
        }
    }

    fn sqlite(&self) -> Option<&rusqlite::Connection> {
        match &self.inner {
            Inner::SqliteRead(c) => Some(c),
            Inner::SqliteWrite(c) => Some(c),
            _ => None,
        }
    }

    /// The rows of `sql`, each as `R`. Each query and its time are logged at debug level
    /// under the target `proplink::sql`.
    pub async fn query<R: FromRow>(&mut self, sql: &str, params: &[Value<'_>]) -> DbResult<Vec<R>> {
        let started = std::time::Instant::now();
        let rows = self.query_rows(sql, params).await;
        tracing::debug!(
            target: "proplink::sql",
            micros = started.elapsed().as_micros(),
            rows = rows.as_ref().map_or(0, Vec::len),
            "{sql}"
        );
        rows
    }

    async fn query_rows<R: FromRow>(
        &mut self,
        sql: &str,
        params: &[Value<'_>],
    ) -> DbResult<Vec<R>> {
        if let Some(c) = self.sqlite() {
            return sqlite_query(c, sql, params);
        }
        let Inner::Postgres(client) = &self.inner else {
            unreachable!("every connection is SQLite or PostgreSQL")
        };
        let statement = client.prepare_cached(sql).await?;
        let rows = client.query_raw(&statement, params.iter()).await?;
        use futures_util::TryStreamExt;
        let rows: Vec<tokio_postgres::Row> = rows.try_collect().await?;
        rows.iter()
            .map(|r| R::from_row(&Row::postgres(r)))
            .collect()
    }

    /// The one row of `sql`, if there is one.
    pub async fn query_opt<R: FromRow>(
        &mut self,
        sql: &str,
        params: &[Value<'_>],
    ) -> DbResult<Option<R>> {
        Ok(self.query(sql, params).await?.into_iter().next())
    }

    /// The one row of `sql`; no row is an error.
    pub async fn query_one<R: FromRow>(&mut self, sql: &str, params: &[Value<'_>]) -> DbResult<R> {
        self.query_opt(sql, params).await?.ok_or(DbError::NoRow)
    }

    /// The first column of the one row of `sql`.
    pub async fn scalar<T: FromCell>(&mut self, sql: &str, params: &[Value<'_>]) -> DbResult<T> {
        Ok(self.query_one::<(T,)>(sql, params).await?.0)
    }

    /// Runs `sql`; returns how many rows it changed.
    pub async fn execute(&mut self, sql: &str, params: &[Value<'_>]) -> DbResult<u64> {
        if let Some(c) = self.sqlite() {
            let mut statement = c.prepare_cached(&sqlite_placeholders(sql))?;
            let changed = statement.execute(rusqlite::params_from_iter(params.iter()))?;
            return Ok(changed as u64);
        }
        let Inner::Postgres(client) = &self.inner else {
            unreachable!("every connection is SQLite or PostgreSQL")
        };
        let statement = client.prepare_cached(sql).await?;
        Ok(client.execute_raw(&statement, params.iter()).await?)
    }

    /// Runs statements that take no parameters.
    pub async fn batch(&mut self, sql: &str) -> DbResult<()> {
        if let Some(c) = self.sqlite() {
            return Ok(c.execute_batch(sql)?);
        }
        let Inner::Postgres(client) = &self.inner else {
            unreachable!("every connection is SQLite or PostgreSQL")
        };
        Ok(client.batch_execute(sql).await?)
    }
}

fn sqlite_query<R: FromRow>(
    c: &rusqlite::Connection,
    sql: &str,
    params: &[Value<'_>],
) -> DbResult<Vec<R>> {
    let mut statement = c.prepare_cached(&sqlite_placeholders(sql))?;
    let mut rows = statement.query(rusqlite::params_from_iter(params.iter()))?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(R::from_row(&Row::sqlite(row))?);
    }
    Ok(out)
}

/// A write transaction. Dropped without [`Tx::commit`], it rolls back.
pub struct Tx {
    conn: Option<Conn>,
}

impl Tx {
    pub async fn commit(mut self) -> DbResult<()> {
        if let Some(mut conn) = self.conn.take() {
            conn.batch("COMMIT").await?;
        }
        Ok(())
    }

    /// Marks a point to come back to: a change that fails after it is undone alone.
    pub async fn savepoint(&mut self, name: &str) -> DbResult<()> {
        self.batch(&format!("SAVEPOINT {name}")).await
    }

    pub async fn rollback_to(&mut self, name: &str) -> DbResult<()> {
        self.batch(&format!(
            "ROLLBACK TO SAVEPOINT {name}; RELEASE SAVEPOINT {name}"
        ))
        .await
    }

    pub async fn release(&mut self, name: &str) -> DbResult<()> {
        self.batch(&format!("RELEASE SAVEPOINT {name}")).await
    }
}

impl std::ops::Deref for Tx {
    type Target = Conn;
    fn deref(&self) -> &Conn {
        self.conn
            .as_ref()
            .unwrap_or_else(|| unreachable!("a transaction is only emptied by commit and drop"))
    }
}

impl std::ops::DerefMut for Tx {
    fn deref_mut(&mut self) -> &mut Conn {
        self.conn
            .as_mut()
            .unwrap_or_else(|| unreachable!("a transaction is only emptied by commit and drop"))
    }
}

impl Drop for Tx {
    fn drop(&mut self) {
        let Some(conn) = self.conn.take() else { return };
        match conn.inner {
            // Rolled back before the writer is released, so the next writer starts clean.
            Inner::SqliteWrite(c) => {
                let _ = c.execute_batch("ROLLBACK");
            }
            Inner::Postgres(client) => match tokio::runtime::Handle::try_current() {
                Ok(runtime) => {
                    runtime.spawn(async move {
                        let _ = client.batch_execute("ROLLBACK").await;
                    });
                }
                // Never back in the pool with a transaction open.
                Err(_) => drop(deadpool_postgres::Object::take(client)),
            },
            Inner::SqliteRead(_) => {}
        }
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
