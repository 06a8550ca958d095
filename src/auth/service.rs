use std::time::Duration;

use serde_json::json;

use super::{
    models::{ClientToken, RefreshTokenRow, SessionRow, TokenPair},
    passwords,
    rate_limit::{AuthLimits, Refusal},
    repository,
    tokens::{self, Claims, TokenKeys},
    AuthUser, Reactions, Role,
};
use crate::{
    audit::{self, Entry},
    db::{self, Conn, DbPool},
    error::ApiError,
    http::client::Source,
    partners,
    users::{self, models::UserRow},
};

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

/// Creates the account unless the email is taken, and answers the same either way. The levels
/// above react to a new account in the same transaction (a referred address gets a claim code,
/// never in the account); the answer says nothing of it either.
pub fn register(
    conn: &mut Conn,
    account: &UserRow,
    request_id: Option<&str>,
    reactions: &Reactions,
) -> Result<(), ApiError> {
    let outcome = db::write_transaction::<_, Signup, _>(conn, |conn| {
        if !users::service::add_account(conn, account).map_err(Signup::Failed)? {
            return Err(Signup::EmailTaken);
        }
        (reactions.account_created)(conn, account, request_id).map_err(Signup::Failed)
    });
    match outcome {
        Ok(()) | Err(Signup::EmailTaken) => Ok(()),
        Err(Signup::Failed(error)) => Err(error),
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
/// exists), then opens a session. The verification holds no pooled connection: it takes tens of
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
    drop(pooled);
    let verified = match &user {
        Some(user) => passwords::verify(password, &user.password_hash) && !user.disabled,
        None => {
            passwords::verify_against_nothing(password);
            false
        }
    };
    let Some(user) = user.filter(|_| verified) else {
        ctx.limits
            .login_failed(&mut *pool.get()?, email, ctx.source.as_ref())?;
        return Err(ApiError::Unauthorized);
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
