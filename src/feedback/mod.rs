//! Anonymous session feedback. Who received a feedback token is recorded apart from the token
//! (which is signed, not stored) and from the responses (which carry a session and a date only),
//! so nobody — an admin with the database included — can link a response to a person.
//! Summaries include only sessions whose feedback window has closed and that have at least five
//! responses, so no summary, or difference of summaries, narrows to fewer than five people.

pub mod handlers;
pub mod models;
pub mod repository;
pub mod service;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(handlers::issue_token)
        .service(handlers::submit)
        .service(handlers::session_summary)
        .service(handlers::group_summary)
        .service(handlers::program_summary);
}
