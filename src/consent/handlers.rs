use actix_web::{get, post, web, HttpResponse};

use super::{models::*, service, Reactions};
use crate::{
    auth::{Admin, MaybeAuthUser, PeerOrStaff},
    error::{responses, ApiError},
    http::{
        extractors::ValidJson,
        list_query::{ListQuery, PageParams},
    },
    state::AppState,
};

/// The current consent documents
///
/// The version new consents are given to, for each kind and language. Open to anyone, so a
/// person can read what they would agree to before signing up.
#[utoipa::path(
    operation_id = "listConsentDocuments",
    tag = "consent",
    params(DocumentFilter),
    security((), ("bearer_auth" = [])),
    responses(
        (status = 200, description = "Current versions", body = DocumentList),
        (status = 400, response = responses::BadRequest),
        (status = 401, response = responses::Unauthorized),
        (status = 503, response = responses::ServiceUnavailable),
    )
)]
#[get("/consent-documents")]
pub async fn list_documents(
    state: web::Data<AppState>,
    _caller: MaybeAuthUser,
    query: web::Query<DocumentFilter>,
) -> Result<web::Json<DocumentList>, ApiError> {
    let query = query.into_inner();
    Ok(web::Json(
        state
            .pool
            .run(move |conn| service::list_documents(conn, &query))
            .await?,
    ))
}

/// Publish a new version of a consent document (admin)
///
/// It becomes the current version of its kind in its language: placement asks for it from now
/// on; earlier records stay as they were.
#[utoipa::path(
    operation_id = "createConsentDocument",
    tag = "consent",
    request_body = CreateDocument,
    security(("bearer_auth" = [])),
    responses(
        (status = 201, description = "The new version", body = Document),
        responses::AuthWrite,
        (status = 409, response = responses::Conflict),
    )
)]
#[post("/consent-documents")]
pub async fn create_document(
    state: web::Data<AppState>,
    caller: Admin,
    body: ValidJson<CreateDocument>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let document = state
        .pool
        .run(move |conn| service::create_document(conn, &caller, &body))
        .await?;
    Ok(HttpResponse::Created().json(document))
}

/// Read a consent document version
#[utoipa::path(
    operation_id = "getConsentDocument",
    tag = "consent",
    params(("id" = String, Path, description = "The document version's id")),
    security((), ("bearer_auth" = [])),
    responses(
        (status = 200, description = "The document version", body = Document),
        responses::PublicRead,
    )
)]
#[get("/consent-documents/{id}")]
pub async fn get_document(
    state: web::Data<AppState>,
    _caller: MaybeAuthUser,
    id: web::Path<String>,
) -> Result<web::Json<Document>, ApiError> {
    let id = id.into_inner();
    Ok(web::Json(
        state
            .pool
            .run(move |conn| service::get_document(conn, &id))
            .await?,
    ))
}

/// Record a consent (peer: their own, electronic; coordinator: verbal at intake)
///
/// Only the current version of a document can be granted or refused. Records are never changed
/// or deleted; withdraw with `POST /consent-records/{id}/withdraw`.
#[utoipa::path(
    operation_id = "createConsentRecord",
    tag = "consent",
    request_body = CreateRecord,
    security(("bearer_auth" = [])),
    responses(
        (status = 201, description = "The record", body = ConsentRecord),
        responses::AuthWrite,
    )
)]
#[post("/consent-records")]
pub async fn create_record(
    state: web::Data<AppState>,
    reactions: web::Data<Reactions>,
    caller: PeerOrStaff,
    body: ValidJson<CreateRecord>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let record = state
        .pool
        .run(move |conn| service::create_record(conn, &caller, &reactions, &body))
        .await?;
    Ok(HttpResponse::Created().json(record))
}

/// List consent records (peer: own; coordinator: by person)
///
/// Oldest first. Every listing is audited.
#[utoipa::path(
    operation_id = "listConsentRecords",
    tag = "consent",
    params(RecordFilter, PageParams),
    security(("bearer_auth" = [])),
    responses(
        (status = 200, description = "A page of records", body = ConsentRecordList),
        responses::AuthList,
    )
)]
#[get("/consent-records")]
pub async fn list_records(
    state: web::Data<AppState>,
    caller: PeerOrStaff,
    query: ListQuery<RecordFilter>,
) -> Result<web::Json<ConsentRecordList>, ApiError> {
    let ListQuery { filter, page } = query;
    Ok(web::Json(
        state
            .pool
            .run(move |conn| service::list_records(conn, &caller, &filter, &page))
            .await?,
    ))
}

/// Withdraw a consent
///
/// Adds a withdrawal record; the grant itself stays in the ledger. Withdrawing participation
/// consent suspends the person's placements and frees their seats.
#[utoipa::path(
    operation_id = "withdrawConsentRecord",
    tag = "consent",
    params(("id" = String, Path, description = "The granted record to withdraw")),
    security(("bearer_auth" = [])),
    responses(
        (status = 201, description = "The withdrawal record", body = ConsentRecord),
        responses::AuthAction,
    )
)]
#[post("/consent-records/{id}/withdraw")]
pub async fn withdraw_record(
    state: web::Data<AppState>,
    reactions: web::Data<Reactions>,
    caller: PeerOrStaff,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let record = state
        .pool
        .run(move |conn| service::withdraw(conn, &caller, &reactions, &id))
        .await?;
    // A withdrawn participation consent frees its seats: the waiting lists are offered them.
    state.seats_freed.notify_one();
    Ok(HttpResponse::Created().json(record))
}
