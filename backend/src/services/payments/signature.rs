//! Webhook signatures in Stripe's documented scheme: the header carries `t=<unix time>` and one
//! or more `v1=<hex>`, each an HMAC-SHA256, keyed with the endpoint's secret, of
//! `"<t>.<raw body>"`. A signature older than the tolerance is refused, so a captured delivery
//! cannot be replayed later.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// How far a signature's time may be from ours (Stripe's libraries use five minutes).
pub const TOLERANCE_SECONDS: i64 = 300;

/// Why a delivery was not believed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("the signature header is missing or cannot be read")]
    Malformed,
    #[error("no signature matches the body")]
    Mismatch,
    #[error("the signature is too old (or from the future)")]
    Stale,
}

/// The header value that signs `body` at `timestamp` with `secret`.
#[must_use]
pub fn sign(secret: &[u8], timestamp: i64, body: &[u8]) -> String {
    format!(
        "t={timestamp},v1={}",
        hex::encode(mac(secret, timestamp, body))
    )
}

fn mac(secret: &[u8], timestamp: i64, body: &[u8]) -> Vec<u8> {
    // An HMAC key is accepted at any length, so this cannot fail.
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).unwrap_or_else(|_| unreachable!());
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac.finalize().into_bytes().to_vec()
}

/// Checks `header` against `body` at `now` (Unix seconds).
pub fn verify(secret: &[u8], header: &str, body: &[u8], now: i64) -> Result<(), SignatureError> {
    let mut timestamp = None;
    let mut candidates = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", t)) => timestamp = t.parse::<i64>().ok(),
            Some(("v1", v)) => candidates.extend(hex::decode(v).ok()),
            _ => {}
        }
    }
    let timestamp = timestamp.ok_or(SignatureError::Malformed)?;
    if candidates.is_empty() {
        return Err(SignatureError::Malformed);
    }
    let matched = candidates.iter().any(|c| {
        // An HMAC key is accepted at any length, so this cannot fail.
        let mut m = Hmac::<Sha256>::new_from_slice(secret).unwrap_or_else(|_| unreachable!());
        m.update(timestamp.to_string().as_bytes());
        m.update(b".");
        m.update(body);
        m.verify_slice(c).is_ok()
    });
    if !matched {
        return Err(SignatureError::Mismatch);
    }
    if (now - timestamp).abs() > TOLERANCE_SECONDS {
        return Err(SignatureError::Stale);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"whsec_test_secret";
    const BODY: &[u8] = br#"{"id":"evt_1","type":"checkout.session.completed"}"#;

    #[test]
    fn a_signature_made_with_the_secret_is_believed() {
        let header = sign(SECRET, 1_700_000_000, BODY);
        assert_eq!(verify(SECRET, &header, BODY, 1_700_000_060), Ok(()));
        // Stripe may send several signatures while a secret is rolled: one match is enough.
        let rolled = format!("{header},v1={}", "00".repeat(32));
        assert_eq!(verify(SECRET, &rolled, BODY, 1_700_000_060), Ok(()));
    }

    #[test]
    fn a_wrong_secret_a_changed_body_or_a_stale_time_is_refused() {
        let header = sign(b"whsec_other", 1_700_000_000, BODY);
        assert_eq!(
            verify(SECRET, &header, BODY, 1_700_000_000),
            Err(SignatureError::Mismatch)
        );
        let header = sign(SECRET, 1_700_000_000, BODY);
        assert_eq!(
            verify(SECRET, &header, b"{}", 1_700_000_000),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(SECRET, &header, BODY, 1_700_000_000 + TOLERANCE_SECONDS + 1),
            Err(SignatureError::Stale)
        );
        assert_eq!(
            verify(SECRET, "v1=abcd", BODY, 0),
            Err(SignatureError::Malformed)
        );
        assert_eq!(verify(SECRET, "", BODY, 0), Err(SignatureError::Malformed));
    }

    #[test]
    fn the_signature_is_the_one_an_independent_implementation_makes() {
        // HMAC-SHA256(secret, "1700000000." + body), worked out with Python's hmac module.
        assert_eq!(
            sign(SECRET, 1_700_000_000, BODY),
            "t=1700000000,v1=a13d4b1f9003bc2fb6c06224e878b6056185eaa50d40e1e7dc05517f8af41d7b"
        );
    }
}
