//! The directory of peer support groups run by other organizations: submissions by anyone
//! (partners included) wait for a coordinator's review; published listings are public.

pub mod demo;
pub mod handlers;
pub mod models;
pub mod repository;
pub mod service;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(handlers::list_listings)
        .service(handlers::submit_listing)
        .service(handlers::get_listing)
        .service(handlers::update_listing)
        .service(handlers::review_listing)
        .service(handlers::archive_listing);
}
