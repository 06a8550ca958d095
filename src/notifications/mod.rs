//! Notices the program owes a peer (receipt of their form, a meeting booked, a place confirmed
//! with its session dates, the "no" and "not yet" updates): rendered in the peer's language,
//! written to the outbox in the transaction of the change that causes them (`service::enqueue`),
//! listed at `/me/notifications` (with their read state), and delivered by the background sender
//! (`sender`) the way each person chose: by email or not, discreetly or in full, a few an hour at
//! most.

pub mod handlers;
pub mod models;
pub mod repository;
pub mod sender;
pub mod service;
pub mod templates;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(handlers::list_my_notifications)
        .service(handlers::mark_my_notification_read);
}
