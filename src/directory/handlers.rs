use actix_web::{get, http::header, patch, post, web, HttpRequest, HttpResponse};

use super::{
    models::{Listing, ListingChanges, ListingList, ListingReview, ListingSearch, NewListing},
    service,
};
use crate::{
    auth::{MaybeAuthUser, Staff},
    domain::version::ExpectedVersion,
    error::{responses, ApiError},
    http::{
        client,
        etag::etag,
        extractors::ValidJson,
        list_query::{ListQuery, PageParams},
    },
    state::AppState,
};

/// A listing with its `ETag`.
fn with_etag(mut response: actix_web::HttpResponseBuilder, listing: &Listing) -> HttpResponse {
    response
        .insert_header((header::ETAG, etag(listing.version)))
        .json(listing)
}

/// Search the directory of peer support groups
///
/// Published listings, oldest first, for anyone. Coordinators and admins may pass `status` to
/// see pending, rejected or archived ones. Canada-wide listings are under `province=CA`.
#[utoipa::path(
    operation_id = "listDirectoryListings",
    tag = "directory",
    params(ListingSearch, PageParams),
    security((), ("bearer_auth" = [])),
    responses(
        (status = 200, description = "A page of listings", body = ListingList),
        responses::AuthList,
    )
)]
#[get("/directory/listings")]
pub async fn list_listings(
    state: web::Data<AppState>,
    caller: MaybeAuthUser,
    query: ListQuery<ListingSearch>,
) -> Result<web::Json<ListingList>, ApiError> {
    let ListQuery { filter, page } = query;
    Ok(web::Json(
        state
            .pool
            .run(move |conn| service::list(conn, caller.0.as_ref(), &filter, &page))
            .await?,
    ))
}

/// Read a directory listing
///
/// A published listing, for anyone; coordinators and admins see any listing, with its
/// moderation facts, and a signed-in submitter their own submission in any state. The `ETag` goes in `If-Match` on changes.
#[utoipa::path(
    operation_id = "getDirectoryListing",
    tag = "directory",
    params(("id" = String, Path, description = "The listing's id")),
    security((), ("bearer_auth" = [])),
    responses(
        (status = 200, description = "The listing", body = Listing,
            headers(("ETag" = String, description = "The listing's version, for `If-Match`"))),
        responses::PublicRead,
    )
)]
#[get("/directory/listings/{id}")]
pub async fn get_listing(
    state: web::Data<AppState>,
    caller: MaybeAuthUser,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let listing = state
        .pool
        .run(move |conn| service::get(conn, caller.0.as_ref(), &id))
        .await?;
    Ok(with_etag(HttpResponse::Ok(), &listing))
}

/// Submit a peer support group for the directory
///
/// Open to anyone, with or without a token (partners' systems included). The listing waits as
/// `pending`, invisible in the directory, until a coordinator publishes it. Without a token, ten
/// submissions an hour from one source, then 429.
#[utoipa::path(
    operation_id = "submitDirectoryListing",
    tag = "directory",
    request_body = NewListing,
    security((), ("bearer_auth" = [])),
    responses(
        (status = 201, description = "The submitted listing, pending review", body = Listing,
            headers(
                ("Location" = String, description = "The listing's URL"),
                ("ETag" = String, description = "The listing's version, for `If-Match`")
            )),
        responses::PublicWrite,
        (status = 401, response = responses::Unauthorized),
        (status = 429, response = responses::TooManyRequests),
    )
)]
#[post("/directory/listings")]
pub async fn submit_listing(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: MaybeAuthUser,
    body: ValidJson<NewListing>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let source = client::source(&req, &state.config.trusted_proxies);
    let st = state.clone();
    let listing = state
        .pool
        .run(move |conn| {
            if caller.0.is_none() {
                st.limits.directory_submission(conn, source.as_ref())?;
            }
            service::submit(conn, caller.0.as_ref(), body)
        })
        .await?;
    let mut response = HttpResponse::Created();
    response.insert_header((
        header::LOCATION,
        format!("/api/v1/directory/listings/{}", listing.id),
    ));
    Ok(with_etag(response, &listing))
}

/// Publish or reject a pending listing (coordinator)
///
/// Only a `pending` listing can be reviewed (409 otherwise, naming its status). A rejection
/// needs a `note`. Audited.
#[utoipa::path(
    operation_id = "reviewDirectoryListing",
    tag = "directory",
    params(
        ("id" = String, Path, description = "The listing's id"),
        ("If-Match" = Option<String>, Header, description = "The `ETag` you read; 412 if the listing changed since")
    ),
    request_body = ListingReview,
    security(("bearer_auth" = [])),
    responses(
        (status = 200, description = "The reviewed listing", body = Listing,
            headers(("ETag" = String, description = "The listing's new version"))),
        responses::AuthChange,
        (status = 412, response = responses::PreconditionFailed),
    )
)]
#[post("/directory/listings/{id}/review")]
pub async fn review_listing(
    state: web::Data<AppState>,
    caller: Staff,
    if_match: ExpectedVersion,
    id: web::Path<String>,
    body: ValidJson<ListingReview>,
) -> Result<HttpResponse, ApiError> {
    let (id, body) = (id.into_inner(), body.into_inner());
    let listing = state
        .pool
        .run(move |conn| service::review(conn, &caller, &id, &body, &if_match))
        .await?;
    Ok(with_etag(HttpResponse::Ok(), &listing))
}

/// Edit a directory listing (coordinator)
///
/// Only the fields given change; `schedule` and `contacts` are replaced as a whole. Send the
/// `ETag` you read as `If-Match` so as not to overwrite someone else's edit (412 if it
/// changed). Audited.
#[utoipa::path(
    operation_id = "updateDirectoryListing",
    tag = "directory",
    params(
        ("id" = String, Path, description = "The listing's id"),
        ("If-Match" = Option<String>, Header, description = "The `ETag` you read; 412 if the listing changed since")
    ),
    request_body = ListingChanges,
    security(("bearer_auth" = [])),
    responses(
        (status = 200, description = "The updated listing", body = Listing,
            headers(("ETag" = String, description = "The listing's new version"))),
        responses::AuthChange,
        (status = 412, response = responses::PreconditionFailed),
    )
)]
#[patch("/directory/listings/{id}")]
pub async fn update_listing(
    state: web::Data<AppState>,
    caller: Staff,
    if_match: ExpectedVersion,
    id: web::Path<String>,
    body: ValidJson<ListingChanges>,
) -> Result<HttpResponse, ApiError> {
    let (id, body) = (id.into_inner(), body.into_inner());
    let listing = state
        .pool
        .run(move |conn| service::update(conn, &caller, &id, &body, &if_match))
        .await?;
    Ok(with_etag(HttpResponse::Ok(), &listing))
}

/// Archive a directory listing (coordinator)
///
/// Withdraws a published, pending or rejected listing from the directory (409 if it is
/// already archived). Audited.
#[utoipa::path(
    operation_id = "archiveDirectoryListing",
    tag = "directory",
    params(
        ("id" = String, Path, description = "The listing's id"),
        ("If-Match" = Option<String>, Header, description = "The `ETag` you read; 412 if the listing changed since")
    ),
    security(("bearer_auth" = [])),
    responses(
        (status = 200, description = "The archived listing", body = Listing,
            headers(("ETag" = String, description = "The listing's new version"))),
        responses::AuthAction,
        (status = 400, response = responses::BadRequest),
        (status = 412, response = responses::PreconditionFailed),
    )
)]
#[post("/directory/listings/{id}/archive")]
pub async fn archive_listing(
    state: web::Data<AppState>,
    caller: Staff,
    if_match: ExpectedVersion,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let listing = state
        .pool
        .run(move |conn| service::archive(conn, &caller, &id, &if_match))
        .await?;
    Ok(with_etag(HttpResponse::Ok(), &listing))
}
