use actix_web::{get, patch, post, web, HttpResponse};

use super::{
    models::{ChangePassword, CreateUser, Me, UpdateMe, UpdateUser, User, UserFilter, UserList},
    service,
};
use crate::{
    auth::{rate_limit::count_attempt, AccountHolder, Admin},
    error::{responses, ApiError},
    http::{
        extractors::ValidJson,
        list_query::{ListQuery, PageParams},
    },
    mail,
    state::AppState,
};

/// Read my account
#[utoipa::path(
    operation_id = "getMe",
    tag = "accounts",
    security(("bearer_auth" = [])),
    responses(
        (status = 200, description = "The caller's account", body = Me),
        responses::AuthOwn,
    )
)]
#[get("/me")]
pub async fn get_me(
    state: web::Data<AppState>,
    caller: AccountHolder,
) -> Result<web::Json<Me>, ApiError> {
    Ok(web::Json(
        state
            .pool
            .run(move |conn| service::me(conn, &caller))
            .await?,
    ))
}

/// Change my profile and contact choices
///
/// Display name, language, how the program may reach the caller (`contact_methods`), the time
/// zone notices write times in, discreet email (`discreet`) and a phone number. A `phone` or
/// `text_message` contact without a phone number is refused (422).
#[utoipa::path(
    operation_id = "updateMe",
    tag = "accounts",
    request_body = UpdateMe,
    security(("bearer_auth" = [])),
    responses(
        (status = 200, description = "The updated account", body = Me),
        responses::AuthWrite,
    )
)]
#[patch("/me")]
pub async fn update_me(
    state: web::Data<AppState>,
    caller: AccountHolder,
    body: ValidJson<UpdateMe>,
) -> Result<web::Json<Me>, ApiError> {
    let body = body.into_inner();
    Ok(web::Json(
        state
            .pool
            .run(move |conn| service::update_me(conn, &caller, body))
            .await?,
    ))
}

/// Change my password
///
/// Requires the current password. Every other session of the account ends; this one goes on.
/// Limited per account (429 with `Retry-After`).
#[utoipa::path(
    operation_id = "changeMyPassword",
    tag = "accounts",
    request_body = ChangePassword,
    security(("bearer_auth" = [])),
    responses(
        (status = 204, description = "Password changed; other sessions ended"),
        responses::AuthWrite,
        (status = 429, response = responses::TooManyRequests),
    )
)]
#[post("/me/password")]
pub async fn change_password(
    state: web::Data<AppState>,
    caller: AccountHolder,
    body: ValidJson<ChangePassword>,
) -> Result<HttpResponse, ApiError> {
    let id = caller.id.clone();
    count_attempt(&state, move |limits, conn| {
        limits.password_change_attempt(conn, &id)
    })
    .await?;
    let body = body.into_inner();
    // On the blocking pool: the service holds a pooled connection only around its queries.
    web::block(move || service::change_password(&state.pool, &caller, &body)).await??;
    Ok(HttpResponse::NoContent().finish())
}

/// Create a staff account (admin)
///
/// The account has no password yet: its holder gets a link (72 hours) at the address to choose
/// one, which also confirms the address (`POST /auth/password-reset/confirm`). Until then it
/// cannot log in.
#[utoipa::path(
    operation_id = "createUser",
    tag = "users",
    request_body = CreateUser,
    security(("bearer_auth" = [])),
    responses(
        (status = 201, description = "The new account", body = User,
            headers(("Location" = String, description = "The account's URL"))),
        responses::AuthWrite,
        (status = 409, response = responses::Conflict),
    )
)]
#[post("/users")]
pub async fn create_user(
    state: web::Data<AppState>,
    caller: Admin,
    body: ValidJson<CreateUser>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let st = state.clone();
    let (user, letter) = state
        .pool
        .run(move |conn| service::create_user(conn, &caller, &body, &st.config.app_public_url))
        .await?;
    mail::send_in_background(&state.mailer, "set-your-password", letter);
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/users/{}", user.id)))
        .json(user))
}

/// List accounts (admin)
#[utoipa::path(
    operation_id = "listUsers",
    tag = "users",
    params(UserFilter, PageParams),
    security(("bearer_auth" = [])),
    responses(
        (status = 200, description = "A page of accounts", body = UserList),
        responses::AuthList,
    )
)]
#[get("/users")]
pub async fn list_users(
    state: web::Data<AppState>,
    _caller: Admin,
    query: ListQuery<UserFilter>,
) -> Result<web::Json<UserList>, ApiError> {
    let ListQuery { filter, page } = query;
    Ok(web::Json(
        state
            .pool
            .run(move |conn| service::list_users(conn, &filter, &page))
            .await?,
    ))
}

/// Read an account (admin)
#[utoipa::path(
    operation_id = "getUser",
    tag = "users",
    params(("id" = String, Path, description = "The account's id")),
    security(("bearer_auth" = [])),
    responses(
        (status = 200, description = "The account", body = User),
        responses::AuthRead,
    )
)]
#[get("/users/{id}")]
pub async fn get_user(
    state: web::Data<AppState>,
    _caller: Admin,
    id: web::Path<String>,
) -> Result<web::Json<User>, ApiError> {
    let id = id.into_inner();
    Ok(web::Json(
        state
            .pool
            .run(move |conn| service::get_user(conn, &id))
            .await?,
    ))
}

/// Change an account's role or disable it (admin)
///
/// Either change ends the account's sessions at once. The last active admin cannot be demoted
/// or disabled, and an account its owner erased cannot be changed (409).
#[utoipa::path(
    operation_id = "updateUser",
    tag = "users",
    params(("id" = String, Path, description = "The account's id")),
    request_body = UpdateUser,
    security(("bearer_auth" = [])),
    responses(
        (status = 200, description = "The updated account", body = User),
        responses::AuthChange,
    )
)]
#[patch("/users/{id}")]
pub async fn update_user(
    state: web::Data<AppState>,
    reactions: web::Data<super::Reactions>,
    caller: Admin,
    id: web::Path<String>,
    body: ValidJson<UpdateUser>,
) -> Result<web::Json<User>, ApiError> {
    let (id, body) = (id.into_inner(), body.into_inner());
    Ok(web::Json(
        state
            .pool
            .run(move |conn| service::update_user(conn, &caller, &reactions, &id, &body))
            .await?,
    ))
}
