//! Consent: versioned bilingual consent documents, and the append-only ledger of who granted,
//! refused or withdrew which version, when and how.

pub mod handlers;
pub mod models;
pub mod repository;
pub mod service;

use utoipa_actix_web::service_config::ServiceConfig;

use crate::{auth::AuthUser, db::Conn, error::ApiError};

/// What the levels above consent do, in the withdrawal's own transaction. Built in
/// `crate::reactions`; consent never names them.
#[derive(Clone, Copy)]
pub struct Reactions {
    /// The person (by id) withdrew their participation consent: their placements are held.
    pub participation_withdrawn: fn(&mut Conn, &AuthUser, &str) -> Result<(), ApiError>,
    /// The person (by id) granted a consent: placements held while one was missing may resume.
    pub consent_granted: fn(&mut Conn, &AuthUser, &str) -> Result<(), ApiError>,
}

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(handlers::list_documents)
        .service(handlers::create_document)
        .service(handlers::get_document)
        .service(handlers::create_record)
        .service(handlers::list_records)
        .service(handlers::withdraw_record);
}
