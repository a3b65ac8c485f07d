//! Hearing what other processes commit to the same database, so what this one remembers of
//! it can be forgotten in time.
//!
//! PostgreSQL: a change announces itself with `NOTIFY`, delivered to every listening replica
//! when (and only if) its transaction commits; each process listens on a connection of its
//! own. SQLite: the writer connection's `data_version` moves when another process commits to
//! the file (this process's own commits do not move it), which is checked every second.

use std::time::Duration;

use tokio_postgres::{AsyncMessage, NoTls};

use super::{Backend, Db, DbResult, Dialect, Tx};
use proplink_shared::OrgId;

const CHANNEL: &str = "proplink_changes";
/// How long a SQLite change made by another process can go unnoticed.
const SQLITE_POLL: Duration = Duration::from_secs(1);
/// The longest wait before listening again after the listener's connection failed.
const MAX_RETRY: Duration = Duration::from_secs(30);

/// What was heard of other processes' changes.
#[derive(Debug, PartialEq, Eq)]
pub enum Heard {
    /// Changes made elsewhere are heard from now on.
    Listening,
    /// A change to one organisation, announced by the process named `by`.
    Changed { by: String, org: OrgId },
    /// A change that cannot be placed in one organisation.
    Unplaced,
    /// Changes made elsewhere are no longer heard, until [`Heard::Listening`] again.
    Deaf,
}

impl Tx {
    /// Announces to the other processes, once this transaction commits, that `org` changed.
    /// `by` names this process, which hears its own announcements too.
    pub async fn announce_change(&mut self, by: &str, org: OrgId) -> DbResult<()> {
        if self.dialect() == Dialect::Postgres {
            let payload = format!("{by} {org}");
            self.execute(
                "SELECT pg_notify('proplink_changes', $1)",
                crate::params![payload],
            )
            .await?;
        }
        Ok(())
    }
}

impl Db {
    /// Tells `heard` what other processes change, from a task of its own, until the process
    /// stops.
    pub fn watch(&self, heard: impl Fn(Heard) + Send + Sync + 'static) {
        let backend = self.backend.clone();
        tokio::spawn(async move {
            match &*backend {
                Backend::Sqlite { writer, .. } => {
                    let mut seen = None;
                    loop {
                        let version = {
                            let conn = writer.lock().await;
                            conn.query_row("PRAGMA data_version", [], |row| row.get::<_, i64>(0))
                        };
                        match (version, seen) {
                            (Ok(v), None) => {
                                seen = Some(v);
                                heard(Heard::Listening);
                            }
                            (Ok(v), Some(before)) if v != before => {
                                seen = Some(v);
                                heard(Heard::Unplaced);
                            }
                            (Ok(_), Some(_)) => {}
                            (Err(e), _) => {
                                tracing::warn!(error = %e, "cannot read SQLite's data_version");
                                seen = None;
                                heard(Heard::Deaf);
                            }
                        }
                        tokio::time::sleep(SQLITE_POLL).await;
                    }
                }
                Backend::Postgres { config, .. } => {
                    let mut config = (**config).clone();
                    // A connection that silently died is noticed within a minute or so.
                    config.keepalives_idle(Duration::from_secs(30));
                    let mut retry = Duration::from_secs(1);
                    loop {
                        match listen(&config, &heard).await {
                            Ok(()) => retry = Duration::from_secs(1),
                            Err(e) => tracing::warn!(error = %e, "cannot listen for changes"),
                        }
                        heard(Heard::Deaf);
                        tokio::time::sleep(retry).await;
                        retry = (retry * 2).min(MAX_RETRY);
                    }
                }
            }
        });
    }
}

/// Listens on a connection of its own until it closes.
async fn listen(
    config: &tokio_postgres::Config,
    heard: &impl Fn(Heard),
) -> Result<(), tokio_postgres::Error> {
    let (client, mut connection) = config.connect(NoTls).await?;
    let (sender, mut received) = tokio::sync::mpsc::unbounded_channel();
    let driver = tokio::spawn(async move {
        while let Some(message) = std::future::poll_fn(|cx| connection.poll_message(cx)).await {
            match message {
                Ok(AsyncMessage::Notification(n)) => {
                    if sender.send(n.payload().to_owned()).is_err() {
                        break;
                    }
                }
                Ok(_) => {}
                Err(e) => {
                    tracing::warn!(error = %e, "the change listener's connection failed");
                    break;
                }
            }
        }
    });
    client.batch_execute(&format!("LISTEN {CHANNEL}")).await?;
    heard(Heard::Listening);
    while let Some(payload) = received.recv().await {
        heard(parse(&payload));
    }
    drop(client);
    driver.abort();
    Ok(())
}

fn parse(payload: &str) -> Heard {
    payload
        .split_once(' ')
        .and_then(|(by, org)| {
            Some(Heard::Changed {
                by: by.to_owned(),
                org: org.parse().ok()?,
            })
        })
        .unwrap_or(Heard::Unplaced)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_announcement_names_its_process_and_organisation() {
        let org = OrgId::new();
        assert_eq!(
            parse(&format!("p1 {org}")),
            Heard::Changed {
                by: "p1".into(),
                org
            }
        );
        assert_eq!(parse("p1 not-an-id"), Heard::Unplaced);
        assert_eq!(parse(""), Heard::Unplaced);
    }
}
