use diesel::prelude::*;

use super::models::{AuditEventRow, AuditFilter};
use crate::{db::schema::audit_events, db::Conn, pagination::PageRequest};

pub fn insert(conn: &mut Conn, row: &AuditEventRow) -> QueryResult<()> {
    diesel::insert_into(audit_events::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

/// Writes many events in one statement.
pub fn insert_all(conn: &mut Conn, rows: &[AuditEventRow]) -> QueryResult<()> {
    if rows.is_empty() {
        return Ok(());
    }
    crate::db::on_backend!(conn, |c| diesel::insert_into(audit_events::table)
        .values(rows)
        .execute(c))
    .map(|_| ())
}

/// A page of events, oldest first, one more than the limit to tell whether another page exists.
pub fn list(
    conn: &mut Conn,
    filter: &AuditFilter,
    page: &PageRequest,
) -> QueryResult<Vec<AuditEventRow>> {
    let mut q = audit_events::table.into_boxed();
    if let Some(action) = &filter.action {
        q = q.filter(audit_events::action.eq(action.clone()));
    }
    if let Some(actor) = &filter.actor_id {
        q = q.filter(audit_events::actor_id.eq(actor.clone()));
    }
    if let Some(kind) = &filter.resource_type {
        q = q.filter(audit_events::resource_type.eq(kind.clone()));
    }
    if let Some(id) = &filter.resource_id {
        q = q.filter(audit_events::resource_id.eq(id.clone()));
    }
    if let Some(since) = filter.since {
        q = q.filter(audit_events::occurred_at.ge(since.naive_utc()));
    }
    if let Some(until) = filter.until {
        q = q.filter(audit_events::occurred_at.lt(until.naive_utc()));
    }
    crate::pagination::keyset_page!(q, page, audit_events::occurred_at, audit_events::id).load(conn)
}
