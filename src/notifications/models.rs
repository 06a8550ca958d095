use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::{Insertable, Queryable};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{db::schema::notifications, language::Language};

/// Every notice the program owes a peer. Other modules enqueue one in the transaction of the
/// change that causes it (`notifications::service::enqueue`, or `enqueue_to_email` for a
/// referred person with no account yet).
#[derive(Debug, Clone, PartialEq)]
pub enum Notice {
    /// A partner organization referred the person (with their consent): what happens next, and
    /// how to link the referral to an account. Never the partner's notes.
    Referred,
    /// The one-time code that links referrals to the account asking for it, sent to the
    /// referral's email address only (it proves the account holder controls that address).
    ClaimCode {
        code: String,
        expires_at: DateTime<Utc>,
    },
    /// A coordinator sent the peer the intake form.
    FormSent,
    /// Receipt of the peer's intake form.
    Acknowledged,
    /// The intake meeting is booked.
    MeetingScheduled { at: DateTime<Utc> },
    /// A place in a group, with its session dates shown in the group's time zone (IANA name).
    Placed {
        group_name: String,
        time_zone: String,
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
}

impl Notice {
    pub fn kind(&self) -> NoticeKind {
        match self {
            Notice::Referred => NoticeKind::Referred,
            Notice::ClaimCode { .. } => NoticeKind::ClaimCode,
            Notice::FormSent => NoticeKind::FormSent,
            Notice::Acknowledged => NoticeKind::Acknowledged,
            Notice::MeetingScheduled { .. } => NoticeKind::MeetingScheduled,
            Notice::Placed { .. } => NoticeKind::Placed,
            Notice::Waitlisted => NoticeKind::Waitlisted,
            Notice::NotReady => NoticeKind::NotReady,
            Notice::Closed { .. } => NoticeKind::Closed,
            Notice::Withdrawn => NoticeKind::Withdrawn,
            Notice::PlacementSuspended { .. } => NoticeKind::PlacementSuspended,
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
        )
    }
}

/// What a notice is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum NoticeKind {
    Referred,
    ClaimCode,
    FormSent,
    Acknowledged,
    MeetingScheduled,
    Placed,
    Waitlisted,
    NotReady,
    Closed,
    Withdrawn,
    PlacementSuspended,
}

impl NoticeKind {
    pub const ALL: [NoticeKind; 11] = [
        NoticeKind::Referred,
        NoticeKind::ClaimCode,
        NoticeKind::FormSent,
        NoticeKind::Acknowledged,
        NoticeKind::MeetingScheduled,
        NoticeKind::Placed,
        NoticeKind::Waitlisted,
        NoticeKind::NotReady,
        NoticeKind::Closed,
        NoticeKind::Withdrawn,
        NoticeKind::PlacementSuspended,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            NoticeKind::Referred => "referred",
            NoticeKind::ClaimCode => "claim_code",
            NoticeKind::FormSent => "form_sent",
            NoticeKind::Acknowledged => "acknowledged",
            NoticeKind::MeetingScheduled => "meeting_scheduled",
            NoticeKind::Placed => "placed",
            NoticeKind::Waitlisted => "waitlisted",
            NoticeKind::NotReady => "not_ready",
            NoticeKind::Closed => "closed",
            NoticeKind::Withdrawn => "withdrawn",
            NoticeKind::PlacementSuspended => "placement_suspended",
        }
    }

    pub fn parse(s: &str) -> Option<NoticeKind> {
        NoticeKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// Where a notice is in its delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatus {
    /// Waiting to be sent (or to be retried).
    Pending,
    Sent,
    /// Given up on after repeated failures; still readable here.
    Failed,
}

impl DeliveryStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Pending => "pending",
            DeliveryStatus::Sent => "sent",
            DeliveryStatus::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<DeliveryStatus> {
        match s {
            "pending" => Some(DeliveryStatus::Pending),
            "sent" => Some(DeliveryStatus::Sent),
            "failed" => Some(DeliveryStatus::Failed),
            _ => None,
        }
    }
}

/// A row of the outbox, addressed to an account (`recipient_id`) or, for a referred person with
/// no account yet, to an email address (`recipient_email`): exactly one of the two.
#[derive(Debug, Clone, Queryable, Insertable)]
#[diesel(table_name = notifications)]
pub struct NotificationRow {
    pub id: String,
    pub recipient_id: Option<String>,
    pub kind: String,
    pub language: String,
    pub subject: String,
    pub body: String,
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    pub locked_until: Option<NaiveDateTime>,
    pub sent_at: Option<NaiveDateTime>,
    pub last_error: Option<String>,
    pub created_at: NaiveDateTime,
    pub recipient_email: Option<String>,
}

/// A notice the program sent (or is sending) to the caller.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0b6f2d8e-5a4c-4e1b-9c3d-7f8a9b0c1d2e",
    "kind": "acknowledged",
    "language": "en",
    "subject": "We received your intake form",
    "body": "Hello,\n\nThank you for completing your intake form. …\n\nIf you need to talk to someone at any time, day or night, the 24/7 support line is 1-844-750-1648.",
    "status": "sent",
    "created_at": "2026-11-25T14:03:07.123456Z",
    "sent_at": "2026-11-25T14:03:09.654321Z"
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
}

impl TryFrom<NotificationRow> for Notification {
    type Error = String;

    fn try_from(row: NotificationRow) -> Result<Self, String> {
        Ok(Notification {
            kind: NoticeKind::parse(&row.kind)
                .ok_or_else(|| format!("notification {}: unknown kind", row.id))?,
            language: Language::parse(&row.language)
                .ok_or_else(|| format!("notification {}: unknown language", row.id))?,
            status: DeliveryStatus::parse(&row.status)
                .ok_or_else(|| format!("notification {}: unknown status", row.id))?,
            id: row.id,
            subject: row.subject,
            body: row.body,
            created_at: row.created_at.and_utc(),
            sent_at: row.sent_at.map(|t| t.and_utc()),
        })
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationList {
    /// Newest first.
    pub items: Vec<Notification>,
    /// Pass as `cursor` to get the next (older) page; absent on the last page.
    pub next_cursor: Option<String>,
}
