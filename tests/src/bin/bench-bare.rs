//! The baseline of `cargo xtask bench pages`: a bare axum handler answering every request with
//! the same 8 KiB HTML page, held in memory. Whatever a PropLink page costs beyond this is the
//! cost of PropLink.
//!
//! Usage: bench-bare <listen address>

const PAGE_BYTES: usize = 8 * 1024;

#[tokio::main]
async fn main() {
    let listen = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:0".into());
    let mut page = String::from(
        "<!doctype html><html lang=\"en\"><head><title>Bare</title></head><body><main>",
    );
    while page.len() < PAGE_BYTES - 30 {
        page.push_str("<p>The quick brown fox jumps over the lazy dog.</p>");
    }
    page.push_str("</main></body></html>");
    let page: &'static str = Box::leak(page.into_boxed_str());
    let app = axum::Router::new().fallback(move || async move { axum::response::Html(page) });
    let listener = tokio::net::TcpListener::bind(&listen)
        .await
        .unwrap_or_else(|e| panic!("binding {listen}: {e}"));
    println!(
        "bare page ({} bytes) on http://{}",
        page.len(),
        listener.local_addr().unwrap_or_else(|e| panic!("{e}"))
    );
    axum::serve(listener, app)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
}
