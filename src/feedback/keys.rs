//! The feedback signing keys: one RSA-2048 key pair per period (the calendar month, UTC, in which
//! a session starts), RFC 9474 RSABSSA-SHA384-PSS-Randomized. A private key is never stored: it
//! is derived again, deterministically, from `FEEDBACK_KEY_SECRET` and the period, and kept in
//! memory only. Whoever holds the secret can sign; a database dump holds no key at all.

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
use chrono::{Datelike, NaiveDateTime};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

/// The RFC 9474 variant every key uses.
pub const VARIANT: &str = "RSABSSA-SHA384-PSS-Randomized";
/// Modulus size: blinded messages, blind signatures and signatures are this many bytes.
pub const MODULUS_BYTES: usize = 256;

/// One period's key pair, with what is published of it.
pub struct PeriodKey {
    pub period: String,
    pub pair: KeyPairSha384PSSRandomized,
    /// The public key as a standard SubjectPublicKeyInfo (rsaEncryption), base64url.
    pub spki: String,
    /// base64url SHA-256 of the SPKI bytes.
    pub key_id: String,
}

/// Derived keys by (secret, period): a few dozen at most, one per period in use.
type KeyCache = HashMap<([u8; 32], String), Arc<PeriodKey>>;

/// The period a session belongs to: `YYYY-MM` of its start, UTC.
pub fn period_of(starts_at: NaiveDateTime) -> String {
    format!("{:04}-{:02}", starts_at.year(), starts_at.month())
}

/// The key pair of `period` under `secret`: derived on first use, then cached for the process.
pub fn for_period(secret: &[u8; 32], period: &str) -> Arc<PeriodKey> {
    static CACHE: OnceLock<Mutex<KeyCache>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    let key = (*secret, period.to_string());
    if let Some(found) = cache.lock().expect("key cache").get(&key) {
        return found.clone();
    }
    // Derived outside the lock (it takes a moment); two threads racing derive the same key.
    let derived = Arc::new(derive(secret, period));
    cache
        .lock()
        .expect("key cache")
        .entry(key)
        .or_insert(derived)
        .clone()
}

fn derive(secret: &[u8; 32], period: &str) -> PeriodKey {
    let mut seed = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key");
    seed.update(b"peer-support feedback signing key v1\0");
    seed.update(period.as_bytes());
    let mut rng = DerivationRng {
        key: seed.finalize().into_bytes().into(),
        counter: 0,
        block: [0; 32],
        used: 32,
    };
    let pair = KeyPairSha384PSSRandomized::generate(&mut rng, MODULUS_BYTES * 8)
        .expect("RSA-2048 key generation");
    let der = pair.pk.to_der().expect("SPKI encoding");
    PeriodKey {
        period: period.to_string(),
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
    fn keys_are_derived_again_identically_and_differ_per_period_and_secret() {
        let a = derive(&[7; 32], "2026-12");
        let again = derive(&[7; 32], "2026-12");
        assert_eq!(a.spki, again.spki);
        assert_ne!(a.spki, derive(&[7; 32], "2027-01").spki);
        assert_ne!(a.spki, derive(&[8; 32], "2026-12").spki);
        assert_eq!(URL_SAFE_NO_PAD.decode(&a.key_id).unwrap().len(), 32);
    }
}
