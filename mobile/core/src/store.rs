//! The on-device database: one writer connection, WAL, `synchronous=FULL` so a committed
//! outbox entry survives power loss, and a schema version with upgrades.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use rusqlite::{Connection, OptionalExtension, Transaction, TransactionBehavior, params};

use crate::error::{CoreError, CoreResult};

/// The schema this build writes. `upgrade` brings older databases here.
pub const VERSION: i64 = 2;

pub struct Store {
    conn: Mutex<Connection>,
    dir: PathBuf,
}

impl Store {
    /// Opens (or creates) the store at `path`; photos are kept beside it in `photos/`.
    pub fn open(path: &Path) -> CoreResult<Store> {
        let dir = path
            .parent()
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
        std::fs::create_dir_all(dir.join("photos"))?;
        let mut conn = Connection::open(path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        upgrade(&mut conn)?;
        Ok(Store {
            conn: Mutex::new(conn),
            dir,
        })
    }

    /// Where photos are kept on the device.
    #[must_use]
    pub fn photo_path(&self, sha256: &str) -> PathBuf {
        self.dir.join("photos").join(sha256)
    }

    fn lock(&self) -> CoreResult<MutexGuard<'_, Connection>> {
        self.conn
            .lock()
            .map_err(|_| CoreError::Storage("the store was poisoned by an earlier panic".into()))
    }

    /// Runs `f` in one write transaction (taken at once, not on first write).
    pub fn write<T>(&self, f: impl FnOnce(&Transaction<'_>) -> CoreResult<T>) -> CoreResult<T> {
        let mut conn = self.lock()?;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let value = f(&tx)?;
        tx.commit()?;
        Ok(value)
    }

    pub fn read<T>(&self, f: impl FnOnce(&Connection) -> CoreResult<T>) -> CoreResult<T> {
        let conn = self.lock()?;
        f(&conn)
    }

    pub fn meta(&self, key: &str) -> CoreResult<Option<String>> {
        self.read(|c| Ok(get_meta(c, key)?))
    }
}

/// A photo's name on the phone and on the server: the SHA-256 of its bytes, lower-case hex.
pub(crate) fn is_photo_name(name: &str) -> bool {
    name.len() == 64
        && name
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

pub fn get_meta(c: &Connection, key: &str) -> rusqlite::Result<Option<String>> {
    c.query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
        .optional()
}

pub fn set_meta(c: &Connection, key: &str, value: &str) -> rusqlite::Result<()> {
    c.execute("INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value", params![key, value])?;
    Ok(())
}

pub fn delete_meta(c: &Connection, key: &str) -> rusqlite::Result<()> {
    c.execute("DELETE FROM meta WHERE key = ?1", [key])?;
    Ok(())
}

fn upgrade(conn: &mut Connection) -> CoreResult<()> {
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if version > VERSION {
        return Err(CoreError::Storage(format!(
            "this phone's data is from a newer version of the app (schema {version}); update the app"
        )));
    }
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    if version < 1 {
        tx.execute_batch(SCHEMA_1)?;
    }
    if version < 2 {
        tx.execute_batch(SCHEMA_2)?;
    }
    tx.pragma_update(None, "user_version", VERSION)?;
    tx.commit()?;
    Ok(())
}

const SCHEMA_1: &str = "
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);

-- The read model, refreshed by pull. `local` marks rows made on the phone and not yet synced.
CREATE TABLE sites (id TEXT PRIMARY KEY, reference TEXT NOT NULL, name TEXT NOT NULL, address TEXT NOT NULL, buildings TEXT NOT NULL);
CREATE TABLE tickets (
    id TEXT PRIMARY KEY, site_id TEXT NOT NULL, reference TEXT NOT NULL, subject TEXT NOT NULL, category TEXT NOT NULL,
    priority TEXT NOT NULL, status TEXT NOT NULL, reporter TEXT, created_at INTEGER NOT NULL, messages TEXT NOT NULL,
    local INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE issues (
    id TEXT PRIMARY KEY, site_id TEXT NOT NULL, title TEXT NOT NULL, location TEXT NOT NULL, category TEXT NOT NULL,
    priority TEXT NOT NULL, status TEXT NOT NULL, created_at INTEGER NOT NULL, photos TEXT NOT NULL,
    local INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE work_orders (
    id TEXT PRIMARY KEY, site_id TEXT NOT NULL, reference TEXT NOT NULL, title TEXT NOT NULL, scope TEXT NOT NULL,
    priority TEXT NOT NULL, status TEXT NOT NULL, contractor TEXT, deadline TEXT, local INTEGER NOT NULL DEFAULT 0
);

-- Changes made on the phone, in order. Removed once the server has settled them; a rejected
-- change stays, with the server's reason, until the user retries or discards it.
CREATE TABLE outbox (
    seq INTEGER PRIMARY KEY,
    mutation_id TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    summary TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending',
    reason TEXT,
    code TEXT
);

-- Photos, kept on the phone by their SHA-256 until the server holds them.
CREATE TABLE attachments (
    sha256 TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    uploaded INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
);
";

// Issues learn where they belong and what happened to them; tickets and work orders show
// their photos. Forgetting the cursor makes the next pull a full one, which fills them in.
const SCHEMA_2: &str = "
ALTER TABLE issues ADD COLUMN building_id TEXT;
ALTER TABLE issues ADD COLUMN ticket_id TEXT;
ALTER TABLE issues ADD COLUMN work_order_id TEXT;
ALTER TABLE issues ADD COLUMN description TEXT NOT NULL DEFAULT '';
ALTER TABLE issues ADD COLUMN reported_by TEXT NOT NULL DEFAULT '';
ALTER TABLE issues ADD COLUMN history TEXT NOT NULL DEFAULT '[]';
ALTER TABLE tickets ADD COLUMN photos TEXT NOT NULL DEFAULT '[]';
ALTER TABLE work_orders ADD COLUMN photos TEXT NOT NULL DEFAULT '[]';
DELETE FROM meta WHERE key = 'cursor';
";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opening_twice_keeps_the_data_and_the_version() {
        let dir = std::env::temp_dir().join(format!("fr-store-{}", uuid::Uuid::now_v7()));
        let path = dir.join("app.db");
        {
            let store = Store::open(&path).unwrap();
            store
                .write(|tx| Ok(set_meta(tx, "device_id", "abc")?))
                .unwrap();
        }
        let store = Store::open(&path).unwrap();
        assert_eq!(store.meta("device_id").unwrap().as_deref(), Some("abc"));
        let version: i64 = store
            .read(|c| Ok(c.pragma_query_value(None, "user_version", |r| r.get(0))?))
            .unwrap();
        assert_eq!(version, VERSION);
        let journal: String = store
            .read(|c| Ok(c.pragma_query_value(None, "journal_mode", |r| r.get(0))?))
            .unwrap();
        assert_eq!(journal, "wal");
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_newer_schema_is_refused_rather_than_damaged() {
        let dir = std::env::temp_dir().join(format!("fr-store-{}", uuid::Uuid::now_v7()));
        let path = dir.join("app.db");
        drop(Store::open(&path).unwrap());
        Connection::open(&path)
            .unwrap()
            .pragma_update(None, "user_version", VERSION + 1)
            .unwrap();
        assert!(
            matches!(Store::open(&path), Err(CoreError::Storage(m)) if m.contains("newer version"))
        );
        std::fs::remove_dir_all(dir).unwrap();
    }
}
