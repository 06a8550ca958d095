//! Who is calling: passwords, access and refresh tokens, the authenticated-caller extractor,
//! roles, sign-up/log-in limits, verified addresses and the tokens mailed to them (verification,
//! password reset), and the `/auth/*` operations.

pub mod extractor;
pub mod handlers;
pub mod letters;
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

use crate::{db::Conn, error::ApiError, mail::Letter, users::models::UserRow};

/// What the levels above do, in the verification's own transaction, when an account's address
/// is verified (built in `crate::reactions`, handed to the handlers as
/// `web::Data<auth::Reactions>`).
/// See [`Reactions::email_verified`]: the account, the request id; a letter to send after commit.
pub type EmailVerified = fn(&mut Conn, &UserRow, Option<&str>) -> Result<Option<Letter>, ApiError>;

#[derive(Clone, Copy)]
pub struct Reactions {
    /// An account's address was just verified (by its link, or by setting a password through a
    /// mailed link): only now may mail meant for that address (a referral's claim code) go to
    /// the account. The request id is for the audit log. An error undoes the verification; a
    /// letter is sent once the verification has committed.
    pub email_verified: EmailVerified,
}
