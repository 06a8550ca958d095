//! argon2id password hashing (OWASP parameters: m=19456 KiB, t=2, p=1). Callers run these on
//! the blocking pool, holding no pooled connection: a hash takes tens of milliseconds by design.

use std::sync::{Condvar, Mutex, OnceLock, PoisonError};

use argon2::{
    password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString},
    Algorithm, Argon2, Params, Version,
};

pub const MIN_PASSWORD_CHARS: u64 = 12;

fn argon2() -> Argon2<'static> {
    let params = Params::new(19_456, 2, 1, None).expect("valid argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes run at most on half the cores (at least one) at once: a burst of log-ins queues here
/// instead of taking every core from the requests beside it (bench/load.sh measures both).
struct HashingSlots {
    free: Mutex<usize>,
    freed: Condvar,
}

struct Slot(&'static HashingSlots);

impl Drop for Slot {
    fn drop(&mut self) {
        *self.0.free.lock().unwrap_or_else(PoisonError::into_inner) += 1;
        self.0.freed.notify_one();
    }
}

fn hashing_slot() -> Slot {
    static SLOTS: OnceLock<HashingSlots> = OnceLock::new();
    let slots = SLOTS.get_or_init(|| HashingSlots {
        free: Mutex::new(std::thread::available_parallelism().map_or(1, |n| (n.get() / 2).max(1))),
        freed: Condvar::new(),
    });
    let mut free = slots.free.lock().unwrap_or_else(PoisonError::into_inner);
    while *free == 0 {
        free = slots
            .freed
            .wait(free)
            .unwrap_or_else(PoisonError::into_inner);
    }
    *free -= 1;
    Slot(slots)
}

pub fn hash(password: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    let _slot = hashing_slot();
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 hashes any password")
        .to_string()
}

/// The stored hash of an account with no password yet (made by an admin, waiting for its
/// set-your-password link): no password matches it.
pub const NO_PASSWORD_YET: &str = "!";

/// The stored hash of an erased account: no password matches it, ever.
pub const ERASED: &str = "!erased";

/// Whether `password` matches `stored`. A stored value that is not a hash (no password yet)
/// matches nothing, after one verification all the same: a refusal takes the same time.
pub fn verify(password: &str, stored: &str) -> bool {
    match PasswordHash::new(stored) {
        Ok(parsed) => {
            let _slot = hashing_slot();
            argon2()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        }
        Err(_) => {
            verify_against_nothing(password);
            false
        }
    }
}

/// Spends one verification against a throw-away hash, so that a log-in for an unknown email
/// takes as long as one for a known email.
pub fn verify_against_nothing(password: &str) {
    static DUMMY: OnceLock<String> = OnceLock::new();
    let dummy = DUMMY.get_or_init(|| hash("not-a-real-password-at-all"));
    let _ = verify(password, dummy);
}

#[cfg(test)]
mod tests {
    #[test]
    fn hashes_are_argon2id_salted_and_verify() {
        let a = super::hash("correct horse battery staple");
        let b = super::hash("correct horse battery staple");
        assert!(a.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert_ne!(a, b);
        assert!(super::verify("correct horse battery staple", &a));
        assert!(!super::verify("wrong horse battery staple", &a));
        assert!(!super::verify("anything", "not a hash"));
    }
}
