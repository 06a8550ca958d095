use diesel::prelude::*;

use super::models::{SupportLineEdit, SupportLineRow};
use crate::db::{schema::support_lines, Conn};

pub fn insert(conn: &mut Conn, row: &SupportLineRow) -> QueryResult<()> {
    diesel::insert_into(support_lines::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

pub fn find(conn: &mut Conn, id: &str) -> QueryResult<Option<SupportLineRow>> {
    support_lines::table.find(id).first(conn).optional()
}

/// Every line in display order.
pub fn list(conn: &mut Conn) -> QueryResult<Vec<SupportLineRow>> {
    support_lines::table
        .order((
            support_lines::sort_order.asc(),
            support_lines::created_at.asc(),
            support_lines::id.asc(),
        ))
        .load(conn)
}

pub fn update(conn: &mut Conn, id: &str, edit: &SupportLineEdit) -> QueryResult<usize> {
    diesel::update(support_lines::table.find(id))
        .set(edit)
        .execute(conn)
}

pub fn delete(conn: &mut Conn, id: &str) -> QueryResult<usize> {
    diesel::delete(support_lines::table.find(id)).execute(conn)
}
