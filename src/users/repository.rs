use diesel::prelude::*;

use super::models::{UserFilter, UserRow};
use crate::{
    db::{schema::users, Conn},
    domain::Role,
    language::Language,
    pagination::PageRequest,
};

pub fn insert(conn: &mut Conn, row: &UserRow) -> QueryResult<()> {
    diesel::insert_into(users::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

pub fn find(conn: &mut Conn, id: &str) -> QueryResult<Option<UserRow>> {
    users::table.find(id).first(conn).optional()
}

/// By email, which is stored lower-cased.
/// The accounts with these ids (those that exist), in one query.
pub fn find_many(conn: &mut Conn, ids: &[String]) -> QueryResult<Vec<UserRow>> {
    users::table.filter(users::id.eq_any(ids)).load(conn)
}

pub fn find_by_email(conn: &mut Conn, email: &str) -> QueryResult<Option<UserRow>> {
    users::table
        .filter(users::email.eq(email.to_lowercase()))
        .first(conn)
        .optional()
}

pub fn list(conn: &mut Conn, filter: &UserFilter, page: &PageRequest) -> QueryResult<Vec<UserRow>> {
    let mut q = users::table.into_boxed();
    if let Some(role) = filter.role {
        q = q.filter(users::role.eq(role));
    }
    if let Some(disabled) = filter.disabled {
        q = q.filter(users::disabled.eq(disabled));
    }
    if let Some(email) = &filter.email {
        let escaped = email
            .to_lowercase()
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        q = q.filter(users::email.like(format!("%{escaped}%")).escape('\\'));
    }
    crate::pagination::keyset_page!(q, page, users::created_at, users::id).load(conn)
}

pub fn update_profile(
    conn: &mut Conn,
    id: &str,
    display_name: &str,
    preferred_language: Language,
    now: chrono::NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(users::table.find(id))
        .set((
            users::display_name.eq(display_name),
            users::preferred_language.eq(preferred_language),
            users::updated_at.eq(now),
        ))
        .execute(conn)
}

/// The caller's contact choices (`contact_methods` as its stored JSON text).
pub fn update_contact(
    conn: &mut Conn,
    id: &str,
    contact_methods: &str,
    time_zone: &str,
    discreet: bool,
    phone: Option<&str>,
    now: chrono::NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(users::table.find(id))
        .set((
            users::contact_methods.eq(contact_methods),
            users::time_zone.eq(time_zone),
            users::discreet.eq(discreet),
            users::phone.eq(phone),
            users::updated_at.eq(now),
        ))
        .execute(conn)
}

pub fn update_password(
    conn: &mut Conn,
    id: &str,
    hash: &str,
    now: chrono::NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(users::table.find(id))
        .set((users::password_hash.eq(hash), users::updated_at.eq(now)))
        .execute(conn)
}

pub fn update_access(
    conn: &mut Conn,
    id: &str,
    role: Role,
    disabled: bool,
    now: chrono::NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(users::table.find(id))
        .set((
            users::role.eq(role),
            users::disabled.eq(disabled),
            users::updated_at.eq(now),
        ))
        .execute(conn)
}

/// Active admins other than `id`.
pub fn count_other_active_admins(conn: &mut Conn, id: &str) -> QueryResult<i64> {
    users::table
        .filter(users::role.eq(Role::Admin))
        .filter(users::disabled.eq(false))
        .filter(users::id.ne(id))
        .count()
        .get_result(conn)
}

/// Replaces an account's personal fields by placeholders and marks it erased and disabled, only
/// if it was not erased already: 0 means it was (or there is no such account).
pub fn erase(
    conn: &mut Conn,
    id: &str,
    placeholder_email: &str,
    display_name: &str,
    password_hash: &str,
    now: chrono::NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        users::table
            .filter(users::id.eq(id))
            .filter(users::erased_at.is_null()),
    )
    .set((
        users::email.eq(placeholder_email),
        users::display_name.eq(display_name),
        users::password_hash.eq(password_hash),
        users::disabled.eq(true),
        users::erased_at.eq(now),
        users::updated_at.eq(now),
        // The contact choices go back to what tells nothing: no phone, no mail, the program's
        // own time zone (a zone says where someone lives).
        users::phone.eq(None::<String>),
        users::contact_methods.eq(r#"["in_app"]"#),
        users::time_zone.eq(crate::domain::PROGRAM_TIME_ZONE.name()),
        users::discreet.eq(false),
    ))
    .execute(conn)
}
