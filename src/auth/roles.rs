use std::{fmt, str::FromStr};

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The one role a token carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Peer,
    PeerSupporter,
    MentalHealthProfessional,
    Coordinator,
    Admin,
    Partner,
}

impl Role {
    pub const ALL: [Role; 6] = [
        Role::Peer,
        Role::PeerSupporter,
        Role::MentalHealthProfessional,
        Role::Coordinator,
        Role::Admin,
        Role::Partner,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Peer => "peer",
            Role::PeerSupporter => "peer_supporter",
            Role::MentalHealthProfessional => "mental_health_professional",
            Role::Coordinator => "coordinator",
            Role::Admin => "admin",
            Role::Partner => "partner",
        }
    }

    /// Roles a person's account may hold (partners are machine clients, not accounts).
    pub fn is_account_role(self) -> bool {
        self != Role::Partner
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Role, String> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| format!("unknown role {s:?}"))
    }
}
