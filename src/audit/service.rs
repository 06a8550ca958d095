use super::{
    models::{AuditEvent, AuditEventList, AuditEventRow, AuditFilter},
    repository,
};
use crate::{
    auth::AuthUser,
    db::{self, Conn},
    error::ApiError,
    pagination::{Cursor, PageRequest},
};

/// An action to audit.
pub struct Entry<'a> {
    pub actor: Option<&'a AuthUser>,
    pub request_id: Option<&'a str>,
    pub action: &'a str,
    pub resource_type: &'a str,
    pub resource_id: Option<&'a str>,
    pub details: Option<serde_json::Value>,
}

impl<'a> Entry<'a> {
    /// An action by an authenticated caller on one record.
    pub fn by(
        actor: &'a AuthUser,
        action: &'a str,
        resource_type: &'a str,
        resource_id: &'a str,
    ) -> Self {
        Entry {
            actor: Some(actor),
            request_id: actor.request_id.as_deref(),
            action,
            resource_type,
            resource_id: Some(resource_id),
            details: None,
        }
    }

    pub fn with_details(mut self, details: serde_json::Value) -> Self {
        self.details = Some(details);
        self
    }
}

/// Writes one audit event (in the caller's transaction).
pub fn record(conn: &mut Conn, entry: Entry<'_>) -> Result<(), ApiError> {
    Ok(repository::insert(conn, &row_of(entry))?)
}

/// Writes many audit events (a page read, say) in one statement, in the caller's transaction.
pub fn record_all<'a>(
    conn: &mut Conn,
    entries: impl IntoIterator<Item = Entry<'a>>,
) -> Result<(), ApiError> {
    let rows: Vec<AuditEventRow> = entries.into_iter().map(row_of).collect();
    Ok(repository::insert_all(conn, &rows)?)
}

fn row_of(entry: Entry<'_>) -> AuditEventRow {
    AuditEventRow {
        id: db::new_id(),
        occurred_at: db::now(),
        actor_id: entry.actor.map(|a| a.id.clone()),
        actor_role: entry.actor.map(|a| a.role),
        action: entry.action.to_string(),
        resource_type: entry.resource_type.to_string(),
        resource_id: entry.resource_id.map(str::to_string),
        request_id: entry.request_id.map(str::to_string),
        details: entry.details.map(|d| d.to_string()),
    }
}

pub fn list(
    conn: &mut Conn,
    filter: &AuditFilter,
    page: &PageRequest,
) -> Result<AuditEventList, ApiError> {
    let rows = repository::list(conn, filter, page)?;
    let (rows, next_cursor) = page.finish(rows, |r| Cursor {
        created_at: r.occurred_at,
        id: r.id.clone(),
    });
    Ok(AuditEventList {
        items: rows
            .into_iter()
            .map(AuditEvent::try_from)
            .collect::<Result<_, _>>()?,
        next_cursor,
    })
}
