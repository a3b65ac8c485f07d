//! `fr-sync`: Facility Report's sync from the command line, for operations and for the tests
//! that kill a sync mid-way.
//!
//! ```text
//! fr-sync --db PATH sync       run one full sync; prints its report as JSON
//! fr-sync --db PATH outbox     print the outbox as JSON
//! ```
//!
//! With `FR_SYNC_STATS=1` it also prints its peak memory (`peak_rss_kb`) on stderr at the end.

use std::path::PathBuf;
use std::process::ExitCode;

use facility_report_core::{CoreError, Store, actions, sync};

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (db, command) = match args.as_slice() {
        [flag, db, command] if flag == "--db" => (PathBuf::from(db), command.as_str()),
        _ => {
            eprintln!("usage: fr-sync --db PATH <sync|outbox>");
            return ExitCode::from(64);
        }
    };
    let outcome = run(&db, command).await;
    if std::env::var_os("FR_SYNC_STATS").is_some() {
        // The kernel's high-water mark of this process's resident memory.
        let peak = std::fs::read_to_string("/proc/self/status")
            .ok()
            .and_then(|s| {
                s.lines().find_map(|l| {
                    l.strip_prefix("VmHWM:")
                        .map(|v| v.trim().trim_end_matches(" kB").to_owned())
                })
            });
        eprintln!("peak_rss_kb: {}", peak.unwrap_or_else(|| "unknown".into()));
    }
    match outcome {
        Ok(json) => {
            println!("{json}");
            ExitCode::SUCCESS
        }
        Err(CoreError::Offline(m)) => {
            eprintln!("offline: {m}");
            ExitCode::from(75)
        }
        Err(e) => {
            eprintln!("{}: {e}", e.code());
            ExitCode::FAILURE
        }
    }
}

async fn run(db: &std::path::Path, command: &str) -> Result<String, CoreError> {
    let store = Store::open(db)?;
    match command {
        "sync" => {
            let report = sync::sync_with(&store, |phase| {
                // Written unbuffered, so a process killed mid-step still says where it was.
                eprintln!(
                    "phase: {}",
                    serde_json::to_string(&phase)
                        .unwrap_or_default()
                        .trim_matches('"')
                );
            })
            .await?;
            Ok(serde_json::to_string(&report)?)
        }
        "outbox" => Ok(serde_json::to_string(&actions::outbox(&store)?)?),
        other => Err(CoreError::Invalid(
            proplink_shared::records::ValidationErrors::single(
                "command",
                format!("unknown command {other}"),
            ),
        )),
    }
}
