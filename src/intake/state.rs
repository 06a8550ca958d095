//! The intake journey's states and the moves between them. The service asks this module whether
//! a move is allowed; a refused move is answered with the moves the state does allow.

use crate::domain::{vocabulary, Role};

vocabulary! {
    IntakeStatus {
        Submitted = "submitted",
        FormSent = "form_sent",
        FormReceived = "form_received",
        MeetingScheduled = "meeting_scheduled",
        Ready = "ready",
        NotReady = "not_ready",
        Placed = "placed",
        Waitlisted = "waitlisted",
        Withdrawn = "withdrawn",
        Closed = "closed",
    }
}

vocabulary! {
    /// A move of the journey, one action endpoint each.
    IntakeMove {
        Assign = "assign",
        SubmitForm = "submit_form",
        ScheduleMeeting = "schedule_meeting",
        RecordMeeting = "record_meeting",
        Place = "place",
        Waitlist = "waitlist",
        Withdraw = "withdraw",
        Close = "close",
        /// A placed person changes group without a new intake.
        Move = "move",
    }
}

vocabulary! {
    /// What a timeline event records: how the application began (`submit`, `refer`), a move,
    /// the referred person linking it to their account (`claim`), a change to its placement, or
    /// a seat offered from the waiting list and its answer.
    IntakeAction {
        Submit = "submit",
        Refer = "refer",
        Claim = "claim",
        Assign = "assign",
        SubmitForm = "submit_form",
        ScheduleMeeting = "schedule_meeting",
        RecordMeeting = "record_meeting",
        Place = "place",
        Waitlist = "waitlist",
        Withdraw = "withdraw",
        Close = "close",
        PlacementSuspended = "placement_suspended",
        /// Handed to another coordinator (the status does not change).
        Reassign = "reassign",
        /// A freed seat of the group the person waits for is held for them.
        Offer = "offer",
        OfferDeclined = "offer_declined",
        OfferExpired = "offer_expired",
        /// Every required consent given again: the suspended seat is back, or (taken
        /// meanwhile) the person heads the group's waiting list.
        PlacementReinstated = "placement_reinstated",
        /// A placed person changed group.
        Move = "move",
    }
}

impl From<IntakeMove> for IntakeAction {
    fn from(intake_move: IntakeMove) -> IntakeAction {
        match intake_move {
            IntakeMove::Assign => IntakeAction::Assign,
            IntakeMove::SubmitForm => IntakeAction::SubmitForm,
            IntakeMove::ScheduleMeeting => IntakeAction::ScheduleMeeting,
            IntakeMove::RecordMeeting => IntakeAction::RecordMeeting,
            IntakeMove::Place => IntakeAction::Place,
            IntakeMove::Waitlist => IntakeAction::Waitlist,
            IntakeMove::Withdraw => IntakeAction::Withdraw,
            IntakeMove::Close => IntakeAction::Close,
            IntakeMove::Move => IntakeAction::Move,
        }
    }
}

impl IntakeMove {
    /// Whether a caller with `role` may make this move on an application they can see: the
    /// applicant sends their form and withdraws; coordinators and admins make every other move.
    pub fn may_be_made_by(self, role: Role) -> bool {
        use IntakeMove::*;
        match self {
            SubmitForm | Withdraw => role == Role::Peer,
            Assign | ScheduleMeeting | RecordMeeting | Place | Waitlist | Close | Move => {
                role.is_staff()
            }
        }
    }
}

impl IntakeStatus {
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
            Placed => vec![Move],
            Withdrawn | Closed => vec![],
        };
        if self.is_open() {
            moves.extend([Withdraw, Close]);
        }
        moves
    }

    pub fn allows(self, intake_move: IntakeMove) -> bool {
        self.allowed_moves().contains(&intake_move)
    }

    /// The moves allowed from this state that a caller with `role` may make.
    pub fn moves_for(self, role: Role) -> Vec<IntakeMove> {
        self.allowed_moves()
            .into_iter()
            .filter(|m| m.may_be_made_by(role))
            .collect()
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
        for &status in IntakeStatus::ALL {
            assert_eq!(status.allows(Withdraw), status.is_open(), "{status:?}");
            assert_eq!(status.allows(Close), status.is_open(), "{status:?}");
        }
        assert!(Withdrawn.allowed_moves().is_empty());
        assert!(Closed.allowed_moves().is_empty());
        assert_eq!(Placed.allowed_moves(), [Move, Withdraw, Close]);
    }

    #[test]
    fn each_role_is_offered_only_the_moves_it_may_make() {
        for &status in IntakeStatus::ALL {
            let peer = status.moves_for(Role::Peer);
            assert!(!peer.contains(&Assign), "{status:?}");
            assert!(peer.iter().all(|m| matches!(m, SubmitForm | Withdraw)));
            for role in [Role::Coordinator, Role::Admin] {
                let staff = status.moves_for(role);
                assert!(!staff.contains(&SubmitForm) && !staff.contains(&Withdraw));
                let mut both = peer.clone();
                both.extend(staff);
                both.sort();
                let mut all = status.allowed_moves();
                all.sort();
                assert_eq!(both, all, "{status:?}: every allowed move has its maker");
            }
            for role in [
                Role::PeerSupporter,
                Role::MentalHealthProfessional,
                Role::Partner,
            ] {
                assert!(status.moves_for(role).is_empty(), "{status:?} {role:?}");
            }
        }
        assert_eq!(Submitted.moves_for(Role::Peer), [Withdraw]);
        assert_eq!(Submitted.moves_for(Role::Coordinator), [Assign, Close]);
        assert_eq!(FormSent.moves_for(Role::Peer), [SubmitForm, Withdraw]);
    }

    #[test]
    fn statuses_round_trip_through_their_names() {
        for &status in IntakeStatus::ALL {
            assert_eq!(IntakeStatus::parse(status.as_str()), Some(status));
        }
        assert_eq!(IntakeStatus::parse("approved"), None);
    }
}
