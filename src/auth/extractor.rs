//! `AuthUser`: the caller behind a valid bearer token, checked against the database on every
//! request so that a disabled account, a changed role or an ended session stops working at once.

use actix_web::{dev::Payload, http::header, web, FromRequest, HttpMessage, HttpRequest};
use futures_util::future::LocalBoxFuture;

use super::{service, Role};
use crate::{error::ApiError, http::middleware::RequestId, state::AppState};

#[derive(Debug, Clone)]
pub struct AuthUser {
    /// The account id, or the partner client's id.
    pub id: String,
    pub role: Role,
    /// The sign-in session the token belongs to (none for partner clients).
    pub session_id: Option<String>,
    /// The request being served, for the audit log.
    pub request_id: Option<String>,
}

impl AuthUser {
    /// Refuses callers whose role is not one of `roles`.
    pub fn require(&self, roles: &[Role]) -> Result<(), ApiError> {
        if roles.contains(&self.role) {
            Ok(())
        } else {
            Err(ApiError::Forbidden)
        }
    }

    /// Refuses partner clients: the operation is for people with accounts.
    pub fn require_account(&self) -> Result<(), ApiError> {
        if self.role.is_account_role() {
            Ok(())
        } else {
            Err(ApiError::Forbidden)
        }
    }
}

fn bearer_token(req: &HttpRequest) -> Option<String> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_string())
        .filter(|t| !t.is_empty())
}

impl FromRequest for AuthUser {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<AuthUser, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let token = bearer_token(req);
        let request_id = req.extensions().get::<RequestId>().map(|r| r.0.clone());
        Box::pin(async move {
            let state = state.ok_or(ApiError::Internal)?;
            let claims = token
                .and_then(|t| state.keys.verify(&t))
                .ok_or(ApiError::Unauthorized)?;
            state
                .pool
                .run(move |conn| service::authenticate(conn, claims, request_id))
                .await
        })
    }
}

/// The caller of an operation open to anyone: `None` without an `Authorization` header; a
/// header that is present must hold a valid token (a bad one is 401, never silently anonymous).
#[derive(Debug, Clone)]
pub struct MaybeAuthUser(pub Option<AuthUser>);

impl FromRequest for MaybeAuthUser {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<MaybeAuthUser, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        if !req.headers().contains_key(header::AUTHORIZATION) {
            return Box::pin(async { Ok(MaybeAuthUser(None)) });
        }
        let caller = AuthUser::from_request(req, payload);
        Box::pin(async move { Ok(MaybeAuthUser(Some(caller.await?))) })
    }
}
