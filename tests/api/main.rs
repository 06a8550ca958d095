//! The one integration-test binary: every test drives a real server over HTTP, on SQLite, or on
//! PostgreSQL when `TEST_DATABASE_URL` names a server.

mod accounts;
mod at_rest;
mod auth;
mod contact;
mod contract;
mod coordinator_desk;
mod database_roles;
mod demo;
mod directory;
mod edge;
mod errors;
mod feedback;
mod feedback_window;
mod group_rules;
mod groups;
mod helpers;
mod hostile_input;
mod intake;
mod limits;
mod mailbox;
mod matrix;
mod my_data;
mod notifications;
mod offers;
mod operations;
mod placement_moves;
mod queries;
mod races;
mod referrals;
mod users;
