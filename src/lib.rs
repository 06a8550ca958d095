//! Peer Support API: wiring of configuration, storage, routes and middleware.

pub mod audit;
pub mod auth;
pub mod config;
pub mod consent;
pub mod db;
pub mod demo;
pub mod directory;
pub mod domain;
pub mod error;
pub mod feedback;
pub mod groups;
pub mod http;
pub mod intake;
pub mod language;
pub mod mail;
pub mod my_data;
pub mod notifications;
pub mod openapi;
pub mod ops;
pub mod pagination;
pub mod partners;
pub mod reactions;
pub mod referrals;
pub mod state;
pub mod support_lines;
pub mod users;

use actix_cors::Cors;
use actix_web::{
    body::MessageBody,
    dev::{ServiceFactory, ServiceRequest, ServiceResponse},
    http::{header, Method},
    middleware::{from_fn, Logger},
    web, App, HttpResponse, HttpServer,
};
use utoipa::OpenApi;
use utoipa_actix_web::{service_config::ServiceConfig, AppExt};
use utoipa_swagger_ui::SwaggerUi;

pub use crate::state::AppState;
use crate::{
    config::Config,
    db::DbPool,
    http::{extractors, fallback, middleware},
};

/// Every documented route. The contract and the app are both built from this one function.
fn routes(cfg: &mut ServiceConfig) {
    cfg.service(ops::handlers::healthz)
        .service(ops::handlers::readyz)
        .service(ops::handlers::metrics)
        .service(utoipa_actix_web::scope("/api/v1").configure(api_v1));
}

fn api_v1(cfg: &mut ServiceConfig) {
    cfg.service(auth::handlers::register)
        .service(auth::handlers::verify_email)
        .service(auth::handlers::resend_verification)
        .service(auth::handlers::request_password_reset)
        .service(auth::handlers::confirm_password_reset)
        .service(auth::handlers::login)
        .service(auth::handlers::refresh)
        .service(auth::handlers::logout)
        .service(auth::handlers::issue_client_token)
        .service(users::handlers::get_me)
        .service(users::handlers::update_me)
        .service(users::handlers::change_password)
        .service(users::handlers::create_user)
        .service(users::handlers::list_users)
        .service(users::handlers::get_user)
        .service(users::handlers::update_user)
        .service(partners::handlers::create_partner)
        .service(partners::handlers::list_partners)
        .service(partners::handlers::revoke_partner)
        .service(audit::handlers::list_audit_events)
        .configure(groups::routes)
        .configure(intake::routes)
        .configure(consent::routes)
        .configure(feedback::routes)
        .configure(directory::routes)
        .configure(support_lines::routes)
        .configure(notifications::routes)
        .configure(referrals::routes)
        .configure(my_data::routes);
}

/// The contract as served and as printed by `peer-support-api openapi`.
pub fn api_doc() -> utoipa::openapi::OpenApi {
    let (_, api) = App::new()
        .into_utoipa_app()
        .openapi(openapi::ApiDoc::openapi())
        .configure(routes)
        .split_for_parts();
    openapi::finalize(api)
}

/// The whole application: routes, contract, Swagger UI and middleware.
pub fn build_app(
    state: web::Data<AppState>,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let config = state.config.clone();
    let (app, api) = App::new()
        .into_utoipa_app()
        .openapi(openapi::ApiDoc::openapi())
        .configure(routes)
        .split_for_parts();
    let api = openapi::finalize(api);
    let route_table = web::Data::new(fallback::RouteTable::from_openapi(&api));
    let spec = web::Data::new(serde_json::to_string(&api).expect("the contract serializes"));
    let mut app = app
        .app_data(state.clone())
        .app_data(web::Data::new(reactions::AUTH))
        .app_data(web::Data::new(reactions::CONSENT))
        .app_data(web::Data::new(reactions::INTAKE))
        .app_data(web::Data::new(reactions::USERS))
        .app_data(route_table)
        .app_data(spec)
        .app_data(extractors::json_config(config.body_limit_bytes))
        .app_data(extractors::form_config(config.body_limit_bytes))
        .app_data(extractors::path_config())
        .app_data(extractors::query_config())
        .app_data(middleware::RequestDeadline(config.request_timeout))
        .route("/api-docs/openapi.json", web::get().to(serve_contract))
        .default_service(web::to(fallback::unmatched));
    if config.swagger_ui {
        app = app
            .route("/swagger-ui", web::get().to(redirect_to_swagger_ui))
            .service(
                SwaggerUi::new("/swagger-ui/{_:.*}").config(
                    utoipa_swagger_ui::Config::new(["/api-docs/openapi.json"])
                        .persist_authorization(true)
                        .try_it_out_enabled(true),
                ),
            );
    }
    app.wrap(from_fn(middleware::metrics_listener_only))
        .wrap(from_fn(middleware::deadline))
        .wrap(from_fn(middleware::refuse_nul_in_url))
        .wrap(cors(&config.cors_allowed_origins))
        .wrap(from_fn(middleware::security_headers))
        .wrap(from_fn(middleware::render_problems))
        .wrap(from_fn(middleware::request_id))
        .wrap(state.metrics.middleware.clone())
        .wrap(from_fn(middleware::feedback_without_time))
        .wrap(from_fn(middleware::name_unknown_methods))
        .wrap(access_log())
}

async fn serve_contract(spec: web::Data<String>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(spec.get_ref().clone())
}

async fn redirect_to_swagger_ui() -> HttpResponse {
    HttpResponse::PermanentRedirect()
        .insert_header((header::LOCATION, "/swagger-ui/"))
        .finish()
}

/// Cross-origin access for the configured front-end origins (and same-origin pages such as
/// Swagger UI); none by default, never a wildcard, no cookies (tokens travel as bearer headers).
fn cors(allowed_origins: &[String]) -> Cors {
    let allowed: Vec<String> = allowed_origins.to_vec();
    Cors::default()
        .allowed_origin_fn(move |origin, head| {
            let Ok(origin) = origin.to_str() else {
                return false;
            };
            let same_origin = head
                .headers()
                .get(header::HOST)
                .and_then(|h| h.to_str().ok())
                .is_some_and(|host| {
                    origin
                        .strip_prefix("http://")
                        .or_else(|| origin.strip_prefix("https://"))
                        == Some(host)
                });
            same_origin || allowed.iter().any(|a| a == origin)
        })
        .allowed_methods([
            Method::GET,
            Method::POST,
            Method::PUT,
            Method::PATCH,
            Method::DELETE,
        ])
        .allowed_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::ACCEPT,
            header::ACCEPT_LANGUAGE,
            header::IF_MATCH,
            header::HeaderName::from_static("idempotency-key"),
            middleware::REQUEST_ID,
        ])
        .expose_headers([
            header::ETAG,
            header::LOCATION,
            header::RETRY_AFTER,
            header::CONTENT_LANGUAGE,
            middleware::REQUEST_ID,
        ])
        .max_age(3600)
}

/// One line per request: method, path without the query, status, size, time, request id.
/// Never headers (tokens), bodies or query strings (free text). The feedback routes have their
/// own line, with the day only (`middleware::feedback_without_time`).
fn access_log() -> Logger {
    Logger::new("%{method}xi %{path}xi %s %b %Dms rid=%{x-request-id}o")
        .custom_request_replace("method", |req| {
            middleware::method_label(req.method()).to_string()
        })
        .custom_request_replace("path", |req| middleware::loggable_path(req.path()))
        .exclude("/healthz")
        .exclude_regex(middleware::FEEDBACK_PATHS)
}

/// The log format: env_logger's own, except that the feedback routes' access lines carry no
/// time stamp (they say their day themselves).
pub fn log_format(
    buf: &mut env_logger::fmt::Formatter,
    record: &log::Record<'_>,
) -> std::io::Result<()> {
    let mut format = env_logger::fmt::ConfigurableFormat::default();
    if record.target() == middleware::FEEDBACK_LOG_TARGET {
        format.timestamp(None);
    }
    format.format(buf, record)
}

/// Binds the HTTP server on the configured address (port 0 picks a free one) without starting
/// to serve, and starts the feedback releaser and the seat-offer sweeper beside it (on the
/// calling actix runtime); returns
/// the server with the address it listens on.
pub fn start(
    config: Config,
    handle_signals: bool,
) -> Result<(actix_web::dev::Server, std::net::SocketAddr), String> {
    let bind_addr = config.bind_addr.clone();
    let metrics_addr = config.metrics_addr;
    let workers = config.workers;
    let state = web::Data::new(AppState::new(config)?);
    // Its own connection, as the notification sender has: a busy API never delays a release.
    feedback::releaser::spawn(
        DbPool::new(&state.config.database_url, 1, state.config.database_timeout),
        state.feedback_secret,
        state.config.feedback_window,
        state.config.feedback_release_poll,
    );
    // The same: a busy API never delays an offer.
    intake::offer_sweeper::spawn(
        DbPool::new(&state.config.database_url, 1, state.config.database_timeout),
        state.config.placement_offer_ttl,
        state.config.offer_sweep_poll,
        state.seats_freed.clone(),
    );
    let mut server = HttpServer::new(move || build_app(state.clone()))
        .workers(workers)
        .shutdown_timeout(30);
    if !handle_signals {
        server = server.disable_signals();
    }
    let mut server = server
        .bind(&bind_addr)
        .map_err(|e| format!("cannot listen on {bind_addr}: {e}"))?;
    if let Some(metrics_addr) = metrics_addr {
        server = server
            .bind(metrics_addr)
            .map_err(|e| format!("cannot listen on METRICS_ADDR {metrics_addr}: {e}"))?;
    }
    let addr = *server.addrs().first().ok_or("no address bound")?;
    Ok((server.run(), addr))
}

/// Migrates, then serves until SIGTERM or Ctrl-C (in-flight requests finish first), with the
/// notification sender running beside the server and stopping with it.
pub async fn serve(config: Config) -> Result<(), String> {
    let url = config.migration_url().to_string();
    let applied = web::block(move || db::connect_and_migrate(&url))
        .await
        .map_err(|e| e.to_string())??;
    log::info!("database ready ({applied} migrations applied)");
    let deliver = mail::from_config(&config)?;
    match &config.smtp {
        Some(smtp) => log::info!("mail: through {}:{}", smtp.host, smtp.port),
        None => log::info!(
            "mail: written as .eml files under {} (set SMTP_HOST to send it)",
            config.data_dir.join("mail").display()
        ),
    }
    // Its own connection, so a busy API never starves it (nor it the API).
    let sender_pool = DbPool::new(&config.database_url, 1, config.database_timeout);
    let poll = config.notification_poll;
    let (server, addr) = start(config, true)?;
    log::info!("serving on http://{addr} (Swagger UI at /swagger-ui/)");
    let sender = notifications::sender::spawn(sender_pool, deliver, poll);
    let served = server.await;
    sender.abort();
    served.map_err(|e| e.to_string())
}
