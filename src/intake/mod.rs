//! Intake: the six-step journey from a peer's application to a seat in a group — the state
//! machine, the service-level deadline, placement, and the timeline the peer sees.

pub mod business_days;
pub mod handlers;
pub mod models;
pub mod repository;
pub mod service;
pub mod state;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(handlers::create_application)
        .service(handlers::list_applications)
        .service(handlers::get_application)
        .service(handlers::get_timeline)
        .service(handlers::assign)
        .service(handlers::submit_form)
        .service(handlers::schedule_meeting)
        .service(handlers::record_meeting)
        .service(handlers::place)
        .service(handlers::waitlist)
        .service(handlers::withdraw)
        .service(handlers::close)
        .service(handlers::group_waitlist)
        .service(handlers::my_placements);
}
