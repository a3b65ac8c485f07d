//! The application state every door and service shares: built once at start-up.

use std::sync::Arc;

use rand::RngCore;
use tokio::sync::Notify;

use crate::clock::Clock;
use crate::config::Config;
use crate::store::{self, Db};

/// What happens to outgoing mail.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MailMode {
    /// Queued and sent over SMTP by the background sender.
    Send,
    /// Kept for the dev mailbox page; nothing leaves the machine.
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
    /// Key for hashing one-time codes at rest (HMAC-SHA256), kept in the database so every
    /// replica agrees.
    pub otp_key: Arc<Vec<u8>>,
}

impl App {
    /// Connects, migrates and loads the server's secrets.
    pub async fn start(config: Config, clock: Clock) -> anyhow::Result<App> {
        let db = Db::connect(&config.database_url).await?;
        db.migrate().await?;
        let otp_key = store::server_secret(&db, "otp_key", || {
            let mut key = [0u8; 32];
            rand::rngs::OsRng.fill_bytes(&mut key);
            hex::encode(key)
        })
        .await?;
        let otp_key = hex::decode(otp_key)?;
        let mail_mode = if config.dev_mailbox() {
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
            otp_key: Arc::new(otp_key),
        })
    }

    /// Microseconds since the epoch, as stored.
    #[must_use]
    pub fn now_micros(&self) -> i64 {
        crate::clock::to_micros(self.clock.now())
    }
}

/// 32 random bytes as hex: session ids, CSRF tokens.
#[must_use]
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}
