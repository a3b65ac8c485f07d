//! Devices and their push subscriptions (RFC 8030 endpoints with RFC 8291 keys).

use super::{ValidationErrors, optional_text};

/// A push subscription as a browser or the app hands it over.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewPushSubscription {
    /// The push service URL; always https.
    pub endpoint: String,
    /// The subscriber's P-256 public key, base64url (65 bytes uncompressed → 87 characters).
    pub p256dh: String,
    /// The 16-byte authentication secret, base64url (22 characters).
    pub auth: String,
    /// What the person calls the device: "Sam's phone".
    pub label: String,
}

impl NewPushSubscription {
    pub fn validate(
        endpoint: &str,
        p256dh: &str,
        auth: &str,
        label: &str,
    ) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let endpoint = endpoint.trim();
        if !endpoint.starts_with("https://")
            || endpoint.len() > 2_000
            || endpoint.chars().any(char::is_whitespace)
        {
            errors.add("endpoint", "The push endpoint must be an https address");
        }
        let is_b64url = |s: &str| {
            !s.is_empty()
                && s.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        };
        if !is_b64url(p256dh.trim()) || !(86..=88).contains(&p256dh.trim().len()) {
            errors.add("p256dh", "The device's public key is not valid");
        }
        if !is_b64url(auth.trim()) || !(21..=24).contains(&auth.trim().len()) {
            errors.add("auth", "The device's authentication secret is not valid");
        }
        let label = optional_text(&mut errors, "label", "the device name", label, 80);
        errors.into_result(NewPushSubscription {
            endpoint: endpoint.to_owned(),
            p256dh: p256dh.trim().to_owned(),
            auth: auth.trim().to_owned(),
            label,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subscriptions() {
        let key = "B".repeat(87);
        let auth = "a".repeat(22);
        assert!(
            NewPushSubscription::validate("https://push.example/abc", &key, &auth, "Phone").is_ok()
        );
        assert!(NewPushSubscription::validate("http://push.example/abc", &key, &auth, "").is_err());
        assert!(
            NewPushSubscription::validate("https://push.example/abc", "short", &auth, "").is_err()
        );
        assert!(
            NewPushSubscription::validate("https://push.example/abc", &key, "not base64!", "")
                .is_err()
        );
    }
}
