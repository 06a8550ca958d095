use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::{Insertable, Queryable};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::domain::{
    contact::ContactMethod,
    schemas::{AccountRole, IanaTimeZone, PhoneNumber},
};
use crate::{auth::Role, db::schema::users, error::ApiError, language::Language};

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
    /// A JSON array of `ContactMethod` words (read it with [`UserRow::reach_by`]).
    pub contact_methods: String,
    /// An IANA name (read it with [`UserRow::zone`]).
    pub time_zone: String,
    pub discreet: bool,
    pub phone: Option<String>,
    /// When the person erased the account (`DELETE /me`); its personal fields are gone.
    pub erased_at: Option<NaiveDateTime>,
}

/// How an account is reached when nobody chose otherwise: mail and the app.
pub const DEFAULT_CONTACT_METHODS: [ContactMethod; 2] =
    [ContactMethod::Email, ContactMethod::InApp];

impl UserRow {
    /// The ways the person chose to be contacted.
    pub fn reach_by(&self) -> Result<Vec<ContactMethod>, ApiError> {
        serde_json::from_str(&self.contact_methods)
            .map_err(|e| ApiError::unreadable("users.contact_methods", e))
    }

    /// Whether the person chose to receive email.
    pub fn takes_email(&self) -> Result<bool, ApiError> {
        Ok(self.reach_by()?.contains(&ContactMethod::Email))
    }

    /// The person's time zone, in which notices write times.
    pub fn zone(&self) -> Result<chrono_tz::Tz, ApiError> {
        self.time_zone
            .parse()
            .map_err(|e| ApiError::unreadable("users.time_zone", e))
    }
}

/// The caller's own account.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "4a1f0f5e-3c2b-4d8e-9f6a-1b2c3d4e5f60",
    "email": "alex.martin@example.ca",
    "display_name": "Alex M.",
    "role": Role::Peer,
    "preferred_language": Language::En,
    "contact_methods": [ContactMethod::Email, ContactMethod::InApp],
    "time_zone": "America/Halifax",
    "discreet": true,
    "phone": null
}))]
pub struct Me {
    pub id: String,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub preferred_language: Language,
    /// How the program may reach the person. Notices are always kept in the account (`in_app`);
    /// they are also emailed only with `email`. No text message or call is sent by the API: a
    /// coordinator may use the phone number.
    pub contact_methods: Vec<ContactMethod>,
    /// The time zone in which notices write times.
    #[schema(value_type = IanaTimeZone)]
    pub time_zone: String,
    /// Emailed notices are discreet: a neutral subject and body ("You have a new message — sign
    /// in to read it"), with neither the program's name nor the notice's words. The notice in
    /// the account keeps its full text.
    pub discreet: bool,
    #[schema(value_type = Option<PhoneNumber>)]
    pub phone: Option<String>,
}

impl TryFrom<UserRow> for Me {
    type Error = ApiError;

    fn try_from(row: UserRow) -> Result<Self, ApiError> {
        Ok(Me {
            contact_methods: row.reach_by()?,
            role: row.role,
            preferred_language: row.preferred_language,
            id: row.id,
            email: row.email,
            display_name: row.display_name,
            time_zone: row.time_zone,
            discreet: row.discreet,
            phone: row.phone,
        })
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

/// Changes to the caller's own profile and contact choices; absent fields stay as they are.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "display_name": "Alex",
    "preferred_language": Language::Fr,
    "contact_methods": [ContactMethod::InApp],
    "time_zone": "America/Halifax",
    "discreet": true
}))]
pub struct UpdateMe {
    #[validate(length(min = 1, max = 80, message = "must be 1 to 80 characters"))]
    #[schema(min_length = 1, max_length = 80)]
    pub display_name: Option<String>,
    pub preferred_language: Option<Language>,
    /// Replaces the list. It must hold `in_app` (notices are always kept in the account), each
    /// word once; `["in_app"]` means "no contact except in the app". `phone` and `text_message`
    /// need a phone number (given here or before), else 422.
    #[validate(custom(function = "valid_contact_methods"))]
    #[schema(min_items = 1, max_items = 4)]
    pub contact_methods: Option<Vec<ContactMethod>>,
    #[validate(custom(function = "crate::domain::contact::valid_time_zone"))]
    #[schema(value_type = Option<IanaTimeZone>, example = "America/Halifax")]
    pub time_zone: Option<String>,
    pub discreet: Option<bool>,
    /// `null` removes it (refused while `phone` or `text_message` is a contact method).
    #[serde(default, deserialize_with = "crate::domain::present")]
    #[validate(custom(function = "crate::domain::contact::valid_phone"))]
    #[schema(value_type = Option<PhoneNumber>)]
    pub phone: Option<Option<String>>,
}

fn valid_contact_methods(methods: &[ContactMethod]) -> Result<(), validator::ValidationError> {
    use crate::domain::contact::refusal;
    if !methods.contains(&ContactMethod::InApp) {
        return Err(refusal(
            "in_app",
            "must include in_app: notices are always kept in the account".into(),
        ));
    }
    let mut unique = methods.to_vec();
    unique.sort();
    unique.dedup();
    if unique.len() != methods.len() {
        return Err(refusal("unique", "must list each method once".into()));
    }
    Ok(())
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
