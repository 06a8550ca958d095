use diesel::prelude::*;

use super::models::PartnerClientRow;
use crate::{
    db::{schema::partner_clients, Conn},
    pagination::PageRequest,
};

pub fn insert(conn: &mut Conn, row: &PartnerClientRow) -> QueryResult<()> {
    diesel::insert_into(partner_clients::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

pub fn find_active_by_client_id(
    conn: &mut Conn,
    client_id: &str,
) -> QueryResult<Option<PartnerClientRow>> {
    partner_clients::table
        .filter(partner_clients::client_id.eq(client_id))
        .filter(partner_clients::revoked_at.is_null())
        .first(conn)
        .optional()
}

pub fn find_active(conn: &mut Conn, id: &str) -> QueryResult<Option<PartnerClientRow>> {
    partner_clients::table
        .filter(partner_clients::id.eq(id))
        .filter(partner_clients::revoked_at.is_null())
        .first(conn)
        .optional()
}

pub fn list(conn: &mut Conn, page: &PageRequest) -> QueryResult<Vec<PartnerClientRow>> {
    crate::pagination::keyset_page!(
        partner_clients::table.into_boxed(),
        page,
        partner_clients::created_at,
        partner_clients::id
    )
    .load(conn)
}

/// Revokes an active client: 0 when there is no such active client.
pub fn revoke(conn: &mut Conn, id: &str, now: chrono::NaiveDateTime) -> QueryResult<usize> {
    diesel::update(
        partner_clients::table
            .filter(partner_clients::id.eq(id))
            .filter(partner_clients::revoked_at.is_null()),
    )
    .set(partner_clients::revoked_at.eq(now))
    .execute(conn)
}
