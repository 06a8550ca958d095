use actix_web::{get, http::header, patch, post, put, web, HttpResponse};

use super::{models::*, service};
use crate::{
    auth::{AccountHolder, Leader, MaybeAuthUser, Staff},
    domain::version::ExpectedVersion,
    error::{responses, ApiError},
    http::{
        etag::etag,
        extractors::ValidJson,
        list_query::{ListQuery, PageParams},
    },
    state::AppState,
};

/// List program groups
///
/// Open to anyone. Facilitators and meeting links appear only for the groups the caller
/// facilitates or is placed in, and for staff.
#[utoipa::path(
    operation_id = "listGroups",
    tag = "groups",
    params(GroupFilter, PageParams),
    security((), ("bearer_auth" = [])),
    responses(
        (status = 200, description = "A page of groups", body = GroupList),
        responses::PublicList,
    )
)]
#[get("/groups")]
pub async fn list_groups(
    state: web::Data<AppState>,
    caller: MaybeAuthUser,
    query: ListQuery<GroupFilter>,
) -> Result<web::Json<GroupList>, ApiError> {
    let ListQuery { filter, page } = query;
    Ok(web::Json(
        state
            .pool
            .run(move |conn| service::list_groups(conn, caller.0.as_ref(), &filter, &page))
            .await?,
    ))
}

/// Create a program group (coordinator, admin)
///
/// A group starts `planned`. A formal group cannot open without a peer supporter and a mental
/// health professional among its facilitators; an informal one needs a peer supporter.
#[utoipa::path(
    operation_id = "createGroup",
    tag = "groups",
    request_body = CreateGroup,
    security(("bearer_auth" = [])),
    responses(
        (status = 201, description = "The new group", body = Group,
            headers(("ETag" = String, description = "The group's version"),
                    ("Location" = String, description = "The group's URL"))),
        responses::AuthWrite,
    )
)]
#[post("/groups")]
pub async fn create_group(
    state: web::Data<AppState>,
    caller: Staff,
    body: ValidJson<CreateGroup>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let (group, version) = state
        .pool
        .run(move |conn| service::create_group(conn, &caller, &body))
        .await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/groups/{}", group.id)))
        .insert_header((header::ETAG, etag(version)))
        .json(group))
}

/// Read a program group
#[utoipa::path(
    operation_id = "getGroup",
    tag = "groups",
    params(("id" = String, Path, description = "The group's id")),
    security((), ("bearer_auth" = [])),
    responses(
        (status = 200, description = "The group", body = Group,
            headers(("ETag" = String, description = "The group's version, for If-Match"))),
        responses::PublicRead,
    )
)]
#[get("/groups/{id}")]
pub async fn get_group(
    state: web::Data<AppState>,
    caller: MaybeAuthUser,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let (group, version) = state
        .pool
        .run(move |conn| service::get_group(conn, caller.0.as_ref(), &id))
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag(version)))
        .json(group))
}

/// Change a program group (coordinator, admin)
///
/// Send `If-Match` with the group's `ETag` to refuse the change (412) if someone changed it
/// since you read it. `status` moves the group through `planned → open → running →
/// completed` (or `cancelled`, which cancels its scheduled sessions); a refused move answers
/// 409 `invalid-transition` with the allowed ones. `full` follows the seats and is never set by
/// hand. A formal group opens only with exactly 10 scheduled sessions and a peer supporter and
/// a mental health professional among its facilitators (an informal one with a peer
/// supporter), and keeps them while open, full or running: a change that would break this
/// answers 409 `group-rule-broken`.
#[utoipa::path(
    operation_id = "updateGroup",
    tag = "groups",
    params(
        ("id" = String, Path, description = "The group's id"),
        ("If-Match" = Option<String>, Header, description = "The ETag the change is based on"),
    ),
    request_body = UpdateGroup,
    security(("bearer_auth" = [])),
    responses(
        (status = 200, description = "The updated group", body = Group,
            headers(("ETag" = String, description = "The group's new version"))),
        responses::AuthChange,
        (status = 412, response = responses::PreconditionFailed),
    )
)]
#[patch("/groups/{id}")]
pub async fn update_group(
    state: web::Data<AppState>,
    caller: Staff,
    id: web::Path<String>,
    if_match: ExpectedVersion,
    body: ValidJson<UpdateGroup>,
) -> Result<HttpResponse, ApiError> {
    let (id, body) = (id.into_inner(), body.into_inner());
    let (group, version) = state
        .pool
        .run(move |conn| service::update_group(conn, &caller, &id, &if_match, &body))
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag(version)))
        .json(group))
}

/// List a group's sessions
///
/// Open to anyone; meeting links only for the group's facilitators, placed participants and
/// staff.
#[utoipa::path(
    operation_id = "listGroupSessions",
    tag = "groups",
    params(("id" = String, Path, description = "The group's id")),
    security((), ("bearer_auth" = [])),
    responses(
        (status = 200, description = "The group's sessions, by start", body = SessionList),
        responses::PublicRead,
    )
)]
#[get("/groups/{id}/sessions")]
pub async fn list_sessions(
    state: web::Data<AppState>,
    caller: MaybeAuthUser,
    id: web::Path<String>,
) -> Result<web::Json<SessionList>, ApiError> {
    let id = id.into_inner();
    Ok(web::Json(
        state
            .pool
            .run(move |conn| service::list_sessions(conn, caller.0.as_ref(), &id))
            .await?,
    ))
}

/// Schedule a session or a weekly series (the group's facilitators, staff)
///
/// `count` sessions a week apart at the same local time in the group's time zone (90 minutes
/// unless `duration_minutes` says otherwise). Informal groups hold at most 8 scheduled
/// sessions, formal groups 10, each formal session with a topic.
#[utoipa::path(
    operation_id = "createGroupSessions",
    tag = "groups",
    params(("id" = String, Path, description = "The group's id")),
    request_body = CreateSessions,
    security(("bearer_auth" = [])),
    responses(
        (status = 201, description = "The sessions created", body = SessionList),
        responses::AuthChange,
    )
)]
#[post("/groups/{id}/sessions")]
pub async fn create_sessions(
    state: web::Data<AppState>,
    caller: Leader,
    id: web::Path<String>,
    body: ValidJson<CreateSessions>,
) -> Result<HttpResponse, ApiError> {
    let (id, body) = (id.into_inner(), body.into_inner());
    let items = state
        .pool
        .run(move |conn| service::create_sessions(conn, &caller, &id, &body))
        .await?;
    Ok(HttpResponse::Created().json(SessionList {
        items,
        next_cursor: None,
    }))
}

/// Read a session
#[utoipa::path(
    operation_id = "getSession",
    tag = "groups",
    params(("id" = String, Path, description = "The session's id")),
    security((), ("bearer_auth" = [])),
    responses(
        (status = 200, description = "The session", body = Session,
            headers(("ETag" = String, description = "The session's version, for If-Match"))),
        responses::PublicRead,
    )
)]
#[get("/sessions/{id}")]
pub async fn get_session(
    state: web::Data<AppState>,
    caller: MaybeAuthUser,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let (session, version) = state
        .pool
        .run(move |conn| service::get_session(conn, caller.0.as_ref(), &id))
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag(version)))
        .json(session))
}

/// Reschedule, change or cancel a session (the group's facilitators, staff)
///
/// Cancelling needs a `cancel_reason`; a cancelled session cannot change again (409).
/// A session's feedback window opens at `starts_at` and lasts `FEEDBACK_WINDOW_HOURS`: once it
/// has opened, `starts_at` and `duration_minutes` can no longer change (409, "feedback on this
/// session has opened; its time can no longer change"), and once it has closed the session can
/// no longer be cancelled (409), so a released summary never changes. A session that has not
/// started cannot move into the past (422 on `starts_at`). Topic and meeting link always may.
/// `If-Match` with the session's `ETag` refuses a stale change (412).
#[utoipa::path(
    operation_id = "updateSession",
    tag = "groups",
    params(
        ("id" = String, Path, description = "The session's id"),
        ("If-Match" = Option<String>, Header, description = "The ETag the change is based on"),
    ),
    request_body = UpdateSession,
    security(("bearer_auth" = [])),
    responses(
        (status = 200, description = "The updated session", body = Session,
            headers(("ETag" = String, description = "The session's new version"))),
        responses::AuthChange,
        (status = 412, response = responses::PreconditionFailed),
    )
)]
#[patch("/sessions/{id}")]
pub async fn update_session(
    state: web::Data<AppState>,
    caller: Leader,
    id: web::Path<String>,
    if_match: ExpectedVersion,
    body: ValidJson<UpdateSession>,
) -> Result<HttpResponse, ApiError> {
    let (id, body) = (id.into_inner(), body.into_inner());
    let window = state.config.feedback_window;
    let (session, version) = state
        .pool
        .run(move |conn| service::update_session(conn, &caller, &id, &if_match, &body, window))
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag(version)))
        .json(session))
}

/// Record who attended a session (the group's facilitators, staff)
///
/// Marks participants on the group's roster present or absent; earlier marks for the same
/// participants are replaced.
#[utoipa::path(
    operation_id = "recordAttendance",
    tag = "groups",
    params(("id" = String, Path, description = "The session's id")),
    request_body = RecordAttendance,
    security(("bearer_auth" = [])),
    responses(
        (status = 200, description = "The session's attendance", body = AttendanceSheet),
        responses::AuthChange,
    )
)]
#[put("/sessions/{id}/attendance")]
pub async fn record_attendance(
    state: web::Data<AppState>,
    caller: Leader,
    id: web::Path<String>,
    body: ValidJson<RecordAttendance>,
) -> Result<web::Json<AttendanceSheet>, ApiError> {
    let (id, body) = (id.into_inner(), body.into_inner());
    Ok(web::Json(
        state
            .pool
            .run(move |conn| service::record_attendance(conn, &caller, &id, &body))
            .await?,
    ))
}

/// My upcoming sessions
///
/// Sessions not yet ended of the groups the caller is placed in, with their meeting links.
#[utoipa::path(
    operation_id = "listMySessions",
    tag = "groups",
    security(("bearer_auth" = [])),
    responses(
        (status = 200, description = "The caller's upcoming sessions", body = MySessionList),
        responses::AuthOwn,
    )
)]
#[get("/me/sessions")]
pub async fn my_sessions(
    state: web::Data<AppState>,
    caller: AccountHolder,
) -> Result<web::Json<MySessionList>, ApiError> {
    Ok(web::Json(
        state
            .pool
            .run(move |conn| service::my_sessions(conn, &caller))
            .await?,
    ))
}
