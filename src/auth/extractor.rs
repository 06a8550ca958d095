//! `AuthUser`: the caller behind a valid bearer token, checked against the database on every
//! request so that a disabled account, a changed role or an ended session stops working at once.

use actix_web::{dev::Payload, http::header, web, FromRequest, HttpMessage, HttpRequest};
use futures_util::future::LocalBoxFuture;

use super::{service, Role};
use crate::{
    domain::role::{LEADERS, STAFF},
    error::ApiError,
    http::{caller_check::CallerCheck, middleware::RequestId},
    state::AppState,
};

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
        let check = CallerCheck::begin(req);
        Box::pin(async move {
            let _check = check;
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

/// A caller whose role is in a set, checked in extraction: a handler declares who may call it
/// in its signature (`caller: Staff`), and anyone else gets 403 before any answer about the
/// request's body or query. Derefs to the [`AuthUser`].
macro_rules! role_set {
    ($(#[$doc:meta])* $name:ident, $admits:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone)]
        pub struct $name(pub AuthUser);

        impl std::ops::Deref for $name {
            type Target = AuthUser;
            fn deref(&self) -> &AuthUser {
                &self.0
            }
        }

        impl FromRequest for $name {
            type Error = ApiError;
            type Future = LocalBoxFuture<'static, Result<$name, ApiError>>;

            fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
                let caller = AuthUser::from_request(req, payload);
                Box::pin(async move {
                    let caller = caller.await?;
                    let admits: fn(Role) -> bool = $admits;
                    if admits(caller.role) {
                        Ok($name(caller))
                    } else {
                        Err(ApiError::Forbidden)
                    }
                })
            }
        }
    };
}

role_set!(
    /// A person with an account, whatever their role: partner clients are refused.
    AccountHolder,
    Role::is_account_role
);
role_set!(
    /// A peer.
    Peer,
    |role| role == Role::Peer
);
role_set!(
    /// A partner organization's client.
    Partner,
    |role| role == Role::Partner
);
role_set!(
    /// Coordinators and admins.
    Staff,
    |role| STAFF.contains(&role)
);
role_set!(
    /// An admin.
    Admin,
    |role| role == Role::Admin
);
role_set!(
    /// Facilitators (peer supporters, mental health professionals) and staff; the service
    /// checks that a facilitator leads the group at hand.
    Leader,
    |role| LEADERS.contains(&role)
);
role_set!(
    /// A peer (for their own records) or staff.
    PeerOrStaff,
    |role| role == Role::Peer || STAFF.contains(&role)
);
