//! Pushes on a desktop build, for development and tests: the app takes RFC 8030 deliveries on
//! this machine's loopback, as a phone's UnifiedPush distributor would hand them over, and
//! registers that address with PropLink as its Web Push endpoint. What arrives is decrypted
//! with the app's own keys (`facility_report_core::push`) and shown like any notification. A
//! server sends to such an address only when it allows insecure endpoints; otherwise it
//! refuses the registration and the app carries on without pushes.

use std::convert::Infallible;
use std::sync::Arc;

use bytes::Bytes;
use facility_report_core::{Store, push};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_remote_push::PushEvent;

/// The most a push message may be (RFC 8030 §7.2: push services accept at least 4096 bytes).
const LARGEST: usize = 4096;

/// Starts listening on a free loopback port; returns the endpoint to register.
pub fn start<R: Runtime>(app: AppHandle<R>, store: Arc<Store>) -> std::io::Result<String> {
    let listener = std::net::TcpListener::bind(("127.0.0.1", 0))?;
    listener.set_nonblocking(true)?;
    let endpoint = format!("http://{}/push", listener.local_addr()?);
    tauri::async_runtime::spawn(async move {
        let Ok(listener) = tokio::net::TcpListener::from_std(listener) else {
            return;
        };
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let (app, store) = (app.clone(), store.clone());
            tauri::async_runtime::spawn(async move {
                let service = service_fn(move |req| deliver(app.clone(), store.clone(), req));
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    Ok(endpoint)
}

fn answer(status: StatusCode) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::new()));
    *response.status_mut() = status;
    response
}

/// One delivery: `201 Created` once shown, as a push service answers (RFC 8030 §5).
async fn deliver<R: Runtime>(
    app: AppHandle<R>,
    store: Arc<Store>,
    req: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    if req.method() != Method::POST || req.uri().path() != "/push" {
        return Ok(answer(StatusCode::NOT_FOUND));
    }
    let Ok(body) = Limited::new(req.into_body(), LARGEST).collect().await else {
        return Ok(answer(StatusCode::PAYLOAD_TOO_LARGE));
    };
    let message = body.to_bytes();
    let opened = tauri::async_runtime::spawn_blocking(move || {
        push::decrypt(&store, &message)
            .ok()
            .and_then(|plain| String::from_utf8(plain).ok())
    })
    .await;
    Ok(match opened {
        Ok(Some(payload)) => {
            // From here on, as a phone's push: shown, in the app's bar, and synced.
            if let Some(state) = app.try_state::<crate::AppState>() {
                state.pushes.tell(PushEvent::Received {
                    payload,
                    shown: false,
                });
            }
            answer(StatusCode::CREATED)
        }
        // Not sealed for this app's keys: nothing to show.
        _ => answer(StatusCode::BAD_REQUEST),
    })
}
