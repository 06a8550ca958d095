//! The one integration-test binary: every test drives a real server over HTTP, on SQLite, or on
//! PostgreSQL when `TEST_DATABASE_URL` names a server.

mod accounts;
mod auth;
mod contract;
mod database_roles;
mod demo;
mod directory;
mod edge;
mod errors;
mod feedback;
mod feedback_window;
mod groups;
mod helpers;
mod hostile_input;
mod intake;
mod limits;
mod mailbox;
mod matrix;
mod my_data;
mod notifications;
mod operations;
mod queries;
mod races;
mod referrals;
mod users;
