//! Sealing of answers that wait for their session's window to close: ChaCha20-Poly1305 under a
//! key derived from `FEEDBACK_KEY_SECRET`, a random nonce per row, the session id as associated
//! data (a sealed answer cannot be moved to another session). A dump shows opaque rows only.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use hmac::{Hmac, Mac};
use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, CHACHA20_POLY1305, NONCE_LEN};
use sha2::Sha256;

use crate::auth::tokens::random_bytes;

fn key(secret: &[u8; 32]) -> LessSafeKey {
    let mut derived = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key");
    derived.update(b"peer-support pending feedback v1");
    let bytes: [u8; 32] = derived.finalize().into_bytes().into();
    LessSafeKey::new(UnboundKey::new(&CHACHA20_POLY1305, &bytes).expect("a 256-bit key"))
}

/// `nonce ‖ ciphertext ‖ tag`, base64url.
pub fn seal(secret: &[u8; 32], session_id: &str, plaintext: &[u8]) -> String {
    let nonce_bytes: [u8; NONCE_LEN] = random_bytes(NONCE_LEN).try_into().expect("NONCE_LEN bytes");
    let mut buffer = plaintext.to_vec();
    key(secret)
        .seal_in_place_append_tag(
            Nonce::assume_unique_for_key(nonce_bytes),
            Aad::from(session_id.as_bytes()),
            &mut buffer,
        )
        .expect("sealing fits in memory");
    let mut sealed = nonce_bytes.to_vec();
    sealed.extend_from_slice(&buffer);
    URL_SAFE_NO_PAD.encode(sealed)
}

/// The plaintext, or `None` when the row was not sealed for this session under this secret.
pub fn open(secret: &[u8; 32], session_id: &str, sealed: &str) -> Option<Vec<u8>> {
    let mut bytes = URL_SAFE_NO_PAD.decode(sealed).ok()?;
    if bytes.len() < NONCE_LEN {
        return None;
    }
    let mut body = bytes.split_off(NONCE_LEN);
    let nonce = Nonce::try_assume_unique_for_key(&bytes).ok()?;
    let plain = key(secret)
        .open_in_place(nonce, Aad::from(session_id.as_bytes()), &mut body)
        .ok()?;
    Some(plain.to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_answers_open_only_for_their_session_and_secret() {
        let sealed = seal(&[1; 32], "session-a", b"answers");
        assert_eq!(open(&[1; 32], "session-a", &sealed).unwrap(), b"answers");
        assert!(open(&[1; 32], "session-b", &sealed).is_none());
        assert!(open(&[2; 32], "session-a", &sealed).is_none());
        assert_ne!(sealed, seal(&[1; 32], "session-a", b"answers"));
    }
}
