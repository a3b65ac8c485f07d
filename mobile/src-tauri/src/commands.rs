//! The commands the app's pages call. Each is a thin call into `facility-report-core`; errors
//! cross the bridge as `{code, message, fields}`, never as bare strings.

use std::path::PathBuf;

use facility_report_core::actions::{self, IssueInput, OutboxItem, TicketInput};
use facility_report_core::sync::{self, Report};
use facility_report_core::view::{self, Account, Site, SiteWork};
use facility_report_core::{CoreError, Store};
use proplink_shared::states::WorkOrderStatus;
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Manager, Runtime, State};
use tauri_plugin_notification::NotificationExt;

use crate::AppState;

type Result<T> = std::result::Result<T, CoreError>;

/// Runs `work` against the phone's store on a thread kept for blocking work. Its writes wait
/// for the disk (`synchronous = FULL`); on the main thread, as a plain command runs, they would
/// freeze the window while they do.
async fn on_store<T: Send + 'static>(
    state: &State<'_, AppState>,
    work: impl FnOnce(&Store) -> Result<T> + Send + 'static,
) -> Result<T> {
    let store = state.store.clone();
    tauri::async_runtime::spawn_blocking(move || work(&store))
        .await
        .map_err(|e| CoreError::Storage(e.to_string()))?
}

fn parse<T: std::str::FromStr>(field: &'static str, value: &str) -> Result<T> {
    value.parse().map_err(|_| {
        CoreError::Invalid(proplink_shared::records::ValidationErrors::single(
            field,
            "That choice is not valid",
        ))
    })
}

/// An optional choice: empty means none.
fn optional<T: std::str::FromStr>(field: &'static str, value: Option<&str>) -> Result<Option<T>> {
    value
        .filter(|v| !v.is_empty())
        .map(|v| parse(field, v))
        .transpose()
}

#[derive(Serialize)]
pub struct AccountView {
    #[serde(flatten)]
    account: Account,
    default_server: String,
}

#[tauri::command]
pub async fn account(state: State<'_, AppState>) -> Result<AccountView> {
    Ok(AccountView {
        account: on_store(&state, view::account).await?,
        default_server: state.default_server.clone(),
    })
}

#[tauri::command]
pub async fn request_code(
    server: String,
    org: String,
    email: String,
) -> Result<proplink_shared::sync::CodeSent> {
    sync::request_code(&server, &org, &email).await
}

#[tauri::command]
pub async fn sign_in<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    server: String,
    org: String,
    email: String,
    code: String,
) -> Result<Account> {
    let store = state.store.clone();
    sync::sign_in(&store, &server, &org, &email, &code, &device_name()).await?;
    // Fetch the sites at once; offline, the app still opens and syncs later.
    match sync::sync(&store).await {
        Ok(_) | Err(CoreError::Offline(_)) => {}
        Err(e) => return Err(e),
    }
    crate::pushes::ask(&app).await;
    view::account(&store)
}

/// Starts hearing pushes; the screens call it once they listen for what pushes bring.
#[tauri::command]
pub async fn listen_for_pushes<R: Runtime>(app: AppHandle<R>) -> Result<()> {
    crate::pushes::start(&app).await;
    Ok(())
}

pub(crate) fn device_name() -> String {
    std::env::var("HOSTNAME")
        .ok()
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "Facility Report".into())
}

#[tauri::command]
pub async fn sign_out<R: Runtime>(app: AppHandle<R>, state: State<'_, AppState>) -> Result<()> {
    // Pushes stop before the token goes.
    crate::pushes::stop(&app).await;
    on_store(&state, sync::sign_out).await
}

#[tauri::command]
pub async fn sites(state: State<'_, AppState>) -> Result<Vec<Site>> {
    on_store(&state, view::sites).await
}

#[tauri::command]
pub async fn site_work(state: State<'_, AppState>, site_id: String) -> Result<SiteWork> {
    on_store(&state, move |store| view::site_work(store, &site_id)).await
}

/// Keeps a photo from the camera (raw bytes in the request body) until it is attached to a
/// change; returns its path on the phone.
#[tauri::command]
pub async fn stash_photo(
    state: State<'_, AppState>,
    request: tauri::ipc::Request<'_>,
) -> Result<String> {
    let tauri::ipc::InvokeBody::Raw(bytes) = request.body() else {
        return Err(CoreError::Invalid(
            proplink_shared::records::ValidationErrors::single(
                "photos",
                "The photo did not arrive",
            ),
        ));
    };
    if bytes.is_empty() {
        return Err(CoreError::Invalid(
            proplink_shared::records::ValidationErrors::single("photos", "The photo is empty"),
        ));
    }
    let path = state.incoming.join(format!("{}.jpg", uuid::Uuid::now_v7()));
    let bytes = bytes.clone();
    let written = path.clone();
    tauri::async_runtime::spawn_blocking(move || std::fs::write(&written, bytes))
        .await
        .map_err(|e| CoreError::Storage(e.to_string()))??;
    Ok(path.to_string_lossy().into_owned())
}

fn photo_paths(state: &State<'_, AppState>, photos: &[String]) -> Result<Vec<PathBuf>> {
    // Only files this app stashed may be attached.
    photos
        .iter()
        .map(|p| {
            let path = PathBuf::from(p);
            if path.parent() == Some(state.incoming.as_path()) {
                Ok(path)
            } else {
                Err(CoreError::NotAllowed(
                    "That photo is not one taken in the app".into(),
                ))
            }
        })
        .collect()
}

#[derive(Deserialize)]
pub struct IssueForm {
    site_id: String,
    #[serde(default)]
    building_id: Option<String>,
    #[serde(default)]
    ticket_id: Option<String>,
    title: String,
    #[serde(default)]
    description: String,
    location: String,
    category: String,
    priority: String,
    #[serde(default)]
    photos: Vec<String>,
}

#[tauri::command]
pub async fn log_issue(state: State<'_, AppState>, form: IssueForm) -> Result<String> {
    let photos = photo_paths(&state, &form.photos)?;
    let site_id = parse("site_id", &form.site_id)?;
    let building_id = optional("building", form.building_id.as_deref())?;
    let ticket_id = optional("ticket", form.ticket_id.as_deref())?;
    on_store(&state, move |store| {
        let input = IssueInput {
            site_id,
            building_id,
            ticket_id,
            title: &form.title,
            description: &form.description,
            location: &form.location,
            category: &form.category,
            priority: &form.priority,
            photos: &photos,
        };
        let id = actions::log_issue(store, &input)?;
        forget(&photos);
        Ok(id.to_string())
    })
    .await
}

#[derive(Deserialize)]
pub struct TicketForm {
    site_id: String,
    subject: String,
    body: String,
    category: String,
    priority: String,
    #[serde(default)]
    photos: Vec<String>,
}

#[tauri::command]
pub async fn raise_ticket(state: State<'_, AppState>, form: TicketForm) -> Result<String> {
    let photos = photo_paths(&state, &form.photos)?;
    let site_id = parse("site_id", &form.site_id)?;
    on_store(&state, move |store| {
        let input = TicketInput {
            site_id,
            subject: &form.subject,
            body: &form.body,
            category: &form.category,
            priority: &form.priority,
            photos: &photos,
        };
        let id = actions::raise_ticket(store, &input)?;
        forget(&photos);
        Ok(id.to_string())
    })
    .await
}

#[tauri::command]
pub async fn update_work_order(
    state: State<'_, AppState>,
    id: String,
    to: Option<String>,
    note: Option<String>,
    photos: Vec<String>,
) -> Result<()> {
    let paths = photo_paths(&state, &photos)?;
    let to: Option<WorkOrderStatus> = to
        .filter(|t| !t.is_empty())
        .map(|t| parse("status", &t))
        .transpose()?;
    let id = parse("id", &id)?;
    on_store(&state, move |store| {
        actions::update_work_order(store, id, to, note.as_deref(), &paths)?;
        forget(&paths);
        Ok(())
    })
    .await
}

#[tauri::command]
pub async fn reply_ticket(
    state: State<'_, AppState>,
    id: String,
    body: String,
    internal: bool,
) -> Result<()> {
    let id = parse("id", &id)?;
    on_store(&state, move |store| {
        actions::reply_ticket(store, id, &body, internal)
    })
    .await
}

#[tauri::command]
pub async fn link_issue(
    state: State<'_, AppState>,
    id: String,
    building_id: Option<String>,
    ticket_id: Option<String>,
) -> Result<()> {
    let id = parse("id", &id)?;
    let building = optional("building", building_id.as_deref())?;
    let ticket = optional("ticket", ticket_id.as_deref())?;
    on_store(&state, move |store| {
        actions::link_issue(store, id, building, ticket)
    })
    .await
}

#[tauri::command]
pub async fn search(state: State<'_, AppState>, query: String) -> Result<Vec<view::Found>> {
    on_store(&state, move |store| view::search(store, &query)).await
}

#[tauri::command]
pub async fn recent_locations(state: State<'_, AppState>, site_id: String) -> Result<Vec<String>> {
    on_store(&state, move |store| view::recent_locations(store, &site_id)).await
}

/// A photo from the phone's store, as raw bytes (the screens make an image of them).
#[tauri::command]
pub async fn photo(state: State<'_, AppState>, sha256: String) -> Result<tauri::ipc::Response> {
    let bytes = on_store(&state, move |store| view::photo(store, &sha256)).await?;
    bytes
        .map(tauri::ipc::Response::new)
        .ok_or(CoreError::NotFound)
}

/// What this build of the app can do on this device.
#[derive(Serialize)]
pub struct Features {
    /// The camera plugin takes photos (Android); elsewhere the file picker does.
    camera: bool,
}

#[tauri::command]
pub fn features() -> Features {
    Features {
        camera: cfg!(target_os = "android"),
    }
}

#[tauri::command]
pub async fn outbox(state: State<'_, AppState>) -> Result<Vec<OutboxItem>> {
    on_store(&state, actions::outbox).await
}

#[tauri::command]
pub async fn retry(state: State<'_, AppState>, seq: i64) -> Result<()> {
    on_store(&state, move |store| actions::retry(store, seq)).await
}

#[tauri::command]
pub async fn discard(state: State<'_, AppState>, seq: i64) -> Result<()> {
    on_store(&state, move |store| actions::discard(store, seq)).await
}

/// Syncs now; shows a system notification for what deserves one.
#[tauri::command]
pub async fn sync_now<R: Runtime>(app: AppHandle<R>, state: State<'_, AppState>) -> Result<Report> {
    let report = sync::sync(&state.store).await?;
    for n in &report.notifications {
        // A push told of it already: the app's bar shows it, the system does not again.
        if !state.pushed_lately(&n.record) {
            notify(&app, n, "sync");
        }
    }
    Ok(report)
}

/// Shows a system notification carrying the record a tap opens; `source` says whether a push
/// or a sync brought it. Where `FACILITY_REPORT_NOTIFICATION_LOG` names a file, what was shown
/// is also written there, a line of JSON each, so a test can see what the plugin was asked to
/// show.
pub(crate) fn notify<R: Runtime>(app: &AppHandle<R>, n: &sync::Notification, source: &str) {
    if source == "push" {
        if let Some(state) = app.try_state::<AppState>() {
            state.note_pushed(&n.record);
        }
    }
    // A notification that cannot be shown (permission refused) is not a failed sync.
    let _ = app
        .notification()
        .builder()
        .title(&n.title)
        .body(&n.body)
        .extra("record", &n.record)
        .show();
    if let Some(path) = std::env::var_os("FACILITY_REPORT_NOTIFICATION_LOG") {
        use std::io::Write;
        if let (Ok(mut file), Ok(line)) = (
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path),
            serde_json::to_value(n).map(|mut line| {
                line["source"] = source.into();
                line.to_string()
            }),
        ) {
            let _ = writeln!(file, "{line}");
        }
    }
}

/// The camera's copies are no longer needed once the store has its own.
fn forget(paths: &[PathBuf]) {
    for p in paths {
        let _ = std::fs::remove_file(p);
    }
}
