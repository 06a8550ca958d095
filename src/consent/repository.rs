use diesel::prelude::*;

use super::models::{ConsentKind, DocumentRow, RecordRow};
use crate::{
    db::{
        schema::{consent_documents, consent_records},
        Conn,
    },
    language::Language,
    pagination::PageRequest,
};

pub fn insert_document(conn: &mut Conn, row: &DocumentRow) -> QueryResult<()> {
    diesel::insert_into(consent_documents::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

pub fn find_document(conn: &mut Conn, id: &str) -> QueryResult<Option<DocumentRow>> {
    consent_documents::table.find(id).first(conn).optional()
}

/// The highest version of a kind in a language (0 when there is none).
pub fn latest_version(conn: &mut Conn, kind: ConsentKind, language: Language) -> QueryResult<i32> {
    consent_documents::table
        .filter(consent_documents::kind.eq(kind))
        .filter(consent_documents::language.eq(language))
        .select(diesel::dsl::max(consent_documents::version))
        .first::<Option<i32>>(conn)
        .map(|v| v.unwrap_or(0))
}

/// Every document, newest version first within each kind and language.
pub fn all_documents(conn: &mut Conn) -> QueryResult<Vec<DocumentRow>> {
    consent_documents::table
        .order((
            consent_documents::kind,
            consent_documents::language,
            consent_documents::version.desc(),
        ))
        .load(conn)
}

pub fn insert_record(conn: &mut Conn, row: &RecordRow) -> QueryResult<()> {
    diesel::insert_into(consent_records::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

pub fn find_record(conn: &mut Conn, id: &str) -> QueryResult<Option<(RecordRow, DocumentRow)>> {
    consent_records::table
        .inner_join(consent_documents::table)
        .filter(consent_records::id.eq(id))
        .first(conn)
        .optional()
}

/// A person's records with their documents, oldest first.
pub fn records_of(conn: &mut Conn, person_id: &str) -> QueryResult<Vec<(RecordRow, DocumentRow)>> {
    consent_records::table
        .inner_join(consent_documents::table)
        .filter(consent_records::person_id.eq(person_id))
        .order((consent_records::recorded_at, consent_records::id))
        .load(conn)
}

pub fn page_of_records(
    conn: &mut Conn,
    person_id: Option<&str>,
    page: &PageRequest,
) -> QueryResult<Vec<(RecordRow, DocumentRow)>> {
    let mut q = consent_records::table
        .inner_join(consent_documents::table)
        .into_boxed();
    if let Some(person) = person_id {
        q = q.filter(consent_records::person_id.eq(person.to_string()));
    }
    crate::pagination::keyset_page!(q, page, consent_records::recorded_at, consent_records::id)
        .load(conn)
}

/// Whether a record has been withdrawn already.
pub fn is_withdrawn(conn: &mut Conn, record_id: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        consent_records::table.filter(consent_records::withdraws_record_id.eq(record_id)),
    ))
    .get_result(conn)
}
