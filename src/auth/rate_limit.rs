//! Limits on attempts, kept in the database (`rate_limits`): every instance on one database
//! enforces one limit, a restart forgets nothing, and windows long over are deleted as hits come
//! in. Fixed windows: a key may be hit `most` times per `window`, then it is refused until its
//! window ends. Sources are addresses as `crate::http::client` reads them (behind
//! `TRUSTED_PROXIES` only, IPv6 per /64).
//!
//! Log-in counts failures only, per account *and* source (five a minute), per source (thirty a
//! minute) and per account from anywhere (a ceiling of a hundred in fifteen minutes): a stranger
//! guessing from one place is slowed at once without locking the owner out of their own
//! account elsewhere, and a successful log-in costs nothing.

use std::time::Duration;

use chrono::NaiveDateTime;

use super::repository;
use crate::{
    db::{self, Conn},
    error::ApiError,
    http::client::Source,
};

/// One limit: at most `most` hits per `window`, per key.
pub struct Limit {
    name: &'static str,
    most: i32,
    window: Duration,
}

const fn limit(name: &'static str, most: i32, seconds: u64) -> Limit {
    Limit {
        name,
        most,
        window: Duration::from_secs(seconds),
    }
}

/// Failed log-ins at one account from one source.
pub const LOGIN_ACCOUNT_SOURCE: Limit = limit("login:account+source", 5, 60);
/// Failed log-ins from one source, whatever the account.
pub const LOGIN_SOURCE: Limit = limit("login:source", 30, 60);
/// Failed log-ins at one account from anywhere: a ceiling far above one person's mistakes.
pub const LOGIN_ACCOUNT: Limit = limit("login:account", 100, 15 * 60);
/// Sign-ups from one source.
pub const SIGNUP_SOURCE: Limit = limit("signup:source", 10, 60);
/// Referral claim codes asked by one account (each one is an email to the referral's address).
pub const CLAIM_CODE_ACCOUNT: Limit = limit("claim-code:account", 3, 600);
/// Anonymous directory submissions from one source.
pub const DIRECTORY_SOURCE: Limit = limit("directory-submission:source", 10, 3600);
/// Intake applications by one account.
pub const APPLICATION_ACCOUNT: Limit = limit("intake-application:account", 10, 24 * 3600);

/// Account mails (verification resent, password reset) asked from one source.
pub const ACCOUNT_MAIL_SOURCE: Limit = limit("account-mail:source", 10, 60);
/// Account mails asked to one email address.
pub const ACCOUNT_MAIL_ADDRESS: Limit = limit("account-mail:address", 3, 600);
/// Mailed tokens presented (verify, reset confirm) from one source.
pub const LINK_TOKEN_SOURCE: Limit = limit("link-token:source", 30, 60);
/// Password changes by one account (each is two hashes).
pub const PASSWORD_CHANGE_ACCOUNT: Limit = limit("password-change:account", 5, 60);

/// Erasure attempts by one account (each checks the password: a stolen token must not guess it).
pub const ERASURE_ACCOUNT: Limit = limit("erasure:account", 5, 60);

/// The longest window of any limit: rows older than this are over for all of them.
const LONGEST_WINDOW: Duration = Duration::from_secs(24 * 3600);

pub struct AuthLimits {
    enabled: bool,
}

/// Which limit refused a log-in.
#[derive(Debug, PartialEq, Eq)]
pub enum Refusal {
    Account(u64),
    Address(u64),
}

fn seconds_left(started: NaiveDateTime, window: Duration, now: NaiveDateTime) -> u64 {
    let ends = started + chrono::Duration::from_std(window).unwrap_or(chrono::Duration::zero());
    (ends - now).num_seconds().max(1) as u64
}

impl Limit {
    fn key(&self, subject: &str) -> String {
        format!("{}:{subject}", self.name)
    }

    fn started_by(&self, now: NaiveDateTime) -> NaiveDateTime {
        now - chrono::Duration::from_std(self.window).unwrap_or(chrono::Duration::zero())
    }

    /// Counts a hit; refuses it (with the seconds until the window ends) past the limit.
    fn hit(&self, conn: &mut Conn, subject: &str) -> Result<Result<(), u64>, ApiError> {
        let now = db::now();
        let (hits, started) =
            repository::rate_limit_hit(conn, &self.key(subject), now, self.started_by(now))?;
        if rand::random::<u8>() == 0 {
            let over = now - chrono::Duration::from_std(LONGEST_WINDOW).unwrap_or_default();
            repository::forget_rate_limits(conn, over)?;
        }
        Ok(if hits > self.most {
            Err(seconds_left(started, self.window, now))
        } else {
            Ok(())
        })
    }

    /// Whether the key is at its limit now, without counting.
    fn reached(&self, conn: &mut Conn, subject: &str) -> Result<Result<(), u64>, ApiError> {
        let now = db::now();
        Ok(
            match repository::rate_limit_state(conn, &self.key(subject))? {
                Some((hits, started)) if started > self.started_by(now) && hits >= self.most => {
                    Err(seconds_left(started, self.window, now))
                }
                _ => Ok(()),
            },
        )
    }
}

fn account_key(email: &str) -> String {
    email.trim().to_lowercase()
}

fn too_many(outcome: Result<(), u64>) -> Result<(), ApiError> {
    outcome.map_err(|retry_after| ApiError::TooManyRequests { retry_after })
}

impl AuthLimits {
    pub fn new(enabled: bool) -> AuthLimits {
        AuthLimits { enabled }
    }

    /// Refuses a log-in when its source, its account from this source, or its account from
    /// anywhere has failed too often lately. Counts nothing: `login_failed` does.
    pub fn login_attempt(
        &self,
        conn: &mut Conn,
        email: &str,
        source: Option<&Source>,
    ) -> Result<Result<(), Refusal>, ApiError> {
        if !self.enabled {
            return Ok(Ok(()));
        }
        let account = account_key(email);
        if let Some(source) = source {
            if let Err(wait) = LOGIN_SOURCE.reached(conn, &source.0)? {
                return Ok(Err(Refusal::Address(wait)));
            }
            let pair = format!("{account}|{}", source.0);
            if let Err(wait) = LOGIN_ACCOUNT_SOURCE.reached(conn, &pair)? {
                return Ok(Err(Refusal::Account(wait)));
            }
        }
        Ok(LOGIN_ACCOUNT
            .reached(conn, &account)?
            .map_err(Refusal::Account))
    }

    /// Counts a failed log-in against its account, its source and the two together.
    pub fn login_failed(
        &self,
        conn: &mut Conn,
        email: &str,
        source: Option<&Source>,
    ) -> Result<(), ApiError> {
        if !self.enabled {
            return Ok(());
        }
        let account = account_key(email);
        if let Some(source) = source {
            let _ = LOGIN_SOURCE.hit(conn, &source.0)?;
            let _ = LOGIN_ACCOUNT_SOURCE.hit(conn, &format!("{account}|{}", source.0))?;
        }
        let _ = LOGIN_ACCOUNT.hit(conn, &account)?;
        Ok(())
    }

    /// Counts a sign-up from `source`; refuses it past the limit.
    pub fn signup_attempt(&self, conn: &mut Conn, source: Option<&Source>) -> Result<(), ApiError> {
        self.count(conn, &SIGNUP_SOURCE, source.map(|s| s.0.as_str()))
    }

    /// Counts a request for a referral claim code by account `user_id`. It is counted whether
    /// or not a referral exists, so a refusal tells nothing about one.
    pub fn claim_code_request(&self, conn: &mut Conn, user_id: &str) -> Result<(), ApiError> {
        self.count(conn, &CLAIM_CODE_ACCOUNT, Some(user_id))
    }

    /// Counts an anonymous directory submission from `source`.
    pub fn directory_submission(
        &self,
        conn: &mut Conn,
        source: Option<&Source>,
    ) -> Result<(), ApiError> {
        self.count(conn, &DIRECTORY_SOURCE, source.map(|s| s.0.as_str()))
    }

    /// Counts an intake application by account `user_id`.
    pub fn intake_application(&self, conn: &mut Conn, user_id: &str) -> Result<(), ApiError> {
        self.count(conn, &APPLICATION_ACCOUNT, Some(user_id))
    }

    /// Counts a request for an account mail (verification resent, password reset) to `email`
    /// from `source`. Counted whether or not the address has an account.
    pub fn account_mail_request(
        &self,
        conn: &mut Conn,
        email: &str,
        source: Option<&Source>,
    ) -> Result<(), ApiError> {
        self.count(conn, &ACCOUNT_MAIL_SOURCE, source.map(|s| s.0.as_str()))?;
        self.count(conn, &ACCOUNT_MAIL_ADDRESS, Some(&account_key(email)))
    }

    /// Counts a mailed token presented (verify, reset confirm) from `source`.
    pub fn link_token_attempt(
        &self,
        conn: &mut Conn,
        source: Option<&Source>,
    ) -> Result<(), ApiError> {
        self.count(conn, &LINK_TOKEN_SOURCE, source.map(|s| s.0.as_str()))
    }

    /// Counts a password change by account `user_id`.
    pub fn password_change_attempt(&self, conn: &mut Conn, user_id: &str) -> Result<(), ApiError> {
        self.count(conn, &PASSWORD_CHANGE_ACCOUNT, Some(user_id))
    }

    /// Counts an attempt by account `user_id` to erase itself.
    pub fn erasure_attempt(&self, conn: &mut Conn, user_id: &str) -> Result<(), ApiError> {
        self.count(conn, &ERASURE_ACCOUNT, Some(user_id))
    }

    fn count(&self, conn: &mut Conn, limit: &Limit, subject: Option<&str>) -> Result<(), ApiError> {
        match subject {
            Some(subject) if self.enabled => too_many(limit.hit(conn, subject)?),
            _ => Ok(()),
        }
    }
}

/// Forgets the windows keyed by an email address (log-in failures at the account, alone and
/// with each source; account mails to the address): an erased account's address is kept
/// nowhere. Enabled or not, nothing else is keyed by an address.
pub fn forget_address(conn: &mut Conn, email: &str) -> Result<(), ApiError> {
    let account = account_key(email);
    repository::forget_rate_limit_keys(
        conn,
        &[
            LOGIN_ACCOUNT.key(&account),
            ACCOUNT_MAIL_ADDRESS.key(&account),
        ],
        &LOGIN_ACCOUNT_SOURCE.key(&format!("{account}|")),
    )?;
    Ok(())
}

/// Counts an attempt with `check` on a pooled connection of its own, before the request's work:
/// `count_attempt(&state, move |limits, conn| limits.link_token_attempt(conn, source.as_ref()))`.
pub async fn count_attempt(
    state: &actix_web::web::Data<crate::state::AppState>,
    check: impl FnOnce(&AuthLimits, &mut Conn) -> Result<(), ApiError> + Send + 'static,
) -> Result<(), ApiError> {
    let st = state.clone();
    state.pool.run(move |conn| check(&st.limits, conn)).await
}
