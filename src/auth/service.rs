use std::time::Duration;

use serde_json::json;

use super::{
    letters::AccountMail,
    models::{AccountTokenRow, ClientToken, RefreshTokenRow, SessionRow, TokenPair, TokenPurpose},
    passwords,
    rate_limit::{AuthLimits, Refusal},
    repository,
    tokens::{self, Claims, TokenKeys},
    AuthUser, Reactions, Role,
};
use crate::{
    audit::{self, Entry},
    db::{self, Conn, DbPool},
    error::{ApiError, FieldError},
    http::client::Source,
    mail::Letter,
    partners,
    users::{self, models::UserRow},
};

/// How long each kind of mailed token stays usable.
pub const VERIFY_EMAIL_TTL_HOURS: i64 = 24;
pub const RESET_PASSWORD_TTL_MINUTES: i64 = 30;
pub const SET_PASSWORD_TTL_HOURS: i64 = 72;

/// How a sign-up's transaction ended.
enum Signup {
    EmailTaken,
    Failed(ApiError),
}

impl From<diesel::result::Error> for Signup {
    fn from(error: diesel::result::Error) -> Self {
        Signup::Failed(error.into())
    }
}

impl From<ApiError> for Signup {
    fn from(error: ApiError) -> Self {
        Signup::Failed(error)
    }
}

/// A peer's sign-up, answered the same way whatever the address (the mail says the rest):
/// - a new address: an unverified account and a verification link;
/// - the address of an unverified peer account: that pending sign-up is replaced (new password
///   and name, every earlier link dead) and the new registrant gets the link, so nobody can
///   hold an address they cannot read;
/// - any other account's address: nothing changes, and its owner is told someone tried.
///
/// Returns the mail to send once the transaction has committed.
pub fn register(
    conn: &mut Conn,
    account: &UserRow,
    app_url: &str,
) -> Result<Option<Letter>, ApiError> {
    let outcome = db::write_transaction::<_, Signup, _>(conn, |conn| {
        let Some(existing) = users::service::account_by_email(conn, &account.email)? else {
            if !users::service::add_account(conn, account)? {
                return Err(Signup::EmailTaken);
            }
            return Ok(verification_letter(conn, account, app_url)?);
        };
        let pending = existing.role == Role::Peer
            && !existing.disabled
            && !repository::is_verified(conn, &existing.id)?;
        if !pending {
            return Ok(AccountMail::SignupAttempted.letter(
                &existing.email,
                existing.preferred_language,
                app_url,
            ));
        }
        users::service::replace_pending_signup(conn, &existing.id, account)?;
        repository::delete_tokens(conn, &existing.id, TokenPurpose::ALL)?;
        let replaced = UserRow {
            id: existing.id,
            created_at: existing.created_at,
            ..account.clone()
        };
        Ok(verification_letter(conn, &replaced, app_url)?)
    });
    match outcome {
        Ok(letter) => Ok(Some(letter)),
        // Another sign-up for the same address committed first; it answers for both.
        Err(Signup::EmailTaken) => Ok(None),
        Err(Signup::Failed(error)) => Err(error),
    }
}

/// A new token of `purpose` for `user_id`, replacing the earlier ones of that purpose.
fn new_account_token(
    conn: &mut Conn,
    user_id: &str,
    purpose: TokenPurpose,
    valid_for: chrono::Duration,
) -> Result<String, ApiError> {
    repository::delete_tokens(conn, user_id, &[purpose])?;
    let token = tokens::new_secret();
    let now = db::now();
    repository::insert_account_token(
        conn,
        &AccountTokenRow {
            token_hash: tokens::secret_hash(&token),
            user_id: user_id.to_string(),
            purpose,
            created_at: now,
            expires_at: now + valid_for,
            used_at: None,
        },
    )?;
    Ok(token)
}

/// A fresh verification link for `user`.
fn verification_letter(conn: &mut Conn, user: &UserRow, app_url: &str) -> Result<Letter, ApiError> {
    let token = new_account_token(
        conn,
        &user.id,
        TokenPurpose::VerifyEmail,
        chrono::Duration::hours(VERIFY_EMAIL_TTL_HOURS),
    )?;
    Ok(AccountMail::VerifyEmail { token: &token }.letter(
        &user.email,
        user.preferred_language,
        app_url,
    ))
}

/// A set-your-password link for an account an admin just created (in the creation's
/// transaction): the admin never chooses, sees or sends the password.
pub fn set_password_letter(
    conn: &mut Conn,
    user: &UserRow,
    app_url: &str,
) -> Result<Letter, ApiError> {
    let token = new_account_token(
        conn,
        &user.id,
        TokenPurpose::SetPassword,
        chrono::Duration::hours(SET_PASSWORD_TTL_HOURS),
    )?;
    Ok(AccountMail::SetPassword { token: &token }.letter(
        &user.email,
        user.preferred_language,
        app_url,
    ))
}

/// Marks an account's address verified without a link: the first admin made on the command
/// line, and the demo accounts.
pub fn mark_verified(conn: &mut Conn, user_id: &str) -> Result<(), ApiError> {
    repository::mark_verified(conn, user_id, db::now())?;
    Ok(())
}

/// A token that cannot be used, whatever the reason: all are answered alike.
fn token_refused() -> ApiError {
    ApiError::Validation(vec![FieldError::new(
        "token",
        "token",
        "is not a link we sent, or it was already used or has expired: ask for a new one",
    )])
}

/// Spends a verification token and marks its account's address verified; the levels above
/// react (a referral's claim code may now go to the account): returns their letter, to send
/// once this has committed.
pub fn verify_email(
    conn: &mut Conn,
    token: &str,
    request_id: Option<&str>,
    reactions: &Reactions,
) -> Result<Option<Letter>, ApiError> {
    let hash = tokens::secret_hash(token);
    db::write_transaction(conn, |conn| {
        let now = db::now();
        let found = repository::find_live_token(conn, &hash, &[TokenPurpose::VerifyEmail], now)?
            .ok_or_else(token_refused)?;
        if repository::spend_token(conn, &hash, now)? == 0 {
            return Err(token_refused());
        }
        let user = users::service::find_account(conn, &found.user_id)?
            .filter(|user| !user.disabled)
            .ok_or_else(token_refused)?;
        repository::delete_tokens(conn, &user.id, &[TokenPurpose::VerifyEmail])?;
        if repository::mark_verified(conn, &user.id, now)? > 0 {
            audit::record(
                conn,
                account_entry(request_id, "user.email_verified", &user.id),
            )?;
            return (reactions.email_verified)(conn, &user, request_id);
        }
        Ok(None)
    })
}

/// A new verification link for an unverified account (a peer's; for an account an admin made,
/// a new set-your-password link); nothing for any other address. Answered alike either way.
pub fn resend_verification(
    conn: &mut Conn,
    email: &str,
    app_url: &str,
) -> Result<Option<Letter>, ApiError> {
    db::write_transaction(conn, |conn| {
        let Some(user) = users::service::account_by_email(conn, email)? else {
            return Ok(None);
        };
        if user.disabled || repository::is_verified(conn, &user.id)? {
            return Ok(None);
        }
        if user.role == Role::Peer {
            Ok(Some(verification_letter(conn, &user, app_url)?))
        } else {
            Ok(Some(set_password_letter(conn, &user, app_url)?))
        }
    })
}

/// A password-reset link (30 minutes) for the account of `email`, if there is one and it is
/// not disabled; audited. Answered alike either way.
pub fn request_password_reset(
    conn: &mut Conn,
    email: &str,
    app_url: &str,
    request_id: Option<&str>,
) -> Result<Option<Letter>, ApiError> {
    db::write_transaction(conn, |conn| {
        let Some(user) = users::service::account_by_email(conn, email)? else {
            return Ok(None);
        };
        if user.disabled {
            return Ok(None);
        }
        let token = new_account_token(
            conn,
            &user.id,
            TokenPurpose::ResetPassword,
            chrono::Duration::minutes(RESET_PASSWORD_TTL_MINUTES),
        )?;
        audit::record(
            conn,
            account_entry(request_id, "user.password_reset_requested", &user.id),
        )?;
        Ok(Some(AccountMail::ResetPassword { token: &token }.letter(
            &user.email,
            user.preferred_language,
            app_url,
        )))
    })
}

/// Sets a new password with a reset (or set-your-password) token: the token is spent, every
/// session of the account ends, and the address counts as verified (the link proved it). The
/// new password is hashed holding no pooled connection, and only for a token that was live.
/// Returns the letter the levels above want sent now that the address is verified.
pub fn confirm_password_reset(
    pool: &DbPool,
    token: &str,
    new_password: &str,
    request_id: Option<&str>,
    reactions: &Reactions,
) -> Result<Option<Letter>, ApiError> {
    const PURPOSES: [TokenPurpose; 2] = [TokenPurpose::ResetPassword, TokenPurpose::SetPassword];
    let hash = tokens::secret_hash(token);
    repository::find_live_token(&mut *pool.get()?, &hash, &PURPOSES, db::now())?
        .ok_or_else(token_refused)?;
    let password_hash = passwords::hash(new_password);
    db::write_transaction(&mut *pool.get()?, |conn| {
        let now = db::now();
        let found =
            repository::find_live_token(conn, &hash, &PURPOSES, now)?.ok_or_else(token_refused)?;
        if repository::spend_token(conn, &hash, now)? == 0 {
            return Err(token_refused());
        }
        let user = users::service::find_account(conn, &found.user_id)?
            .filter(|user| !user.disabled)
            .ok_or_else(token_refused)?;
        users::service::set_password_hash(conn, &user.id, &password_hash)?;
        repository::delete_tokens(conn, &user.id, TokenPurpose::ALL)?;
        end_sessions_of(conn, &user.id, None)?;
        audit::record(
            conn,
            account_entry(request_id, "user.password_reset", &user.id),
        )?;
        if repository::mark_verified(conn, &user.id, now)? > 0 {
            audit::record(
                conn,
                account_entry(request_id, "user.email_verified", &user.id),
            )?;
            return (reactions.email_verified)(conn, &user, request_id);
        }
        Ok(None)
    })
}

/// An audit entry about an account, by nobody signed in (the person acted through a link).
fn account_entry<'a>(
    request_id: Option<&'a str>,
    action: &'static str,
    user_id: &'a str,
) -> Entry<'a> {
    Entry {
        actor: None,
        request_id,
        action,
        resource_type: "user",
        resource_id: Some(user_id),
        details: None,
    }
}

/// What log-in needs besides the connection.
pub struct LoginContext<'a> {
    pub keys: &'a TokenKeys,
    pub limits: &'a AuthLimits,
    pub refresh_ttl: Duration,
    pub source: Option<Source>,
    pub request_id: Option<String>,
}

/// Checks the limits, then the credentials (one password verification whether or not the email
/// exists, is verified or is disabled: every refusal is the same `invalid-credentials`, in the
/// same time), then opens a session. The verification holds no pooled connection: it takes tens of
/// milliseconds of CPU by design, and log-ins holding connections through it starved every other
/// request of the pool.
pub fn login(
    pool: &DbPool,
    ctx: &LoginContext<'_>,
    email: &str,
    password: &str,
) -> Result<TokenPair, ApiError> {
    let mut pooled = pool.get()?;
    let conn: &mut Conn = &mut pooled;
    match ctx.limits.login_attempt(conn, email, ctx.source.as_ref())? {
        Ok(()) => {}
        Err(Refusal::Address(retry_after)) => {
            return Err(ApiError::TooManyRequests { retry_after })
        }
        Err(Refusal::Account(retry_after)) => {
            if let Some(user) = users::service::account_by_email(conn, email)? {
                audit::record(
                    conn,
                    Entry {
                        actor: None,
                        request_id: ctx.request_id.as_deref(),
                        action: "login.locked_out",
                        resource_type: "user",
                        resource_id: Some(&user.id),
                        details: Some(json!({"retry_after_seconds": retry_after})),
                    },
                )?;
            }
            return Err(ApiError::TooManyRequests { retry_after });
        }
    }
    let user = users::service::account_by_email(conn, email)?;
    let email_verified = match &user {
        Some(user) => repository::is_verified(conn, &user.id)?,
        None => false,
    };
    drop(pooled);
    let password_matches = match &user {
        Some(user) => passwords::verify(password, &user.password_hash) && !user.disabled,
        None => {
            passwords::verify_against_nothing(password);
            false
        }
    };
    // The hash is checked first, whatever else refuses the log-in: the same time either way.
    let Some(user) = user.filter(|_| password_matches && email_verified) else {
        ctx.limits
            .login_failed(&mut *pool.get()?, email, ctx.source.as_ref())?;
        return Err(ApiError::InvalidCredentials);
    };
    start_session(&mut *pool.get()?, ctx.keys, ctx.refresh_ttl, &user)
}

fn start_session(
    conn: &mut Conn,
    keys: &TokenKeys,
    refresh_ttl: Duration,
    user: &UserRow,
) -> Result<TokenPair, ApiError> {
    let now = db::now();
    let session = SessionRow {
        id: db::new_id(),
        user_id: user.id.clone(),
        created_at: now,
        expires_at: now
            + chrono::Duration::from_std(refresh_ttl).unwrap_or(chrono::Duration::days(30)),
        revoked_at: None,
    };
    db::write_transaction(conn, |conn| {
        repository::insert_session(conn, &session)?;
        issue_pair(conn, keys, &session, user.role)
    })
}

/// A new refresh token in `session` and an access token bound to it.
fn issue_pair(
    conn: &mut Conn,
    keys: &TokenKeys,
    session: &SessionRow,
    role: Role,
) -> Result<TokenPair, ApiError> {
    let refresh_token = tokens::new_secret();
    repository::insert_refresh_token(
        conn,
        &RefreshTokenRow {
            token_hash: tokens::secret_hash(&refresh_token),
            session_id: session.id.clone(),
            created_at: db::now(),
            used_at: None,
        },
    )?;
    Ok(TokenPair {
        access_token: keys.issue(&session.user_id, role, Some(&session.id)),
        refresh_token,
        token_type: "Bearer",
        expires_in: keys.access_ttl.as_secs(),
    })
}

/// Rotates a refresh token. A spent one means it was stolen or replayed: its whole session ends.
pub fn refresh(
    conn: &mut Conn,
    keys: &TokenKeys,
    refresh_token: &str,
) -> Result<TokenPair, ApiError> {
    let hash = tokens::secret_hash(refresh_token);
    // The outer Result commits (a revocation must stick); the inner one is the answer.
    let outcome = db::write_transaction::<_, ApiError, _>(conn, |conn| {
        let now = db::now();
        let Some((token, session)) = repository::find_refresh_token(conn, &hash)? else {
            return Ok(Err(ApiError::Unauthorized));
        };
        if session.revoked_at.is_some() || session.expires_at <= now {
            return Ok(Err(ApiError::Unauthorized));
        }
        if token.used_at.is_some() || repository::spend_refresh_token(conn, &hash, now)? == 0 {
            repository::revoke_session(conn, &session.id, now)?;
            log::warn!("refresh token reuse: session {} revoked", session.id);
            return Ok(Err(ApiError::Unauthorized));
        }
        let user = match users::service::find_account(conn, &session.user_id)? {
            Some(user) if !user.disabled => user,
            _ => return Ok(Err(ApiError::Unauthorized)),
        };
        Ok(Ok(issue_pair(conn, keys, &session, user.role)?))
    })?;
    outcome
}

/// Ends the session of a refresh token; unknown tokens are ignored (logging out is idempotent).
pub fn logout(conn: &mut Conn, refresh_token: &str) -> Result<(), ApiError> {
    if let Some((_, session)) =
        repository::find_refresh_token(conn, &tokens::secret_hash(refresh_token))?
    {
        repository::revoke_session(conn, &session.id, db::now())?;
    }
    Ok(())
}

/// Why a client-credentials request failed (RFC 6749 §5.2 codes).
#[derive(Debug, PartialEq, Eq)]
pub enum ClientCredentialsError {
    InvalidRequest,
    UnsupportedGrantType,
    InvalidClient,
}

pub fn client_credentials(
    conn: &mut Conn,
    keys: &TokenKeys,
    grant_type: Option<&str>,
    client_id: Option<&str>,
    client_secret: Option<&str>,
) -> Result<Result<ClientToken, ClientCredentialsError>, ApiError> {
    let (Some(grant_type), Some(client_id), Some(client_secret)) =
        (grant_type, client_id, client_secret)
    else {
        return Ok(Err(ClientCredentialsError::InvalidRequest));
    };
    if grant_type != "client_credentials" {
        return Ok(Err(ClientCredentialsError::UnsupportedGrantType));
    }
    // No client id holds a NUL, and PostgreSQL refuses one in a query parameter.
    if client_id.contains('\0') {
        return Ok(Err(ClientCredentialsError::InvalidClient));
    }
    match partners::service::authenticate_client(conn, client_id, client_secret)? {
        Some(id) => Ok(Ok(ClientToken {
            access_token: keys.issue(&id, Role::Partner, None),
            token_type: "Bearer",
            expires_in: keys.access_ttl.as_secs(),
        })),
        None => Ok(Err(ClientCredentialsError::InvalidClient)),
    }
}

/// The caller behind valid claims, if their account (or client) and session still stand and
/// their role is still the one the token names.
pub fn authenticate(
    conn: &mut Conn,
    claims: Claims,
    request_id: Option<String>,
) -> Result<AuthUser, ApiError> {
    let valid = if claims.role == Role::Partner {
        partners::service::is_active(conn, &claims.sub)?
    } else {
        let user_ok = users::service::find_account(conn, &claims.sub)?
            .is_some_and(|u| !u.disabled && u.role == claims.role);
        let session_ok = match &claims.sid {
            Some(sid) => repository::session_is_active(conn, sid, &claims.sub, db::now())?,
            None => false,
        };
        user_ok && session_ok
    };
    if !valid {
        return Err(ApiError::Unauthorized);
    }
    Ok(AuthUser {
        id: claims.sub,
        role: claims.role,
        session_id: claims.sid,
        request_id,
    })
}

/// Ends every session of an account but `except` (the caller's own, when it goes on): its
/// refresh tokens and the access tokens bound to them stop working at once.
pub fn end_sessions_of(
    conn: &mut Conn,
    user_id: &str,
    except: Option<&str>,
) -> Result<(), ApiError> {
    repository::revoke_user_sessions(conn, user_id, except, db::now())?;
    Ok(())
}

/// What `auth` holds about an account being erased, gone in the erasure's transaction: every
/// session ends (its access and refresh tokens stop working at once), every mailed token
/// (verification, reset, set-your-password) is deleted, and the limit windows keyed by its
/// address are forgotten. `email` is the address the account had.
pub fn forget_account(conn: &mut Conn, user_id: &str, email: &str) -> Result<(), ApiError> {
    end_sessions_of(conn, user_id, None)?;
    repository::delete_tokens(conn, user_id, TokenPurpose::ALL)?;
    super::rate_limit::forget_address(conn, email)
}
