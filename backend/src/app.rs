//! The application state every door and service shares: built once at start-up.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use rand::RngCore;
use tokio::sync::Notify;

use crate::clock::Clock;
use crate::config::Config;
use crate::read_cache::ReadCache;
use crate::secrets::Secrets;
use crate::store::auth::StaffSession;
use crate::store::orgs::Organisation;
use crate::store::{Db, Heard};

/// What happens to outgoing mail.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MailMode {
    /// Queued and sent over SMTP by the background sender.
    Send,
    /// Kept for the development mailbox; nothing leaves the machine.
    Hold,
}

#[derive(Clone)]
pub struct App {
    pub db: Db,
    pub config: Arc<Config>,
    pub clock: Clock,
    pub mail_mode: MailMode,
    /// Wakes the mail sender when a transaction has queued mail.
    pub mail_wakeup: Arc<Notify>,
    /// Wakes the push sender when a transaction has queued pushes.
    pub push_wakeup: Arc<Notify>,
    pub secrets: Arc<Secrets>,
    /// Organisations by subdomain, read on every request.
    pub orgs: Recent<String, Organisation>,
    /// Sessions by the hash of their secret, with who they are: read on every page. Signing
    /// out, and changing someone's sites, forget them here at once.
    pub sessions: Recent<String, StaffSession>,
    /// What pages read, until their organisation next changes.
    pub reads: ReadCache,
    /// This process among those serving the same database: it ignores its own announcements.
    pub process: Arc<str>,
}

impl App {
    /// Loads the server's secrets, connects and migrates.
    pub async fn start(config: Config, clock: Clock) -> anyhow::Result<App> {
        let secrets = Secrets::load(config.secret_key.as_deref(), &config.data_dir)?;
        let db = Db::connect(&config.database_url).await?;
        db.migrate().await?;
        let config_read_cache = config.read_cache;
        let mail_mode = if config.holds_mail() {
            MailMode::Hold
        } else {
            MailMode::Send
        };
        Ok(App {
            db,
            config: Arc::new(config),
            clock,
            mail_mode,
            mail_wakeup: Arc::new(Notify::new()),
            push_wakeup: Arc::new(Notify::new()),
            secrets: Arc::new(secrets),
            orgs: Recent::new(Duration::from_secs(10)),
            sessions: Recent::new(Duration::from_secs(5)),
            reads: if config_read_cache {
                ReadCache::new(ReadCache::TTL)
            } else {
                ReadCache::off()
            },
            process: Arc::from(uuid::Uuid::now_v7().simple().to_string()),
        })
    }

    /// Starts hearing what other processes change in the database, so the read cache forgets
    /// it; until the first word that it can hear them, the cache keeps nothing.
    pub fn hear_changes(&self) {
        let reads = self.reads.clone();
        let me = self.process.clone();
        self.db.watch(move |heard| match heard {
            Heard::Listening => reads.hearing(true),
            Heard::Deaf => reads.hearing(false),
            Heard::Changed { by, .. } if *by == *me => {}
            Heard::Changed { org, .. } => reads.changed(org),
            Heard::Unplaced => reads.changed_everywhere(),
        });
    }
}

/// What was read a moment ago, kept for `ttl`: things every request needs and that change
/// rarely. A change made in this process forgets its entry at once; one made by another
/// replica is seen within `ttl`.
#[derive(Clone)]
pub struct Recent<K, V> {
    entries: Arc<RwLock<HashMap<K, (Instant, V)>>>,
    ttl: Duration,
}

impl<K: std::hash::Hash + Eq + Clone, V: Clone> Recent<K, V> {
    /// Enough entries for a large installation; beyond it, the cache starts over.
    const MAX: usize = 10_000;

    #[must_use]
    pub fn new(ttl: Duration) -> Self {
        Recent {
            entries: Arc::new(RwLock::new(HashMap::new())),
            ttl,
        }
    }

    #[must_use]
    pub fn get(&self, key: &K) -> Option<V> {
        let map = self.entries.read().ok()?;
        map.get(key)
            .filter(|(at, _)| at.elapsed() < self.ttl)
            .map(|(_, v)| v.clone())
    }

    pub fn put(&self, key: K, value: V) {
        if let Ok(mut map) = self.entries.write() {
            if map.len() >= Self::MAX {
                map.clear();
            }
            map.insert(key, (Instant::now(), value));
        }
    }

    pub fn forget(&self, key: &K) {
        if let Ok(mut map) = self.entries.write() {
            map.remove(key);
        }
    }

    /// Forgets every entry `stale` picks.
    pub fn forget_where(&self, stale: impl Fn(&V) -> bool) {
        if let Ok(mut map) = self.entries.write() {
            map.retain(|_, (_, v)| !stale(v));
        }
    }
}

/// 32 random bytes as hex: session ids, CSRF tokens, device tokens.
#[must_use]
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}
