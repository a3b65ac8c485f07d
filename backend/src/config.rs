//! Configuration: defaults that run on a fresh machine, a TOML file, and `PROPLINK_*`
//! environment variables or flags, later ones winning. Read once at start-up.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;
use serde::Deserialize;

/// Settings shared by every command. Each can be given as a flag, as the environment variable
/// shown, or as a key of the same name (without `--`, `-` as `_`) in the `--config` file.
#[derive(clap::Args, Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Settings {
    /// Directory for the embedded SQLite database and uploaded files [default: ./data]
    #[arg(long, env = "PROPLINK_DATA_DIR", global = true)]
    pub data_dir: Option<PathBuf>,

    /// Database to use instead of the embedded SQLite file, e.g. postgres://user@host/db
    /// or sqlite:///path/to/file.db
    #[arg(long, env = "DATABASE_URL", global = true)]
    pub database_url: Option<String>,

    /// Address the server listens on [default: 127.0.0.1:8080]
    #[arg(long, env = "PROPLINK_LISTEN", global = true)]
    pub listen: Option<SocketAddr>,

    /// Domain of the admin app; organisations live at <org>.<domain> [default: proplink.localhost]
    #[arg(long, env = "PROPLINK_ADMIN_DOMAIN", global = true)]
    pub admin_domain: Option<String>,

    /// Domain of ResidencePort [default: residenceport.localhost]
    #[arg(long, env = "PROPLINK_RESIDENCE_DOMAIN", global = true)]
    pub residence_domain: Option<String>,

    /// Domain of BuildingThread [default: buildingthread.localhost]
    #[arg(long, env = "PROPLINK_THREAD_DOMAIN", global = true)]
    pub thread_domain: Option<String>,

    /// Host of ContractorPort [default: contractorport.localhost]
    #[arg(long, env = "PROPLINK_CONTRACTOR_DOMAIN", global = true)]
    pub contractor_domain: Option<String>,

    /// Host of the JSON API [default: api.proplink.localhost]
    #[arg(long, env = "PROPLINK_API_DOMAIN", global = true)]
    pub api_domain: Option<String>,

    /// Scheme used in links that PropLink prints and emails: http or https [default: http]
    #[arg(long, env = "PROPLINK_PUBLIC_SCHEME", global = true)]
    pub public_scheme: Option<String>,

    /// Port used in links that PropLink prints and emails [default: the listen port;
    /// 0 leaves the port out, as behind a proxy on 443]
    #[arg(long, env = "PROPLINK_PUBLIC_PORT", global = true)]
    pub public_port: Option<u16>,

    /// SMTP server for outgoing mail, e.g. smtp://127.0.0.1:2525 (plain, for a local relay),
    /// smtp://user:pass@host:587 (STARTTLS) or smtps://user:pass@host:465 (TLS).
    /// `serve` needs it, unless --dev keeps mail in the development mailbox instead
    #[arg(long, env = "PROPLINK_SMTP_URL", global = true)]
    pub smtp_url: Option<String>,

    /// Development mode: mail is kept in a mailbox page at /dev/mailbox on each organisation's
    /// admin host, where anyone who can reach the server reads every sign-in code. For trying
    /// PropLink on your own machine only, never for a server others can reach
    #[arg(long, env = "PROPLINK_DEV", global = true)]
    #[serde(skip)]
    pub dev: bool,

    /// The server's secret key, hex, at least 32 bytes (e.g. `openssl rand -hex 32`); every
    /// replica of one installation needs the same. [default: the key file secret.key in the
    /// data directory, created at first start with mode 0600]
    #[arg(
        long,
        env = "PROPLINK_SECRET_KEY",
        global = true,
        hide_env_values = true
    )]
    pub secret_key: Option<String>,

    /// Where signed checkpoints of the audit trail are appended [default: audit-checkpoints.log
    /// in the data directory]; keep it where the database's owners cannot rewrite it
    #[arg(long, env = "PROPLINK_AUDIT_CHECKPOINT_FILE", global = true)]
    pub audit_checkpoint_file: Option<PathBuf>,

    /// Sender of outgoing mail [default: PropLink <no-reply@proplink.localhost>]
    #[arg(long, env = "PROPLINK_MAIL_FROM", global = true)]
    pub mail_from: Option<String>,

    /// Mark session cookies Secure (browsers still send them to *.localhost over http) [default: true]
    #[arg(long, env = "PROPLINK_COOKIE_SECURE", global = true)]
    pub cookie_secure: Option<bool>,

    /// Minutes of inactivity after which a session ends [default: 30]
    #[arg(long, env = "PROPLINK_SESSION_IDLE_MINUTES", global = true)]
    pub session_idle_minutes: Option<u64>,

    /// Hours after sign-in at which a session ends however active it is [default: 12]
    #[arg(long, env = "PROPLINK_SESSION_MAX_HOURS", global = true)]
    pub session_max_hours: Option<u64>,

    /// Sign-in codes one email address may be sent at the request of one client (IP address)
    /// per 15 minutes [default: 5]
    #[arg(long, env = "PROPLINK_OTP_SENDS_PER_ADDRESS", global = true)]
    pub otp_sends_per_address: Option<u32>,

    /// Sign-in codes one client (IP address) may request per 15 minutes, for any addresses
    /// [default: 20]
    #[arg(long, env = "PROPLINK_OTP_SENDS_PER_CLIENT", global = true)]
    pub otp_sends_per_client: Option<u32>,

    /// Sign-in codes one email address may be sent per hour, whoever asks [default: 20]
    #[arg(long, env = "PROPLINK_OTP_SENDS_PER_ADDRESS_HOURLY", global = true)]
    pub otp_sends_per_address_hourly: Option<u32>,

    /// Take the client's address from X-Forwarded-For (only behind a trusted proxy) [default: false]
    #[arg(long, env = "PROPLINK_TRUST_FORWARDED_FOR", global = true)]
    pub trust_forwarded_for: Option<bool>,

    /// Remember what pages read until their organisation next changes (changes made by other
    /// processes are heard through PostgreSQL's NOTIFY, or SQLite's data_version) [default: true]
    #[arg(long, env = "PROPLINK_READ_CACHE", global = true)]
    pub read_cache: Option<bool>,

    /// Days a ContractorPort link opens for [default: 30]
    #[arg(long, env = "PROPLINK_CONTRACTOR_LINK_DAYS", global = true)]
    pub contractor_link_days: Option<u32>,

    /// Accept push subscriptions whose endpoint is http or on a private network: only for a
    /// local push service in development and tests [default: false]
    #[arg(long, env = "PROPLINK_PUSH_INSECURE_ENDPOINTS", global = true)]
    pub push_insecure_endpoints: Option<bool>,

    /// Who takes residents' card payments: `sandbox` (built in, test cards, no money moves:
    /// for development and staging), `stripe` (Stripe Checkout; needs the two Stripe keys) or
    /// `none` [default: sandbox in development mode, otherwise none]
    #[arg(long, env = "PROPLINK_PAYMENT_PROVIDER", global = true)]
    pub payment_provider: Option<String>,

    /// Stripe secret API key (sk_live_… or sk_test_…), for --payment-provider stripe
    #[arg(
        long,
        env = "PROPLINK_STRIPE_SECRET_KEY",
        global = true,
        hide_env_values = true
    )]
    pub stripe_secret_key: Option<String>,

    /// Signing secret of the Stripe webhook endpoint (whsec_…) that points at
    /// https://<org>.<residence domain>/payments/webhooks/stripe
    #[arg(
        long,
        env = "PROPLINK_STRIPE_WEBHOOK_SECRET",
        global = true,
        hide_env_values = true
    )]
    pub stripe_webhook_secret: Option<String>,

    /// Base address of Stripe's API [default: https://api.stripe.com]
    #[arg(long, env = "PROPLINK_STRIPE_API_BASE", global = true)]
    pub stripe_api_base: Option<String>,

    /// Apple Developer team id, to push to iPhones through APNs (with the three below)
    #[arg(long, env = "PROPLINK_APNS_TEAM_ID", global = true)]
    pub apns_team_id: Option<String>,

    /// Id of the APNs authentication key (the .p8 file's key id)
    #[arg(long, env = "PROPLINK_APNS_KEY_ID", global = true)]
    pub apns_key_id: Option<String>,

    /// The APNs authentication key: the .p8 file Apple gives, a PKCS#8 P-256 key in PEM
    #[arg(long, env = "PROPLINK_APNS_KEY_FILE", global = true)]
    pub apns_key_file: Option<PathBuf>,

    /// The app's bundle id, the topic of its pushes [default: app.proplink.facilityreport]
    #[arg(long, env = "PROPLINK_APNS_TOPIC", global = true)]
    pub apns_topic: Option<String>,

    /// APNs' address: https://api.sandbox.push.apple.com for development builds of the app
    /// [default: https://api.push.apple.com]
    #[arg(long, env = "PROPLINK_APNS_URL", global = true)]
    pub apns_url: Option<String>,
}

/// How pushes reach iPhones: Apple's push service with token authentication.
#[derive(Clone, PartialEq, Eq)]
pub struct ApnsSettings {
    pub team_id: String,
    pub key_id: String,
    /// The authentication key, PEM.
    pub key_pem: String,
    pub topic: String,
    pub url: String,
}

impl std::fmt::Debug for ApnsSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApnsSettings")
            .field("team_id", &self.team_id)
            .field("key_id", &self.key_id)
            .field("topic", &self.topic)
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

/// Who takes residents' card payments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaymentSettings {
    /// Residents cannot pay by card.
    Off,
    /// The built-in sandbox: test cards, no money moves, yet the invoice counts as paid: never
    /// unless asked for, outside development mode.
    Sandbox,
    Stripe {
        secret_key: String,
        webhook_secret: String,
        api_base: String,
    },
}

/// The settings in force, with every default applied.
#[derive(Debug, Clone)]
pub struct Config {
    pub data_dir: PathBuf,
    pub database_url: String,
    pub listen: SocketAddr,
    pub admin_domain: String,
    pub residence_domain: String,
    pub thread_domain: String,
    pub contractor_domain: String,
    pub api_domain: String,
    pub public_scheme: String,
    pub public_port: Option<u16>,
    pub smtp_url: Option<String>,
    pub dev: bool,
    pub secret_key: Option<String>,
    pub audit_checkpoint_file: PathBuf,
    pub mail_from: String,
    pub cookie_secure: bool,
    pub session_idle: Duration,
    pub session_max: Duration,
    pub otp_sends_per_address: u32,
    pub otp_sends_per_client: u32,
    pub otp_sends_per_address_hourly: u32,
    pub trust_forwarded_for: bool,
    pub read_cache: bool,
    pub payments: PaymentSettings,
    pub contractor_link_days: u32,
    pub push_insecure_endpoints: bool,
    /// Pushes to iPhones, where set up.
    pub apns: Option<ApnsSettings>,
}

impl Settings {
    /// Reads `file` (if any) under these settings: what is set here wins over the file.
    pub fn with_file(self, file: Option<&Path>) -> anyhow::Result<Settings> {
        let Some(file) = file else { return Ok(self) };
        let text = std::fs::read_to_string(file)
            .with_context(|| format!("cannot read config file {}", file.display()))?;
        let from_file: Settings = toml::from_str(&text)
            .with_context(|| format!("config file {} is not valid", file.display()))?;
        Ok(Settings {
            data_dir: self.data_dir.or(from_file.data_dir),
            database_url: self.database_url.or(from_file.database_url),
            listen: self.listen.or(from_file.listen),
            admin_domain: self.admin_domain.or(from_file.admin_domain),
            residence_domain: self.residence_domain.or(from_file.residence_domain),
            thread_domain: self.thread_domain.or(from_file.thread_domain),
            contractor_domain: self.contractor_domain.or(from_file.contractor_domain),
            api_domain: self.api_domain.or(from_file.api_domain),
            public_scheme: self.public_scheme.or(from_file.public_scheme),
            public_port: self.public_port.or(from_file.public_port),
            smtp_url: self.smtp_url.or(from_file.smtp_url),
            dev: self.dev,
            secret_key: self.secret_key.or(from_file.secret_key),
            audit_checkpoint_file: self
                .audit_checkpoint_file
                .or(from_file.audit_checkpoint_file),
            mail_from: self.mail_from.or(from_file.mail_from),
            cookie_secure: self.cookie_secure.or(from_file.cookie_secure),
            session_idle_minutes: self.session_idle_minutes.or(from_file.session_idle_minutes),
            session_max_hours: self.session_max_hours.or(from_file.session_max_hours),
            otp_sends_per_address: self
                .otp_sends_per_address
                .or(from_file.otp_sends_per_address),
            otp_sends_per_client: self.otp_sends_per_client.or(from_file.otp_sends_per_client),
            otp_sends_per_address_hourly: self
                .otp_sends_per_address_hourly
                .or(from_file.otp_sends_per_address_hourly),
            trust_forwarded_for: self.trust_forwarded_for.or(from_file.trust_forwarded_for),
            read_cache: self.read_cache.or(from_file.read_cache),
            payment_provider: self.payment_provider.or(from_file.payment_provider),
            contractor_link_days: self.contractor_link_days.or(from_file.contractor_link_days),
            push_insecure_endpoints: self
                .push_insecure_endpoints
                .or(from_file.push_insecure_endpoints),
            stripe_secret_key: self.stripe_secret_key.or(from_file.stripe_secret_key),
            stripe_webhook_secret: self
                .stripe_webhook_secret
                .or(from_file.stripe_webhook_secret),
            stripe_api_base: self.stripe_api_base.or(from_file.stripe_api_base),
            apns_team_id: self.apns_team_id.or(from_file.apns_team_id),
            apns_key_id: self.apns_key_id.or(from_file.apns_key_id),
            apns_key_file: self.apns_key_file.or(from_file.apns_key_file),
            apns_topic: self.apns_topic.or(from_file.apns_topic),
            apns_url: self.apns_url.or(from_file.apns_url),
        })
    }

    /// APNs as set up: all of team, key id and key file, or none of them.
    fn apns(&self) -> anyhow::Result<Option<ApnsSettings>> {
        let given = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
        };
        let (team_id, key_id, key_file) = (
            given(&self.apns_team_id),
            given(&self.apns_key_id),
            self.apns_key_file.clone(),
        );
        let (Some(team_id), Some(key_id), Some(key_file)) =
            (team_id.clone(), key_id.clone(), key_file.clone())
        else {
            anyhow::ensure!(
                team_id.is_none() && key_id.is_none() && key_file.is_none(),
                "pushes to iPhones need all of PROPLINK_APNS_TEAM_ID, PROPLINK_APNS_KEY_ID and PROPLINK_APNS_KEY_FILE"
            );
            return Ok(None);
        };
        let key_pem = std::fs::read_to_string(&key_file)
            .with_context(|| format!("the APNs key file {} cannot be read", key_file.display()))?;
        {
            use p256::pkcs8::DecodePrivateKey;
            p256::SecretKey::from_pkcs8_pem(key_pem.trim()).map_err(|e| {
                anyhow::anyhow!(
                    "the APNs key file {} is not a PKCS#8 P-256 key in PEM (the .p8 file Apple gives): {e}",
                    key_file.display()
                )
            })?;
        }
        let url = given(&self.apns_url)
            .unwrap_or_else(|| "https://api.push.apple.com".into())
            .trim_end_matches('/')
            .to_owned();
        anyhow::ensure!(
            url.starts_with("https://")
                || url.starts_with("http://127.0.0.1:")
                || url.starts_with("http://[::1]:"),
            "the APNs address must be https (or a stand-in on this machine)"
        );
        Ok(Some(ApnsSettings {
            team_id,
            key_id,
            key_pem,
            topic: given(&self.apns_topic).unwrap_or_else(|| "app.proplink.facilityreport".into()),
            url,
        }))
    }

    pub fn resolve(self) -> anyhow::Result<Config> {
        let apns = self.apns()?;
        let data_dir = self.data_dir.unwrap_or_else(|| PathBuf::from("./data"));
        let audit_checkpoint_file = self
            .audit_checkpoint_file
            .unwrap_or_else(|| data_dir.join("audit-checkpoints.log"));
        let database_url = match self.database_url.filter(|u| !u.trim().is_empty()) {
            Some(url) => url,
            None => format!("sqlite://{}", data_dir.join("proplink.db").display()),
        };
        let listen = self
            .listen
            .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 8080)));
        let public_scheme = self.public_scheme.unwrap_or_else(|| "http".into());
        anyhow::ensure!(
            public_scheme == "http" || public_scheme == "https",
            "public scheme must be http or https"
        );
        let public_port = match self.public_port {
            Some(0) => None,
            Some(p) => Some(p),
            None => Some(listen.port()),
        };
        let minutes = self.session_idle_minutes.unwrap_or(30);
        let hours = self.session_max_hours.unwrap_or(12);
        anyhow::ensure!(
            minutes > 0 && hours > 0,
            "session timeouts must be at least one minute and one hour"
        );
        let payments = match self.payment_provider.as_deref().map(str::trim) {
            None | Some("") if self.dev => PaymentSettings::Sandbox,
            None | Some("" | "none") => PaymentSettings::Off,
            Some("sandbox") => PaymentSettings::Sandbox,
            Some("stripe") => {
                let given =
                    |v: Option<String>| v.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
                let secret_key = given(self.stripe_secret_key)
                    .context("--payment-provider stripe needs PROPLINK_STRIPE_SECRET_KEY (sk_…)")?;
                let webhook_secret = given(self.stripe_webhook_secret).context(
                    "--payment-provider stripe needs PROPLINK_STRIPE_WEBHOOK_SECRET (whsec_…)",
                )?;
                PaymentSettings::Stripe {
                    secret_key,
                    webhook_secret,
                    api_base: given(self.stripe_api_base)
                        .unwrap_or_else(|| "https://api.stripe.com".into())
                        .trim_end_matches('/')
                        .to_owned(),
                }
            }
            Some(other) => {
                anyhow::bail!("payment provider must be sandbox or stripe, not {other:?}")
            }
        };
        let contractor_link_days = self.contractor_link_days.unwrap_or(30);
        anyhow::ensure!(
            (1..=365).contains(&contractor_link_days),
            "ContractorPort links must last between 1 and 365 days"
        );
        Ok(Config {
            apns,
            payments,
            contractor_link_days,
            push_insecure_endpoints: self.push_insecure_endpoints.unwrap_or(false),
            data_dir,
            database_url,
            listen,
            admin_domain: domain(self.admin_domain, "proplink.localhost"),
            residence_domain: domain(self.residence_domain, "residenceport.localhost"),
            thread_domain: domain(self.thread_domain, "buildingthread.localhost"),
            contractor_domain: domain(self.contractor_domain, "contractorport.localhost"),
            api_domain: domain(self.api_domain, "api.proplink.localhost"),
            public_scheme,
            public_port,
            smtp_url: self.smtp_url.filter(|u| !u.trim().is_empty()),
            dev: self.dev,
            secret_key: self.secret_key.filter(|k| !k.trim().is_empty()),
            audit_checkpoint_file,
            mail_from: self
                .mail_from
                .unwrap_or_else(|| "PropLink <no-reply@proplink.localhost>".into()),
            cookie_secure: self.cookie_secure.unwrap_or(true),
            session_idle: Duration::from_secs(minutes * 60),
            session_max: Duration::from_secs(hours * 3600),
            otp_sends_per_address: self.otp_sends_per_address.unwrap_or(5),
            otp_sends_per_client: self.otp_sends_per_client.unwrap_or(20),
            otp_sends_per_address_hourly: self.otp_sends_per_address_hourly.unwrap_or(20),
            trust_forwarded_for: self.trust_forwarded_for.unwrap_or(false),
            read_cache: self.read_cache.unwrap_or(true),
        })
    }
}

fn domain(value: Option<String>, default: &str) -> String {
    value
        .map(|d| d.trim().trim_end_matches('.').to_ascii_lowercase())
        .filter(|d| !d.is_empty())
        .unwrap_or_else(|| default.into())
}

impl Config {
    /// The address of `host` as a person opens it: `http://acme.proplink.localhost:8080`.
    #[must_use]
    pub fn public_url(&self, host: &str) -> String {
        match self.public_port {
            Some(port)
                if !(self.public_scheme == "https" && port == 443
                    || self.public_scheme == "http" && port == 80) =>
            {
                format!("{}://{host}:{port}", self.public_scheme)
            }
            _ => format!("{}://{host}", self.public_scheme),
        }
    }

    #[must_use]
    pub fn admin_url(&self, slug: &str) -> String {
        self.public_url(&format!("{slug}.{}", self.admin_domain))
    }

    /// ContractorPort, as contractors reach it: links are `<this>/<token>`.
    #[must_use]
    pub fn contractor_url(&self) -> String {
        self.public_url(&self.contractor_domain)
    }

    /// An organisation's ResidencePort, as residents reach it.
    #[must_use]
    pub fn residence_url(&self, slug: &str) -> String {
        self.public_url(&format!("{slug}.{}", self.residence_domain))
    }

    /// An organisation's BuildingThread, as residents of its higher-risk buildings reach it.
    #[must_use]
    pub fn thread_url(&self, slug: &str) -> String {
        self.public_url(&format!("{slug}.{}", self.thread_domain))
    }

    /// Whether mail is kept for the development mailbox rather than sent: development mode
    /// without a mail server.
    #[must_use]
    pub fn holds_mail(&self) -> bool {
        self.dev && self.smtp_url.is_none()
    }

    /// Why `serve` cannot start as configured, if it cannot: without a mail server nobody
    /// could receive a sign-in code, unless development mode keeps the codes on a page.
    #[must_use]
    pub fn serve_problem(&self) -> Option<String> {
        (self.smtp_url.is_none() && !self.dev).then(|| {
            "no mail server is configured, so nobody could receive a sign-in code. Set PROPLINK_SMTP_URL \
             (or --smtp-url, or smtp_url in the config file) to your SMTP server, for example \
             smtp://user:password@mail.example.com:587; or, only to try PropLink on your own machine, \
             pass --dev to show sign-in codes in a development mailbox"
                .into()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sandbox_takes_payments_only_in_development_mode_unless_asked_for() {
        let resolve = |dev: bool, provider: Option<&str>| {
            Settings {
                dev,
                payment_provider: provider.map(str::to_owned),
                ..Settings::default()
            }
            .resolve()
            .map(|c| c.payments)
        };
        assert_eq!(resolve(true, None).ok(), Some(PaymentSettings::Sandbox));
        assert_eq!(resolve(false, None).ok(), Some(PaymentSettings::Off));
        assert_eq!(
            resolve(false, Some("sandbox")).ok(),
            Some(PaymentSettings::Sandbox)
        );
        assert_eq!(resolve(true, Some("none")).ok(), Some(PaymentSettings::Off));
        assert!(
            resolve(false, Some("stripe")).is_err(),
            "Stripe needs its keys"
        );
        assert!(resolve(false, Some("paypal")).is_err());
    }
}
