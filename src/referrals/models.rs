use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::{Insertable, Queryable};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::{
    db::schema::{referral_idempotency_keys, referrals},
    domain::contact::valid_phone,
    domain::{
        schemas::{OnlyTrue, PhoneNumber},
        vocabulary, Receipt,
    },
    intake::{models::GroupKindPreference, state::IntakeStatus},
    language::Language,
};

vocabulary! {
    /// Where a referral is, as the partner sees it: coarse on purpose, so that nothing of the
    /// person's intake shows through.
    ReferralStatus {
        /// The program has it and will contact the person within two business days.
        Received = "received",
        /// A coordinator is working with the person (intake form, conversation, waiting list).
        InIntake = "in_intake",
        /// The person has a seat in a group.
        Placed = "placed",
        /// The person withdrew or the program closed it; `close_reason` says which.
        Closed = "closed",
    }
}

impl ReferralStatus {
    /// The coarse status of an application in `status`.
    pub fn of(status: IntakeStatus) -> ReferralStatus {
        match status {
            IntakeStatus::Submitted => ReferralStatus::Received,
            IntakeStatus::FormSent
            | IntakeStatus::FormReceived
            | IntakeStatus::MeetingScheduled
            | IntakeStatus::Ready
            | IntakeStatus::NotReady
            | IntakeStatus::Waitlisted => ReferralStatus::InIntake,
            IntakeStatus::Placed => ReferralStatus::Placed,
            IntakeStatus::Withdrawn | IntakeStatus::Closed => ReferralStatus::Closed,
        }
    }
}

/// What the partner is told when the person withdrew (never their own words).
pub const WITHDRAWN_REASON: &str = "withdrawn by the person";

/// The referred person as the partner described them. Personal data: read by coordinators
/// only, never logged, never shown back to the partner.
#[derive(Debug, Clone, Queryable, Insertable)]
#[diesel(table_name = referrals)]
pub struct ReferralRow {
    pub id: String,
    pub partner_id: String,
    pub application_id: String,
    pub person_name: String,
    /// Lower-cased.
    pub email: Option<String>,
    pub phone: Option<String>,
    pub notes: Option<String>,
    pub consent_to_contact: bool,
    pub created_at: NaiveDateTime,
    pub modified_at: NaiveDateTime,
}

/// The first answer to a partner's `Idempotency-Key`, replayed to its retries.
#[derive(Debug, Clone, Queryable, Insertable)]
#[diesel(table_name = referral_idempotency_keys)]
pub struct IdempotencyKeyRow {
    pub partner_id: String,
    pub idempotency_key: String,
    /// SHA-256 of the request as parsed, so a retry with the same fields matches.
    pub request_hash: String,
    pub referral_id: String,
    pub response_body: String,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
}

/// A partner refers a person who agreed to be contacted by the program.
#[derive(Debug, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "name": "Alex Martin",
    "email": "alex.martin@example.ca",
    "phone": "613-555-0142",
    "preferred_language": "en",
    "program": "either",
    "notes": "Prefers to be called after 5 pm; voicemail is private.",
    "consent_to_contact": true
}))]
pub struct CreateReferral {
    /// The name the person gave, as they want to be addressed.
    #[validate(length(min = 1, max = 120, message = "must be 1 to 120 characters"))]
    #[schema(min_length = 1, max_length = 120)]
    pub name: String,
    /// Give an email address, a phone number, or both. With an email the person gets an
    /// acknowledgement and can later link the referral to an account.
    #[validate(
        email(message = "must be a valid email address"),
        length(max = 254, message = "must be at most 254 characters")
    )]
    #[schema(format = "email", max_length = 254)]
    pub email: Option<String>,
    #[validate(custom(function = "valid_phone"))]
    #[schema(value_type = Option<PhoneNumber>, example = "613-555-0142")]
    pub phone: Option<String>,
    pub preferred_language: Language,
    /// The kind of group the person would like: `informal` (drop-in), `formal` (a cohort of ten
    /// sessions) or `either`.
    pub program: GroupKindPreference,
    /// For the program's coordinators only (never shown to the person, never returned to you).
    #[validate(length(max = 2000, message = "must be at most 2000 characters"))]
    #[schema(max_length = 2000)]
    pub notes: Option<String>,
    /// Must be `true`: the person agreed to be contacted by the program.
    #[schema(value_type = OnlyTrue)]
    pub consent_to_contact: bool,
}

/// One change of a referral's status.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct StatusChange {
    pub status: ReferralStatus,
    pub at: DateTime<Utc>,
}

/// A referral as its partner sees it: a coarse status and its dates, never the person's intake.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "7d2c9a4e-1f3b-4c5d-8e6f-0a1b2c3d4e5f",
    "status": ReferralStatus::Closed,
    "status_history": [
        {"status": ReferralStatus::Received, "at": "2026-11-25T14:03:07.123456Z"},
        {"status": ReferralStatus::InIntake, "at": "2026-11-26T09:12:45.654321Z"},
        {"status": ReferralStatus::Closed, "at": "2026-12-10T16:30:00.000001Z"}
    ],
    "close_reason": "withdrawn by the person",
    "received_at": "2026-11-25T14:03:07.123456Z",
    "modified_at": "2026-12-10T16:30:00.000001Z"
}))]
pub struct Referral {
    pub id: String,
    pub status: ReferralStatus,
    /// When the referral reached each status, oldest first.
    pub status_history: Vec<StatusChange>,
    /// Set when `closed`: `withdrawn by the person`, or the coordinator's reason for closing.
    pub close_reason: Option<String>,
    pub received_at: DateTime<Utc>,
    /// Its last change of status (or its receipt): what `modified_after` compares with.
    pub modified_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReferralList {
    pub items: Vec<Referral>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams, Validate)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ReferralFilter {
    /// Only referrals whose status changed after this moment (RFC 3339, years 0001–9999, e.g.
    /// `2026-11-25T14:00:00Z`).
    #[validate(custom(function = "crate::domain::time::valid_time"))]
    pub modified_after: Option<DateTime<Utc>>,
}

/// The code from the email sent to the referral's address.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"code": "K7QM-4XPD-9RTW"}))]
pub struct ClaimReferrals {
    /// As written in the email; case, spaces and dashes do not matter.
    #[validate(length(min = 1, max = 64, message = "is required"))]
    #[schema(min_length = 1, max_length = 64)]
    pub code: String,
}

/// An application now linked to the caller's account.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClaimedApplication {
    /// Read it at `GET /intake-applications/{id}`.
    pub application_id: String,
    pub status: IntakeStatus,
    pub referred_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"items": [{
    "application_id": "3c9b2a1d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
    "status": IntakeStatus::Submitted,
    "referred_at": "2026-11-25T14:03:07.123456Z"
}]}))]
pub struct ClaimedReferrals {
    /// The referrals to the caller's email address that were waiting for an account.
    pub items: Vec<ClaimedApplication>,
}

/// A request for a code is answered the same way whether or not a referral awaits the
/// caller's address, so the API never tells anyone that someone was referred.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "status": Receipt::Received,
    "detail": "If a referral to the program awaits your email address, we sent a one-time code to it."
}))]
pub struct ClaimCodeRequested {
    pub status: Receipt,
    pub detail: &'static str,
}
