//! Facility Report's Tauri shell: opens the store, registers the plugins and the commands, and
//! leaves the work to `facility-report-core`.

mod commands;
#[cfg(desktop)]
mod push_receiver;
mod pushes;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use facility_report_core::Store;
use tauri::{Manager, Runtime};

/// What every command reaches: the on-device store.
pub struct AppState {
    pub store: Arc<Store>,
    /// Where photos from the camera wait until they are attached to a change.
    pub incoming: PathBuf,
    /// The server the sign-in form suggests.
    pub default_server: String,
    /// Where pushes reach this device, on a build that takes them.
    pub push_endpoint: Option<String>,
    /// The records pushes told of lately, so that a sync does not tell of them again.
    pushed: Mutex<HashMap<String, Instant>>,
    /// Push events waiting to be handled.
    pushes: pushes::Queue,
}

/// How long a record a push told of is not told of again by a sync.
const PUSHED_LATELY: Duration = Duration::from_secs(600);

impl AppState {
    fn note_pushed(&self, record: &str) {
        if let Ok(mut pushed) = self.pushed.lock() {
            pushed.retain(|_, at| at.elapsed() < PUSHED_LATELY);
            pushed.insert(record.to_owned(), Instant::now());
        }
    }

    fn pushed_lately(&self, record: &str) -> bool {
        !record.is_empty()
            && self.pushed.lock().is_ok_and(|pushed| {
                pushed
                    .get(record)
                    .is_some_and(|at| at.elapsed() < PUSHED_LATELY)
            })
    }
}

#[cfg_attr(mobile, tauri::mobile_entry_point)]
pub fn run() {
    if let Err(e) = run_app(tauri::Builder::default()) {
        eprintln!("Facility Report could not start: {e}");
        std::process::exit(1);
    }
}

/// Builds and runs the app on any runtime, so tests can drive it with a mock runtime.
pub fn run_app<R: Runtime>(builder: tauri::Builder<R>) -> tauri::Result<()> {
    // The remote-push plugin comes after the notification plugin: on an iPhone it takes over
    // the notification centre for APNs' notifications and passes the app's own on to it.
    let builder = builder
        .plugin(tauri_plugin_notification::init())
        .plugin(tauri_plugin_remote_push::init());
    #[cfg(target_os = "android")]
    let builder = builder.plugin(tauri_plugin_camera::init());
    builder
        .setup(|app| {
            // FACILITY_REPORT_DATA_DIR keeps a development or test run apart from the real app's data.
            let dir = match std::env::var_os("FACILITY_REPORT_DATA_DIR") {
                Some(dir) => PathBuf::from(dir),
                None => app.path().app_data_dir()?,
            };
            let store = Store::open(&dir.join("facility-report.db"))
                .map_err(|e| Box::new(e) as Box<dyn std::error::Error>)?;
            let incoming = dir.join("incoming");
            std::fs::create_dir_all(&incoming)?;
            let default_server = std::env::var("FACILITY_REPORT_SERVER")
                .unwrap_or_else(|_| "https://api.proplink.app".into());
            let store = Arc::new(store);
            #[cfg(desktop)]
            let push_endpoint = push_receiver::start(app.handle().clone(), store.clone())
                .map_err(|e| eprintln!("Facility Report: no pushes on this desktop: {e}"))
                .ok();
            #[cfg(not(desktop))]
            let push_endpoint = None;
            // Signed in from before, pushes are asked for again when the screens start
            // (`listen_for_pushes`): the desktop's endpoint is new at every start.
            app.manage(AppState {
                store,
                incoming,
                default_server,
                push_endpoint,
                pushed: Mutex::new(HashMap::new()),
                pushes: pushes::Queue::start(app.handle()),
            });
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::account,
            commands::request_code,
            commands::sign_in,
            commands::sign_out,
            commands::listen_for_pushes,
            commands::sites,
            commands::site_work,
            commands::stash_photo,
            commands::log_issue,
            commands::raise_ticket,
            commands::update_work_order,
            commands::reply_ticket,
            commands::link_issue,
            commands::search,
            commands::recent_locations,
            commands::photo,
            commands::features,
            commands::outbox,
            commands::retry,
            commands::discard,
            commands::sync_now,
        ])
        .run(tauri::generate_context!())
}
