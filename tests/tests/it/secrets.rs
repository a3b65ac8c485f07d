//! Server secrets live outside the database: a copy of the database reveals no sign-in code,
//! no session and no key.

use proplink_tests::{fixtures, spawn_app};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_copy_of_the_database_reveals_no_sign_in_code_and_holds_no_key() {
    let t = spawn_app().await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    let host = t.admin_host("acme");
    let b = t.browser();
    let code = t.request_code(&b, &host, &org.manager_email).await;

    // The mail queue keeps the message without its code; the code is sealed with a key the
    // database does not hold.
    let mut conn = t.app.db.read().await.unwrap_or_else(|e| panic!("{e}"));
    let mails: Vec<(String, Option<Vec<u8>>)> = conn
        .query(
            "SELECT body, sealed_body FROM outbound_mail WHERE subject LIKE '%sign-in code%'",
            &[],
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(!mails.is_empty());
    for (body, sealed) in &mails {
        assert!(
            !body.contains(&code),
            "the queued body shows the code: {body}"
        );
        assert!(body.contains("Your sign-in code is"), "{body}");
        let sealed = sealed.clone().unwrap_or_default();
        assert!(
            !sealed.windows(code.len()).any(|w| w == code.as_bytes()),
            "the sealed body is not sealed"
        );
    }
    // Codes are kept as keyed hashes: neither the code nor its plain hash is stored.
    let hashes: Vec<(String,)> = conn
        .query("SELECT code_hash FROM otp_codes", &[])
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let plain = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(code.as_bytes()));
    for (hash,) in &hashes {
        assert!(!hash.contains(&code));
        assert_ne!(hash, &plain);
    }
    // Sign in: the session is stored by the hash of its secret, never the secret itself.
    let page = t.submit_code(&b, &host, &code).await;
    assert_eq!(page.status, 303);
    let session = b
        .cookie(&host, proplink_tests::SESSION_COOKIE)
        .unwrap_or_default();
    let stored: i64 = conn
        .scalar(
            "SELECT COUNT(*) FROM sessions WHERE id_hash = $1",
            proplink_backend::params![session],
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(stored, 0, "the session's secret is not in the database");

    // No table holds a key.
    let tables: Vec<(String,)> = if proplink_tests::on_postgres() {
        conn.query(
            "SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public'",
            &[],
        )
        .await
    } else {
        conn.query("SELECT name FROM sqlite_master WHERE type = 'table'", &[])
            .await
    }
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(tables.len() > 20);
    assert!(
        tables
            .iter()
            .filter(|(name,)| name != "vapid_keys")
            .all(|(name,)| !name.contains("secret") && !name.contains("key")),
        "{tables:?}"
    );
    // The VAPID key that signs pushes is kept sealed: a copy of the database cannot sign.
    let public = proplink_backend::services::push::public_key(&t.app)
        .await
        .unwrap_or_else(|e| panic!("{e:?}"));
    let (sealed,): (Vec<u8>,) = conn
        .query_one("SELECT sealed_private_key FROM vapid_keys", &[])
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(t.app.secrets.open_key(&sealed).is_some());
    let another = proplink_backend::secrets::Secrets::from_master(&[7u8; 32]);
    assert!(
        another.open_key(&sealed).is_none(),
        "opens only with this server's key"
    );
    assert!(!public.is_empty());
    // The key is a file beside the data, readable by the server's user alone.
    let key = t.data_dir.path.join("secret.key");
    let mode = std::os::unix::fs::PermissionsExt::mode(
        &std::fs::metadata(&key)
            .unwrap_or_else(|e| panic!("{}: {e}", key.display()))
            .permissions(),
    );
    assert_eq!(mode & 0o777, 0o600);
}
