//! Partner organizations' machine clients: created and revoked by admins, authenticated with the
//! OAuth 2.0 client-credentials grant (`POST /auth/token`).

pub mod handlers;
pub mod models;
pub mod repository;
pub mod service;
