//! Intake: the six-step journey from a peer's application to a seat in a group — the state
//! machine, the service-level deadline, the timeline the peer sees, and (in `placements`) the
//! seats, waiting lists and placement rules.

pub mod business_days;
pub mod handlers;
pub mod models;
pub mod offer_sweeper;
pub mod offers;
pub mod placements;
pub mod repository;
pub mod service;
pub mod state;

use std::collections::HashMap;

use chrono::NaiveDateTime;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::{db::Conn, error::ApiError, notifications::models::Notice};
use models::{ApplicationRow, ReferralContact};

/// Referral contacts by application id.
pub type ReferralContacts = HashMap<String, ReferralContact>;
use state::IntakeStatus;

/// What the levels above intake do, in the move's own transaction. Built in
/// `crate::reactions`; intake never names them.
#[derive(Clone, Copy)]
pub struct Reactions {
    /// A referred application moved from `from` to its current status at this time.
    pub referral_moved:
        fn(&mut Conn, &ApplicationRow, IntakeStatus, NaiveDateTime) -> Result<(), ApiError>,
    /// A notice is owed to a referred person who has no account yet.
    pub notify_unattached: fn(&mut Conn, &ApplicationRow, &Notice) -> Result<(), ApiError>,
    /// Who was referred, for coordinators reading these applications, by application id.
    pub referral_contacts: fn(&mut Conn, &[String]) -> Result<ReferralContacts, ApiError>,
}

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(handlers::create_application)
        .service(handlers::list_applications)
        .service(handlers::get_application)
        .service(handlers::get_timeline)
        .service(handlers::assign)
        .service(handlers::submit_form)
        .service(handlers::schedule_meeting)
        .service(handlers::record_meeting)
        .service(handlers::reassign)
        .service(handlers::place)
        .service(handlers::move_placement)
        .service(handlers::waitlist)
        .service(handlers::withdraw)
        .service(handlers::close)
        .service(handlers::group_waitlist)
        .service(handlers::group_roster)
        .service(handlers::my_placements)
        .service(handlers::accept_offer)
        .service(handlers::decline_offer)
        .service(handlers::my_offers)
        .service(handlers::group_offers);
}
