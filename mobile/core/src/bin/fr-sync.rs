//! `fr-sync`: Facility Report's sync from the command line, for operations and for the tests
//! that kill a sync mid-way.
//!
//! ```text
//! fr-sync --db PATH sync       run one full sync; prints its report as JSON
//! fr-sync --db PATH outbox     print the outbox as JSON
//! ```

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
    match run(&db, command).await {
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
