//! Static assets, embedded in the binary and served under names that carry a hash of their
//! content: a browser keeps them for a year and asks again only when they change.

use std::sync::LazyLock;

use axum::Router;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use base64::Engine as _;
use sha2::{Digest, Sha256};

const STYLESHEET: &str = include_str!("../../assets/app.css");
const FAVICON: &str = include_str!("../../assets/favicon.svg");
/// Turns notifications on when the person asks: on the pages that offer it, and only there.
const PUSH_SCRIPT: &str = include_str!("../../assets/push.js");
/// The service worker that shows pushes: served at the root so its scope is the whole door,
/// and never cached, so a new one takes over at once.
const SERVICE_WORKER: &str = include_str!("../../assets/sw.js");

/// An asset's address: its name with the first hex digits of its SHA-256.
fn hashed(stem: &str, ext: &str, content: &str) -> String {
    let hash = hex::encode(Sha256::digest(content.as_bytes()));
    format!("/assets/{stem}.{}.{ext}", &hash[..12])
}

static STYLESHEET_HREF: LazyLock<String> = LazyLock::new(|| hashed("app", "css", STYLESHEET));
static FAVICON_HREF: LazyLock<String> = LazyLock::new(|| hashed("favicon", "svg", FAVICON));
static PUSH_SCRIPT_SRC: LazyLock<String> = LazyLock::new(|| hashed("push", "js", PUSH_SCRIPT));

#[must_use]
pub fn push_script_src() -> &'static str {
    &PUSH_SCRIPT_SRC
}

#[must_use]
pub fn stylesheet_href() -> &'static str {
    &STYLESHEET_HREF
}

#[must_use]
pub fn favicon_href() -> &'static str {
    &FAVICON_HREF
}

const FOREVER: &str = "public, max-age=31536000, immutable";

pub fn router<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new()
        .route(
            stylesheet_href(),
            get(|| async { asset("text/css; charset=utf-8", FOREVER, STYLESHEET) }),
        )
        .route(
            favicon_href(),
            get(|| async { asset("image/svg+xml", FOREVER, FAVICON) }),
        )
        .route(
            push_script_src(),
            get(|| async { asset("text/javascript; charset=utf-8", FOREVER, PUSH_SCRIPT) }),
        )
        .route(
            "/sw.js",
            get(|| async {
                let mut response =
                    asset("text/javascript; charset=utf-8", "no-cache", SERVICE_WORKER);
                response.headers_mut().insert(
                    header::HeaderName::from_static("service-worker-allowed"),
                    header::HeaderValue::from_static("/"),
                );
                response
            }),
        )
        // Browsers ask for this name whatever the page says.
        .route(
            "/favicon.ico",
            get(|| async { asset("image/svg+xml", "public, max-age=86400", FAVICON) }),
        )
}

fn asset(content_type: &'static str, cache: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, cache),
        ],
        body,
    )
        .into_response()
}

/// An organisation's brand colour as the style block a page carries inline, and the
/// Content-Security-Policy source that allows exactly that block.
#[must_use]
pub fn brand_style(colour: &str) -> (String, String) {
    let colour = if is_colour(colour) { colour } else { "#1d4f91" };
    let css = format!(":root{{--brand:{colour}}}");
    let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(css.as_bytes()));
    (css, format!("'sha256-{hash}'"))
}

/// `#rrggbb`, and nothing else, ever reaches a style block.
#[must_use]
pub fn is_colour(text: &str) -> bool {
    text.len() == 7 && text.starts_with('#') && text[1..].bytes().all(|b| b.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn asset_names_change_with_their_content() {
        assert!(stylesheet_href().starts_with("/assets/app."));
        assert_ne!(hashed("app", "css", "a"), hashed("app", "css", "b"));
    }

    #[test]
    fn only_a_colour_reaches_the_style_block() {
        assert_eq!(brand_style("#123abc").0, ":root{--brand:#123abc}");
        assert_eq!(
            brand_style("red;}body{display:none").0,
            ":root{--brand:#1d4f91}"
        );
        assert!(brand_style("#123abc").1.starts_with("'sha256-"));
    }
}
