//! The one role a token carries, and the groups of roles the rules speak of.

use super::vocabulary;

vocabulary! {
    /// The one role a token carries.
    Role {
        Peer = "peer",
        PeerSupporter = "peer_supporter",
        MentalHealthProfessional = "mental_health_professional",
        Coordinator = "coordinator",
        Admin = "admin",
        Partner = "partner",
    }
}

impl Role {
    /// Roles a person's account may hold (partners are machine clients, not accounts).
    pub fn is_account_role(self) -> bool {
        self != Role::Partner
    }

    /// The program's staff: coordinators and admins (an admin may do all a coordinator may).
    pub fn is_staff(self) -> bool {
        matches!(self, Role::Coordinator | Role::Admin)
    }

    /// Who may facilitate a group: peer supporters and mental health professionals.
    pub fn is_facilitator(self) -> bool {
        matches!(self, Role::PeerSupporter | Role::MentalHealthProfessional)
    }
}

/// Coordinators and admins, for `AuthUser::require`.
pub const STAFF: [Role; 2] = [Role::Coordinator, Role::Admin];

/// Who leads groups: facilitators of their own groups, and staff.
pub const LEADERS: [Role; 4] = [
    Role::PeerSupporter,
    Role::MentalHealthProfessional,
    Role::Coordinator,
    Role::Admin,
];
