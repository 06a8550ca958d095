//! The intake journey's states and the moves between them. The service asks this module whether
//! a move is allowed; a refused move is answered with the moves the state does allow.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum IntakeStatus {
    Submitted,
    FormSent,
    FormReceived,
    MeetingScheduled,
    Ready,
    NotReady,
    Placed,
    Waitlisted,
    Withdrawn,
    Closed,
}

/// A move of the journey, one action endpoint each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum IntakeMove {
    Assign,
    SubmitForm,
    ScheduleMeeting,
    RecordMeeting,
    Place,
    Waitlist,
    Withdraw,
    Close,
}

impl IntakeStatus {
    pub const ALL: [IntakeStatus; 10] = [
        IntakeStatus::Submitted,
        IntakeStatus::FormSent,
        IntakeStatus::FormReceived,
        IntakeStatus::MeetingScheduled,
        IntakeStatus::Ready,
        IntakeStatus::NotReady,
        IntakeStatus::Placed,
        IntakeStatus::Waitlisted,
        IntakeStatus::Withdrawn,
        IntakeStatus::Closed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            IntakeStatus::Submitted => "submitted",
            IntakeStatus::FormSent => "form_sent",
            IntakeStatus::FormReceived => "form_received",
            IntakeStatus::MeetingScheduled => "meeting_scheduled",
            IntakeStatus::Ready => "ready",
            IntakeStatus::NotReady => "not_ready",
            IntakeStatus::Placed => "placed",
            IntakeStatus::Waitlisted => "waitlisted",
            IntakeStatus::Withdrawn => "withdrawn",
            IntakeStatus::Closed => "closed",
        }
    }

    pub fn parse(s: &str) -> Option<IntakeStatus> {
        IntakeStatus::ALL.into_iter().find(|st| st.as_str() == s)
    }

    /// Still in progress: the peer may withdraw and a coordinator may close.
    pub fn is_open(self) -> bool {
        !matches!(self, IntakeStatus::Withdrawn | IntakeStatus::Closed)
    }

    /// The moves allowed from this state.
    pub fn allowed_moves(self) -> Vec<IntakeMove> {
        use IntakeMove::*;
        use IntakeStatus::*;
        let mut moves = match self {
            Submitted => vec![Assign],
            FormSent => vec![SubmitForm],
            FormReceived => vec![ScheduleMeeting],
            MeetingScheduled => vec![ScheduleMeeting, RecordMeeting],
            NotReady => vec![ScheduleMeeting],
            Ready => vec![Place, Waitlist],
            Waitlisted => vec![Place],
            Placed | Withdrawn | Closed => vec![],
        };
        if self.is_open() {
            moves.extend([Withdraw, Close]);
        }
        moves
    }

    pub fn allows(self, intake_move: IntakeMove) -> bool {
        self.allowed_moves().contains(&intake_move)
    }
}

impl IntakeMove {
    pub fn as_str(self) -> &'static str {
        match self {
            IntakeMove::Assign => "assign",
            IntakeMove::SubmitForm => "submit_form",
            IntakeMove::ScheduleMeeting => "schedule_meeting",
            IntakeMove::RecordMeeting => "record_meeting",
            IntakeMove::Place => "place",
            IntakeMove::Waitlist => "waitlist",
            IntakeMove::Withdraw => "withdraw",
            IntakeMove::Close => "close",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{IntakeMove::*, IntakeStatus::*, *};

    #[test]
    fn the_six_steps_follow_in_order() {
        assert_eq!(Submitted.allowed_moves(), [Assign, Withdraw, Close]);
        assert!(FormSent.allows(SubmitForm));
        assert!(FormReceived.allows(ScheduleMeeting));
        assert!(MeetingScheduled.allows(RecordMeeting));
        assert!(Ready.allows(Place));
        assert!(Waitlisted.allows(Place));
        assert!(!Submitted.allows(Place));
        assert!(!FormSent.allows(RecordMeeting));
    }

    #[test]
    fn every_open_state_may_be_withdrawn_or_closed_and_ended_ones_nothing() {
        for status in IntakeStatus::ALL {
            assert_eq!(status.allows(Withdraw), status.is_open(), "{status:?}");
            assert_eq!(status.allows(Close), status.is_open(), "{status:?}");
        }
        assert!(Withdrawn.allowed_moves().is_empty());
        assert!(Closed.allowed_moves().is_empty());
        assert_eq!(Placed.allowed_moves(), [Withdraw, Close]);
    }

    #[test]
    fn statuses_round_trip_through_their_names() {
        for status in IntakeStatus::ALL {
            assert_eq!(IntakeStatus::parse(status.as_str()), Some(status));
        }
        assert_eq!(IntakeStatus::parse("approved"), None);
    }
}
