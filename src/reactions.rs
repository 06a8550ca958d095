//! Who reacts to what: the one place where a lower resource learns what the higher ones do when
//! something happens to it. Each lower module declares its `Reactions`; `lib.rs` registers
//! these as app data, and handlers hand them to their services.

use crate::{
    auth::{self, AuthUser},
    consent,
    db::Conn,
    error::ApiError,
    groups, intake,
    mail::Letter,
    referrals,
    users::{self, models::UserRow},
};

/// A verified address that partners referred gets a claim code to link the referrals to the
/// account (never before verification: whoever signs up with an address must prove it first).
pub const AUTH: auth::Reactions = auth::Reactions {
    email_verified: offer_claim_code,
};

/// An account's role or access changed: a group under way must keep the facilitators its kind
/// needs, so a change that would leave one without is refused.
pub const USERS: users::Reactions = users::Reactions {
    access_changed: groups::service::facilitator_account_changed,
};

/// Participation consent withdrawn: intake holds the person's placements and frees their seats.
/// A consent granted: intake gives back the seats held while a required consent was missing.
pub const CONSENT: consent::Reactions = consent::Reactions {
    participation_withdrawn: intake::placements::participation_withdrawn,
    consent_granted,
};

/// An application moved: the partner's referral follows it; a referred person without an
/// account hears at the partner's address; coordinators see who was referred.
pub const INTAKE: intake::Reactions = intake::Reactions {
    referral_moved: referrals::service::application_moved,
    notify_unattached: referrals::service::notify_unattached,
    referral_contacts: referrals::service::contacts_of,
};

fn consent_granted(conn: &mut Conn, caller: &AuthUser, person_id: &str) -> Result<(), ApiError> {
    intake::placements::consents_granted(conn, caller, &INTAKE, person_id)
}

fn offer_claim_code(
    conn: &mut Conn,
    account: &UserRow,
    request_id: Option<&str>,
) -> Result<Option<Letter>, ApiError> {
    referrals::service::offer_claim_code(conn, account, None, request_id)
}
