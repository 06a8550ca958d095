use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::{Insertable, Queryable};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::domain::schemas::AccountRole;
use crate::{auth::Role, db::schema::users, language::Language};

#[derive(Debug, Clone, Queryable, Insertable)]
#[diesel(table_name = users)]
pub struct UserRow {
    pub id: String,
    pub email: String,
    pub password_hash: String,
    pub display_name: String,
    pub role: Role,
    pub preferred_language: Language,
    pub disabled: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// When the person erased the account (`DELETE /me`); its personal fields are gone.
    pub erased_at: Option<NaiveDateTime>,
}

/// The caller's own account.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "4a1f0f5e-3c2b-4d8e-9f6a-1b2c3d4e5f60",
    "email": "alex.martin@example.ca",
    "display_name": "Alex M.",
    "role": Role::Peer,
    "preferred_language": Language::En
}))]
pub struct Me {
    pub id: String,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub preferred_language: Language,
}

impl From<UserRow> for Me {
    fn from(row: UserRow) -> Self {
        Me {
            role: row.role,
            preferred_language: row.preferred_language,
            id: row.id,
            email: row.email,
            display_name: row.display_name,
        }
    }
}

/// An account, as an admin sees it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "7d9e8f00-1a2b-4c3d-8e9f-0a1b2c3d4e5f",
    "email": "coordinator.east@example.ca",
    "display_name": "Sam (East coordinator)",
    "role": Role::Coordinator,
    "preferred_language": Language::Fr,
    "disabled": false,
    "created_at": "2026-11-25T14:03:07.123456Z",
    "updated_at": "2026-11-25T14:03:07.123456Z",
    "erased_at": null
}))]
pub struct User {
    pub id: String,
    /// For an erased account, an unroutable placeholder (`erased+<id>@invalid`).
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub preferred_language: Language,
    pub disabled: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// When the person erased the account (`DELETE /me`): its email and name are placeholders,
    /// and it can never sign in or be enabled again.
    pub erased_at: Option<DateTime<Utc>>,
}

impl From<UserRow> for User {
    fn from(row: UserRow) -> Self {
        User {
            role: row.role,
            preferred_language: row.preferred_language,
            id: row.id,
            email: row.email,
            display_name: row.display_name,
            disabled: row.disabled,
            created_at: row.created_at.and_utc(),
            updated_at: row.updated_at.and_utc(),
            erased_at: row.erased_at.map(|t| t.and_utc()),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UserList {
    pub items: Vec<User>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// Changes to the caller's own profile.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"display_name": "Alex", "preferred_language": Language::Fr}))]
pub struct UpdateMe {
    #[validate(length(min = 1, max = 80, message = "must be 1 to 80 characters"))]
    #[schema(min_length = 1, max_length = 80)]
    pub display_name: Option<String>,
    pub preferred_language: Option<Language>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "current_password": "a long passphrase of mine",
    "new_password": "an even longer passphrase of mine"
}))]
pub struct ChangePassword {
    #[validate(length(min = 1, max = 1024, message = "is required"))]
    #[schema(min_length = 1, max_length = 1024)]
    pub current_password: String,
    #[validate(length(min = 12, max = 1024, message = "must be 12 to 1024 characters"))]
    #[schema(min_length = 12, max_length = 1024)]
    pub new_password: String,
}

/// A staff account created by an admin. It has no password until its holder sets one through
/// the link mailed to the address (which also verifies it); the admin never chooses one.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "email": "coordinator.east@example.ca",
    "display_name": "Sam (East coordinator)",
    "role": Role::Coordinator,
    "preferred_language": Language::Fr
}))]
pub struct CreateUser {
    #[validate(email(message = "must be a valid email address"), length(max = 254))]
    #[schema(max_length = 254, format = "email")]
    pub email: String,
    #[validate(length(min = 1, max = 80, message = "must be 1 to 80 characters"))]
    #[schema(min_length = 1, max_length = 80)]
    pub display_name: String,
    #[schema(value_type = AccountRole)]
    pub role: Role,
    pub preferred_language: Language,
}

/// An admin's change to an account: its role, or disabling it. Either ends its sessions.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"role": Role::Coordinator, "disabled": false}))]
pub struct UpdateUser {
    #[schema(value_type = Option<AccountRole>)]
    pub role: Option<Role>,
    pub disabled: Option<bool>,
    #[validate(length(min = 1, max = 80, message = "must be 1 to 80 characters"))]
    #[schema(min_length = 1, max_length = 80)]
    pub display_name: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct UserFilter {
    /// Only accounts with this role.
    pub role: Option<Role>,
    /// Only disabled (`true`) or active (`false`) accounts.
    pub disabled: Option<bool>,
    /// Only accounts whose email contains this text (case-insensitive).
    pub email: Option<String>,
}
