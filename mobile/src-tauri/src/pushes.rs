//! Pushes, whichever way they come: on phones through the remote-push plugin (UnifiedPush on
//! Android, APNs on iPhones), on a desktop build through its loopback receiver. Both tell of
//! what happened as a [`PushEvent`], and this module does the rest: tells PropLink where to
//! push, shows what arrives, and opens the record a tap names.

use facility_report_core::push::{self, Keys};
use facility_report_core::{CoreError, Store};
use tauri::{AppHandle, Emitter, Manager, Runtime};
use tauri_plugin_remote_push::{PushEvent, RemotePushExt};

use crate::AppState;
use crate::commands::{device_name, notify};

/// What a UnifiedPush distributor shows for this app.
const LABEL: &str = "Facility Report";

/// Where push events wait to be handled, one at a time and in the order they came: a new
/// endpoint is registered before the next is, and the phone's main thread, which tells of
/// them on Android, never waits for the network.
pub(crate) struct Queue(tokio::sync::mpsc::UnboundedSender<PushEvent>);

impl Queue {
    /// Starts the one task that handles what is queued.
    pub(crate) fn start<R: Runtime>(app: &AppHandle<R>) -> Queue {
        let (queue, mut events) = tokio::sync::mpsc::unbounded_channel();
        let app = app.clone();
        tauri::async_runtime::spawn(async move {
            while let Some(event) = events.recv().await {
                handle(&app, event).await;
            }
        });
        Queue(queue)
    }

    pub(crate) fn tell(&self, event: PushEvent) {
        // The task ends only with the app.
        let _ = self.0.send(event);
    }
}

/// Starts hearing the phone's push service, then asks it for pushes if someone is signed in.
/// The screens call this once they listen for `pushed` and `push-opened`, so that the tap that
/// opened the app is not told to nobody.
pub(crate) async fn start<R: Runtime>(app: &AppHandle<R>) {
    let listening = app.clone();
    let listened = tauri::async_runtime::spawn_blocking(move || {
        let handler = listening.clone();
        listening.remote_push().listen(move |event| {
            if let Some(state) = handler.try_state::<AppState>() {
                state.pushes.tell(event);
            }
        })
    })
    .await;
    if let Ok(Err(e)) = listened {
        // A desktop build has no remote push and says so; its receiver needs no listening.
        if !matches!(e, tauri_plugin_remote_push::Error::Unsupported) {
            eprintln!("Facility Report: pushes cannot be heard: {e}");
        }
    }
    let state = app.state::<AppState>();
    if state.store.meta("token").ok().flatten().is_some() {
        ask(app).await;
    }
}

/// Asks for pushes to this device: registers the desktop receiver's endpoint, or asks the
/// phone's push service, whose endpoint or token comes back as an event. Without pushes the
/// app learns of things when it syncs, so a refusal is logged, not shown.
pub(crate) async fn ask<R: Runtime>(app: &AppHandle<R>) {
    let state = app.state::<AppState>();
    if let Some(endpoint) = state.push_endpoint.clone() {
        register_endpoint(&state.store, &endpoint, None).await;
        return;
    }
    let key = match push::server_key(&state.store).await {
        Ok(key) => key,
        Err(e) => {
            eprintln!("Facility Report: pushes are off on this device: {e}");
            return;
        }
    };
    let asking = app.clone();
    let answer =
        tauri::async_runtime::spawn_blocking(move || asking.remote_push().register(&key, LABEL))
            .await;
    match answer {
        Ok(Ok(registration)) if !registration.available => eprintln!(
            "Facility Report: pushes are off on this device: {}",
            registration.reason.unwrap_or_default()
        ),
        Ok(Err(e)) => eprintln!("Facility Report: pushes are off on this device: {e}"),
        _ => {}
    }
}

/// Stops pushes to this device, as before signing out: PropLink forgets where to push (while
/// the token still works), then the phone's push service forgets the app.
pub(crate) async fn stop<R: Runtime>(app: &AppHandle<R>) {
    let state = app.state::<AppState>();
    // Offline, the server forgets the device with its token.
    let _ = push::unregister(&state.store).await;
    let stopping = app.clone();
    let _ = tauri::async_runtime::spawn_blocking(move || stopping.remote_push().unregister()).await;
}

/// Does what a push event asks.
async fn handle<R: Runtime>(app: &AppHandle<R>, event: PushEvent) {
    let Some(state) = app.try_state::<AppState>() else {
        return;
    };
    let store = &state.store;
    match event {
        PushEvent::Endpoint { url, p256dh, auth } => {
            let keys = p256dh.zip(auth).map(|(p256dh, auth)| Keys { p256dh, auth });
            register_endpoint(store, &url, keys).await;
        }
        PushEvent::Token { token } => {
            let registered = push::register_token(store, &token, &device_name()).await;
            log_refusal(registered.map(|_| ()));
        }
        PushEvent::Received { payload, shown } => match push::open(payload.as_bytes()) {
            Ok(notification) => {
                if shown {
                    state.note_pushed(&notification.record);
                } else {
                    let showing = app.clone();
                    let shown = notification.clone();
                    // Showing waits for the phone's main thread: not on the runtime's.
                    let _ = tauri::async_runtime::spawn_blocking(move || {
                        notify(&showing, &shown, "push");
                    })
                    .await;
                }
                // The app shows it in its own bar too, and syncs to fetch the record.
                let _ = app.emit("pushed", &notification);
            }
            Err(e) => eprintln!("Facility Report: {e}"),
        },
        PushEvent::Opened { payload } => {
            if let Ok(notification) = push::open(payload.as_bytes()) {
                if !notification.record.is_empty() {
                    let _ = app.emit("push-opened", &notification.record);
                }
            }
        }
        // The distributor dropped the app: the endpoint reaches nothing now.
        PushEvent::Unregistered { reason } if reason == "UNREGISTERED" => {
            eprintln!("Facility Report: the phone stopped pushes");
            log_refusal(push::unregister(store).await);
        }
        // Registering failed (no network, the distributor wants the person, APNs refused):
        // whatever was registered before stays, and the app asks again at its next start.
        PushEvent::Unregistered { reason } => {
            eprintln!("Facility Report: pushes could not be set up ({reason})");
        }
    }
}

/// Tells PropLink where pushes reach this device, with the keys they are sealed for (the
/// app's own when `None`). Signed out, there is no one to push to.
pub(crate) async fn register_endpoint(store: &Store, endpoint: &str, keys: Option<Keys>) {
    let registered = push::register_endpoint(store, endpoint, keys, &device_name()).await;
    log_refusal(registered.map(|_| ()));
}

fn log_refusal(result: Result<(), CoreError>) {
    match result {
        Ok(()) | Err(CoreError::NotSignedIn) => {}
        Err(e) => eprintln!("Facility Report: pushes are off on this device: {e}"),
    }
}
