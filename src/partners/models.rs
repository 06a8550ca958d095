use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::{Insertable, Queryable};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::db::schema::partner_clients;

#[derive(Debug, Clone, Queryable, Insertable)]
#[diesel(table_name = partner_clients)]
pub struct PartnerClientRow {
    pub id: String,
    pub name: String,
    pub client_id: String,
    pub secret_hash: String,
    pub created_at: NaiveDateTime,
    pub revoked_at: Option<NaiveDateTime>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "24/7 Support Line"}))]
pub struct CreatePartner {
    /// The partner organization's name.
    #[validate(length(min = 1, max = 120, message = "must be 1 to 120 characters"))]
    #[schema(min_length = 1, max_length = 120)]
    pub name: String,
}

/// A partner client. Its secret is never shown again after creation.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "2f4e6a80-1b3c-4d5e-8f90-a1b2c3d4e5f6",
    "name": "24/7 Support Line",
    "client_id": "pc_9b1c2d3e4f5a6b7c",
    "created_at": "2026-11-25T14:03:07.123456Z",
    "revoked_at": null
}))]
pub struct Partner {
    pub id: String,
    pub name: String,
    /// The `client_id` of the client-credentials grant.
    pub client_id: String,
    pub created_at: DateTime<Utc>,
    /// When it was revoked; its tokens stopped working then.
    pub revoked_at: Option<DateTime<Utc>>,
}

impl From<PartnerClientRow> for Partner {
    fn from(row: PartnerClientRow) -> Self {
        Partner {
            id: row.id,
            name: row.name,
            client_id: row.client_id,
            created_at: row.created_at.and_utc(),
            revoked_at: row.revoked_at.map(|t| t.and_utc()),
        }
    }
}

/// A new partner client with its secret, shown this once.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "2f4e6a80-1b3c-4d5e-8f90-a1b2c3d4e5f6",
    "name": "24/7 Support Line",
    "client_id": "pc_9b1c2d3e4f5a6b7c",
    "client_secret": "Zk3p0Qx9vL2mT8rB5nW1yH6cJ4dF7gS0aE2uI9oK3qM",
    "created_at": "2026-11-25T14:03:07.123456Z"
}))]
pub struct CreatedPartner {
    pub id: String,
    pub name: String,
    pub client_id: String,
    /// Store it now: only its hash is kept.
    pub client_secret: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PartnerList {
    pub items: Vec<Partner>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    pub next_cursor: Option<String>,
}
