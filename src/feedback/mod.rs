//! Anonymous session feedback. Tokens are RFC 9474 blind signatures (`keys`): the server signs a
//! token it never sees, so even its operator cannot tie a spent token to the person it was issued
//! to. Who received a token is recorded apart from the responses (a session and a date only),
//! so nobody — an admin with the database included — can link a response to a person.
//! Summaries include only sessions whose feedback window has closed and that have at least five
//! responses, so no summary, or difference of summaries, narrows to fewer than five people.

pub mod handlers;
pub mod keys;
pub mod models;
pub mod releaser;
pub mod repository;
pub mod sealing;
pub mod service;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(handlers::keys)
        .service(handlers::issue_token)
        .service(handlers::issue_group_tokens)
        .service(handlers::submit)
        .service(handlers::session_summary)
        .service(handlers::group_summary)
        .service(handlers::program_summary);
}
