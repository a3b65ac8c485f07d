//! Signed checkpoints of the audit trail: every so often each organisation's chain head (its
//! last event number and hash) is signed with the server's Ed25519 key and appended, one JSON
//! line each, to a file outside the database.
//!
//! Someone who can rewrite the database can delete the newest events, or edit one and re-hash
//! the chain after it; neither can re-sign a checkpoint without the key, so `proplink audit
//! verify` finds both up to the last checkpoint. The file holds no secret: the public key is
//! in each line, so a copy kept elsewhere can be checked by anyone who knows that key.

use std::io::{BufRead, Write};
use std::path::Path;

use anyhow::Context;
use ed25519_dalek::{Signature, Signer, Verifier, VerifyingKey};
use proplink_shared::OrgId;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::app::App;
use crate::clock::{from_micros, to_micros};
use crate::secrets::Secrets;

/// One signed chain head.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    pub org: OrgId,
    pub seq: i64,
    pub hash: String,
    /// Microseconds since the epoch.
    pub signed_at: i64,
    /// The public key, hex.
    pub key: String,
    /// Ed25519 over [`Checkpoint::message`], hex.
    pub signature: String,
}

/// A checkpoint whose signature held.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Signed {
    pub seq: i64,
    pub hash: String,
    pub at: OffsetDateTime,
}

impl Checkpoint {
    fn message(org: OrgId, seq: i64, hash: &str, signed_at: i64) -> String {
        format!("proplink-audit-checkpoint/1\n{org}\n{seq}\n{hash}\n{signed_at}")
    }

    fn sign(secrets: &Secrets, org: OrgId, seq: i64, hash: &str, at: OffsetDateTime) -> Checkpoint {
        let signed_at = to_micros(at);
        let signature = secrets
            .audit
            .sign(Self::message(org, seq, hash, signed_at).as_bytes());
        Checkpoint {
            org,
            seq,
            hash: hash.to_owned(),
            signed_at,
            key: hex::encode(secrets.audit_public_key().as_bytes()),
            signature: hex::encode(signature.to_bytes()),
        }
    }

    /// Whether `key` signed this checkpoint as it reads.
    fn verified_by(&self, key: &VerifyingKey) -> bool {
        let Ok(bytes) = hex::decode(&self.signature) else {
            return false;
        };
        let Ok(signature) = Signature::from_slice(&bytes) else {
            return false;
        };
        key.verify(
            Self::message(self.org, self.seq, &self.hash, self.signed_at).as_bytes(),
            &signature,
        )
        .is_ok()
    }
}

/// The checkpoints of a file that carry a good signature, and what was wrong with the rest.
#[derive(Debug, Default)]
pub struct Checkpoints {
    signed: Vec<(OrgId, Signed)>,
    pub problems: Vec<String>,
}

impl Checkpoints {
    /// Reads `path`, keeping the lines `key` signed. A missing file has no checkpoints.
    pub fn read(path: &Path, key: &VerifyingKey) -> anyhow::Result<Checkpoints> {
        let mut out = Checkpoints::default();
        let file = match std::fs::File::open(path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out),
            Err(e) => {
                return Err(e).with_context(|| format!("cannot read {}", path.display()));
            }
        };
        for (n, line) in std::io::BufReader::new(file).lines().enumerate() {
            let line = line?;
            if line.trim().is_empty() {
                continue;
            }
            match serde_json::from_str::<Checkpoint>(&line) {
                Ok(c) if c.verified_by(key) => out.signed.push((
                    c.org,
                    Signed {
                        seq: c.seq,
                        hash: c.hash,
                        at: from_micros(c.signed_at),
                    },
                )),
                Ok(_) => out.problems.push(format!(
                    "checkpoint line {} is not signed by this server's key: it was forged or changed",
                    n + 1
                )),
                Err(_) => out
                    .problems
                    .push(format!("checkpoint line {} cannot be read", n + 1)),
            }
        }
        Ok(out)
    }

    /// The good checkpoints of one organisation, oldest first.
    #[must_use]
    pub fn of(&self, org: OrgId) -> Vec<&Signed> {
        self.signed
            .iter()
            .filter(|(o, _)| *o == org)
            .map(|(_, s)| s)
            .collect()
    }
}

/// Signs every organisation's current head that moved since its last checkpoint and appends
/// it to the checkpoint file. Returns how many were written.
pub async fn write(app: &App) -> anyhow::Result<usize> {
    let path = &app.config.audit_checkpoint_file;
    let existing = Checkpoints::read(path, &app.secrets.audit_public_key())?;
    let heads = {
        let mut conn = app.db.read().await?;
        crate::store::audit::heads(&mut conn).await?
    };
    let now = app.clock.now();
    let lines: Vec<String> = heads
        .into_iter()
        .filter(|(org, seq, _)| existing.of(*org).iter().all(|c| c.seq < *seq))
        .map(|(org, seq, hash)| {
            serde_json::to_string(&Checkpoint::sign(&app.secrets, org, seq, &hash, now))
        })
        .collect::<Result<_, _>>()?;
    if lines.is_empty() {
        return Ok(0);
    }
    append(path, &lines)?;
    Ok(lines.len())
}

/// Appends whole lines and makes them durable: the file only ever grows.
fn append(path: &Path, lines: &[String]) -> anyhow::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .with_context(|| format!("cannot open the checkpoint file {}", path.display()))?;
    let mut text = lines.join("\n");
    text.push('\n');
    file.write_all(text.as_bytes())?;
    file.sync_all()?;
    Ok(())
}

/// Writes checkpoints every `every` until the process stops.
pub async fn run(app: App, every: std::time::Duration) {
    loop {
        tokio::time::sleep(every).await;
        if let Err(e) = write(&app).await {
            tracing::warn!(error = ?e, "could not write audit checkpoints");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_checkpoint_verifies_only_as_signed() {
        let secrets = Secrets::from_master(&[3u8; 32]);
        let org = OrgId::new();
        let c = Checkpoint::sign(&secrets, org, 42, "abc", OffsetDateTime::UNIX_EPOCH);
        assert!(c.verified_by(&secrets.audit_public_key()));
        let moved = Checkpoint {
            seq: 41,
            ..c.clone()
        };
        assert!(!moved.verified_by(&secrets.audit_public_key()));
        let other = Secrets::from_master(&[4u8; 32]);
        assert!(!c.verified_by(&other.audit_public_key()));
    }
}
