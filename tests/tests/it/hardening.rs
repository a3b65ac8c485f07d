//! What every door does before any page: development mode only when asked for, cookies and
//! tokens an attacker cannot plant, pages no cache keeps, hosts and sizes checked, addresses
//! checked.

use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::time::Duration;

use proplink_tests::{Options, fixtures, spawn_app, spawn_app_with};

/// The `proplink` binary built beside the tests.
fn proplink_bin() -> std::path::PathBuf {
    let exe = std::env::current_exe().unwrap_or_default();
    let bin = exe
        .parent()
        .and_then(|d| d.parent())
        .map(|d| d.join("proplink"))
        .unwrap_or_default();
    assert!(
        bin.exists(),
        "{} is missing: build it with `cargo build -p proplink-backend --bin proplink`",
        bin.display()
    );
    bin
}

/// `proplink` with a fresh data directory and no mail or development settings from outside.
fn proplink(data_dir: &std::path::Path) -> Command {
    let mut command = Command::new(proplink_bin());
    command
        .arg("--data-dir")
        .arg(data_dir)
        .env_remove("PROPLINK_SMTP_URL")
        .env_remove("PROPLINK_DEV")
        .env_remove("DATABASE_URL")
        .env_remove("PROPLINK_LISTEN")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    command
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn serve_refuses_to_start_without_a_mail_server_unless_in_development_mode() {
    let dir = proplink_tests::tempdir::TempDir::new();
    let port = free_port();
    let listen = format!("127.0.0.1:{port}");
    let output = proplink(&dir.path)
        .args(["--listen", &listen, "serve"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(!output.status.success(), "serve must not start");
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(
        said.contains("PROPLINK_SMTP_URL"),
        "it names the setting to add: {said}"
    );
    assert!(said.contains("--dev"), "{said}");

    // The demo prints the addresses it will be served on, with this port, not a default one.
    let demo = proplink(&dir.path)
        .args(["--listen", &listen, "demo"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        demo.status.success(),
        "{}",
        String::from_utf8_lossy(&demo.stderr)
    );
    let printed = String::from_utf8_lossy(&demo.stdout);
    assert!(
        printed.contains(&format!("http://acme.proplink.localhost:{port}/")),
        "{printed}"
    );
    assert!(!printed.contains(":8080"), "{printed}");

    // With --dev it serves, and says at once that it is in development mode, on the port it
    // actually listens on.
    let mut child = proplink(&dir.path)
        .args(["--listen", "127.0.0.1:0", "serve", "--dev"])
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    let mut stdout = child.stdout.take().unwrap_or_else(|| panic!("no stdout"));
    let (lines, read) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut text = String::new();
        let mut buffer = [0; 1024];
        while let Ok(n) = stdout.read(&mut buffer) {
            if n == 0 {
                break;
            }
            text.push_str(&String::from_utf8_lossy(&buffer[..n]));
            let _ = lines.send(text.clone());
        }
    });
    let mut seen = String::new();
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while !(seen.contains("DEVELOPMENT MODE") && seen.contains("listening on")) {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        match read.recv_timeout(left) {
            Ok(text) => seen = text,
            Err(_) => break,
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(seen.contains("DEVELOPMENT MODE"), "{seen}");
    let listening = seen
        .lines()
        .find(|l| l.contains("listening on http://127.0.0.1:"))
        .unwrap_or_else(|| panic!("no address in: {seen}"));
    assert!(
        !listening.ends_with(":0"),
        "the real port, not the one asked for: {listening}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dev_mailbox_exists_only_in_development_mode_and_every_page_says_so() {
    let t = spawn_app().await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    let host = t.admin_host("acme");
    let b = t.browser();
    t.ask_for_code(&b, &host, &org.manager_email).await;
    let mailbox = b.get(&host, "/dev/mailbox").await;
    assert_eq!(mailbox.status, 404);
    assert!(!mailbox.body.contains("sign-in code"));
    assert!(
        !b.get(&host, "/sign-in")
            .await
            .body
            .contains("Development mode")
    );

    let dev = spawn_app_with(Options {
        no_smtp: true,
        ..Options::default()
    })
    .await;
    fixtures::org(&dev.app, "acme", "Acme Estates").await;
    let b = dev.browser();
    let page = b.get(&host, "/sign-in").await;
    assert!(
        page.body
            .contains("<footer>Acme Estates · PropLink · Development mode</footer>"),
        "{}",
        page.body
    );
    assert!(page.body.contains("class=\"dev-banner\""));
    assert_eq!(b.get(&host, "/dev/mailbox").await.status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_form_token_before_sign_in_is_bound_to_a_server_secret_and_the_host() {
    let t = spawn_app().await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    fixtures::org(&t.app, "birchwood", "Birchwood Residential").await;
    let host = t.admin_host("acme");
    // A cookie and a field of the attacker's choosing, equal to each other, are not enough.
    let b = t.browser();
    let planted = "a".repeat(64);
    b.set_cookie(&host, "__Host-proplink_csrf", &planted);
    let page = b
        .post(
            &host,
            "/sign-in",
            &[("csrf", &planted), ("email", &org.manager_email)],
        )
        .await;
    assert_eq!(page.status, 403, "{}", page.body);
    // A real token of one organisation's host is no good on another's.
    let b = t.browser();
    let token = b.get(&host, "/sign-in").await.csrf();
    let nonce = b.cookie(&host, "__Host-proplink_csrf").unwrap_or_default();
    let other = t.admin_host("birchwood");
    b.set_cookie(&other, "__Host-proplink_csrf", &nonce);
    let page = b
        .post(
            &other,
            "/sign-in",
            &[("csrf", &token), ("email", "ben@birchwood.example")],
        )
        .await;
    assert_eq!(page.status, 403);
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(t.smtp.codes_sent(), 0, "no code was sent");
    // The genuine pair works.
    let page = b
        .post(
            &host,
            "/sign-in",
            &[("csrf", &token), ("email", &org.manager_email)],
        )
        .await;
    assert_eq!(page.status, 303);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_cookie_is_host_only_secure_and_http_only() {
    let t = spawn_app().await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    let host = t.admin_host("acme");
    let b = t.browser();
    let mut set = b.get(&host, "/sign-in").await.set_cookies();
    let form = b.get(&host, "/sign-in").await;
    set.extend(
        b.post(
            &host,
            "/sign-in",
            &[("csrf", &form.csrf()), ("email", &org.manager_email)],
        )
        .await
        .set_cookies(),
    );
    let code = t.smtp.code(&org.manager_email, 1).await;
    set.extend(t.submit_code(&b, &host, &code).await.set_cookies());
    assert!(set.len() >= 3, "{set:?}");
    for cookie in &set {
        assert!(cookie.starts_with("__Host-proplink_"), "{cookie}");
        for attribute in ["Secure", "HttpOnly", "Path=/", "SameSite="] {
            assert!(cookie.contains(attribute), "{attribute} missing: {cookie}");
        }
        assert!(!cookie.to_ascii_lowercase().contains("domain="), "{cookie}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_about_people_are_never_stored_by_a_cache_and_assets_are_kept_for_good() {
    let t = spawn_app().await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    let host = t.admin_host("acme");
    let b = t.browser();
    t.sign_in(&b, &host, &org.manager_email).await;
    for path in [
        "/dashboard".to_owned(),
        "/tickets".to_owned(),
        format!("/tickets/{}", org.ticket_a),
        format!("/units/{}", org.unit),
        "/audit".to_owned(),
        "/no-such-page".to_owned(),
    ] {
        let page = b.get(&host, &path).await;
        assert_eq!(page.headers["cache-control"], "no-store", "{path}");
    }
    let css = b
        .get(&host, proplink_backend::doors::assets::stylesheet_href())
        .await;
    assert!(
        css.headers["cache-control"]
            .to_str()
            .unwrap_or("")
            .contains("immutable")
    );
    // No HSTS over plain HTTP: it would pin a development host to HTTPS.
    assert!(
        b.get(&host, "/sign-in")
            .await
            .headers
            .get("strict-transport-security")
            .is_none()
    );

    let https = spawn_app_with(Options {
        public_scheme: Some("https".into()),
        ..Options::default()
    })
    .await;
    fixtures::org(&https.app, "acme", "Acme Estates").await;
    let page = https.browser().get(&host, "/sign-in").await;
    let hsts = page.headers["strict-transport-security"]
        .to_str()
        .unwrap_or("");
    assert!(
        hsts.starts_with("max-age=") && hsts.contains("includeSubDomains"),
        "{hsts}"
    );
}

/// The raw answer to a request written by hand, as a client that is not a browser sends it.
fn raw(t: &proplink_tests::TestApp, request: &str) -> String {
    let mut stream = std::net::TcpStream::connect(t.addr).unwrap_or_else(|e| panic!("{e}"));
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap_or_else(|e| panic!("{e}"));
    stream
        .write_all(request.as_bytes())
        .unwrap_or_else(|e| panic!("{e}"));
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    String::from_utf8_lossy(&answer).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_with_two_hosts_or_a_host_that_is_not_a_name_is_refused() {
    let t = spawn_app().await;
    fixtures::org(&t.app, "acme", "Acme Estates").await;
    let fine = raw(
        &t,
        "GET /sign-in HTTP/1.1\r\nHost: acme.proplink.localhost\r\nConnection: close\r\n\r\n",
    );
    assert!(fine.starts_with("HTTP/1.1 200"), "{fine}");
    for request in [
        "GET /sign-in HTTP/1.1\r\nHost: acme.proplink.localhost\r\nHost: birchwood.proplink.localhost\r\nConnection: close\r\n\r\n",
        "GET /sign-in HTTP/1.1\r\nHost: acme.proplink.localhost@evil.example\r\nConnection: close\r\n\r\n",
        "GET /sign-in HTTP/1.1\r\nHost: acme.proplink.localhost:80x\r\nConnection: close\r\n\r\n",
        "GET /sign-in HTTP/1.1\r\nHost: \r\nConnection: close\r\n\r\n",
        "GET http://evil.example/sign-in HTTP/1.1\r\nHost: acme.proplink.localhost\r\nConnection: close\r\n\r\n",
    ] {
        let answer = raw(&t, request);
        assert!(
            answer.starts_with("HTTP/1.1 400"),
            "{request:?} answered {answer}"
        );
        assert!(
            !answer.contains("Acme"),
            "nothing of an organisation: {answer}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_api_requests_are_refused_in_the_apis_own_words() {
    let t = spawn_app().await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    let api = t.app.config.api_domain.clone();
    let phone = t.phone("acme", &org.site_manager_email).await;
    let json_error = |answer: &str, what: &str| {
        let body = answer.split("\r\n\r\n").nth(1).unwrap_or(answer);
        let error: serde_json::Value = serde_json::from_str(body)
            .unwrap_or_else(|e| panic!("{what}: not JSON ({e}): {answer}"));
        assert_eq!(error["code"], "payload_too_large", "{what}");
        assert!(error["message"].as_str().is_some_and(|m| !m.is_empty()));
    };
    // Small calls with a body far beyond theirs, declared or streamed without a length. The
    // requests are written by hand: the server answers before reading the rest, and a client
    // still writing would stumble over the closed connection.
    let huge = format!(
        "{{\"org\":\"acme\",\"email\":\"{}@acme.example\"}}",
        "a".repeat(40_000)
    );
    for path in ["/v1/auth/code", "/v1/auth/token"] {
        let declared = raw(
            &t,
            &format!(
                "POST {path} HTTP/1.1\r\nHost: {api}\r\nContent-Type: application/json\r\n\
                 Content-Length: {}\r\nConnection: close\r\n\r\n",
                huge.len()
            ),
        );
        assert!(declared.starts_with("HTTP/1.1 413"), "{path}: {declared}");
        json_error(&declared, path);
        let streamed = raw(
            &t,
            &format!(
                "POST {path} HTTP/1.1\r\nHost: {api}\r\nContent-Type: application/json\r\n\
                 Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n{:x}\r\n{}\r\n",
                20_000,
                &huge[..20_000]
            ),
        );
        assert!(streamed.starts_with("HTTP/1.1 413"), "{path}: {streamed}");
        json_error(&streamed, path);
    }
    // A sync or a photo refused from its declared length, before it is read.
    let token = phone.token();
    for (what, head) in [
        (
            "a push over 4 MB",
            format!(
                "POST /v1/sync/push HTTP/1.1\r\nHost: {api}\r\nAuthorization: Bearer {token}\r\n\
                 Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                6 * 1024 * 1024
            ),
        ),
        (
            "a piece of a photo over 8 MB",
            format!(
                "PATCH /v1/photos/{} HTTP/1.1\r\nHost: {api}\r\nAuthorization: Bearer {token}\r\n\
                 Content-Type: application/offset+octet-stream\r\nUpload-Offset: 0\r\nUpload-Length: 20000000\r\n\
                 Content-Length: {}\r\nConnection: close\r\n\r\n",
                "b".repeat(64),
                9 * 1024 * 1024
            ),
        ),
    ] {
        let answer = raw(&t, &head);
        assert!(answer.starts_with("HTTP/1.1 413"), "{what}: {answer}");
        json_error(&answer, what);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_address_that_is_not_an_email_address_is_refused_at_sign_in() {
    let t = spawn_app().await;
    fixtures::org(&t.app, "acme", "Acme Estates").await;
    let host = t.admin_host("acme");
    let b = t.browser();
    for wrong in [
        "not-an-address",
        "a@b",
        "a@@acme.example",
        "a b@acme.example",
        "<script>@acme.example",
        ".a@acme.example",
        "a..b@acme.example",
        "a@-acme.example",
        "a@acme..example",
    ] {
        let page = t.ask_for_code(&b, &host, wrong).await;
        assert_eq!(page.status, 422, "{wrong}");
        assert!(
            page.body
                .contains("Enter an email address in the correct format"),
            "{wrong}: {}",
            page.body
        );
        let api = b
            .json(
                "POST",
                &t.app.config.api_domain,
                "/v1/auth/code",
                None,
                &serde_json::json!({ "org": "acme", "email": wrong }),
            )
            .await;
        assert_eq!(api.status, 422, "{wrong}: {}", api.body);
        let error: serde_json::Value = serde_json::from_str(&api.body).unwrap_or_default();
        assert_eq!(error["code"], "invalid");
        assert_eq!(error["fields"][0]["field"], "email", "{}", api.body);
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(t.smtp.codes_sent(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn someone_signed_in_who_opens_sign_in_is_taken_to_their_dashboard() {
    let t = spawn_app().await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    let host = t.admin_host("acme");
    let b = t.browser();
    t.sign_in(&b, &host, &org.manager_email).await;
    for path in ["/sign-in", "/sign-in/code", "/"] {
        let page = b.get(&host, path).await;
        assert_eq!(page.status, 303, "{path}");
        assert_eq!(page.location(), Some("/dashboard"), "{path}");
    }
}
