//! Limits on log-in and sign-up attempts (governor's keyed GCRA limiters), per account and per
//! client address. They live in each instance's memory: behind a load balancer each instance
//! limits on its own, which still bounds guessing to a small multiple.

use std::{net::IpAddr, num::NonZeroU32, time::Duration};

use governor::{clock::Clock, DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::error::ApiError;

pub struct AuthLimits {
    enabled: bool,
    login_per_account: DefaultKeyedRateLimiter<String>,
    login_per_address: DefaultKeyedRateLimiter<IpAddr>,
    signup_per_address: DefaultKeyedRateLimiter<IpAddr>,
    claim_code_per_account: DefaultKeyedRateLimiter<String>,
    account_mail_per_address: DefaultKeyedRateLimiter<IpAddr>,
    account_mail_per_address_to: DefaultKeyedRateLimiter<String>,
    link_token_per_address: DefaultKeyedRateLimiter<IpAddr>,
    password_change_per_account: DefaultKeyedRateLimiter<String>,
}

/// Which limit refused an attempt.
#[derive(Debug, PartialEq, Eq)]
pub enum Refusal {
    Account(u64),
    Address(u64),
}

fn quota(burst: u32, one_every: Duration) -> Quota {
    Quota::with_period(one_every)
        .expect("non-zero period")
        .allow_burst(NonZeroU32::new(burst).expect("non-zero burst"))
}

fn check<K: std::hash::Hash + Eq + Clone>(
    limiter: &DefaultKeyedRateLimiter<K>,
    key: &K,
) -> Result<(), u64> {
    limiter.check_key(key).map_err(|not_until| {
        let wait = not_until.wait_time_from(governor::clock::DefaultClock::default().now());
        wait.as_secs().max(1)
    })
}

impl AuthLimits {
    pub fn new(enabled: bool) -> AuthLimits {
        AuthLimits {
            enabled,
            // Five attempts at one account, then one more a minute.
            login_per_account: RateLimiter::keyed(quota(5, Duration::from_secs(60))),
            // Thirty attempts from one address, then one every two seconds.
            login_per_address: RateLimiter::keyed(quota(30, Duration::from_secs(2))),
            // Ten sign-ups from one address, then one a minute.
            signup_per_address: RateLimiter::keyed(quota(10, Duration::from_secs(60))),
            // Three referral claim codes asked by one account, then one every ten minutes
            // (each one is an email to the referral's address).
            claim_code_per_account: RateLimiter::keyed(quota(3, Duration::from_secs(600))),
            // Account mails asked for (verification resent, password reset): ten from one
            // client address, then one a minute; three to one email address, then one every
            // ten minutes. Counted whether or not the address has an account.
            account_mail_per_address: RateLimiter::keyed(quota(10, Duration::from_secs(60))),
            account_mail_per_address_to: RateLimiter::keyed(quota(3, Duration::from_secs(600))),
            // Mailed tokens presented (verify, reset confirm): thirty from one address, then
            // one every two seconds.
            link_token_per_address: RateLimiter::keyed(quota(30, Duration::from_secs(2))),
            // Password changes by one account: five, then one a minute (each is two hashes).
            password_change_per_account: RateLimiter::keyed(quota(5, Duration::from_secs(60))),
        }
    }

    /// Counts a log-in attempt; refuses it when the address or the account is over its limit.
    pub fn login_attempt(&self, email: &str, address: Option<IpAddr>) -> Result<(), Refusal> {
        if !self.enabled {
            return Ok(());
        }
        if let Some(address) = address {
            check(&self.login_per_address, &address).map_err(Refusal::Address)?;
        }
        check(&self.login_per_account, &email.to_lowercase()).map_err(Refusal::Account)
    }

    pub fn signup_attempt(&self, address: Option<IpAddr>) -> Result<(), ApiError> {
        match address {
            Some(address) if self.enabled => check(&self.signup_per_address, &address)
                .map_err(|retry_after| ApiError::TooManyRequests { retry_after }),
            _ => Ok(()),
        }
    }

    /// Counts a request for a referral claim code by account `user_id`. It is counted whether
    /// or not a referral exists, so a refusal tells nothing about one.
    pub fn claim_code_request(&self, user_id: &str) -> Result<(), ApiError> {
        if !self.enabled {
            return Ok(());
        }
        check(&self.claim_code_per_account, &user_id.to_string())
            .map_err(|retry_after| ApiError::TooManyRequests { retry_after })
    }

    /// Counts a request for an account mail to `email` from `address`.
    pub fn account_mail_request(
        &self,
        email: &str,
        address: Option<IpAddr>,
    ) -> Result<(), ApiError> {
        if !self.enabled {
            return Ok(());
        }
        let too_many = |retry_after| ApiError::TooManyRequests { retry_after };
        if let Some(address) = address {
            check(&self.account_mail_per_address, &address).map_err(too_many)?;
        }
        check(
            &self.account_mail_per_address_to,
            &email.trim().to_lowercase(),
        )
        .map_err(too_many)
    }

    /// Counts a mailed token presented from `address`.
    pub fn link_token_attempt(&self, address: Option<IpAddr>) -> Result<(), ApiError> {
        match address {
            Some(address) if self.enabled => check(&self.link_token_per_address, &address)
                .map_err(|retry_after| ApiError::TooManyRequests { retry_after }),
            _ => Ok(()),
        }
    }

    /// Counts a password change by account `user_id`.
    pub fn password_change_attempt(&self, user_id: &str) -> Result<(), ApiError> {
        if !self.enabled {
            return Ok(());
        }
        check(&self.password_change_per_account, &user_id.to_string())
            .map_err(|retry_after| ApiError::TooManyRequests { retry_after })
    }

    /// Forgets keys whose limits have fully recovered (keeps memory bounded).
    pub fn forget_idle(&self) {
        self.login_per_account.retain_recent();
        self.login_per_address.retain_recent();
        self.signup_per_address.retain_recent();
        self.claim_code_per_account.retain_recent();
        self.account_mail_per_address.retain_recent();
        self.account_mail_per_address_to.retain_recent();
        self.link_token_per_address.retain_recent();
        self.password_change_per_account.retain_recent();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sixth_attempt_at_one_account_is_refused_but_others_go_on() {
        let limits = AuthLimits::new(true);
        for _ in 0..5 {
            assert!(limits.login_attempt("a@example.ca", None).is_ok());
        }
        assert!(matches!(
            limits.login_attempt("A@example.ca", None),
            Err(Refusal::Account(secs)) if secs >= 1
        ));
        assert!(limits.login_attempt("b@example.ca", None).is_ok());
        assert!(AuthLimits::new(false)
            .login_attempt("a@example.ca", None)
            .is_ok());
    }
}
