//! The test harness: a real PropLink server on a loopback port, over SQLite or PostgreSQL,
//! with a real SMTP server on loopback catching its mail, and a small browser that keeps
//! cookies per host.
//!
//! `PROPLINK_TEST_DATABASE` picks the database: unset or `sqlite` for a fresh SQLite file per
//! test, or a `postgres://` URL of a server on which each test creates its own database.

pub mod apns_service;
pub mod browser;
pub mod fixtures;
pub mod push_service;
pub mod smtp;

use std::net::SocketAddr;
use std::path::PathBuf;

use proplink_backend::App;
use proplink_backend::clock::Clock;
use proplink_backend::config::Settings;
use proplink_backend::store::{FromCell, Value};

pub use browser::{Browser, Page};
pub use smtp::Smtp;

/// The session cookie's name: cookies are secure by default, so `__Host-` prefixed.
pub const SESSION_COOKIE: &str = "__Host-proplink_session";
/// The cookie that remembers the address a code was sent to.
pub const SIGN_IN_COOKIE: &str = "__Host-proplink_sign_in";

/// A running server and everything around it.
pub struct TestApp {
    pub addr: SocketAddr,
    pub app: App,
    pub smtp: Smtp,
    /// Where the SQLite file and uploads live; removed when the test ends.
    pub data_dir: tempdir::TempDir,
    pub database_url: String,
}

/// Options a test may change.
#[derive(Default)]
pub struct Options {
    pub otp_sends_per_address: Option<u32>,
    pub otp_sends_per_client: Option<u32>,
    /// No SMTP server: development mode, with mail in the development mailbox.
    pub no_smtp: bool,
    pub otp_sends_per_address_hourly: Option<u32>,
    /// `https` to serve as behind a TLS proxy.
    pub public_scheme: Option<String>,
    /// Take clients' addresses from `X-Forwarded-For`, to play several clients.
    pub trust_forwarded_for: bool,
    /// Take payments through Stripe at this API address (a stand-in), with the secret key
    /// `sk_test_proplink` and the webhook secret `whsec_proplink`.
    pub stripe_api_base: Option<String>,
    /// No card payments at all (`--payment-provider none`).
    pub no_card_payments: bool,
    /// Accept push endpoints on loopback over http: the local push service.
    pub push_insecure_endpoints: bool,
    /// Push to iPhones through this APNs stand-in (its address and key file).
    pub apns: Option<(String, std::path::PathBuf)>,
}

/// The Stripe keys a test server is given with [`Options::stripe_api_base`].
pub const STRIPE_SECRET_KEY: &str = "sk_test_proplink";
pub const STRIPE_WEBHOOK_SECRET: &str = "whsec_proplink";

pub async fn spawn_app() -> TestApp {
    spawn_app_with(Options::default()).await
}

pub async fn spawn_app_with(options: Options) -> TestApp {
    // PROPLINK_TEST_LOG=debug shows the server's log (and SQL with sqlx=debug) for a failing test.
    if let Ok(filter) = std::env::var("PROPLINK_TEST_LOG") {
        let _ = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
            .with_test_writer()
            .try_init();
    }
    let data_dir = tempdir::TempDir::new();
    let database_url = test_database(&data_dir.path).await;
    let smtp = Smtp::start();
    let settings = Settings {
        data_dir: Some(data_dir.path.clone()),
        database_url: Some(database_url.clone()),
        listen: Some(SocketAddr::from(([127, 0, 0, 1], 0))),
        smtp_url: (!options.no_smtp).then(|| format!("smtp://{}", smtp.addr)),
        dev: options.no_smtp,
        otp_sends_per_address: options.otp_sends_per_address,
        otp_sends_per_client: options.otp_sends_per_client,
        otp_sends_per_address_hourly: options.otp_sends_per_address_hourly,
        public_scheme: options.public_scheme,
        trust_forwarded_for: Some(options.trust_forwarded_for),
        payment_provider: Some(
            match (&options.stripe_api_base, options.no_card_payments) {
                (_, true) => "none",
                (Some(_), false) => "stripe",
                (None, false) => "sandbox",
            }
            .into(),
        ),
        stripe_secret_key: Some(STRIPE_SECRET_KEY.into()),
        stripe_webhook_secret: Some(STRIPE_WEBHOOK_SECRET.into()),
        stripe_api_base: options.stripe_api_base,
        push_insecure_endpoints: Some(options.push_insecure_endpoints),
        apns_url: options.apns.as_ref().map(|(url, _)| url.clone()),
        apns_key_file: options.apns.as_ref().map(|(_, key)| key.clone()),
        apns_team_id: options
            .apns
            .as_ref()
            .map(|_| apns_service::TEAM_ID.to_owned()),
        apns_key_id: options
            .apns
            .as_ref()
            .map(|_| apns_service::KEY_ID.to_owned()),
        ..Settings::default()
    };
    let config = settings
        .resolve()
        .unwrap_or_else(|e| panic!("test config: {e}"));
    let app = App::start(config, Clock::system())
        .await
        .unwrap_or_else(|e| panic!("starting the app: {e:#}"));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap_or_else(|e| panic!("bind: {e}"));
    let addr = listener.local_addr().unwrap_or_else(|e| panic!("{e}"));
    let router = proplink_backend::doors::router(app.clone());
    tokio::spawn(async move {
        let _ = axum_serve(listener, router).await;
    });
    app.hear_changes();
    // Tests run as production does: with what pages read remembered, once the listener for
    // other processes' changes is up.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !app.reads.remembers() {
        assert!(
            std::time::Instant::now() < deadline,
            "the read cache never started hearing changes"
        );
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    tokio::spawn(proplink_backend::services::mail::run_sender(app.clone()));
    TestApp {
        addr,
        app,
        smtp,
        data_dir,
        database_url,
    }
}

async fn axum_serve(
    listener: tokio::net::TcpListener,
    router: axum::Router,
) -> std::io::Result<()> {
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .await
}

impl TestApp {
    /// Today in London by the app's clock.
    #[must_use]
    pub fn today(&self) -> time::Date {
        proplink_shared::london::local(self.app.clock.now()).date()
    }

    /// A new browser with no cookies.
    #[must_use]
    pub fn browser(&self) -> Browser {
        Browser::new(self.addr)
    }

    /// The ResidencePort host of an organisation: `acme.residenceport.localhost`.
    #[must_use]
    pub fn residence_host(&self, slug: &str) -> String {
        format!("{slug}.{}", self.app.config.residence_domain)
    }

    /// A browser signed in to `slug`'s ResidencePort as the resident `email`.
    pub async fn resident(&self, slug: &str, email: &str) -> (Browser, String) {
        let b = self.browser();
        let host = self.residence_host(slug);
        let code = self.request_code(&b, &host, email).await;
        let page = self.submit_code(&b, &host, &code).await;
        assert_eq!(page.status, 303, "resident sign-in failed: {}", page.body);
        assert_eq!(page.location(), Some("/"));
        (b, host)
    }

    /// The admin host of an organisation: `acme.proplink.localhost`.
    #[must_use]
    pub fn admin_host(&self, slug: &str) -> String {
        format!("{slug}.{}", self.app.config.admin_domain)
    }
}

/// Whether the tests run on PostgreSQL.
#[must_use]
pub fn on_postgres() -> bool {
    std::env::var("PROPLINK_TEST_DATABASE").is_ok_and(|v| v.starts_with("postgres"))
}

async fn test_database(dir: &std::path::Path) -> String {
    match std::env::var("PROPLINK_TEST_DATABASE") {
        Ok(server) if server.starts_with("postgres") => fresh_postgres_database(&server).await,
        _ => format!("sqlite://{}", dir.join("proplink.db").display()),
    }
}

/// A new, empty database on the PostgreSQL server at `server` (databases of test runs that
/// have ended are dropped first); its URL.
pub async fn fresh_postgres_database(server: &str) -> String {
    let (admin, connection) = tokio_postgres::connect(server, tokio_postgres::NoTls)
        .await
        .unwrap_or_else(|e| panic!("connecting to {server}: {e}"));
    let connection = tokio::spawn(connection);
    let stale = admin
        .query(
            "SELECT datname FROM pg_database WHERE datname LIKE 'pl_test_%'",
            &[],
        )
        .await
        .unwrap_or_default();
    for row in stale {
        let name: String = row.get(0);
        let pid = name.split('_').nth(2).unwrap_or("");
        if !PathBuf::from(format!("/proc/{pid}")).exists() {
            let _ = admin
                .batch_execute(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                .await;
        }
    }
    let name = format!(
        "pl_test_{}_{}",
        std::process::id(),
        uuid::Uuid::now_v7().simple()
    );
    admin
        .batch_execute(&format!("CREATE DATABASE \"{name}\""))
        .await
        .unwrap_or_else(|e| panic!("creating {name}: {e}"));
    drop(admin);
    let _ = connection.await;
    let (base, query) = server
        .split_once('?')
        .map_or((server, None), |(b, q)| (b, Some(q)));
    let base = base.rsplit_once('/').map_or(base, |(b, _)| b);
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

/// A directory removed when dropped.
pub mod tempdir {
    use std::path::PathBuf;

    pub struct TempDir {
        pub path: PathBuf,
    }

    impl TempDir {
        #[must_use]
        pub fn new() -> TempDir {
            let path = std::env::temp_dir()
                .join(format!("proplink-test-{}", uuid::Uuid::now_v7().simple()));
            std::fs::create_dir_all(&path)
                .unwrap_or_else(|e| panic!("creating {}: {e}", path.display()));
            TempDir { path }
        }
    }

    impl Default for TempDir {
        fn default() -> Self {
            Self::new()
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}

impl TestApp {
    /// Signs `browser` in to `host` as `email`, reading the code from the SMTP server.
    pub async fn sign_in(&self, browser: &Browser, host: &str, email: &str) {
        let code = self.request_code(browser, host, email).await;
        let page = self.submit_code(browser, host, &code).await;
        assert_eq!(
            page.status, 303,
            "sign-in with the right code failed: {}",
            page.body
        );
        assert_eq!(page.location(), Some("/dashboard"));
    }

    /// Asks for a code for `email` and returns it as it arrives by mail.
    pub async fn request_code(&self, browser: &Browser, host: &str, email: &str) -> String {
        let before = self.smtp.to(email).len();
        let page = self.ask_for_code(browser, host, email).await;
        assert_eq!(page.status, 303, "asking for a code failed: {}", page.body);
        self.smtp.code(email, before + 1).await
    }

    /// Posts the email form, returning the response.
    pub async fn ask_for_code(&self, browser: &Browser, host: &str, email: &str) -> Page {
        let form = browser.get(host, "/sign-in").await;
        browser
            .post(
                host,
                "/sign-in",
                &[("csrf", &form.csrf()), ("email", email)],
            )
            .await
    }

    /// Posts the code form, returning the response.
    pub async fn submit_code(&self, browser: &Browser, host: &str, code: &str) -> Page {
        let form = browser.get(host, "/sign-in/code").await;
        assert_eq!(form.status, 200, "no code form: {}", form.body);
        browser
            .post(
                host,
                "/sign-in/code",
                &[("csrf", &form.csrf()), ("code", code)],
            )
            .await
    }

    /// Audit events of an organisation as (action, channel, sentence), oldest first.
    pub async fn audit_events(&self, org: proplink_shared::OrgId) -> Vec<(String, String, String)> {
        let mut conn = self.app.db.read().await.unwrap_or_else(|e| panic!("{e}"));
        conn.query(
            "SELECT action, channel, sentence FROM audit_events WHERE organisation_id = $1 ORDER BY seq",
            proplink_backend::params![org],
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"))
    }

    /// The one value `sql` selects, read as the server would.
    pub async fn scalar<T: FromCell>(&self, sql: &str, params: &[Value<'_>]) -> T {
        let mut conn = self.app.db.read().await.unwrap_or_else(|e| panic!("{e}"));
        conn.scalar(sql, params)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
    }

    /// Runs `sql` in a transaction of its own, as an attacker with the database would.
    pub async fn tamper(&self, sql: &str, params: &[Value<'_>]) -> u64 {
        let mut tx = self.app.db.begin().await.unwrap_or_else(|e| panic!("{e}"));
        let n = tx
            .execute(sql, params)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
        tx.commit().await.unwrap_or_else(|e| panic!("{e}"));
        n
    }
}

/// A phone running Facility Report's core, signed in against this server.
pub struct Phone {
    pub store: facility_report_core::Store,
    pub dir: tempdir::TempDir,
}

impl TestApp {
    /// The API as the app reaches it: `http://api.proplink.localhost:<port>`.
    #[must_use]
    pub fn api_url(&self) -> String {
        format!("http://{}:{}", self.app.config.api_domain, self.addr.port())
    }

    /// A fresh phone signed in as `email` of organisation `org`, with one sync done.
    pub async fn phone(&self, org: &str, email: &str) -> Phone {
        let dir = tempdir::TempDir::new();
        let store = facility_report_core::Store::open(&dir.path.join("app.db"))
            .unwrap_or_else(|e| panic!("{e}"));
        let before = self.smtp.to(email).len();
        facility_report_core::sync::request_code(&self.api_url(), org, email)
            .await
            .unwrap_or_else(|e| panic!("requesting a code: {e}"));
        let code = self.smtp.code(email, before + 1).await;
        facility_report_core::sync::sign_in(
            &store,
            &self.api_url(),
            org,
            email,
            &code,
            "Test phone",
        )
        .await
        .unwrap_or_else(|e| panic!("signing in: {e}"));
        facility_report_core::sync::sync(&store)
            .await
            .unwrap_or_else(|e| panic!("first sync: {e}"));
        Phone { store, dir }
    }
}

impl Phone {
    /// The device token the phone holds.
    #[must_use]
    pub fn token(&self) -> String {
        self.store.meta("token").ok().flatten().unwrap_or_default()
    }

    #[must_use]
    pub fn device_id(&self) -> uuid::Uuid {
        self.store
            .meta("device_id")
            .ok()
            .flatten()
            .and_then(|d| d.parse().ok())
            .unwrap_or_default()
    }

    /// The `seq` the phone will give its next change.
    #[must_use]
    pub fn next_seq(&self) -> i64 {
        self.store
            .meta("next_seq")
            .ok()
            .flatten()
            .and_then(|s| s.parse().ok())
            .unwrap_or(1)
    }

    /// A photo file on the phone: a well-formed JPEG of `size` bytes whose scan is
    /// pseudo-random, with the EXIF block a phone camera writes (position, make).
    #[must_use]
    pub fn photo(&self, seed: u64, size: usize) -> PathBuf {
        let bytes = camera_jpeg(seed, size);
        let path = self.dir.path.join(format!("camera-{seed}.jpg"));
        std::fs::write(&path, &bytes).unwrap_or_else(|e| panic!("{e}"));
        path
    }
}

/// A JPEG as a phone camera writes it: JFIF header, an EXIF block naming the camera and where
/// the photo was taken, a frame, a scan of `size` bytes in all, and the end marker.
#[must_use]
pub fn camera_jpeg(seed: u64, size: usize) -> Vec<u8> {
    let mut bytes = vec![0xFF, 0xD8];
    let mut segment = |marker: u8, contents: &[u8]| {
        bytes.extend_from_slice(&[0xFF, marker]);
        let length = u16::try_from(contents.len() + 2).unwrap_or(u16::MAX);
        bytes.extend_from_slice(&length.to_be_bytes());
        bytes.extend_from_slice(contents);
    };
    segment(0xE0, b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0");
    let mut exif = b"Exif\0\0".to_vec();
    exif.extend_from_slice(&camera_exif());
    segment(0xE1, &exif);
    segment(0xC0, &[8, 0, 1, 0, 1, 1, 1, 0x11, 0]);
    segment(0xDA, &[1, 1, 0, 0, 63, 0]);
    let mut x = seed
        .wrapping_mul(6_364_136_223_846_793_005)
        .wrapping_add(1_442_695_040_888_963_407);
    let scan_end = size.max(bytes.len() + 2) - 2;
    while bytes.len() < scan_end {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        // No 0xFF in entropy-coded data, so nothing in the scan reads as a marker.
        bytes.extend(x.to_le_bytes().iter().map(|b| b & 0x7F));
    }
    bytes.truncate(scan_end);
    bytes.extend_from_slice(&[0xFF, 0xD9]);
    bytes
}

/// What a phone camera puts in EXIF: its make and the GPS position of the photo.
fn camera_exif() -> Vec<u8> {
    use exif::{Field, In, Rational, Tag, Value};
    let fields = [
        Field {
            tag: Tag::Make,
            ifd_num: In::PRIMARY,
            value: Value::Ascii(vec![b"PhoneCam".to_vec()]),
        },
        Field {
            tag: Tag::GPSLatitudeRef,
            ifd_num: In::PRIMARY,
            value: Value::Ascii(vec![b"N".to_vec()]),
        },
        Field {
            tag: Tag::GPSLatitude,
            ifd_num: In::PRIMARY,
            value: Value::Rational(vec![
                Rational { num: 51, denom: 1 },
                Rational { num: 30, denom: 1 },
                Rational {
                    num: 2664,
                    denom: 100,
                },
            ]),
        },
    ];
    let mut writer = exif::experimental::Writer::new();
    for field in &fields {
        writer.push_field(field);
    }
    let mut out = std::io::Cursor::new(Vec::new());
    writer
        .write(&mut out, false)
        .unwrap_or_else(|e| panic!("{e}"));
    out.into_inner()
}

/// The bytes the server keeps of a photo: the same picture without its personal metadata.
#[must_use]
pub fn cleaned(bytes: &[u8]) -> Vec<u8> {
    proplink_backend::services::files::photos::clean(bytes)
        .unwrap_or_else(|e| panic!("{e}"))
        .1
}

/// The PDF's text as `pdftotext` (Debian's poppler-utils) reads it.
#[must_use]
pub fn pdftotext(pdf: &[u8]) -> String {
    let dir = std::env::temp_dir().join(format!("proplink-pdf-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    let file = dir.join("document.pdf");
    std::fs::write(&file, pdf).unwrap_or_else(|e| panic!("{e}"));
    let out = std::process::Command::new("pdftotext")
        .args(["-layout", "-enc", "UTF-8"])
        .arg(&file)
        .arg("-")
        .output()
        .unwrap_or_else(|e| panic!("pdftotext (Debian's poppler-utils) must be installed: {e}"));
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap_or_else(|e| panic!("{e}"))
}
