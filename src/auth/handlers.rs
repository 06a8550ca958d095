use actix_web::{http::header, post, web, HttpRequest, HttpResponse};

use super::{
    models::{
        ClientCredentialsRequest, ClientToken, EmailRequest, LoginRequest, MailRequested,
        OAuthError, PasswordResetConfirm, RefreshRequest, RegisterRequest, RegistrationReceived,
        TokenPair, VerifyEmailRequest,
    },
    passwords,
    rate_limit::count_attempt,
    service::{self, ClientCredentialsError, LoginContext},
};
use crate::{
    domain::Receipt,
    error::{responses, ApiError},
    http::{client, extractors::ValidJson, middleware::RequestId},
    mail,
    state::AppState,
    users,
};

/// Sign up as a peer
///
/// Answers 202 the same way whether or not the email is already registered, so that nobody can
/// learn who is in the program; the mail to the address says the rest. A new address gets a
/// link to confirm it (24 hours); log-in works once it is confirmed. Signing up again with an
/// address not confirmed yet replaces that pending sign-up (new password, earlier links dead).
/// The owner of an address that already has an account is told that someone tried, and
/// nothing changes.
#[utoipa::path(
    operation_id = "register",
    tag = "auth",
    request_body = RegisterRequest,
    security(()),
    responses(
        (status = 202, description = "Sign-up received", body = RegistrationReceived),
        responses::PublicWrite,
        (status = 429, response = responses::TooManyRequests),
    )
)]
#[post("/auth/register")]
pub async fn register(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: ValidJson<RegisterRequest>,
) -> Result<HttpResponse, ApiError> {
    let source = client::source(&req, &state.config.trusted_proxies);
    count_attempt(&state, move |limits, conn| {
        limits.signup_attempt(conn, source.as_ref())
    })
    .await?;
    let body = body.into_inner();
    // Hashed before a pooled connection is taken: a hash is tens of milliseconds of CPU.
    let password = body.password.clone();
    let hash = web::block(move || passwords::hash(&password)).await?;
    let st = state.clone();
    let letter = state
        .pool
        .run(move |conn| {
            let account = users::service::new_account(
                &body.email,
                hash,
                &body.display_name,
                super::Role::Peer,
                body.preferred_language,
            );
            service::register(conn, &account, &st.config.app_public_url)
        })
        .await?;
    if let Some(letter) = letter {
        mail::send_in_background(&state.mailer, "sign-up", letter);
    }
    Ok(HttpResponse::Accepted().json(RegistrationReceived {
        status: Receipt::Received,
        detail: "We sent a link to this address: open it to confirm the address, then log in.",
    }))
}

/// Confirm an email address
///
/// Takes the token of the link mailed at sign-up (single use, 24 hours). A token that is
/// unknown, spent or expired is refused alike (422 on `token`); ask for a new link with
/// `POST /auth/resend-verification`.
#[utoipa::path(
    operation_id = "verifyEmail",
    tag = "auth",
    request_body = VerifyEmailRequest,
    security(()),
    responses(
        (status = 204, description = "Address confirmed: the account may log in"),
        responses::PublicWrite,
        (status = 429, response = responses::TooManyRequests),
    )
)]
#[post("/auth/verify-email")]
pub async fn verify_email(
    state: web::Data<AppState>,
    reactions: web::Data<super::Reactions>,
    req: HttpRequest,
    request_id: RequestId,
    body: ValidJson<VerifyEmailRequest>,
) -> Result<HttpResponse, ApiError> {
    let source = client::source(&req, &state.config.trusted_proxies);
    count_attempt(&state, move |limits, conn| {
        limits.link_token_attempt(conn, source.as_ref())
    })
    .await?;
    let token = body.into_inner().token;
    let letter = state
        .pool
        .run(move |conn| service::verify_email(conn, &token, Some(&request_id.0), &reactions))
        .await?;
    if let Some(letter) = letter {
        mail::send_in_background(&state.mailer, "claim code", letter);
    }
    Ok(HttpResponse::NoContent().finish())
}

/// Send the confirmation link again
///
/// Answers 202 the same way whatever the address: only an account waiting for confirmation
/// gets a new link (earlier ones stop working); an account an admin created gets a new
/// set-your-password link.
#[utoipa::path(
    operation_id = "resendVerification",
    tag = "auth",
    request_body = EmailRequest,
    security(()),
    responses(
        (status = 202, description = "Request received", body = MailRequested),
        responses::PublicWrite,
        (status = 429, response = responses::TooManyRequests),
    )
)]
#[post("/auth/resend-verification")]
pub async fn resend_verification(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: ValidJson<EmailRequest>,
) -> Result<HttpResponse, ApiError> {
    let email = body.into_inner().email;
    let source = client::source(&req, &state.config.trusted_proxies);
    let to = email.clone();
    count_attempt(&state, move |limits, conn| {
        limits.account_mail_request(conn, &to, source.as_ref())
    })
    .await?;
    let st = state.clone();
    let letter = state
        .pool
        .run(move |conn| service::resend_verification(conn, &email, &st.config.app_public_url))
        .await?;
    if let Some(letter) = letter {
        mail::send_in_background(&state.mailer, "verification", letter);
    }
    Ok(mail_requested())
}

/// Ask for a password reset
///
/// Answers 202 the same way, in the same time, whatever the address: an account's address gets
/// a single-use link valid 30 minutes (earlier ones stop working). Limited per client address
/// and per email address.
#[utoipa::path(
    operation_id = "requestPasswordReset",
    tag = "auth",
    request_body = EmailRequest,
    security(()),
    responses(
        (status = 202, description = "Request received", body = MailRequested),
        responses::PublicWrite,
        (status = 429, response = responses::TooManyRequests),
    )
)]
#[post("/auth/password-reset")]
pub async fn request_password_reset(
    state: web::Data<AppState>,
    req: HttpRequest,
    request_id: RequestId,
    body: ValidJson<EmailRequest>,
) -> Result<HttpResponse, ApiError> {
    let email = body.into_inner().email;
    let source = client::source(&req, &state.config.trusted_proxies);
    let to = email.clone();
    count_attempt(&state, move |limits, conn| {
        limits.account_mail_request(conn, &to, source.as_ref())
    })
    .await?;
    let st = state.clone();
    let letter = state
        .pool
        .run(move |conn| {
            service::request_password_reset(
                conn,
                &email,
                &st.config.app_public_url,
                Some(&request_id.0),
            )
        })
        .await?;
    if let Some(letter) = letter {
        mail::send_in_background(&state.mailer, "password reset", letter);
    }
    Ok(mail_requested())
}

/// Set a new password with a reset link
///
/// Takes the token of a password-reset link (or of the set-your-password link of an account an
/// admin created) and the new password. The token is spent, every session of the account ends
/// (its refresh tokens and their access tokens stop working), and the address counts as
/// confirmed. A token that is unknown, spent or expired is refused alike (422 on `token`).
#[utoipa::path(
    operation_id = "confirmPasswordReset",
    tag = "auth",
    request_body = PasswordResetConfirm,
    security(()),
    responses(
        (status = 204, description = "Password set; every session of the account ended"),
        responses::PublicWrite,
        (status = 429, response = responses::TooManyRequests),
    )
)]
#[post("/auth/password-reset/confirm")]
pub async fn confirm_password_reset(
    state: web::Data<AppState>,
    reactions: web::Data<super::Reactions>,
    req: HttpRequest,
    request_id: RequestId,
    body: ValidJson<PasswordResetConfirm>,
) -> Result<HttpResponse, ApiError> {
    let source = client::source(&req, &state.config.trusted_proxies);
    count_attempt(&state, move |limits, conn| {
        limits.link_token_attempt(conn, source.as_ref())
    })
    .await?;
    let body = body.into_inner();
    let mailer = state.mailer.clone();
    // The new password is hashed on the blocking pool, holding a connection only around it.
    let letter = web::block(move || {
        service::confirm_password_reset(
            &state.pool,
            &body.token,
            &body.new_password,
            Some(&request_id.0),
            &reactions,
        )
    })
    .await??;
    if let Some(letter) = letter {
        mail::send_in_background(&mailer, "claim code", letter);
    }
    Ok(HttpResponse::NoContent().finish())
}

fn mail_requested() -> HttpResponse {
    HttpResponse::Accepted().json(MailRequested {
        status: Receipt::Received,
        detail: "If this address belongs to an account, we sent it a link.",
    })
}

/// Log in
///
/// Returns a short-lived access token and a single-use refresh token. A wrong email, a wrong
/// password and an address not confirmed yet are refused alike (401 `invalid-credentials`, in
/// the same time). Repeated attempts at one account or from one address get 429.
#[utoipa::path(
    operation_id = "login",
    tag = "auth",
    request_body = LoginRequest,
    security(()),
    responses(
        (status = 200, description = "Logged in", body = TokenPair),
        responses::PublicWrite,
        (status = 401, response = responses::InvalidCredentials),
        (status = 429, response = responses::TooManyRequests),
    )
)]
#[post("/auth/login")]
pub async fn login(
    state: web::Data<AppState>,
    req: HttpRequest,
    request_id: RequestId,
    body: ValidJson<LoginRequest>,
) -> Result<web::Json<TokenPair>, ApiError> {
    let body = body.into_inner();
    let source = client::source(&req, &state.config.trusted_proxies);
    let pair = web::block(move || {
        let ctx = LoginContext {
            keys: &state.keys,
            limits: &state.limits,
            refresh_ttl: state.config.refresh_token_ttl,
            source,
            request_id: Some(request_id.0),
        };
        service::login(&state.pool, &ctx, &body.email, &body.password)
    })
    .await??;
    Ok(web::Json(pair))
}

/// Exchange a refresh token for a new pair
///
/// The presented refresh token is spent. Presenting a spent one again ends its whole session
/// (every token rotated from the same log-in).
#[utoipa::path(
    operation_id = "refreshToken",
    tag = "auth",
    request_body = RefreshRequest,
    security(()),
    responses(
        (status = 200, description = "A new token pair", body = TokenPair),
        responses::PublicWrite,
        (status = 401, response = responses::Unauthorized),
    )
)]
#[post("/auth/refresh")]
pub async fn refresh(
    state: web::Data<AppState>,
    body: ValidJson<RefreshRequest>,
) -> Result<web::Json<TokenPair>, ApiError> {
    let token = body.into_inner().refresh_token;
    let st = state.clone();
    let pair = state
        .pool
        .run(move |conn| service::refresh(conn, &st.keys, &token))
        .await?;
    Ok(web::Json(pair))
}

/// Log out
///
/// Ends the session of the refresh token: it and every access token of that session stop
/// working. Unknown tokens are accepted silently.
#[utoipa::path(
    operation_id = "logout",
    tag = "auth",
    request_body = RefreshRequest,
    security(()),
    responses(
        (status = 204, description = "Logged out"),
        responses::PublicWrite,
    )
)]
#[post("/auth/logout")]
pub async fn logout(
    state: web::Data<AppState>,
    body: ValidJson<RefreshRequest>,
) -> Result<HttpResponse, ApiError> {
    let token = body.into_inner().refresh_token;
    state
        .pool
        .run(move |conn| service::logout(conn, &token))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Get a partner access token (OAuth 2.0 client credentials)
///
/// Form-encoded `grant_type=client_credentials`, `client_id`, `client_secret`. Errors follow
/// RFC 6749 §5.2.
#[utoipa::path(
    operation_id = "issueClientToken",
    tag = "auth",
    request_body(content = ClientCredentialsRequest, content_type = "application/x-www-form-urlencoded"),
    security(()),
    responses(
        (status = 200, description = "A partner access token", body = ClientToken),
        (status = 400, response = super::models::OAuthErrorResponse),
        (status = 401, response = super::models::OAuthErrorResponse),
        (status = 413, response = responses::PayloadTooLarge),
        (status = 415, response = responses::UnsupportedMediaType),
        (status = 503, response = responses::ServiceUnavailable),
    )
)]
#[post("/auth/token")]
pub async fn issue_client_token(
    state: web::Data<AppState>,
    form: web::Form<ClientCredentialsRequest>,
) -> Result<HttpResponse, ApiError> {
    let form = form.into_inner();
    let st = state.clone();
    let outcome = state
        .pool
        .run(move |conn| {
            service::client_credentials(
                conn,
                &st.keys,
                form.grant_type.as_deref(),
                form.client_id.as_deref(),
                form.client_secret.as_deref(),
            )
        })
        .await?;
    Ok(match outcome {
        Ok(token) => HttpResponse::Ok().json(token),
        Err(ClientCredentialsError::InvalidClient) => HttpResponse::Unauthorized()
            .insert_header((header::WWW_AUTHENTICATE, "Basic realm=\"partners\""))
            .json(OAuthError {
                error: "invalid_client",
                error_description: "unknown client or wrong secret",
            }),
        Err(ClientCredentialsError::UnsupportedGrantType) => {
            HttpResponse::BadRequest().json(OAuthError {
                error: "unsupported_grant_type",
                error_description: "only client_credentials is supported",
            })
        }
        Err(ClientCredentialsError::InvalidRequest) => {
            HttpResponse::BadRequest().json(OAuthError {
                error: "invalid_request",
                error_description: "grant_type, client_id and client_secret are required",
            })
        }
    })
}
