//! The feedback signing keys: one RSA-2048 key pair per session, RFC 9474
//! RSABSSA-SHA384-PSS-Randomized. A key signs for its own session only, so a token granted for
//! one session can never be spent on another (not on a second session of the same group, nor on
//! another group's). A private key is never stored: it is derived again, deterministically,
//! from `FEEDBACK_KEY_SECRET` and the session's id, and kept in memory only. Whoever holds the
//! secret can sign; a database dump holds no key at all. Every instance derives the same key, and
//! anyone may fetch it (`GET /feedback-keys`), so a client can check that it was given the same
//! key as everybody else (a server handing one person a key of their own could tell their
//! answer apart).

use std::{
    collections::HashMap,
    convert::Infallible,
    sync::{Arc, Mutex, OnceLock},
};

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use blind_rsa_signatures::{
    reexports::rsa::rand_core::{TryCryptoRng, TryRng},
    KeyPairSha384PSSRandomized,
};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

/// The RFC 9474 variant every key uses.
pub const VARIANT: &str = "RSABSSA-SHA384-PSS-Randomized";
/// Modulus size: blinded messages, blind signatures and signatures are this many bytes.
pub const MODULUS_BYTES: usize = 256;
/// Derived keys kept in memory: beyond this many sessions the cache starts over (a key is
/// derived again in a fraction of a second).
const CACHE_CAPACITY: usize = 2048;

/// One session's key pair, with what is published of it.
pub struct SessionKey {
    pub session_id: String,
    pub pair: KeyPairSha384PSSRandomized,
    /// The public key as a standard SubjectPublicKeyInfo (rsaEncryption), base64url.
    pub spki: String,
    /// base64url SHA-256 of the SPKI bytes.
    pub key_id: String,
}

/// Derived keys by (secret, session id).
type KeyCache = HashMap<([u8; 32], String), Arc<SessionKey>>;

/// The key pair of a session under `secret`: derived on first use, then cached for the process.
pub fn for_session(secret: &[u8; 32], session_id: &str) -> Arc<SessionKey> {
    static CACHE: OnceLock<Mutex<KeyCache>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    let key = (*secret, session_id.to_string());
    if let Some(found) = cache.lock().expect("key cache").get(&key) {
        return found.clone();
    }
    // Derived outside the lock (it takes a moment); two threads racing derive the same key.
    let derived = Arc::new(derive(secret, session_id));
    let mut cache = cache.lock().expect("key cache");
    if cache.len() >= CACHE_CAPACITY {
        cache.clear();
    }
    cache.entry(key).or_insert(derived).clone()
}

fn derive(secret: &[u8; 32], session_id: &str) -> SessionKey {
    let mut seed = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key");
    seed.update(b"peer-support feedback session key v2\0");
    seed.update(session_id.as_bytes());
    let mut rng = DerivationRng {
        key: seed.finalize().into_bytes().into(),
        counter: 0,
        block: [0; 32],
        used: 32,
    };
    let pair = KeyPairSha384PSSRandomized::generate(&mut rng, MODULUS_BYTES * 8)
        .expect("RSA-2048 key generation");
    let der = pair.pk.to_der().expect("SPKI encoding");
    SessionKey {
        session_id: session_id.to_string(),
        spki: URL_SAFE_NO_PAD.encode(&der),
        key_id: URL_SAFE_NO_PAD.encode(Sha256::digest(&der)),
        pair,
    }
}

/// A deterministic generator for key derivation only: HMAC-SHA256(seed, counter) blocks.
struct DerivationRng {
    key: [u8; 32],
    counter: u64,
    block: [u8; 32],
    used: usize,
}

impl DerivationRng {
    fn next_byte(&mut self) -> u8 {
        if self.used == self.block.len() {
            let mut mac = Hmac::<Sha256>::new_from_slice(&self.key).expect("HMAC takes any key");
            mac.update(&self.counter.to_be_bytes());
            self.block = mac.finalize().into_bytes().into();
            self.counter += 1;
            self.used = 0;
        }
        self.used += 1;
        self.block[self.used - 1]
    }
}

impl TryRng for DerivationRng {
    type Error = Infallible;

    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        let mut bytes = [0; 4];
        self.try_fill_bytes(&mut bytes)?;
        Ok(u32::from_le_bytes(bytes))
    }

    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        let mut bytes = [0; 8];
        self.try_fill_bytes(&mut bytes)?;
        Ok(u64::from_le_bytes(bytes))
    }

    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), Infallible> {
        for byte in dest {
            *byte = self.next_byte();
        }
        Ok(())
    }
}

impl TryCryptoRng for DerivationRng {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_derived_again_identically_and_differ_per_session_and_secret() {
        let a = derive(&[7; 32], "session-a");
        let again = derive(&[7; 32], "session-a");
        assert_eq!(a.spki, again.spki);
        assert_ne!(a.spki, derive(&[7; 32], "session-b").spki);
        assert_ne!(a.spki, derive(&[8; 32], "session-a").spki);
        assert_eq!(URL_SAFE_NO_PAD.decode(&a.key_id).unwrap().len(), 32);
    }
}
