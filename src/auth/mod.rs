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
