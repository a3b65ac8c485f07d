//! Facility Report's Tauri shell: opens the store, registers the plugins and the commands, and
//! leaves the work to `facility-report-core`.

mod commands;

use std::path::PathBuf;
use std::sync::Arc;

use facility_report_core::Store;
use tauri::{Manager, Runtime};

/// What every command reaches: the on-device store.
pub struct AppState {
    pub store: Arc<Store>,
    /// Where photos from the camera wait until they are attached to a change.
    pub incoming: PathBuf,
    /// The server the sign-in form suggests.
    pub default_server: String,
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
    let builder = builder.plugin(tauri_plugin_notification::init());
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
            app.manage(AppState {
                store: Arc::new(store),
                incoming,
                default_server,
            });
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::account,
            commands::request_code,
            commands::sign_in,
            commands::sign_out,
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
