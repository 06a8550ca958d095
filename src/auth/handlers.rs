use actix_web::{http::header, post, web, HttpRequest, HttpResponse};

use super::{
    models::{
        ClientCredentialsRequest, ClientToken, LoginRequest, OAuthError, RefreshRequest,
        RegisterRequest, RegistrationReceived, TokenPair,
    },
    passwords,
    service::{self, ClientCredentialsError, LoginContext},
};
use crate::{
    domain::Receipt,
    error::{responses, ApiError},
    http::{client, extractors::ValidJson, middleware::RequestId},
    state::AppState,
    users,
};

/// Sign up as a peer
///
/// Answers 202 the same way whether or not the email is already registered, so that nobody can
/// learn who is in the program; the new peer then logs in.
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
    reactions: web::Data<super::Reactions>,
    req: HttpRequest,
    request_id: RequestId,
    body: ValidJson<RegisterRequest>,
) -> Result<HttpResponse, ApiError> {
    let source = client::source(&req, &state.config.trusted_proxies);
    let st = state.clone();
    state
        .pool
        .run(move |conn| st.limits.signup_attempt(conn, source.as_ref()))
        .await?;
    let body = body.into_inner();
    // Hashed before a pooled connection is taken: a hash is tens of milliseconds of CPU.
    let password = body.password.clone();
    let hash = web::block(move || passwords::hash(&password)).await?;
    state
        .pool
        .run(move |conn| {
            let account = users::service::new_account(
                &body.email,
                hash,
                &body.display_name,
                super::Role::Peer,
                body.preferred_language,
            );
            service::register(conn, &account, Some(&request_id.0), &reactions)
        })
        .await?;
    Ok(HttpResponse::Accepted().json(RegistrationReceived {
        status: Receipt::Received,
        detail: "If this email was not already registered, the account is ready: log in with it.",
    }))
}

/// Log in
///
/// Returns a short-lived access token and a single-use refresh token. Wrong email and wrong
/// password are refused alike. Repeated attempts at one account or from one address get 429.
#[utoipa::path(
    operation_id = "login",
    tag = "auth",
    request_body = LoginRequest,
    security(()),
    responses(
        (status = 200, description = "Logged in", body = TokenPair),
        responses::PublicWrite,
        (status = 401, response = responses::Unauthorized),
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
