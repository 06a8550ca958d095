//! Crisis and support lines, in English and French: shown to anyone, curated by admins, and
//! included by other modules in the answers that tell a peer "no" or "not yet".

pub mod handlers;
pub mod models;
pub mod repository;
pub mod service;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(handlers::list_support_lines)
        .service(handlers::create_support_line)
        .service(handlers::get_support_line)
        .service(handlers::update_support_line)
        .service(handlers::delete_support_line);
}
