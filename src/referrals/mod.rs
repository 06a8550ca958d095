//! Partner referrals: a partner organization's system refers a person who agreed to be
//! contacted (idempotently, under its `Idempotency-Key`), which opens an intake application;
//! the partner follows it by a coarse status; the person links it to their account once they
//! prove they control the referral's email address (a one-time claim code). Owns the referred
//! person's details (`referrals` table), the stored answers to keys and the claim codes.

pub mod handlers;
pub mod letters;
pub mod models;
pub mod repository;
pub mod service;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(handlers::create_referral)
        .service(handlers::list_referrals)
        .service(handlers::get_referral)
        .service(handlers::request_claim_code)
        .service(handlers::claim_referrals);
}
