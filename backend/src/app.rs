//! The application state every door and service shares: built once at start-up.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use rand::RngCore;
use tokio::sync::Notify;

use crate::clock::Clock;
use crate::config::Config;
use crate::secrets::Secrets;
use crate::store::Db;
use crate::store::orgs::Organisation;

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
    pub secrets: Arc<Secrets>,
    /// Organisations by subdomain, read on every request.
    pub orgs: OrgCache,
}

impl App {
    /// Loads the server's secrets, connects and migrates.
    pub async fn start(config: Config, clock: Clock) -> anyhow::Result<App> {
        let secrets = Secrets::load(config.secret_key.as_deref(), &config.data_dir)?;
        let db = Db::connect(&config.database_url).await?;
        db.migrate().await?;
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
            secrets: Arc::new(secrets),
            orgs: OrgCache::default(),
        })
    }
}

/// Organisations by slug for a few seconds: every request names one, and they change rarely.
/// A change made here is seen at once; one made by another replica within `TTL`.
#[derive(Clone, Default)]
pub struct OrgCache(Arc<RwLock<HashMap<String, (Instant, Organisation)>>>);

impl OrgCache {
    const TTL: Duration = Duration::from_secs(10);
    /// Enough for every organisation of a large installation; beyond it, the cache starts over.
    const MAX: usize = 10_000;

    #[must_use]
    pub fn get(&self, slug: &str) -> Option<Organisation> {
        let map = self.0.read().ok()?;
        map.get(slug)
            .filter(|(at, _)| at.elapsed() < Self::TTL)
            .map(|(_, org)| org.clone())
    }

    pub fn put(&self, org: &Organisation) {
        if let Ok(mut map) = self.0.write() {
            if map.len() >= Self::MAX {
                map.clear();
            }
            map.insert(org.slug.clone(), (Instant::now(), org.clone()));
        }
    }

    pub fn forget(&self, slug: &str) {
        if let Ok(mut map) = self.0.write() {
            map.remove(slug);
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
