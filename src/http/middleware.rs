//! Middleware every response passes through: request ids, problem rendering, security headers,
//! the whole-request deadline, and the feedback routes' own access log and day counts.

use std::{
    future::Future,
    pin::Pin,
    task::{Context, Poll},
    time::Duration,
};

use actix_web::{
    body::{BoxBody, MessageBody},
    dev::{Payload, ServiceRequest, ServiceResponse},
    error::PayloadError,
    http::{
        header::{self, HeaderName, HeaderValue},
        Method,
    },
    middleware::Next,
    web::Bytes,
    Error, HttpMessage,
};
use futures_util::Stream;

use crate::{
    error::{ApiError, PROBLEM_CONTENT_TYPE},
    language::Language,
    state::AppState,
};

/// The feedback routes, present and future: any `/api/v1` path with a segment that starts with
/// `feedback`. The general access log and the latency metrics leave them out (regex for
/// actix's `Logger` and actix-web-prom; `is_feedback_path` says the same in code).
pub const FEEDBACK_PATHS: &str = "^/api/v1/([^/]*/)*feedback";

/// The log target of the feedback routes' access lines, which the log format writes without a
/// time stamp (`crate::log_format`).
pub const FEEDBACK_LOG_TARGET: &str = crate::error::UNTIMED_LOG_TARGET;

pub fn is_feedback_path(path: &str) -> bool {
    path.strip_prefix("/api/v1/").is_some_and(|rest| {
        rest.split('/')
            .any(|segment| segment.starts_with("feedback"))
    })
}

/// A feedback request's access line: the route pattern (no ids), method, status and the UTC
/// day. No time of day, no duration, no request id (which other lines would date).
pub fn feedback_access_line(
    method: &str,
    pattern: &str,
    status: u16,
    day: chrono::NaiveDate,
) -> String {
    format!("{method} {pattern} {status} day={day}")
}

/// Logs and counts requests to the feedback routes without their time: see `FEEDBACK_PATHS`.
pub async fn feedback_without_time(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    if !is_feedback_path(req.path()) {
        return next.call(req).await;
    }
    let method = req.method().to_string();
    let state = req.app_data::<actix_web::web::Data<AppState>>().cloned();
    let res = next.call(req).await?;
    let pattern = res
        .request()
        .match_pattern()
        .unwrap_or_else(|| "UNMATCHED".into());
    let status = res.status().as_u16();
    log::info!(
        target: FEEDBACK_LOG_TARGET,
        "{}",
        feedback_access_line(&method, &pattern, status, chrono::Utc::now().date_naive())
    );
    if let Some(state) = state {
        state.metrics.record_feedback((pattern, method, status));
    }
    Ok(res)
}

/// The methods this API knows (HTTP's own); any other is `OTHER` from the first layer on, so a
/// made-up method can neither add a metrics series nor fill a log line.
pub fn is_known_method(method: &Method) -> bool {
    [
        Method::GET,
        Method::HEAD,
        Method::POST,
        Method::PUT,
        Method::PATCH,
        Method::DELETE,
        Method::OPTIONS,
        Method::TRACE,
        Method::CONNECT,
    ]
    .contains(method)
}

/// A request's method as logged and counted: itself when known, else `OTHER`.
pub fn method_label(method: &Method) -> &str {
    if is_known_method(method) {
        method.as_str()
    } else {
        "OTHER"
    }
}

/// The most of a request path a log line keeps.
const LOGGED_PATH_CHARS: usize = 200;

/// A request path as logged: at most `LOGGED_PATH_CHARS` characters, then `…`.
pub fn loggable_path(path: &str) -> String {
    match path.char_indices().nth(LOGGED_PATH_CHARS) {
        Some((cut, _)) => format!("{}…", &path[..cut]),
        None => path.to_string(),
    }
}

/// Renames a made-up method `OTHER` before metrics, routing or anything else sees it: it is
/// refused as before (405, with the methods the path allows), counted under one label.
pub async fn name_unknown_methods(
    mut req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    if !is_known_method(req.method()) {
        req.head_mut().method = Method::from_bytes(b"OTHER").expect("a valid method token");
    }
    next.call(req).await
}

/// The paths served on `METRICS_ADDR`; anything else there is not found.
const METRICS_LISTENER_PATHS: [&str; 3] = ["/metrics", "/healthz", "/readyz"];

/// On the metrics address, only the operational routes: the API is not served there.
pub async fn metrics_listener_only(
    req: ServiceRequest,
    next: Next<BoxBody>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let on_metrics_listener = req
        .app_data::<actix_web::web::Data<AppState>>()
        .and_then(|state| state.config.metrics_addr)
        .is_some_and(|addr| addr == req.app_config().local_addr());
    if on_metrics_listener && !METRICS_LISTENER_PATHS.contains(&req.path()) {
        return Ok(req.error_response(ApiError::NotFound));
    }
    next.call(req).await
}

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The id of the request being served: the caller's `X-Request-Id` when it is sane, else new.
#[derive(Clone, Debug)]
pub struct RequestId(pub String);

impl actix_web::FromRequest for RequestId {
    type Error = Error;
    type Future = std::future::Ready<Result<RequestId, Error>>;

    fn from_request(req: &actix_web::HttpRequest, _: &mut Payload) -> Self::Future {
        let id = req
            .extensions()
            .get::<RequestId>()
            .cloned()
            .unwrap_or_else(|| RequestId(uuid::Uuid::new_v4().to_string()));
        std::future::ready(Ok(id))
    }
}

fn is_sane_request_id(value: &str) -> bool {
    !value.is_empty()
        && value.len() <= 128
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b))
}

pub async fn request_id(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let id = req
        .headers()
        .get(&REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| is_sane_request_id(v))
        .map(str::to_string)
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    req.extensions_mut().insert(RequestId(id.clone()));
    let mut res = next.call(req).await?;
    if let Ok(value) = HeaderValue::from_str(&id) {
        res.headers_mut().insert(REQUEST_ID, value);
    }
    Ok(res)
}

/// Renders every error response as a problem document in the caller's language, with the
/// request's path and id; an error that arrives as plain text is turned into one by its status.
pub async fn render_problems(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let language = Language::from_accept_language(
        req.headers()
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok()),
    );
    let instance = req.path().to_string();
    let request_id = req.extensions().get::<RequestId>().map(|r| r.0.clone());
    // Inner layers answer errors as responses; an `Err` here is left to actix to render (the
    // request cannot be cloned before routing to build a response of our own).
    let res = next.call(req).await?.map_into_boxed_body();
    let status = res.status();
    if !status.is_client_error() && !status.is_server_error() {
        return Ok(res);
    }
    let api_error = match res
        .response()
        .error()
        .and_then(|e| e.as_error::<ApiError>())
    {
        Some(api_error) => api_error.clone(),
        None if res
            .response()
            .error()
            .is_some_and(|e| e.as_error::<actix_cors::CorsError>().is_some()) =>
        {
            ApiError::OriginNotAllowed
        }
        None => {
            // Problem documents and JSON errors of their own (OAuth's) are left as they are.
            let is_json = res
                .headers()
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| {
                    v.starts_with(PROBLEM_CONTENT_TYPE) || v.starts_with("application/json")
                });
            if is_json {
                return Ok(res);
            }
            ApiError::Status(status)
        }
    };
    if let ApiError::Status(status) = &api_error {
        if status.is_server_error() {
            // A feedback request's failure is logged without its time, like its access line.
            let target = if is_feedback_path(&instance) {
                FEEDBACK_LOG_TARGET
            } else {
                module_path!()
            };
            log::error!(
                target: target,
                "{} {} answered {status} outside ApiError",
                method_label(res.request().method()),
                loggable_path(&instance)
            );
        }
    }
    let mut problem = api_error.problem(language);
    problem.instance = Some(instance);
    problem.request_id = request_id;
    let body = serde_json::to_string(&problem).unwrap_or_else(|_| "{}".into());
    let (req, mut response) = res.into_parts();
    *response.status_mut() = api_error.status();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(PROBLEM_CONTENT_TYPE),
    );
    headers.insert(
        header::CONTENT_LANGUAGE,
        HeaderValue::from_static(language.as_str()),
    );
    for (name, value) in api_error.response_with(&problem).headers() {
        headers.insert(name.clone(), value.clone());
    }
    Ok(ServiceResponse::new(
        req,
        response.set_body(BoxBody::new(body)),
    ))
}

/// A NUL character (`%00`) in the URL: PostgreSQL cannot hold one in text, so no id has one
/// (404 in the path) and no filter can match one (400 in the query) — on both backends alike.
pub async fn refuse_nul_in_url(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let has_nul = |part: &str| part.to_ascii_lowercase().contains("%00");
    if has_nul(req.uri().path()) {
        return Err(ApiError::NotFound.into());
    }
    if req.uri().query().is_some_and(has_nul) {
        return Err(ApiError::InvalidParameter(
            "the query must not contain the NUL character (%00)".into(),
        )
        .into());
    }
    next.call(req).await
}

/// JSON answers load nothing and are framed by nobody.
const API_CSP: &str = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'";
/// Swagger UI's page: its own scripts and styles only (it sets inline styles and data: icons),
/// talking to this origin only.
const SWAGGER_UI_CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' \
    'unsafe-inline'; img-src 'self' data:; connect-src 'self'; object-src 'none'; \
    frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/// Headers every response carries: a content security policy (Swagger UI's own, or none at
/// all), `Strict-Transport-Security` when `HSTS_MAX_AGE_SECS` is set; API responses are never
/// cached by default.
pub async fn security_headers(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let is_api = req.path().starts_with("/api/");
    let csp = if req.path().starts_with("/swagger-ui") {
        SWAGGER_UI_CSP
    } else {
        API_CSP
    };
    let hsts = req
        .app_data::<actix_web::web::Data<AppState>>()
        .and_then(|state| state.config.hsts_max_age);
    let mut res = next.call(req).await?;
    let headers = res.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(csp),
    );
    if let Some(max_age) = hsts {
        if let Ok(value) = HeaderValue::from_str(&format!("max-age={max_age}; includeSubDomains")) {
            headers.insert(header::STRICT_TRANSPORT_SECURITY, value);
        }
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    if is_api && !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    Ok(res)
}

/// The most a request body may take to arrive: a body trickled in slowly gets 408 (headers are
/// bounded by the server's client request timeout).
#[derive(Clone, Copy)]
pub struct RequestDeadline(pub Duration);

pub async fn deadline(
    mut req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let limit = req
        .app_data::<RequestDeadline>()
        .map_or(Duration::from_secs(30), |d| d.0);
    let payload = BodyWithDeadline {
        inner: req.take_payload(),
        deadline: Box::pin(tokio::time::sleep(limit)),
        expired: false,
    };
    req.set_payload(Payload::Stream {
        payload: Box::pin(payload),
    });
    next.call(req).await
}

/// A request body that fails with `TimedOut` once its deadline passes.
struct BodyWithDeadline {
    inner: Payload,
    deadline: Pin<Box<tokio::time::Sleep>>,
    expired: bool,
}

impl Stream for BodyWithDeadline {
    type Item = Result<Bytes, PayloadError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if self.expired {
            return Poll::Ready(None);
        }
        if self.deadline.as_mut().poll(cx).is_ready() {
            self.expired = true;
            let timed_out =
                std::io::Error::new(std::io::ErrorKind::TimedOut, "request body deadline");
            return Poll::Ready(Some(Err(PayloadError::Io(timed_out))));
        }
        Pin::new(&mut self.inner).poll_next(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn feedback_paths_are_every_feedback_segment_under_the_api() {
        for path in [
            "/api/v1/feedback",
            "/api/v1/feedback-keys",
            "/api/v1/feedback/anything/later",
            "/api/v1/sessions/0b0c/feedback-token",
            "/api/v1/sessions/0b0c/feedback-summary",
            "/api/v1/groups/0b0c/feedback-summary",
        ] {
            assert!(is_feedback_path(path), "{path}");
        }
        for path in [
            "/api/v1/sessions/0b0c",
            "/metrics",
            "/feedback",
            "/api/v1/me",
        ] {
            assert!(!is_feedback_path(path), "{path}");
        }
    }

    #[test]
    fn a_feedback_access_line_has_the_day_and_no_time() {
        let day = chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        let line = feedback_access_line("POST", "/api/v1/sessions/{id}/feedback-token", 201, day);
        assert_eq!(
            line,
            "POST /api/v1/sessions/{id}/feedback-token 201 day=2026-12-01"
        );
        assert!(!line.contains(':'), "no time of day: {line}");
    }
}
