//! Web Push's cryptography: the payload encrypted for one subscription (RFC 8291, with the
//! `aes128gcm` content coding of RFC 8188 from `ece-native`), and the VAPID token that
//! identifies the server to the push service (RFC 8292, an ES256 JWT).
//!
//! Each message uses a fresh sender key pair and salt; the test of RFC 8291's worked example
//! passes fixed ones through [`encrypt_with`] to reproduce it byte for byte.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use hkdf::Hkdf;
use p256::ecdsa::signature::Signer;
use p256::ecdsa::{Signature, SigningKey};
use p256::elliptic_curve::sec1::ToEncodedPoint;
use p256::{PublicKey, SecretKey};
use rand::RngCore;
use sha2::Sha256;

/// The record size of every message: one record holds any payload a push service accepts.
const RECORD_SIZE: u32 = 4096;
/// The largest payload sent: push services take 4096 bytes of body, less the header (86
/// bytes), the padding delimiter and the tag.
pub const MAX_PAYLOAD: usize = 3993;

/// Why a message could not be encrypted for a subscription.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PushCryptoError {
    #[error("the subscription's p256dh is not a P-256 public key")]
    BadPublicKey,
    #[error("the subscription's auth secret must be 16 bytes")]
    BadAuthSecret,
    #[error("the payload is longer than {MAX_PAYLOAD} bytes")]
    TooLong,
    #[error("encryption failed")]
    Encryption,
}

/// A subscription's keys as the browser or device gave them (base64url).
pub struct ReceiverKeys<'a> {
    pub p256dh: &'a str,
    pub auth: &'a str,
}

/// `payload` encrypted for the receiver, with a fresh sender key pair and salt.
pub fn encrypt(payload: &[u8], to: &ReceiverKeys<'_>) -> Result<Vec<u8>, PushCryptoError> {
    let sender = SecretKey::random(&mut rand::rngs::OsRng);
    let mut salt = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut salt);
    encrypt_with(payload, to, &sender, salt)
}

/// `payload` encrypted for the receiver with the given sender key and salt (RFC 8291 §3).
pub fn encrypt_with(
    payload: &[u8],
    to: &ReceiverKeys<'_>,
    sender: &SecretKey,
    salt: [u8; 16],
) -> Result<Vec<u8>, PushCryptoError> {
    if payload.len() > MAX_PAYLOAD {
        return Err(PushCryptoError::TooLong);
    }
    let receiver_bytes = B64
        .decode(to.p256dh.trim_end_matches('='))
        .map_err(|_| PushCryptoError::BadPublicKey)?;
    let receiver =
        PublicKey::from_sec1_bytes(&receiver_bytes).map_err(|_| PushCryptoError::BadPublicKey)?;
    let auth = B64
        .decode(to.auth.trim_end_matches('='))
        .map_err(|_| PushCryptoError::BadAuthSecret)?;
    if auth.len() != 16 {
        return Err(PushCryptoError::BadAuthSecret);
    }
    let shared = p256::ecdh::diffie_hellman(sender.to_nonzero_scalar(), receiver.as_affine());
    let receiver_point = receiver.to_encoded_point(false);
    let sender_point = sender.public_key().to_encoded_point(false);
    // key_info = "WebPush: info" || 0x00 || ua_public || as_public
    let info = [
        b"WebPush: info\0".as_slice(),
        receiver_point.as_bytes(),
        sender_point.as_bytes(),
    ]
    .concat();
    let mut ikm = [0u8; 32];
    Hkdf::<Sha256>::new(Some(&auth), shared.raw_secret_bytes())
        .expand(&info, &mut ikm)
        .map_err(|_| PushCryptoError::Encryption)?;
    ece_native::encrypt(
        ikm,
        salt,
        sender_point.as_bytes(),
        std::iter::once(payload.to_vec()),
        RECORD_SIZE,
    )
    .map_err(|_| PushCryptoError::Encryption)
}

/// A VAPID key pair: the server's identity to push services.
pub struct VapidKey {
    signing: SigningKey,
}

impl VapidKey {
    #[must_use]
    pub fn generate() -> VapidKey {
        VapidKey {
            signing: SigningKey::random(&mut rand::rngs::OsRng),
        }
    }

    /// The key from its 32-byte private scalar.
    pub fn from_bytes(private: &[u8]) -> Option<VapidKey> {
        SigningKey::from_slice(private)
            .ok()
            .map(|signing| VapidKey { signing })
    }

    /// The private scalar, to keep (sealed).
    #[must_use]
    pub fn private_bytes(&self) -> Vec<u8> {
        self.signing.to_bytes().to_vec()
    }

    /// The public key as browsers take it for `applicationServerKey`: the uncompressed point,
    /// base64url without padding.
    #[must_use]
    pub fn public_key(&self) -> String {
        B64.encode(
            self.signing
                .verifying_key()
                .to_encoded_point(false)
                .as_bytes(),
        )
    }

    /// The `Authorization` header for a push to `endpoint`: a JWT for the endpoint's origin,
    /// valid until `expires` (at most 24 hours ahead, as RFC 8292 asks), naming `contact`.
    #[must_use]
    pub fn authorization(&self, endpoint: &str, contact: &str, expires: i64) -> String {
        let audience = origin_of(endpoint);
        let header = B64.encode(br#"{"typ":"JWT","alg":"ES256"}"#);
        let claims = B64.encode(
            serde_json::json!({ "aud": audience, "exp": expires, "sub": contact }).to_string(),
        );
        let signed = format!("{header}.{claims}");
        let signature: Signature = self.signing.sign(signed.as_bytes());
        format!(
            "vapid t={signed}.{}, k={}",
            B64.encode(signature.to_bytes()),
            self.public_key()
        )
    }
}

/// `scheme://host[:port]` of a URL, as the push service checks the token's audience.
fn origin_of(endpoint: &str) -> String {
    match reqwest::Url::parse(endpoint) {
        Ok(url) => url.origin().ascii_serialization(),
        Err(_) => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b64(s: &str) -> Vec<u8> {
        B64.decode(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    /// RFC 8291, Appendix A: the worked example, byte for byte.
    #[test]
    fn the_rfc_8291_example_is_reproduced_byte_for_byte() {
        let sender = SecretKey::from_slice(&b64("yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw"))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            B64.encode(sender.public_key().to_encoded_point(false).as_bytes()),
            "BP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A8"
        );
        let salt: [u8; 16] = b64("DGv6ra1nlYgDCS1FRnbzlw")
            .try_into()
            .unwrap_or_else(|_| panic!("salt"));
        let body = encrypt_with(
            b"When I grow up, I want to be a watermelon",
            &ReceiverKeys {
                p256dh: "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4",
                auth: "BTBZMqHH6r4Tts7J_aSIgg",
            },
            &sender,
            salt,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            B64.encode(body),
            "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN"
        );
    }

    #[test]
    fn bad_keys_and_long_payloads_are_refused() {
        let good = "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4";
        let to = |p256dh, auth| ReceiverKeys { p256dh, auth };
        assert_eq!(
            encrypt(b"x", &to("AAAA", "BTBZMqHH6r4Tts7J_aSIgg")),
            Err(PushCryptoError::BadPublicKey)
        );
        assert_eq!(
            encrypt(b"x", &to(good, "BTBZ")),
            Err(PushCryptoError::BadAuthSecret)
        );
        assert_eq!(
            encrypt(&[0; MAX_PAYLOAD + 1], &to(good, "BTBZMqHH6r4Tts7J_aSIgg")),
            Err(PushCryptoError::TooLong)
        );
        let fits = encrypt(&[7; MAX_PAYLOAD], &to(good, "BTBZMqHH6r4Tts7J_aSIgg"))
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(fits.len() <= 4096 + 86, "{}", fits.len());
    }

    #[test]
    fn the_vapid_token_names_the_push_services_origin_and_verifies() {
        use p256::ecdsa::signature::Verifier;
        let key = VapidKey::generate();
        let header = key.authorization(
            "https://push.example.net:8443/wpush/v2/abc",
            "mailto:ops@proplink.example",
            1_700_000_000,
        );
        let (token, k) = header
            .strip_prefix("vapid t=")
            .and_then(|rest| rest.split_once(", k="))
            .unwrap_or_else(|| panic!("{header}"));
        assert_eq!(k, key.public_key());
        let mut parts = token.rsplitn(2, '.');
        let signature = parts.next().unwrap_or_default();
        let signed = parts.next().unwrap_or_default();
        let claims: serde_json::Value =
            serde_json::from_slice(&b64(signed.split('.').nth(1).unwrap_or_default()))
                .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(claims["aud"], "https://push.example.net:8443");
        assert_eq!(claims["exp"], 1_700_000_000);
        let public = PublicKey::from_sec1_bytes(&b64(k)).unwrap_or_else(|e| panic!("{e}"));
        let verifying = p256::ecdsa::VerifyingKey::from(public);
        let signature = Signature::from_slice(&b64(signature)).unwrap_or_else(|e| panic!("{e}"));
        assert!(verifying.verify(signed.as_bytes(), &signature).is_ok());
        let again = VapidKey::from_bytes(&key.private_bytes()).unwrap_or_else(|| panic!("key"));
        assert_eq!(again.public_key(), key.public_key());
    }
}
