//! Consent: versioned bilingual consent documents, and the append-only ledger of who granted,
//! refused or withdrew which version, when and how.

pub mod handlers;
pub mod models;
pub mod repository;
pub mod service;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(handlers::list_documents)
        .service(handlers::create_document)
        .service(handlers::get_document)
        .service(handlers::create_record)
        .service(handlers::list_records)
        .service(handlers::withdraw_record);
}
