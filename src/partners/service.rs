use serde_json::json;

use super::{
    models::{CreatePartner, CreatedPartner, Partner, PartnerClientRow, PartnerList},
    repository,
};
use crate::{
    audit::{self, Entry},
    auth::{tokens, AuthUser},
    db::{self, Conn},
    domain::Role,
    error::ApiError,
    pagination::{Cursor, PageRequest},
};

/// Audit events name partner clients by the role their tokens carry.
const RESOURCE: &str = Role::Partner.as_str();

pub fn create(
    conn: &mut Conn,
    caller: &AuthUser,
    request: &CreatePartner,
) -> Result<CreatedPartner, ApiError> {
    let secret = tokens::new_secret();
    let client_id = format!(
        "pc_{}",
        tokens::random_bytes(8)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    );
    let row = PartnerClientRow {
        id: db::new_id(),
        name: request.name.trim().to_string(),
        client_id,
        secret_hash: tokens::secret_hash(&secret),
        created_at: db::now(),
        revoked_at: None,
    };
    db::write_transaction(conn, |conn| {
        repository::insert(conn, &row)?;
        audit::record(
            conn,
            Entry::by(caller, "partner.created", RESOURCE, &row.id)
                .with_details(json!({"name": row.name})),
        )
    })?;
    Ok(CreatedPartner {
        id: row.id,
        name: row.name,
        client_id: row.client_id,
        client_secret: secret,
        created_at: row.created_at.and_utc(),
    })
}

pub fn list(conn: &mut Conn, page: &PageRequest) -> Result<PartnerList, ApiError> {
    let rows = repository::list(conn, page)?;
    let (rows, next_cursor) = page.finish(rows, |r| Cursor {
        created_at: r.created_at,
        id: r.id.clone(),
    });
    Ok(PartnerList {
        items: rows.into_iter().map(Partner::from).collect(),
        next_cursor,
    })
}

/// The id of the active client with this `client_id` and secret; `None` for an unknown or
/// revoked client or a wrong secret (alike, so the answer tells nothing).
pub fn authenticate_client(
    conn: &mut Conn,
    client_id: &str,
    client_secret: &str,
) -> Result<Option<String>, ApiError> {
    Ok(repository::find_active_by_client_id(conn, client_id)?
        .filter(|client| client.secret_hash == tokens::secret_hash(client_secret))
        .map(|client| client.id))
}

/// Whether the client with this id exists and is not revoked.
pub fn is_active(conn: &mut Conn, id: &str) -> Result<bool, ApiError> {
    Ok(repository::find_active(conn, id)?.is_some())
}

/// Revokes a client: its tokens stop working at once. Unknown or already revoked: not found.
pub fn revoke(conn: &mut Conn, caller: &AuthUser, id: &str) -> Result<(), ApiError> {
    db::write_transaction(conn, |conn| {
        if repository::revoke(conn, id, db::now())? == 0 {
            return Err(ApiError::NotFound);
        }
        audit::record(conn, Entry::by(caller, "partner.revoked", RESOURCE, id))
    })
}
