use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::{Insertable, Queryable};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::{
    db::schema::notifications,
    domain::{vocabulary, MeetingMode},
    language::Language,
};

/// Every notice the program owes a peer. Other modules enqueue one in the transaction of the
/// change that causes it (`notifications::service::enqueue`, or `enqueue_to_email` for a
/// referred person with no account yet).
#[derive(Debug, Clone, PartialEq)]
pub enum Notice {
    /// A partner organization referred the person (with their consent): what happens next, and
    /// how to link the referral to an account. Never the partner's notes.
    Referred,
    /// A coordinator sent the peer the intake form.
    FormSent,
    /// Receipt of the peer's intake form.
    Acknowledged,
    /// The intake meeting is booked (its time written in the person's time zone).
    MeetingScheduled {
        at: DateTime<Utc>,
        mode: MeetingMode,
    },
    /// A place in a group, with its session dates written in the person's time zone.
    Placed {
        group_name: String,
        sessions: Vec<DateTime<Utc>>,
    },
    /// No seat yet in a matching group.
    Waitlisted,
    /// After the intake meeting, a group is not the next step for now.
    NotReady,
    /// A coordinator closed the application; `reason` is shown to the peer.
    Closed { reason: String },
    /// The peer withdrew their application.
    Withdrawn,
    /// The peer's place in a group is on hold (participation consent withdrawn).
    PlacementSuspended { group_name: String },
    /// To a coordinator: an intake application was handed to them.
    ApplicationAssigned,
    /// To a coordinator: an application they followed was handed to someone else.
    ApplicationReassigned,
    /// A seat freed in the group the peer waits for: it is held for them until `expires_at`.
    SeatOffered {
        group_name: String,
        expires_at: DateTime<Utc>,
    },
    /// The seat held for the peer went unanswered and passed to the next person; they stay on
    /// the waiting list.
    SeatOfferExpired,
}

impl Notice {
    pub fn kind(&self) -> NoticeKind {
        match self {
            Notice::Referred => NoticeKind::Referred,
            Notice::FormSent => NoticeKind::FormSent,
            Notice::Acknowledged => NoticeKind::Acknowledged,
            Notice::MeetingScheduled { .. } => NoticeKind::MeetingScheduled,
            Notice::Placed { .. } => NoticeKind::Placed,
            Notice::Waitlisted => NoticeKind::Waitlisted,
            Notice::NotReady => NoticeKind::NotReady,
            Notice::Closed { .. } => NoticeKind::Closed,
            Notice::Withdrawn => NoticeKind::Withdrawn,
            Notice::PlacementSuspended { .. } => NoticeKind::PlacementSuspended,
            Notice::ApplicationAssigned => NoticeKind::ApplicationAssigned,
            Notice::ApplicationReassigned => NoticeKind::ApplicationReassigned,
            Notice::SeatOffered { .. } => NoticeKind::SeatOffered,
            Notice::SeatOfferExpired => NoticeKind::SeatOfferExpired,
        }
    }

    /// The notices that tell a peer "no" or "not yet" carry the crisis and support lines.
    pub fn carries_support_lines(&self) -> bool {
        matches!(
            self,
            Notice::NotReady
                | Notice::Waitlisted
                | Notice::Closed { .. }
                | Notice::PlacementSuspended { .. }
                | Notice::SeatOfferExpired
        )
    }
}

vocabulary! {
    /// What a notice is about.
    NoticeKind {
        Referred = "referred",
        FormSent = "form_sent",
        Acknowledged = "acknowledged",
        MeetingScheduled = "meeting_scheduled",
        Placed = "placed",
        Waitlisted = "waitlisted",
        NotReady = "not_ready",
        Closed = "closed",
        Withdrawn = "withdrawn",
        PlacementSuspended = "placement_suspended",
        ApplicationAssigned = "application_assigned",
        ApplicationReassigned = "application_reassigned",
        SeatOffered = "seat_offered",
        SeatOfferExpired = "seat_offer_expired",
    }
}

vocabulary! {
    /// Where a notice is in its delivery.
    DeliveryStatus {
        /// Waiting to be sent (or to be retried).
        Pending = "pending",
        Sent = "sent",
        /// Given up on after repeated failures; still readable here.
        Failed = "failed",
        /// Not emailed: the person chose not to be contacted by email. Read here only.
        NotMailed = "not_mailed",
        /// Not emailed: the account had already been sent the most notice emails an hour allows
        /// (`notifications::sender::MAX_EMAILS_PER_HOUR`). Read here only.
        MailLimitReached = "mail_limit_reached",
    }
}

/// A row of the outbox, addressed to an account (`recipient_id`) or, for a referred person with
/// no account yet, to an email address (`recipient_email`): exactly one of the two.
#[derive(Debug, Clone, Queryable, Insertable)]
#[diesel(table_name = notifications)]
pub struct NotificationRow {
    pub id: String,
    pub recipient_id: Option<String>,
    pub kind: NoticeKind,
    pub language: Language,
    pub subject: String,
    pub body: String,
    pub status: DeliveryStatus,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    pub locked_until: Option<NaiveDateTime>,
    pub sent_at: Option<NaiveDateTime>,
    pub last_error: Option<String>,
    pub created_at: NaiveDateTime,
    pub recipient_email: Option<String>,
    pub read_at: Option<NaiveDateTime>,
}

/// A notice the program sent (or is sending) to the caller.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0b6f2d8e-5a4c-4e1b-9c3d-7f8a9b0c1d2e",
    "kind": NoticeKind::Acknowledged,
    "language": Language::En,
    "subject": "We received your intake form",
    "body": "Hello,\n\nThank you for completing your intake form. …\n\nIf you need to talk to someone at any time, day or night, the 24/7 support line is 1-844-750-1648.",
    "status": DeliveryStatus::Sent,
    "created_at": "2026-11-25T14:03:07.123456Z",
    "sent_at": "2026-11-25T14:03:09.654321Z",
    "read_at": null
}))]
pub struct Notification {
    pub id: String,
    pub kind: NoticeKind,
    /// The language it was written in: the peer's at the time.
    pub language: Language,
    pub subject: String,
    /// Plain text.
    pub body: String,
    pub status: DeliveryStatus,
    pub created_at: DateTime<Utc>,
    /// When it was handed to the mail server (or the log); null until then.
    pub sent_at: Option<DateTime<Utc>>,
    /// When the person marked it read (`POST /me/notifications/{id}/read`); null while unread.
    pub read_at: Option<DateTime<Utc>>,
}

impl From<NotificationRow> for Notification {
    fn from(row: NotificationRow) -> Self {
        Notification {
            id: row.id,
            kind: row.kind,
            language: row.language,
            subject: row.subject,
            body: row.body,
            status: row.status,
            created_at: row.created_at.and_utc(),
            sent_at: row.sent_at.map(|t| t.and_utc()),
            read_at: row.read_at.map(|t| t.and_utc()),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationList {
    /// Newest first.
    pub items: Vec<Notification>,
    /// Pass as `cursor` to get the next (older) page; absent on the last page.
    pub next_cursor: Option<String>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct NotificationFilter {
    /// Only the notices not yet marked read (`true`), or only the read ones (`false`).
    pub unread: Option<bool>,
}
