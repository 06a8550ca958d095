use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::{Insertable, Queryable};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use super::state::{IntakeAction, IntakeMove, IntakeStatus};
use crate::{
    db::schema::{intake_applications, intake_events},
    domain::{vocabulary, Role},
    groups::models::GroupKind,
    language::Language,
    support_lines::models::SupportLine,
};

vocabulary! {
    /// The kind of group an applicant wants.
    GroupKindPreference { Informal = "informal", Formal = "formal", Either = "either" }
}

impl GroupKindPreference {
    /// Whether a group of `kind` is what the applicant asked for.
    pub fn accepts(self, kind: GroupKind) -> bool {
        match self {
            GroupKindPreference::Either => true,
            GroupKindPreference::Informal => kind == GroupKind::Informal,
            GroupKindPreference::Formal => kind == GroupKind::Formal,
        }
    }
}

vocabulary! {
    /// How the program may contact the person.
    ContactMethod { Email = "email", Phone = "phone", TextMessage = "text_message", InApp = "in_app" }
}

vocabulary! {
    /// Where an application came from: the peer applied (`self`), or a partner organization
    /// referred them (`partner`).
    ApplicationSource { Applicant = "self", Partner = "partner" }
}

vocabulary! {
    /// What the intake meeting concluded.
    MeetingReadiness { Ready = "ready", NotReady = "not_ready" }
}

vocabulary! {
    /// A placement's state: `confirmed` holds a seat, `suspended` (participation consent
    /// withdrawn) and `ended` do not.
    PlacementStatus { Confirmed = "confirmed", Suspended = "suspended", Ended = "ended" }
}

#[derive(Debug, Clone, Queryable, Insertable)]
#[diesel(table_name = intake_applications)]
pub struct ApplicationRow {
    pub id: String,
    pub peer_id: Option<String>,
    pub source: ApplicationSource,
    pub partner_id: Option<String>,
    pub status: IntakeStatus,
    pub preferred_language: Language,
    pub group_kind: GroupKindPreference,
    pub identity_preference: Option<String>,
    pub availability: Option<String>,
    pub contact_methods: String,
    pub assigned_coordinator_id: Option<String>,
    pub form_answers: Option<String>,
    pub meeting_at: Option<NaiveDateTime>,
    pub readiness: Option<MeetingReadiness>,
    pub safety_notes: Option<String>,
    pub placed_group_id: Option<String>,
    pub waitlist_group_id: Option<String>,
    pub waitlisted_at: Option<NaiveDateTime>,
    pub close_reason: Option<String>,
    pub respond_by: NaiveDateTime,
    pub first_response_at: Option<NaiveDateTime>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Insertable)]
#[diesel(table_name = intake_events)]
pub struct EventRow {
    pub id: String,
    pub application_id: String,
    pub action: IntakeAction,
    pub from_status: Option<IntakeStatus>,
    pub to_status: IntakeStatus,
    pub actor_id: Option<String>,
    pub actor_role: Option<Role>,
    pub note: Option<String>,
    pub occurred_at: NaiveDateTime,
}

/// A peer applying to join a group.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "preferred_language": "en",
    "group_kind": "either",
    "identity_preference": "women",
    "availability": "Weekday evenings after 6 pm Eastern",
    "contact_methods": ["email", "in_app"]
}))]
pub struct CreateApplication {
    pub preferred_language: Language,
    pub group_kind: GroupKindPreference,
    /// An identity-based group the person would prefer (e.g. `women`, `men`, `2slgbtqi+`).
    #[validate(length(min = 1, max = 60, message = "must be 1 to 60 characters"))]
    #[schema(min_length = 1, max_length = 60)]
    pub identity_preference: Option<String>,
    #[validate(length(min = 1, max = 500, message = "must be 1 to 500 characters"))]
    #[schema(min_length = 1, max_length = 500)]
    pub availability: Option<String>,
    /// At least one.
    #[validate(length(min = 1, max = 4, message = "give one to four contact methods"))]
    #[schema(min_items = 1, max_items = 4)]
    pub contact_methods: Vec<ContactMethod>,
}

/// The intake form: the person's own answers, seen only by them and the program's coordinators.
#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "reasons_for_joining": "I want to talk with people who understand.",
    "hopes": "Feel less alone; learn ways to cope.",
    "current_supports": "I see a counsellor every two weeks.",
    "accessibility_needs": "Captions during video calls."
}))]
pub struct IntakeForm {
    #[validate(length(max = 4000, message = "must be at most 4000 characters"))]
    #[schema(max_length = 4000)]
    pub reasons_for_joining: Option<String>,
    #[validate(length(max = 4000, message = "must be at most 4000 characters"))]
    #[schema(max_length = 4000)]
    pub hopes: Option<String>,
    #[validate(length(max = 4000, message = "must be at most 4000 characters"))]
    #[schema(max_length = 4000)]
    pub current_supports: Option<String>,
    #[validate(length(max = 4000, message = "must be at most 4000 characters"))]
    #[schema(max_length = 4000)]
    pub accessibility_needs: Option<String>,
}

/// An intake application. `form_answers` are shown to the person and coordinators only;
/// `support_lines` accompany the answers "not ready", "waitlisted" and "closed".
#[derive(Debug, Serialize, ToSchema)]
pub struct Application {
    pub id: String,
    pub status: IntakeStatus,
    pub source: ApplicationSource,
    pub preferred_language: Language,
    pub group_kind: GroupKindPreference,
    pub identity_preference: Option<String>,
    pub availability: Option<String>,
    pub contact_methods: Vec<ContactMethod>,
    pub assigned_coordinator_id: Option<String>,
    pub meeting_at: Option<DateTime<Utc>>,
    pub placed_group_id: Option<String>,
    pub waitlist_group_id: Option<String>,
    pub close_reason: Option<String>,
    /// The program answers within two business days of submission.
    pub respond_by: DateTime<Utc>,
    /// Past `respond_by` with no coordinator response yet.
    pub overdue: bool,
    /// The moves its current state allows.
    pub allowed_moves: Vec<IntakeMove>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub form_answers: Option<IntakeForm>,
    /// Coordinators only: notes from the readiness meeting's safety-plan review.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub safety_notes: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub support_lines: Option<Vec<SupportLine>>,
    /// Coordinators only, for `source = partner`: who was referred, how to reach them, and the
    /// partner's notes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub referral: Option<ReferralContact>,
    pub submitted_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ApplicationList {
    pub items: Vec<Application>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ApplicationFilter {
    pub status: Option<IntakeStatus>,
    /// Coordinators: only applications assigned to this coordinator.
    pub assigned_coordinator_id: Option<String>,
    /// `true`: only applications past `respond_by` with no coordinator response.
    pub overdue: Option<bool>,
}

/// One step of the timeline, described in the application's language.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0b6c3c1e-5d0a-4c55-9a43-3f1f3b7c2a10",
    "action": IntakeAction::SubmitForm,
    "from_status": IntakeStatus::FormSent,
    "to_status": IntakeStatus::FormReceived,
    "description": "We received your intake form. Thank you.",
    "occurred_at": "2026-11-25T14:03:07.123456Z"
}))]
pub struct TimelineEvent {
    pub id: String,
    pub action: IntakeAction,
    pub from_status: Option<IntakeStatus>,
    pub to_status: IntakeStatus,
    pub description: String,
    pub occurred_at: DateTime<Utc>,
    /// Coordinators only: who made the move, and their note.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actor_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// One of a person's applications with its whole timeline, as their export gives it: their
/// answers, the coordinators' safety notes and the notes of each step (all about them), never
/// who on staff made each step.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApplicationRecord {
    pub application: Application,
    pub timeline: Vec<TimelineEvent>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Timeline {
    pub items: Vec<TimelineEvent>,
}

/// Assign a coordinator (the caller unless named) and send the intake form.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"note": "Called and left a message."}))]
pub struct Assign {
    pub coordinator_id: Option<String>,
    #[validate(length(max = 1000))]
    #[schema(max_length = 1000)]
    pub note: Option<String>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"meeting_at": "2030-01-09T15:00:00Z"}))]
pub struct ScheduleMeeting {
    /// When the readiness meeting is held (UTC), in years 0001–9999.
    #[validate(custom(function = "crate::domain::time::valid_time"))]
    pub meeting_at: DateTime<Utc>,
    #[validate(length(max = 1000))]
    #[schema(max_length = 1000)]
    pub note: Option<String>,
}

/// What the readiness meeting covered and concluded. `ready` needs the code of conduct, the
/// consents and the safety plan reviewed.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "readiness": MeetingReadiness::Ready,
    "code_of_conduct_reviewed": true,
    "consents_reviewed": true,
    "safety_plan_reviewed": true,
    "safety_notes": "Has a safety plan with their counsellor; prefers to leave the call rather than be contacted."
}))]
pub struct RecordMeeting {
    pub readiness: MeetingReadiness,
    pub code_of_conduct_reviewed: bool,
    pub consents_reviewed: bool,
    pub safety_plan_reviewed: bool,
    #[validate(length(max = 4000))]
    #[schema(max_length = 4000)]
    pub safety_notes: Option<String>,
    #[validate(length(max = 1000))]
    #[schema(max_length = 1000)]
    pub note: Option<String>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"group_id": "5b0d8f7e-2c1a-4e3b-9d8c-7f6e5d4c3b2a"}))]
pub struct Place {
    #[validate(length(min = 1, max = 64))]
    #[schema(min_length = 1, max_length = 64)]
    pub group_id: String,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"group_id": "5b0d8f7e-2c1a-4e3b-9d8c-7f6e5d4c3b2a", "note": "Wants the French evening group."}))]
pub struct Waitlist {
    /// The group the person waits for, if one.
    pub group_id: Option<String>,
    #[validate(length(max = 1000))]
    #[schema(max_length = 1000)]
    pub note: Option<String>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "Not the right time for me."}))]
pub struct Withdraw {
    #[validate(length(max = 1000))]
    #[schema(max_length = 1000)]
    pub reason: Option<String>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "We could not reach you after three tries; you are welcome to apply again any time."}))]
/// Closing an application. The reason is shown to the applicant, word for word, in their notice,
/// and to the partner organization that referred them, if one did.
pub struct Close {
    #[validate(length(min = 1, max = 1000, message = "a reason is required"))]
    #[schema(min_length = 1, max_length = 1000)]
    pub reason: String,
}

/// A seat of the caller's in a group.
#[derive(Debug, Serialize, ToSchema)]
pub struct Placement {
    pub id: String,
    pub application_id: String,
    pub group_id: String,
    pub group_name: String,
    pub status: PlacementStatus,
    pub placed_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PlacementList {
    pub items: Vec<Placement>,
}

/// The referred person, for the program's coordinators (in the intake application).
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "referral_id": "7d2c9a4e-1f3b-4c5d-8e6f-0a1b2c3d4e5f",
    "partner_id": "2f4e6a80-1b3c-4d5e-8f90-a1b2c3d4e5f6",
    "partner_name": "24/7 Support Line",
    "name": "Alex Martin",
    "email": "alex.martin@example.ca",
    "phone": "613-555-0142",
    "notes": "Prefers to be called after 5 pm; voicemail is private.",
    "referred_at": "2026-11-25T14:03:07.123456Z"
}))]
pub struct ReferralContact {
    pub referral_id: String,
    pub partner_id: String,
    pub partner_name: String,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub notes: Option<String>,
    pub referred_at: DateTime<Utc>,
}
