use std::collections::{BTreeMap, HashSet};

use serde_json::json;

use super::{models::*, repository, Reactions};
use crate::{
    audit::{self, Entry},
    auth::{AuthUser, Role},
    db::{self, Conn},
    error::{ApiError, FieldError},
    language::Language,
    pagination::{Cursor, PageRequest},
};

fn document_view(row: DocumentRow, current: bool) -> Document {
    Document {
        kind: row.kind,
        language: row.language,
        id: row.id,
        version: row.version,
        title: row.title,
        body: row.body,
        current,
        published_at: row.published_at.and_utc(),
    }
}

fn record_view(record: RecordRow, document: DocumentRow) -> ConsentRecord {
    ConsentRecord {
        kind: document.kind,
        version: document.version,
        language: document.language,
        decision: record.decision,
        method: record.method,
        id: record.id,
        person_id: record.person_id,
        document_id: record.document_id,
        recorded_by: record.recorded_by,
        withdraws_record_id: record.withdraws_record_id,
        recorded_at: record.recorded_at.and_utc(),
    }
}

/// The current version of each kind and language (the newest).
fn current_ids(rows: &[DocumentRow]) -> HashSet<String> {
    let mut seen = HashSet::new();
    rows.iter()
        .filter(|r| seen.insert((r.kind, r.language)))
        .map(|r| r.id.clone())
        .collect()
}

/// Current versions, filtered by kind and language.
pub fn list_documents(conn: &mut Conn, filter: &DocumentFilter) -> Result<DocumentList, ApiError> {
    let rows = repository::all_documents(conn)?;
    let current = current_ids(&rows);
    let items = rows
        .into_iter()
        .filter(|r| current.contains(&r.id))
        .filter(|r| filter.kind.is_none_or(|k| k == r.kind))
        .filter(|r| filter.language.is_none_or(|l| l == r.language))
        .map(|r| document_view(r, true))
        .collect();
    Ok(DocumentList { items })
}

pub fn get_document(conn: &mut Conn, id: &str) -> Result<Document, ApiError> {
    let row = repository::find_document(conn, id)?.ok_or(ApiError::NotFound)?;
    let current = repository::latest_version(conn, row.kind, row.language)? == row.version;
    Ok(document_view(row, current))
}

pub fn create_document(
    conn: &mut Conn,
    caller: &AuthUser,
    request: &CreateDocument,
) -> Result<Document, ApiError> {
    db::write_transaction(conn, |conn| {
        let row = DocumentRow {
            id: db::new_id(),
            kind: request.kind,
            version: repository::latest_version(conn, request.kind, request.language)? + 1,
            language: request.language,
            title: request.title.trim().to_string(),
            body: request.body.clone(),
            published_by: Some(caller.id.clone()),
            published_at: db::now(),
        };
        repository::insert_document(conn, &row)?;
        audit::record(
            conn,
            Entry::by(
                caller,
                "consent_document.published",
                "consent_document",
                &row.id,
            )
            .with_details(
                json!({"kind": row.kind, "language": row.language, "version": row.version}),
            ),
        )?;
        Ok(document_view(row, true))
    })
}

/// The kinds among `required` whose current version in `language` the person has not granted
/// (or granted and withdrew).
/// Inside a write transaction: waits for, then holds until it ends, the right to change or rely
/// on one person's consents. A withdrawal and a placement that relies on the consent take it
/// both, so a placement can never be confirmed on a consent withdrawn meanwhile (PostgreSQL's
/// READ COMMITTED would let both commit; SQLite's write lock serializes them anyway).
pub fn lock_consents_of(conn: &mut Conn, person_id: &str) -> Result<(), ApiError> {
    Ok(db::lock_name(conn, &format!("consents of {person_id}"))?)
}

pub fn missing_consents(
    conn: &mut Conn,
    person_id: &str,
    language: Language,
    required: &[ConsentKind],
) -> Result<Vec<ConsentKind>, ApiError> {
    let documents = repository::all_documents(conn)?;
    let current = current_ids(&documents);
    let current_by_kind: BTreeMap<ConsentKind, String> = documents
        .into_iter()
        .filter(|d| current.contains(&d.id) && d.language == language)
        .map(|d| (d.kind, d.id))
        .collect();
    let records = repository::records_of(conn, person_id)?;
    let withdrawn: HashSet<String> = records
        .iter()
        .filter_map(|(r, _)| r.withdraws_record_id.clone())
        .collect();
    Ok(required
        .iter()
        .copied()
        .filter(|kind| {
            let Some(document_id) = current_by_kind.get(kind) else {
                return true;
            };
            // The latest grant or refusal of the current version decides, unless withdrawn.
            let latest = records
                .iter()
                .rfind(|(r, _)| &r.document_id == document_id && r.decision != Decision::Withdrawn);
            !matches!(latest, Some((r, _)) if r.decision == Decision::Granted && !withdrawn.contains(&r.id))
        })
        .collect())
}

/// Records a grant or refusal; a grant may complete the consents a suspended placement lacked,
/// which resumes it (the reaction runs in this transaction).
pub fn create_record(
    conn: &mut Conn,
    caller: &AuthUser,
    reactions: &Reactions,
    request: &CreateRecord,
) -> Result<ConsentRecord, ApiError> {
    if request.decision == Decision::Withdrawn {
        return Err(ApiError::Validation(vec![FieldError::new(
            "decision",
            "decision",
            "withdraw a consent with POST /consent-records/{id}/withdraw",
        )]));
    }
    let person_id = match (caller.role, request.method) {
        (Role::Peer, ConsentMethod::Electronic) => {
            if request.person_id.as_ref().is_some_and(|p| p != &caller.id) {
                return Err(ApiError::Validation(vec![FieldError::new(
                    "person_id",
                    "person",
                    "a peer records only their own consent",
                )]));
            }
            caller.id.clone()
        }
        (role, ConsentMethod::VerbalAtIntake) if role.is_staff() => {
            request.person_id.clone().ok_or_else(|| {
                ApiError::Validation(vec![FieldError::new(
                    "person_id",
                    "required",
                    "name whose consent this is",
                )])
            })?
        }
        _ => {
            return Err(ApiError::Validation(vec![FieldError::new(
                "method",
                "method",
                "peers record `electronic` consent; coordinators record `verbal_at_intake`",
            )]))
        }
    };
    db::write_transaction(conn, |conn| {
        let document = repository::find_document(conn, &request.document_id)?.ok_or_else(|| {
            ApiError::Validation(vec![FieldError::new(
                "document_id",
                "document",
                "is not a consent document",
            )])
        })?;
        if repository::latest_version(conn, document.kind, document.language)? != document.version {
            return Err(ApiError::Validation(vec![FieldError::new(
                "document_id",
                "superseded",
                "is not the current version of this document",
            )]));
        }
        if crate::users::service::find_account(conn, &person_id)?.is_none() {
            return Err(ApiError::Validation(vec![FieldError::new(
                "person_id",
                "person",
                "is not an account",
            )]));
        }
        lock_consents_of(conn, &person_id)?;
        let row = RecordRow {
            id: db::new_id(),
            person_id,
            document_id: document.id.clone(),
            decision: request.decision,
            method: request.method,
            recorded_by: caller.id.clone(),
            withdraws_record_id: None,
            recorded_at: db::now(),
        };
        repository::insert_record(conn, &row)?;
        audit::record(
            conn,
            Entry::by(caller, "consent_record.created", "consent_record", &row.id)
                .with_details(json!({"person_id": row.person_id, "kind": document.kind, "decision": row.decision})),
        )?;
        if row.decision == Decision::Granted {
            (reactions.consent_granted)(conn, caller, &row.person_id)?;
        }
        Ok(record_view(row, document))
    })
}

pub fn list_records(
    conn: &mut Conn,
    caller: &AuthUser,
    filter: &RecordFilter,
    page: &PageRequest,
) -> Result<ConsentRecordList, ApiError> {
    let person = match caller.role {
        Role::Peer => caller.id.clone(),
        _ => filter.person_id.clone().ok_or_else(|| {
            ApiError::Validation(vec![FieldError::new(
                "person_id",
                "required",
                "name whose records to list",
            )])
        })?,
    };
    let rows = repository::page_of_records(conn, Some(&person), page)?;
    let (rows, next_cursor) = page.finish(rows, |(r, _)| Cursor {
        created_at: r.recorded_at,
        id: r.id.clone(),
    });
    audit::record(
        conn,
        Entry {
            actor: Some(caller),
            request_id: caller.request_id.as_deref(),
            action: "consent_record.listed",
            resource_type: "person",
            resource_id: Some(&person),
            details: None,
        },
    )?;
    Ok(ConsentRecordList {
        items: rows.into_iter().map(|(r, d)| record_view(r, d)).collect(),
        next_cursor,
    })
}

/// Withdraws a grant: a new record naming it. Withdrawing participation consent suspends the
/// person's placements and frees their seats.
pub fn withdraw(
    conn: &mut Conn,
    caller: &AuthUser,
    reactions: &Reactions,
    record_id: &str,
) -> Result<ConsentRecord, ApiError> {
    db::write_transaction(conn, |conn| {
        let (record, document) =
            repository::find_record(conn, record_id)?.ok_or(ApiError::NotFound)?;
        let may = record.person_id == caller.id || caller.role.is_staff();
        if !may {
            return Err(ApiError::NotFound);
        }
        lock_consents_of(conn, &record.person_id)?;
        if record.decision != Decision::Granted {
            return Err(ApiError::Conflict(
                "only a granted consent can be withdrawn".into(),
            ));
        }
        if repository::is_withdrawn(conn, record_id)? {
            return Err(ApiError::Conflict(
                "this consent was already withdrawn".into(),
            ));
        }
        let row = RecordRow {
            id: db::new_id(),
            person_id: record.person_id.clone(),
            document_id: record.document_id.clone(),
            decision: Decision::Withdrawn,
            method: if caller.id == record.person_id {
                ConsentMethod::Electronic
            } else {
                ConsentMethod::VerbalAtIntake
            },
            recorded_by: caller.id.clone(),
            withdraws_record_id: Some(record.id.clone()),
            recorded_at: db::now(),
        };
        repository::insert_record(conn, &row)?;
        audit::record(
            conn,
            Entry::by(
                caller,
                "consent_record.withdrawn",
                "consent_record",
                &row.id,
            )
            .with_details(json!({"withdraws": record.id, "kind": document.kind})),
        )?;
        if document.kind == ConsentKind::ParticipationConsent {
            (reactions.participation_withdrawn)(conn, caller, &record.person_id)?;
        }
        Ok(record_view(row, document))
    })
}

/// Every consent record of a person, oldest first, for their export (the ledger is theirs to
/// read in full; it is kept, unchanged, when they erase their account).
pub fn records_for_export(
    conn: &mut Conn,
    person_id: &str,
) -> Result<Vec<ConsentRecord>, ApiError> {
    Ok(repository::records_of(conn, person_id)?
        .into_iter()
        .map(|(record, document)| record_view(record, document))
        .collect())
}
