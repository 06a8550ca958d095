use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::{Insertable, Queryable};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use super::state::{IntakeAction, IntakeMove, IntakeStatus};
use crate::{
    db::schema::{intake_applications, intake_events, placement_offers},
    domain::{
        schemas::{IanaTimeZone, Website},
        vocabulary, MeetingMode, Role,
    },
    groups::models::{Audience, GroupKind},
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

pub use crate::domain::contact::ContactMethod;

vocabulary! {
    /// The person's tie to the defence community, as they give it on the intake form: a
    /// Canadian Armed Forces member, a veteran, a cadet, a Junior Canadian Ranger, a National
    /// Defence employee, or family.
    Affiliation {
        CafMember = "caf_member",
        Veteran = "veteran",
        Cadet = "cadet",
        Jcr = "jcr",
        DndEmployee = "dnd_employee",
        Family = "family",
    }
}

impl Affiliation {
    /// The group audience this affiliation belongs to.
    pub fn audience(self) -> Audience {
        match self {
            Affiliation::CafMember => Audience::CafMember,
            Affiliation::Veteran => Audience::Veteran,
            Affiliation::Cadet => Audience::Cadet,
            Affiliation::Jcr => Audience::JuniorCanadianRanger,
            Affiliation::DndEmployee => Audience::DndEmployee,
            Affiliation::Family => Audience::Family,
        }
    }
}

vocabulary! {
    /// What placement compares between an applicant and a group: their identity preference
    /// with its identity focus, their affiliation with its audiences.
    MatchRule { IdentityFocus = "identity_focus", Audience = "audience" }
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

vocabulary! {
    /// A seat offer's state: an `open` offer holds its seat until it is `accepted` (the seat
    /// becomes a placement), `declined`, `expired`, or `withdrawn` with its application.
    OfferStatus {
        Open = "open",
        Accepted = "accepted",
        Declined = "declined",
        Expired = "expired",
        Withdrawn = "withdrawn",
    }
}

#[derive(Debug, Clone, Queryable, Insertable)]
#[diesel(table_name = placement_offers)]
pub struct OfferRow {
    pub id: String,
    pub group_id: String,
    pub application_id: String,
    pub peer_id: String,
    pub status: OfferStatus,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub answered_at: Option<NaiveDateTime>,
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
    pub meeting_mode: Option<MeetingMode>,
    pub meeting_link: Option<String>,
    pub meeting_location: Option<String>,
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
    "accessibility_needs": "Captions during video calls.",
    "affiliation": "veteran"
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
    /// Optional: the person's tie to the defence community. Placement compares it with the
    /// group's audiences.
    #[serde(default)]
    pub affiliation: Option<Affiliation>,
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
    /// How the intake meeting is held.
    pub meeting_mode: Option<MeetingMode>,
    /// The video meeting's link (`video`), for the applicant and coordinators.
    pub meeting_link: Option<String>,
    /// Where the meeting is held (`in_person`).
    pub meeting_location: Option<String>,
    pub placed_group_id: Option<String>,
    pub waitlist_group_id: Option<String>,
    pub close_reason: Option<String>,
    /// The program answers within two business days of submission.
    pub respond_by: DateTime<Utc>,
    /// Past `respond_by` with no coordinator response yet.
    pub overdue: bool,
    /// The moves the caller may make now: those its state allows that the caller's role may
    /// make (the applicant: `submit_form`, `withdraw`; coordinators and admins: the others).
    pub allowed_moves: Vec<IntakeMove>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub form_answers: Option<IntakeForm>,
    /// Coordinators only: notes from the readiness meeting's safety-plan review.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub safety_notes: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub support_lines: Option<Vec<SupportLine>>,
    /// The assigned coordinator and admins only: who applied and how to reach them (each such
    /// read is audited as `intake_application.contact_read`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub applicant: Option<Applicant>,
    /// Coordinators only, for `source = partner`: who was referred, how to reach them, and the
    /// partner's notes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub referral: Option<ReferralContact>,
    pub submitted_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Who applied, for the staff who must reach them.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "account_id": "4a1f0f5e-3c2b-4d8e-9f6a-1b2c3d4e5f60",
    "display_name": "Alex M.",
    "email": "alex.martin@example.ca",
    "phone": "613-555-0142",
    "preferred_language": "en",
    "contact_methods": ["phone", "in_app"],
    "time_zone": "America/Halifax"
}))]
pub struct Applicant {
    pub account_id: String,
    pub display_name: String,
    pub email: String,
    pub phone: Option<String>,
    pub preferred_language: Language,
    /// How the person chose to be reached (`in_app` always among them).
    pub contact_methods: Vec<ContactMethod>,
    /// The person's IANA time zone: call within their day.
    #[schema(value_type = IanaTimeZone)]
    pub time_zone: String,
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
    /// Staff: only applications assigned to this coordinator (an account id), or `me`.
    pub assigned_to: Option<String>,
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

/// Hand an application over to another coordinator.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "coordinator_id": "7d9e8f00-1a2b-4c3d-8e9f-0a1b2c3d4e5f",
    "note": "Sam covers the East region from Monday."
}))]
pub struct Reassign {
    /// An active coordinator (or admin) other than the one assigned now.
    #[validate(length(min = 1, max = 64))]
    #[schema(min_length = 1, max_length = 64)]
    pub coordinator_id: String,
    #[validate(length(max = 1000))]
    #[schema(max_length = 1000)]
    pub note: Option<String>,
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
#[schema(example = json!({
    "meeting_at": "2030-01-09T15:00:00Z",
    "mode": "video",
    "link": "https://meet.example.ca/intake-4821"
}))]
pub struct ScheduleMeeting {
    /// When the readiness meeting is held (UTC), in years 0001–9999. Its outcome can be
    /// recorded from that time on.
    #[validate(custom(function = "crate::domain::time::valid_time"))]
    pub meeting_at: DateTime<Utc>,
    pub mode: MeetingMode,
    /// Required for `video`, refused otherwise: an https address.
    #[validate(custom(function = "crate::domain::contact::valid_website"))]
    #[schema(value_type = Option<Website>)]
    pub link: Option<String>,
    /// Required for `in_person`, refused otherwise: where to come (an address, a room).
    #[validate(length(min = 1, max = 200, message = "must be 1 to 200 characters"))]
    #[schema(min_length = 1, max_length = 200)]
    pub location: Option<String>,
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
#[schema(example = json!({
    "group_id": "5b0d8f7e-2c1a-4e3b-9d8c-7f6e5d4c3b2a",
    "override_reason": "Asked for a women's group; none runs in French this season and she chose this one at the meeting."
}))]
pub struct Place {
    #[validate(length(min = 1, max = 64))]
    #[schema(min_length = 1, max_length = 64)]
    pub group_id: String,
    /// Why the applicant is placed in a group whose identity focus or audiences do not match
    /// their identity preference or affiliation; required for such a placement (409
    /// `placement-mismatch` without it) and written to the audit log.
    #[validate(
        length(min = 1, max = 500, message = "must be 1 to 500 characters"),
        custom(function = "not_blank")
    )]
    #[schema(min_length = 1, max_length = 500)]
    pub override_reason: Option<String>,
}

fn not_blank(value: &str) -> Result<(), validator::ValidationError> {
    if value.trim().is_empty() {
        return Err(
            validator::ValidationError::new("blank").with_message("must not be blank".into())
        );
    }
    Ok(())
}

/// Moving a placed person to another group, without a new intake.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "group_id": "5b0d8f7e-2c1a-4e3b-9d8c-7f6e5d4c3b2a",
    "note": "Her shifts changed: the Tuesday evening group suits her now."
}))]
pub struct MovePlacement {
    /// The group the person moves to.
    #[validate(length(min = 1, max = 64))]
    #[schema(min_length = 1, max_length = 64)]
    pub group_id: String,
    /// As for a placement: why the person moves to a group whose identity focus or audiences do
    /// not match them (409 `placement-mismatch` without it); written to the audit log.
    #[validate(
        length(min = 1, max = 500, message = "must be 1 to 500 characters"),
        custom(function = "not_blank")
    )]
    #[schema(min_length = 1, max_length = 500)]
    pub override_reason: Option<String>,
    #[validate(length(max = 1000))]
    #[schema(max_length = 1000)]
    pub note: Option<String>,
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

/// A seat freed in a group, held for the first person on its waiting list until `expires_at`:
/// they accept it (a placement) or decline it; unanswered, it expires and passes on.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "3c9e1f2a-4b5d-4e6f-8a7b-9c0d1e2f3a4b",
    "group_id": "5b0d8f7e-2c1a-4e3b-9d8c-7f6e5d4c3b2a",
    "group_name": "Tuesday evening circle",
    "application_id": "0b6c3c1e-5d0a-4c55-9a43-3f1f3b7c2a10",
    "status": OfferStatus::Open,
    "created_at": "2026-11-25T14:03:07.123456Z",
    "expires_at": "2026-11-27T14:03:07.123456Z",
    "answered_at": null
}))]
pub struct PlacementOffer {
    pub id: String,
    pub group_id: String,
    pub group_name: String,
    pub application_id: String,
    pub status: OfferStatus,
    pub created_at: DateTime<Utc>,
    /// An open offer past this time is no longer held: it expires and passes to the next person.
    pub expires_at: DateTime<Utc>,
    /// When it was accepted, declined, expired or withdrawn.
    pub answered_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PlacementOfferList {
    /// Newest first.
    pub items: Vec<PlacementOffer>,
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
