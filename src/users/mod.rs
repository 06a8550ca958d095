//! Accounts: a person's own profile and password (`/me`), and the admin's management of
//! accounts and roles (`/users`).

pub mod handlers;
pub mod models;
pub mod repository;
pub mod service;
