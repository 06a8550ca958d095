//! Who reacts to what: the one place where a lower resource learns what the higher ones do when
//! something happens to it (each lower module declares its `Reactions`; `lib.rs` registers
//! them as app data, and handlers hand them to their services).

use actix_web::web;

use crate::{consent, intake, referrals};

/// Consent withdrawn: intake's placements are held.
pub fn consent() -> consent::Reactions {
    consent::Reactions {
        participation_withdrawn: intake::placements::participation_withdrawn,
    }
}

/// An application moved: the partner's referral follows it.
pub fn intake() -> intake::Reactions {
    intake::Reactions {
        referral_moved: referrals::service::application_moved,
        notify_unattached: referrals::service::notify_unattached,
        referral_contacts: referrals::service::contacts_of,
    }
}

/// Every module's reactions as app data.
pub fn register(cfg: &mut web::ServiceConfig) {
    cfg.app_data(web::Data::new(consent()))
        .app_data(web::Data::new(intake()));
}
