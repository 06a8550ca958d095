use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::{Insertable, Queryable};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::{
    db::schema::{group_sessions, program_groups},
    domain::{
        schemas::{IanaTimeZone, Website},
        vocabulary, Role,
    },
    language::Language,
};

vocabulary! {
    /// Informal: drop-in, any of up to 8 sessions. Formal: a fixed cohort through 10 sessions with
    /// prepared topics, co-led by a peer supporter and a mental health professional.
    GroupKind { Informal = "informal", Formal = "formal" }
}

impl GroupKind {
    /// The most sessions a group of this kind has.
    pub fn max_sessions(self) -> i64 {
        match self {
            GroupKind::Informal => 8,
            GroupKind::Formal => 10,
        }
    }

    /// The scheduled sessions a group of this kind must have to open: a formal cohort all ten
    /// of its prepared sessions, a drop-in group none in particular.
    pub fn sessions_to_open(self) -> Option<i64> {
        match self {
            GroupKind::Informal => None,
            GroupKind::Formal => Some(10),
        }
    }

    /// The facilitators a group of this kind needs to open, and keeps while it is under way.
    pub fn needed_facilitators(self) -> &'static [Role] {
        match self {
            GroupKind::Informal => &[Role::PeerSupporter],
            GroupKind::Formal => &[Role::PeerSupporter, Role::MentalHealthProfessional],
        }
    }

    /// Whether a group of this kind takes new participants in `status`: a formal cohort only
    /// before it starts, a drop-in group also while it runs.
    pub fn takes_placements(self, status: GroupStatus) -> bool {
        match status {
            GroupStatus::Open | GroupStatus::Full => true,
            GroupStatus::Running => self == GroupKind::Informal,
            GroupStatus::Planned | GroupStatus::Completed | GroupStatus::Cancelled => false,
        }
    }
}

vocabulary! {
    GroupStatus {
        Planned = "planned",
        Open = "open",
        Full = "full",
        Running = "running",
        Completed = "completed",
        Cancelled = "cancelled",
    }
}

impl GroupStatus {
    /// The statuses a coordinator may move a group to from this one (`full` and back to `open`
    /// follow the seats and are never set by hand).
    pub fn allowed_moves(self) -> &'static [GroupStatus] {
        use GroupStatus::*;
        match self {
            Planned => &[Open, Cancelled],
            Open | Full => &[Running, Cancelled],
            Running => &[Completed, Cancelled],
            Completed | Cancelled => &[],
        }
    }

    /// Open, full or running: the group has started taking people in and is not over, so the
    /// rules of its kind (its facilitators) hold.
    pub fn is_under_way(self) -> bool {
        matches!(
            self,
            GroupStatus::Open | GroupStatus::Full | GroupStatus::Running
        )
    }
}

vocabulary! {
    /// Who a group is for.
    Audience {
        CafMember = "caf_member",
        Veteran = "veteran",
        Cadet = "cadet",
        JuniorCanadianRanger = "junior_canadian_ranger",
        DndEmployee = "dnd_employee",
        Family = "family",
    }
}

vocabulary! {
    SessionStatus { Scheduled = "scheduled", Cancelled = "cancelled" }
}

vocabulary! {
    /// A participant's place on a group's roster: `active` while placed, `suspended` while a
    /// required consent is withdrawn, `left` once the placement ended.
    ParticipantStatus { Active = "active", Suspended = "suspended", Left = "left" }
}

#[derive(Debug, Clone, Queryable, Insertable)]
#[diesel(table_name = program_groups)]
pub struct GroupRow {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    pub kind: GroupKind,
    pub language: Language,
    pub identity_focus: Option<String>,
    pub time_zone: String,
    pub capacity: i32,
    pub seats_taken: i32,
    pub status: GroupStatus,
    pub meeting_link: Option<String>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Insertable)]
#[diesel(table_name = group_sessions)]
pub struct SessionRow {
    pub id: String,
    pub group_id: String,
    pub topic: Option<String>,
    pub starts_at: NaiveDateTime,
    pub duration_minutes: i32,
    pub meeting_link: Option<String>,
    pub status: SessionStatus,
    pub cancel_reason: Option<String>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A facilitator as the group's insiders see them.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Facilitator {
    pub id: String,
    pub display_name: String,
    /// `peer_supporter` or `mental_health_professional`.
    pub role: Role,
}

/// A program group. `facilitators` and `meeting_link` are shown only to the group's
/// facilitators, placed participants and staff.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "5b0d8f7e-2c1a-4e3b-9d8c-7f6e5d4c3b2a",
    "name": "Informal group — Wednesday evenings",
    "description": "Drop-in peer support, English, virtual.",
    "kind": GroupKind::Informal,
    "language": "en",
    "audience": ["caf_member", "veteran"],
    "identity_focus": "women",
    "time_zone": "America/Toronto",
    "capacity": 12,
    "seats_available": 9,
    "status": GroupStatus::Open,
    "session_count": 8,
    "facilitators": [{"id": "7d9e8f00-1a2b-4c3d-8e9f-0a1b2c3d4e5f", "display_name": "Jo", "role": Role::PeerSupporter}],
    "meeting_link": "https://teams.example.ca/l/meetup-join/abc",
    "created_at": "2026-11-25T14:03:07.123456Z",
    "updated_at": "2026-11-25T14:03:07.123456Z"
}))]
pub struct Group {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    pub kind: GroupKind,
    pub language: Language,
    pub audience: Vec<Audience>,
    pub identity_focus: Option<String>,
    /// IANA time zone the group's sessions are scheduled in.
    pub time_zone: String,
    pub capacity: i32,
    pub seats_available: i32,
    pub status: GroupStatus,
    /// Sessions scheduled (not cancelled).
    pub session_count: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub facilitators: Option<Vec<Facilitator>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub meeting_link: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GroupList {
    pub items: Vec<Group>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct GroupFilter {
    pub kind: Option<GroupKind>,
    pub language: Option<Language>,
    pub status: Option<GroupStatus>,
    /// Only groups for this audience.
    pub audience: Option<Audience>,
    /// Only groups with this identity focus (case-insensitive), e.g. `women`.
    pub identity_focus: Option<String>,
}

fn validate_audience(audience: &[Audience]) -> Result<(), validator::ValidationError> {
    if audience.is_empty() {
        return Err(validator::ValidationError::new("length")
            .with_message("must name at least one audience".into()));
    }
    Ok(())
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "name": "Informal group — Wednesday evenings",
    "description": "Drop-in peer support, English, virtual.",
    "kind": GroupKind::Informal,
    "language": "en",
    "audience": ["caf_member", "veteran"],
    "identity_focus": "women",
    "time_zone": "America/Toronto",
    "capacity": 12,
    "meeting_link": "https://teams.example.ca/l/meetup-join/abc",
    "facilitator_ids": []
}))]
pub struct CreateGroup {
    #[validate(length(min = 1, max = 120, message = "must be 1 to 120 characters"))]
    #[schema(min_length = 1, max_length = 120)]
    pub name: String,
    #[validate(length(max = 2000, message = "must be at most 2000 characters"))]
    #[schema(max_length = 2000)]
    pub description: Option<String>,
    pub kind: GroupKind,
    pub language: Language,
    #[validate(custom(function = "validate_audience"))]
    #[schema(min_items = 1)]
    pub audience: Vec<Audience>,
    #[validate(length(min = 1, max = 60, message = "must be 1 to 60 characters"))]
    #[schema(min_length = 1, max_length = 60)]
    pub identity_focus: Option<String>,
    #[validate(custom(function = "crate::domain::contact::valid_time_zone"))]
    #[schema(value_type = IanaTimeZone, example = "America/Toronto")]
    pub time_zone: String,
    #[validate(range(min = 1, max = 100, message = "must be between 1 and 100"))]
    #[schema(minimum = 1, maximum = 100)]
    pub capacity: i32,
    /// The default meeting link of the group's sessions.
    #[validate(custom(function = "crate::domain::contact::valid_website"))]
    #[schema(value_type = Option<Website>)]
    pub meeting_link: Option<String>,
    /// Accounts with the `peer_supporter` or `mental_health_professional` role.
    #[serde(default)]
    #[validate(length(max = 10, message = "at most 10 facilitators"))]
    #[schema(max_items = 10)]
    pub facilitator_ids: Vec<String>,
}

/// Changes to a group. `status` moves it through its lifecycle (`allowed` moves are given when
/// a move is refused); `facilitator_ids`, when given, replaces the facilitators.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"status": GroupStatus::Open, "capacity": 10}))]
pub struct UpdateGroup {
    #[validate(length(min = 1, max = 120, message = "must be 1 to 120 characters"))]
    #[schema(min_length = 1, max_length = 120)]
    pub name: Option<String>,
    #[validate(length(max = 2000, message = "must be at most 2000 characters"))]
    #[schema(max_length = 2000)]
    pub description: Option<String>,
    #[validate(custom(function = "validate_audience"))]
    #[schema(min_items = 1)]
    pub audience: Option<Vec<Audience>>,
    #[validate(length(min = 1, max = 60, message = "must be 1 to 60 characters"))]
    #[schema(min_length = 1, max_length = 60)]
    pub identity_focus: Option<String>,
    #[validate(custom(function = "crate::domain::contact::valid_time_zone"))]
    #[schema(value_type = Option<IanaTimeZone>)]
    pub time_zone: Option<String>,
    #[validate(range(min = 1, max = 100, message = "must be between 1 and 100"))]
    #[schema(minimum = 1, maximum = 100)]
    pub capacity: Option<i32>,
    #[validate(custom(function = "crate::domain::contact::valid_website"))]
    #[schema(value_type = Option<Website>)]
    pub meeting_link: Option<String>,
    #[validate(length(max = 10, message = "at most 10 facilitators"))]
    #[schema(max_items = 10)]
    pub facilitator_ids: Option<Vec<String>>,
    pub status: Option<GroupStatus>,
}

/// A session. `meeting_link` is shown only to the group's facilitators, placed participants
/// and staff.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "a1b2c3d4-e5f6-4a5b-8c7d-9e0f1a2b3c4d",
    "group_id": "5b0d8f7e-2c1a-4e3b-9d8c-7f6e5d4c3b2a",
    "topic": "Safety and grounding",
    "starts_at": "2026-12-03T00:00:00Z",
    "ends_at": "2026-12-03T01:30:00Z",
    "local_starts_at": "2026-12-02T19:00:00-05:00",
    "time_zone": "America/Toronto",
    "duration_minutes": 90,
    "status": SessionStatus::Scheduled,
    "cancel_reason": null,
    "meeting_link": "https://teams.example.ca/l/meetup-join/abc"
}))]
pub struct Session {
    pub id: String,
    pub group_id: String,
    pub topic: Option<String>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// The start in the group's time zone, for display.
    pub local_starts_at: String,
    pub time_zone: String,
    pub duration_minutes: i32,
    pub status: SessionStatus,
    pub cancel_reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub meeting_link: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SessionList {
    pub items: Vec<Session>,
    /// Always absent: a group has at most ten sessions, all on one page.
    pub next_cursor: Option<String>,
}

/// One session, or a weekly series: `count` sessions a week apart at the same local time.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "starts_at": "2026-12-03T00:00:00Z",
    "count": 4,
    "duration_minutes": 90,
    "topics": ["Welcome and safety", "Grounding", "Boundaries", "Looking ahead"]
}))]
pub struct CreateSessions {
    #[validate(custom(function = "crate::domain::time::valid_time"))]
    /// The first session's start (UTC), in years 0001–9999; every session of the series must
    /// end by 9999-12-31T23:59:59Z.
    pub starts_at: DateTime<Utc>,
    /// How many weekly sessions, 1 (the default) to 10.
    #[validate(range(min = 1, max = 10, message = "must be between 1 and 10"))]
    #[schema(minimum = 1, maximum = 10)]
    pub count: Option<u32>,
    #[validate(range(min = 15, max = 480, message = "must be between 15 and 480"))]
    #[schema(minimum = 15, maximum = 480)]
    pub duration_minutes: Option<i32>,
    /// One topic per session, in order; required for formal groups.
    #[validate(length(max = 10))]
    #[schema(max_items = 10)]
    pub topics: Option<Vec<String>>,
    /// Overrides the group's meeting link for these sessions.
    #[validate(custom(function = "crate::domain::contact::valid_website"))]
    #[schema(value_type = Option<Website>)]
    pub meeting_link: Option<String>,
}

/// Reschedule (until the session starts), change, or cancel (until its feedback window closes)
/// a session (`status: cancelled` with a `cancel_reason`).
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"starts_at": "2026-12-10T00:00:00Z"}))]
pub struct UpdateSession {
    /// The new start (UTC), in years 0001–9999; the session must end by 9999-12-31T23:59:59Z.
    #[validate(custom(function = "crate::domain::time::valid_time"))]
    pub starts_at: Option<DateTime<Utc>>,
    #[validate(range(min = 15, max = 480, message = "must be between 15 and 480"))]
    #[schema(minimum = 15, maximum = 480)]
    pub duration_minutes: Option<i32>,
    #[validate(length(min = 1, max = 200, message = "must be 1 to 200 characters"))]
    #[schema(min_length = 1, max_length = 200)]
    pub topic: Option<String>,
    #[validate(custom(function = "crate::domain::contact::valid_website"))]
    #[schema(value_type = Option<Website>)]
    pub meeting_link: Option<String>,
    pub status: Option<SessionStatus>,
    #[validate(length(min = 1, max = 500, message = "must be 1 to 500 characters"))]
    #[schema(min_length = 1, max_length = 500)]
    pub cancel_reason: Option<String>,
}

/// A participant as the group's facilitators see them: a display name, never intake answers.
/// Mental health professionals co-facilitating the group (and staff) also see safety notes.
#[derive(Debug, Serialize, ToSchema)]
pub struct RosterEntry {
    pub participant_id: String,
    pub display_name: String,
    pub status: ParticipantStatus,
    pub joined_at: DateTime<Utc>,
    /// Sessions of this group they were marked present at.
    pub sessions_attended: i64,
    /// Only for the group's mental health professionals and staff: the safety notes from the
    /// participant's intake meeting.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub safety_notes: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Roster {
    pub items: Vec<RosterEntry>,
}

#[derive(Debug, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AttendanceMark {
    #[validate(length(min = 1, max = 64))]
    #[schema(min_length = 1, max_length = 64)]
    pub participant_id: String,
    pub present: bool,
}

/// Who attended a session: replaces what was recorded before for these participants.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"records": [{"participant_id": "4a1f0f5e-3c2b-4d8e-9f6a-1b2c3d4e5f60", "present": true}]}))]
pub struct RecordAttendance {
    #[validate(length(max = 100), nested)]
    #[schema(max_items = 100)]
    pub records: Vec<AttendanceMark>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AttendanceRecord {
    pub participant_id: String,
    pub display_name: String,
    pub present: bool,
    pub recorded_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AttendanceSheet {
    pub session_id: String,
    pub records: Vec<AttendanceRecord>,
}

/// A session of a group the caller is placed in, with its link.
#[derive(Debug, Serialize, ToSchema)]
pub struct MySession {
    pub group_name: String,
    #[serde(flatten)]
    pub session: Session,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MySessionList {
    pub items: Vec<MySession>,
}

/// A session's attendance as recorded for one person (their export).
#[derive(Debug, Serialize, ToSchema)]
pub struct MyAttendance {
    pub session_id: String,
    pub group_id: String,
    pub group_name: String,
    pub session_starts_at: DateTime<Utc>,
    pub present: bool,
    pub recorded_at: DateTime<Utc>,
}
