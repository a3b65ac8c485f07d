//! Housekeeping that runs beside the server: forgetting rate events, codes and sessions that
//! can no longer matter, uploads abandoned for a day, and pushes finished with 90 days ago.

use std::time::Duration;

use crate::app::App;
use crate::error::AppResult;

/// Rate events older than this count towards no limit.
const RATE_MEMORY: time::Duration = time::Duration::hours(2);

/// Pushes done with (sent, gone, given up on) stay in the communications log this long.
const PUSH_MEMORY: time::Duration = time::Duration::days(90);

/// One round of housekeeping; returns how many things it removed.
pub async fn tidy(app: &App) -> AppResult<u64> {
    let now = app.clock.now();
    let mut tx = app.db.begin().await?;
    let pruned = crate::store::auth::prune(&mut tx, now, now - RATE_MEMORY).await?;
    let pushes = crate::store::push::prune(&mut tx, now - PUSH_MEMORY).await?;
    tx.commit().await?;
    let uploads = super::files::prune_stale_uploads(app).await?;
    Ok(pruned + pushes + uploads as u64)
}

/// Tidies every hour until the process stops.
pub async fn run(app: App) {
    loop {
        if let Err(e) = tidy(&app).await {
            tracing::warn!(error = ?e, "housekeeping");
        }
        tokio::time::sleep(Duration::from_secs(3600)).await;
    }
}
