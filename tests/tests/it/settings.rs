//! Organisation settings and branding: details saved and shown on the portals, a brand colour
//! refused with its measured contrast ratio, a stale form refused, and the logo — a PNG kept
//! without its metadata, an SVG or an oversized file refused with nothing stored.

use proplink_backend::params;
use proplink_tests::{Browser, Page, TestApp, fixtures, spawn_app};

async fn signed_in(t: &TestApp, email: &str) -> (Browser, String) {
    let b = t.browser();
    let host = t.admin_host("acme");
    t.sign_in(&b, &host, email).await;
    (b, host)
}

fn settings_form<'a>(csrf: &'a str, version: &'a str, colour: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("csrf", csrf),
        ("version", version),
        ("name", "Acme Estates"),
        ("legal_name", "Acme Estates Limited"),
        ("company_number", "01234567"),
        ("vat_number", ""),
        ("address", "1 High Street, London"),
        ("contact_email", "help@acme.example"),
        ("contact_phone", "020 7946 0000"),
        ("brand_colour", colour),
        (
            "welcome_text",
            "Welcome to Acme's portal.\n\nPay your service charge here.",
        ),
        ("thread_welcome_text", "The golden thread of Alpha Court."),
    ]
}

/// The form's version, as the page carries it.
fn version(page: &Page) -> String {
    let marker = "name=\"version\" value=\"";
    let at = page
        .body
        .find(marker)
        .unwrap_or_else(|| panic!("no version on {}", page.body));
    let rest = &page.body[at + marker.len()..];
    rest[..rest.find('"').unwrap_or(0)].to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_colour_too_light_for_white_text_is_refused_with_its_ratio_and_a_good_one_is_shown() {
    let t = spawn_app().await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    let (b, host) = signed_in(&t, &org.owner_email()).await;
    let page = b.get(&host, "/settings").await;
    assert_eq!(page.status, 200, "{}", page.body);
    let (csrf, v) = (page.csrf(), version(&page));
    let refused = b
        .post(&host, "/settings", &settings_form(&csrf, &v, "#ffdd00"))
        .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(
        refused.body.contains(
            "White text on #ffdd00 has a contrast ratio of 1.34:1; it needs at least 4.5:1"
        ),
        "{}",
        refused.body
    );
    assert!(refused.body.contains("href=\"#settings-brand_colour\""));
    assert!(
        refused.body.contains("value=\"Acme Estates Limited\""),
        "what was typed is kept"
    );
    let colour: String = t
        .scalar(
            "SELECT brand_colour FROM organisations WHERE slug = 'acme'",
            params![],
        )
        .await;
    assert_eq!(colour, "#1d4f91", "nothing changed");
    let saved = b
        .post(&host, "/settings", &settings_form(&csrf, &v, "#0B6E4F"))
        .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let shown = b.get(&host, "/settings?done=settings").await;
    assert!(
        shown.body.contains("--brand:#0b6e4f"),
        "the new colour is on every page"
    );
    assert!(shown.body.contains("The settings were saved"));
    // The portals show the welcome, paragraph by paragraph, where residents sign in.
    let rp = b
        .get(
            &format!("acme.{}", t.app.config.residence_domain),
            "/sign-in",
        )
        .await;
    assert!(
        rp.body.contains("<p>Welcome to Acme&#39;s portal.</p>")
            || rp.body.contains("<p>Welcome to Acme's portal.</p>"),
        "{}",
        rp.body
    );
    assert!(rp.body.contains("Pay your service charge here."));
    assert!(rp.body.contains("--brand:#0b6e4f"));
    let events = t.audit_events(org.id).await;
    assert!(events.iter().any(|(a, c, s)| a == "update" && c == "admin" && s.contains("changed the organisation's legal name, company number, address, contact email, contact phone, brand colour")), "{events:#?}");
    // The form from before that save is stale now: refused, not silently undone.
    let stale = b
        .post(&host, "/settings", &settings_form(&csrf, &v, "#1d4f91"))
        .await;
    assert_eq!(stale.status, 409, "{}", stale.body);
    assert!(stale.body.contains("Someone else changed the settings"));
    let colour: String = t
        .scalar(
            "SELECT brand_colour FROM organisations WHERE slug = 'acme'",
            params![],
        )
        .await;
    assert_eq!(colour, "#0b6e4f");
    // A Manager may read the settings but not change them.
    let (mb, _) = signed_in(&t, &org.manager_email).await;
    let page = mb.get(&host, "/settings").await;
    assert_eq!(page.status, 200);
    assert!(!page.body.contains("Save settings"));
    let refused = mb
        .post(
            &host,
            "/settings",
            &settings_form(&page.csrf(), &version(&shown), "#000000"),
        )
        .await;
    assert_eq!(refused.status, 403, "{}", refused.body);
}

/// A PNG of `w` × `h` grey pixels with a text chunk naming its author.
fn png(w: u32, h: u32) -> Vec<u8> {
    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for b in bytes {
            crc ^= u32::from(*b);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }
    fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
        out.extend_from_slice(&u32::try_from(data.len()).unwrap_or(0).to_be_bytes());
        let mut body = kind.to_vec();
        body.extend_from_slice(data);
        out.extend_from_slice(&body);
        out.extend_from_slice(&crc32(&body).to_be_bytes());
    }
    // Rows of a filter byte and grey pixels, in stored (uncompressed) deflate blocks.
    let mut raw = Vec::new();
    for _ in 0..h {
        raw.push(0);
        raw.extend(std::iter::repeat_n(0x80u8, w as usize));
    }
    let mut zlib = vec![0x78, 0x01];
    let blocks: Vec<&[u8]> = raw.chunks(65_535).collect();
    for (i, block) in blocks.iter().enumerate() {
        zlib.push(u8::from(i + 1 == blocks.len()));
        let len = u16::try_from(block.len()).unwrap_or(0);
        zlib.extend_from_slice(&len.to_le_bytes());
        zlib.extend_from_slice(&(!len).to_le_bytes());
        zlib.extend_from_slice(block);
    }
    let (mut a, mut b) = (1u32, 0u32);
    for byte in &raw {
        a = (a + u32::from(*byte)) % 65_521;
        b = (b + a) % 65_521;
    }
    zlib.extend_from_slice(&((b << 16) | a).to_be_bytes());
    let mut out = vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&w.to_be_bytes());
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[8, 0, 0, 0, 0]);
    chunk(&mut out, b"IHDR", &ihdr);
    chunk(&mut out, b"tEXt", b"Author\0Jane Designer, 12 Secret Lane");
    chunk(&mut out, b"IDAT", &zlib);
    chunk(&mut out, b"IEND", &[]);
    out
}

/// A multipart form with the token and one file.
fn multipart(csrf: &str, file_name: &str, bytes: &[u8]) -> (String, Vec<u8>) {
    let boundary = "----proplinktestboundary";
    let mut body = Vec::new();
    body.extend_from_slice(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n")
            .as_bytes(),
    );
    body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"logo\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes());
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn upload(b: &Browser, host: &str, file_name: &str, bytes: &[u8]) -> Page {
    let csrf = b.get(host, "/settings").await.csrf();
    let (content_type, body) = multipart(&csrf, file_name, bytes);
    b.request(
        "POST",
        host,
        "/settings/logo",
        &[("content-type", &content_type)],
        body,
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_png_logo_is_kept_without_its_metadata_and_svgs_or_oversized_files_are_refused() {
    let t = spawn_app().await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    let (b, host) = signed_in(&t, &org.owner_email()).await;
    let files: i64 = t.scalar("SELECT COUNT(*) FROM files", params![]).await;
    let svg = br#"<svg xmlns="http://www.w3.org/2000/svg" onload="alert(document.cookie)"><rect width="10" height="10"/></svg>"#;
    let page = upload(&b, &host, "logo.svg", svg).await;
    assert_eq!(page.status, 422, "{}", page.body);
    assert!(
        page.body.contains("SVG logos are not accepted"),
        "{}",
        page.body
    );
    let page = upload(&b, &host, "logo.png", &png(1200, 600)).await;
    assert_eq!(page.status, 413, "{}", page.body);
    assert!(page.body.contains("512 KB or smaller"));
    let page = upload(&b, &host, "logo.png", &png(8, 8)).await;
    assert_eq!(page.status, 422, "too small to read: {}", page.body);
    let after: i64 = t.scalar("SELECT COUNT(*) FROM files", params![]).await;
    assert_eq!(after, files, "nothing stored");
    let logo: Option<String> = t
        .scalar(
            "SELECT logo_sha FROM organisations WHERE slug = 'acme'",
            params![],
        )
        .await;
    assert_eq!(logo, None);
    // A real PNG is kept, stripped of its author, and shown on every door.
    let page = upload(&b, &host, "logo.png", &png(64, 32)).await;
    assert_eq!(page.status, 303, "{}", page.body);
    let sha: Option<String> = t
        .scalar(
            "SELECT logo_sha FROM organisations WHERE slug = 'acme'",
            params![],
        )
        .await;
    let sha = sha.unwrap_or_else(|| panic!("no logo"));
    let shown = b.get(&host, "/dashboard").await;
    assert!(shown.body.contains(&format!("src=\"/brand/logo/{sha}\"")));
    let residence = format!("acme.{}", t.app.config.residence_domain);
    let served = t
        .browser()
        .get(&residence, &format!("/brand/logo/{sha}"))
        .await;
    assert_eq!(served.status, 200);
    assert_eq!(
        served
            .headers
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("image/png")
    );
    assert!(served.bytes.starts_with(b"\x89PNG"));
    assert!(
        !served.bytes.windows(6).any(|w| w == b"Secret"),
        "the metadata is gone"
    );
    // Only the current logo is served without signing in: not another file by its hash,
    // nor this logo from another organisation's door.
    let photo_like = "0".repeat(64);
    assert_eq!(
        t.browser()
            .get(&residence, &format!("/brand/logo/{photo_like}"))
            .await
            .status,
        404
    );
    let other = fixtures::org(&t.app, "birch", "Birchwood").await;
    let _ = other;
    let birch = format!("birch.{}", t.app.config.residence_domain);
    assert_eq!(
        t.browser()
            .get(&birch, &format!("/brand/logo/{sha}"))
            .await
            .status,
        404
    );
    // A Manager cannot change the logo.
    let (mb, _) = signed_in(&t, &org.manager_email).await;
    let page = upload(&mb, &host, "logo.png", &png(64, 32)).await;
    assert_eq!(page.status, 403, "{}", page.body);
}
