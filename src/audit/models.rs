use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::{Insertable, Queryable};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::{db::schema::audit_events, domain::Role, error::ApiError};

/// An audit event as stored. `None` is written as NULL, so that many events insert as one
/// statement on SQLite too.
#[derive(Debug, Clone, Queryable, Insertable)]
#[diesel(table_name = audit_events, treat_none_as_default_value = false)]
pub struct AuditEventRow {
    pub id: String,
    pub occurred_at: NaiveDateTime,
    pub actor_id: Option<String>,
    pub actor_role: Option<Role>,
    pub action: String,
    pub resource_type: String,
    pub resource_id: Option<String>,
    pub request_id: Option<String>,
    /// JSON text.
    pub details: Option<String>,
}

/// One audited action.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0b6c3c1e-5d0a-4c55-9a43-3f1f3b7c2a10",
    "occurred_at": "2026-11-25T14:03:07.123456Z",
    "actor_id": "4a1f0f5e-3c2b-4d8e-9f6a-1b2c3d4e5f60",
    "actor_role": Role::Admin,
    "action": "user.role_changed",
    "resource_type": "user",
    "resource_id": "7d9e8f00-1a2b-4c3d-8e9f-0a1b2c3d4e5f",
    "request_id": "5c1b7f0e-3f4e-4a39-9d0c-2a0f1a3f2b61",
    "details": {"from": Role::PeerSupporter, "to": Role::Coordinator}
}))]
pub struct AuditEvent {
    pub id: String,
    pub occurred_at: DateTime<Utc>,
    /// The acting account or partner client; none for anonymous actions (a failed log-in).
    pub actor_id: Option<String>,
    #[schema(value_type = Option<String>)]
    pub actor_role: Option<Role>,
    /// What happened, e.g. `user.role_changed`, `user.disabled`, `partner.created`,
    /// `partner.revoked`, `login.locked_out`.
    pub action: String,
    pub resource_type: String,
    pub resource_id: Option<String>,
    pub request_id: Option<String>,
    /// Extra facts about the action; never secrets, tokens or personal answers.
    #[schema(value_type = Option<Object>)]
    pub details: Option<serde_json::Value>,
}

impl TryFrom<AuditEventRow> for AuditEvent {
    type Error = ApiError;

    /// Fails on `details` that are not JSON: the log never hides a damaged record.
    fn try_from(row: AuditEventRow) -> Result<Self, ApiError> {
        let details = row
            .details
            .as_deref()
            .map(serde_json::from_str)
            .transpose()
            .map_err(|e| {
                log::error!("audit_events.details of event {} is not JSON: {e}", row.id);
                ApiError::Internal
            })?;
        Ok(AuditEvent {
            id: row.id,
            occurred_at: row.occurred_at.and_utc(),
            actor_id: row.actor_id,
            actor_role: row.actor_role,
            action: row.action,
            resource_type: row.resource_type,
            resource_id: row.resource_id,
            request_id: row.request_id,
            details,
        })
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEventList {
    pub items: Vec<AuditEvent>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams, Validate)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AuditFilter {
    /// Only this action, e.g. `user.role_changed`.
    pub action: Option<String>,
    /// Only actions by this account or client.
    pub actor_id: Option<String>,
    /// Only this kind of record, e.g. `user`.
    pub resource_type: Option<String>,
    /// Only this record.
    pub resource_id: Option<String>,
    /// Only events at or after this time (RFC 3339, years 0001–9999).
    #[validate(custom(function = "crate::domain::time::valid_time"))]
    pub since: Option<DateTime<Utc>>,
    /// Only events before this time (RFC 3339, years 0001–9999).
    #[validate(custom(function = "crate::domain::time::valid_time"))]
    pub until: Option<DateTime<Utc>>,
}
