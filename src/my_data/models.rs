use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::{
    consent::models::ConsentRecord,
    groups::models::MyAttendance,
    intake::models::{ApplicationRecord, Placement, PlacementOffer, ReferralContact},
    notifications::models::Notification,
    users::models::{Me, User},
};

/// Everything the program holds about the caller, read at one instant. Anonymous feedback is
/// not in it: nothing links a response to anyone, the program included. Other people's data is
/// never in it (a group's other participants, who on staff made each step).
#[derive(Debug, Serialize, ToSchema)]
pub struct MyData {
    pub exported_at: DateTime<Utc>,
    pub account: User,
    /// Their profile as `/me` shows it: contact choices, time zone, phone number.
    pub profile: Me,
    /// Their intake applications, each with its whole timeline, the answers they gave, and what
    /// coordinators wrote about them (safety notes, the notes of each step).
    pub applications: Vec<ApplicationRecord>,
    /// Their consent records (grants, refusals, withdrawals), oldest first.
    pub consents: Vec<ConsentRecord>,
    /// Their seats in groups, held, suspended or ended.
    pub placements: Vec<Placement>,
    /// The seats a waiting list offered them, with their answers.
    pub placement_offers: Vec<PlacementOffer>,
    /// Their attendance as facilitators recorded it, session by session.
    pub attendance: Vec<MyAttendance>,
    /// The notices the program wrote to them, oldest first.
    pub notifications: Vec<Notification>,
    /// The partner referrals they linked to their account, with what the partner told the
    /// program about them.
    pub referrals: Vec<ReferralContact>,
}

/// The erasure of the caller's account: their current password, so that a stolen token alone
/// cannot erase a survivor's record.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"current_password": "my current long passphrase"}))]
pub struct EraseAccount {
    #[validate(length(min = 1, max = 1024, message = "is required"))]
    #[schema(min_length = 1, max_length = 1024)]
    pub current_password: String,
}
