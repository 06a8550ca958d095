//! Who is calling: passwords, access and refresh tokens, the authenticated-caller extractor,
//! roles, sign-up/log-in limits, and the `/auth/*` operations.

pub mod extractor;
pub mod handlers;
pub mod models;
pub mod passwords;
pub mod rate_limit;
pub mod repository;
pub mod service;
pub mod tokens;

pub use crate::domain::Role;
pub use extractor::{
    AccountHolder, Admin, AuthUser, Leader, MaybeAuthUser, Partner, Peer, PeerOrStaff, Staff,
};

use crate::{db::Conn, error::ApiError, users::models::UserRow};

/// What the levels above do, in the sign-up's own transaction, when an account is created
/// (built in `crate::reactions`, handed to the handler as `web::Data<auth::Reactions>`).
#[derive(Clone, Copy)]
pub struct Reactions {
    /// A peer's account was just stored; the request id is for the audit log. An error undoes
    /// the sign-up.
    pub account_created: fn(&mut Conn, &UserRow, Option<&str>) -> Result<(), ApiError>,
}
