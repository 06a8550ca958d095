//! Program groups (informal drop-in and formal cohort groups), their sessions, rosters and
//! attendance, and a participant's own upcoming sessions.

pub mod handlers;
pub mod models;
pub mod repository;
pub mod schedule;
pub mod service;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(handlers::list_groups)
        .service(handlers::create_group)
        .service(handlers::get_group)
        .service(handlers::update_group)
        .service(handlers::list_sessions)
        .service(handlers::create_sessions)
        .service(handlers::get_session)
        .service(handlers::update_session)
        .service(handlers::record_attendance)
        .service(handlers::my_sessions);
}
