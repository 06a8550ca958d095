use super::{
    models::{
        NewSupportLine, SupportLine, SupportLineChanges, SupportLineDescription, SupportLineEdit,
        SupportLineList, SupportLineName, SupportLineRow,
    },
    repository,
};
use crate::{
    audit::{self, Entry},
    auth::AuthUser,
    db::{self, Conn},
    domain::contact,
    error::{ApiError, FieldError},
};

/// Audit resource type of support lines.
const RESOURCE: &str = "support_line";

/// Every support line, in display order: for `GET /support-lines` and for the answers that tell
/// a peer "no" or "not yet".
pub fn list(conn: &mut Conn) -> Result<Vec<SupportLine>, ApiError> {
    Ok(repository::list(conn)?
        .into_iter()
        .map(SupportLine::from)
        .collect())
}

pub fn list_all(conn: &mut Conn) -> Result<SupportLineList, ApiError> {
    Ok(SupportLineList { items: list(conn)? })
}

pub fn get(conn: &mut Conn, id: &str) -> Result<SupportLine, ApiError> {
    repository::find(conn, id)?
        .map(SupportLine::from)
        .ok_or(ApiError::NotFound)
}

pub fn create(
    conn: &mut Conn,
    caller: &AuthUser,
    request: NewSupportLine,
) -> Result<SupportLine, ApiError> {
    let now = db::now();
    let name = trimmed_name(request.name);
    let description = trimmed_description(request.description);
    let row = SupportLineRow {
        id: db::new_id(),
        name_en: name.en,
        name_fr: name.fr,
        description_en: description.en,
        description_fr: description.fr,
        phone: request.phone.trim().to_string(),
        text_number: clean(request.text_number),
        website: clean(request.website).map(|w| contact::normal_web_address(&w)),
        available_24_7: request.available_24_7,
        sort_order: request.sort_order,
        created_at: now,
        updated_at: now,
    };
    check_names(&row)?;
    db::write_transaction(conn, |conn| {
        repository::insert(conn, &row)?;
        audit::record(
            conn,
            Entry::by(caller, "support_line.created", RESOURCE, &row.id),
        )
    })?;
    Ok(SupportLine::from(row))
}

pub fn update(
    conn: &mut Conn,
    caller: &AuthUser,
    id: &str,
    changes: SupportLineChanges,
) -> Result<SupportLine, ApiError> {
    let row = repository::find(conn, id)?.ok_or(ApiError::NotFound)?;
    let mut next = row.clone();
    if let Some(name) = changes.name {
        let name = trimmed_name(name);
        next.name_en = name.en;
        next.name_fr = name.fr;
    }
    if let Some(description) = changes.description {
        let description = trimmed_description(description);
        next.description_en = description.en;
        next.description_fr = description.fr;
    }
    if let Some(phone) = changes.phone {
        next.phone = phone.trim().to_string();
    }
    if let Some(text_number) = changes.text_number {
        next.text_number = clean(text_number);
    }
    if let Some(website) = changes.website {
        next.website = clean(website).map(|w| contact::normal_web_address(&w));
    }
    if let Some(available) = changes.available_24_7 {
        next.available_24_7 = available;
    }
    if let Some(sort_order) = changes.sort_order {
        next.sort_order = sort_order;
    }
    check_names(&next)?;
    let edit = SupportLineEdit {
        name_en: next.name_en,
        name_fr: next.name_fr,
        description_en: next.description_en,
        description_fr: next.description_fr,
        phone: next.phone,
        text_number: next.text_number,
        website: next.website,
        available_24_7: next.available_24_7,
        sort_order: next.sort_order,
        updated_at: db::now(),
    };
    // The write comes first in the transaction, so SQLite takes its lock up front.
    db::write_transaction(conn, |conn| {
        if repository::update(conn, id, &edit)? == 0 {
            return Err(ApiError::NotFound);
        }
        audit::record(
            conn,
            Entry::by(caller, "support_line.updated", RESOURCE, id),
        )
    })?;
    get(conn, id)
}

pub fn delete(conn: &mut Conn, caller: &AuthUser, id: &str) -> Result<(), ApiError> {
    db::write_transaction(conn, |conn| {
        if repository::delete(conn, id)? == 0 {
            return Err(ApiError::NotFound);
        }
        audit::record(
            conn,
            Entry::by(caller, "support_line.deleted", RESOURCE, id),
        )
    })
}

fn trimmed_name(name: SupportLineName) -> SupportLineName {
    SupportLineName {
        en: name.en.trim().to_string(),
        fr: name.fr.trim().to_string(),
    }
}

fn trimmed_description(description: SupportLineDescription) -> SupportLineDescription {
    SupportLineDescription {
        en: description.en.trim().to_string(),
        fr: description.fr.trim().to_string(),
    }
}

/// Trimmed; blank is absent.
fn clean(value: Option<String>) -> Option<String> {
    value
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

/// Names and descriptions that are only spaces are refused in both languages.
fn check_names(row: &SupportLineRow) -> Result<(), ApiError> {
    let errors: Vec<FieldError> = [
        ("name.en", &row.name_en),
        ("name.fr", &row.name_fr),
        ("description.en", &row.description_en),
        ("description.fr", &row.description_fr),
    ]
    .into_iter()
    .filter(|(_, value)| value.is_empty())
    .map(|(field, _)| FieldError::new(field, "blank", "must not be blank"))
    .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::Validation(errors))
    }
}
