//! A person's own data: everything the program holds about the caller as one document
//! (`GET /me/export`), and the erasure of their account (`DELETE /me`). It owns no table: it
//! composes the services of the resources below, in one transaction each.

pub mod handlers;
pub mod models;
pub mod service;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(handlers::export_my_data)
        .service(handlers::erase_me);
}
