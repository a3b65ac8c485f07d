//! The server's secrets, kept outside the database: a copy of the database reveals no live
//! sign-in code, no mail waiting to be sent, and cannot sign a forged audit trail.
//!
//! One master key — `PROPLINK_SECRET_KEY`, or the key file `secret.key` in the data directory,
//! created with mode 0600 at first start — and a key per purpose derived from it with
//! HKDF-SHA256, so no two uses ever share a key.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use ed25519_dalek::{SigningKey, VerifyingKey};
use hkdf::Hkdf;
use rand::RngCore;
use sha2::Sha256;

/// The file the master key is kept in when no setting gives it.
pub const KEY_FILE: &str = "secret.key";

/// The keys the server uses, each for one purpose.
pub struct Secrets {
    /// Hashes one-time codes at rest (HMAC-SHA256).
    pub otp: [u8; 32],
    /// Binds the CSRF token of a visitor not yet signed in to their cookie.
    pub csrf: [u8; 32],
    /// Seals mail that carries a secret while it waits to be sent.
    mail: XChaCha20Poly1305,
    /// Signs the audit trail's checkpoints.
    pub audit: SigningKey,
    /// Signs the built-in sandbox payment provider's webhook events, as Stripe signs its own.
    pub sandbox_webhook: [u8; 32],
    /// Seals the private keys the server keeps in its database (the VAPID key).
    stored_keys: XChaCha20Poly1305,
}

impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secrets { .. }")
    }
}

impl Secrets {
    /// The key from `setting` (hex, at least 32 bytes), else from the key file in `data_dir`,
    /// created there the first time.
    pub fn load(setting: Option<&str>, data_dir: &Path) -> anyhow::Result<Secrets> {
        let master = match setting.map(str::trim).filter(|s| !s.is_empty()) {
            Some(hex_key) => decode(hex_key).context("PROPLINK_SECRET_KEY")?,
            None => key_file(&data_dir.join(KEY_FILE))?,
        };
        Ok(Secrets::from_master(&master))
    }

    /// The keys derived from `master`.
    #[must_use]
    pub fn from_master(master: &[u8]) -> Secrets {
        let hk = Hkdf::<Sha256>::new(Some(b"proplink"), master);
        let derive = |purpose: &str| {
            let mut key = [0u8; 32];
            // 32 bytes is far below HKDF-SHA256's limit of 8,160, so this cannot fail.
            hk.expand(purpose.as_bytes(), &mut key)
                .unwrap_or_else(|_| unreachable!("HKDF output length"));
            key
        };
        Secrets {
            otp: derive("otp-code-hash"),
            csrf: derive("csrf-pre-sign-in"),
            mail: XChaCha20Poly1305::new(&derive("mail-seal").into()),
            audit: SigningKey::from_bytes(&derive("audit-checkpoint-ed25519")),
            sandbox_webhook: derive("sandbox-payment-webhook"),
            stored_keys: XChaCha20Poly1305::new(&derive("stored-private-keys").into()),
        }
    }

    /// The public half of the audit signing key: anyone may check a checkpoint with it.
    #[must_use]
    pub fn audit_public_key(&self) -> VerifyingKey {
        self.audit.verifying_key()
    }

    /// `text`, encrypted and authenticated, with its random nonce in front.
    #[must_use]
    pub fn seal(&self, text: &str) -> Vec<u8> {
        seal_with(&self.mail, text.as_bytes())
    }

    /// The text sealed by [`Secrets::seal`] with the same key; `None` if it was changed or the
    /// key is another.
    #[must_use]
    pub fn open(&self, sealed: &[u8]) -> Option<String> {
        String::from_utf8(open_with(&self.mail, sealed)?).ok()
    }

    /// A private key to keep in the database, sealed with a key of its own.
    #[must_use]
    pub fn seal_key(&self, key: &[u8]) -> Vec<u8> {
        seal_with(&self.stored_keys, key)
    }

    /// A key sealed by [`Secrets::seal_key`]; `None` if it was changed or the master key is
    /// another.
    #[must_use]
    pub fn open_key(&self, sealed: &[u8]) -> Option<Vec<u8>> {
        open_with(&self.stored_keys, sealed)
    }
}

fn seal_with(cipher: &XChaCha20Poly1305, plain: &[u8]) -> Vec<u8> {
    let mut nonce = [0u8; 24];
    rand::rngs::OsRng.fill_bytes(&mut nonce);
    let sealed = cipher
        .encrypt(XNonce::from_slice(&nonce), plain)
        .unwrap_or_else(|_| unreachable!("XChaCha20-Poly1305 encrypts any length it is given"));
    [nonce.as_slice(), &sealed].concat()
}

fn open_with(cipher: &XChaCha20Poly1305, sealed: &[u8]) -> Option<Vec<u8>> {
    let (nonce, body) = sealed.split_at_checked(24)?;
    cipher.decrypt(XNonce::from_slice(nonce), body).ok()
}

fn decode(hex_key: &str) -> anyhow::Result<Vec<u8>> {
    let key = hex::decode(hex_key).context("the secret key must be hexadecimal")?;
    anyhow::ensure!(
        key.len() >= 32,
        "the secret key must be at least 32 bytes (64 hexadecimal characters); make one with `openssl rand -hex 32`"
    );
    Ok(key)
}

/// Reads the key file, or creates it readable by this user only.
fn key_file(path: &Path) -> anyhow::Result<Vec<u8>> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create the data directory {}", dir.display()))?;
    }
    match std::fs::read_to_string(path) {
        Ok(text) => {
            refuse_if_shared(path)?;
            decode(&text).with_context(|| format!("the key file {}", path.display()))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => create(path),
        Err(e) => Err(e).with_context(|| format!("cannot read the key file {}", path.display())),
    }
}

fn create(path: &Path) -> anyhow::Result<Vec<u8>> {
    let mut key = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut key);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = match options.open(path) {
        Ok(f) => f,
        // Another process created it first: use theirs.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => return key_file(path),
        Err(e) => {
            return Err(e)
                .with_context(|| format!("cannot create the key file {}", path.display()));
        }
    };
    file.write_all(hex::encode(key).as_bytes())?;
    file.sync_all()?;
    tracing::info!(path = %path.display(), "created the server's secret key");
    Ok(key.to_vec())
}

/// A key file others can read is no secret: refuse to start rather than trust it.
fn refuse_if_shared(path: &Path) -> anyhow::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path)?.permissions().mode();
        anyhow::ensure!(
            mode & 0o077 == 0,
            "the key file {} can be read by other users (mode {:o}); run `chmod 600 {}`",
            path.display(),
            mode & 0o777,
            path.display()
        );
    }
    Ok(())
}

/// Where the key file of `data_dir` is.
#[must_use]
pub fn key_path(data_dir: &Path) -> PathBuf {
    data_dir.join(KEY_FILE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_purpose_has_its_own_key() {
        let s = Secrets::from_master(&[7u8; 32]);
        assert_ne!(s.otp, s.csrf);
        assert_ne!(s.otp, s.audit.to_bytes());
        let again = Secrets::from_master(&[7u8; 32]);
        assert_eq!(s.otp, again.otp, "derivation is repeatable");
        assert_ne!(Secrets::from_master(&[8u8; 32]).otp, s.otp);
    }

    #[test]
    fn sealed_mail_opens_only_with_its_key() {
        let s = Secrets::from_master(&[1u8; 32]);
        let sealed = s.seal("Your code is 123456");
        assert!(!sealed.windows(6).any(|w| w == b"123456"));
        assert_eq!(s.open(&sealed).as_deref(), Some("Your code is 123456"));
        assert_eq!(Secrets::from_master(&[2u8; 32]).open(&sealed), None);
        let mut tampered = sealed.clone();
        tampered[30] ^= 1;
        assert_eq!(s.open(&tampered), None);
    }

    #[test]
    fn the_key_file_is_created_private_and_refused_when_shared() {
        let dir = std::env::temp_dir().join(format!("proplink-key-{}", uuid::Uuid::now_v7()));
        let first = Secrets::load(None, &dir).unwrap();
        let second = Secrets::load(None, &dir).unwrap();
        assert_eq!(
            first.otp, second.otp,
            "the same key file gives the same keys"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let path = key_path(&dir);
            assert_eq!(
                std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
                0o600
            );
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
            let refused = Secrets::load(None, &dir).unwrap_err().to_string();
            assert!(refused.contains("chmod 600"), "{refused}");
        }
        assert!(
            Secrets::load(Some("abcd"), &dir).is_err(),
            "too short a key"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
