//! Accounts: a person's own profile and password (`/me`), and the admin's management of
//! accounts and roles (`/users`).

pub mod handlers;
pub mod models;
pub mod repository;
pub mod service;

use crate::{db::Conn, error::ApiError};

/// What the levels above do, in the change's own transaction, when an admin changes an
/// account's role or access (built in `crate::reactions`).
#[derive(Clone, Copy)]
pub struct Reactions {
    /// The account's role or `disabled` just changed (already written): a level above may
    /// refuse it (a group under way would lose the facilitator its kind needs), undoing it.
    pub access_changed: fn(&mut Conn, &str) -> Result<(), ApiError>,
}
