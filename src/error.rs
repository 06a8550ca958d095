//! `ApiError`: every failure the API reports, and the only place that turns one into a status code
//! and an RFC 9457 problem document (in English or French).

use actix_web::{
    http::{header, StatusCode},
    HttpResponse, ResponseError,
};
use serde::Serialize;
use utoipa::ToSchema;

use crate::language::Language;

pub const PROBLEM_CONTENT_TYPE: &str = "application/problem+json";
/// Seconds a client should wait before retrying when the database is unavailable.
pub const RETRY_AFTER_SECS: u32 = 1;

/// One field that failed validation.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct FieldError {
    /// JSON path of the failing field, e.g. `email` or `schedule.weekday`.
    #[schema(example = "email")]
    pub field: String,
    /// Stable machine-readable reason, e.g. `length`, `email`, `range`, `required`.
    #[schema(example = "email")]
    pub code: String,
    #[schema(example = "must be a valid email address")]
    pub message: String,
}

impl FieldError {
    pub fn new(
        field: impl Into<String>,
        code: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        FieldError {
            field: field.into(),
            code: code.into(),
            message: message.into(),
        }
    }
}

/// An RFC 9457 problem document, the body of every error response.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "type": "urn:peer-support:problem:validation-failed",
    "title": "Validation failed",
    "status": 422,
    "detail": "One or more fields are invalid.",
    "instance": "/api/v1/auth/register",
    "request_id": "5c1b7f0e-3f4e-4a39-9d0c-2a0f1a3f2b61",
    "errors": [{"field": "email", "code": "email", "message": "must be a valid email address"}]
}))]
pub struct Problem {
    /// Stable identifier of the kind of problem; clients branch on this, not on `title`.
    #[serde(rename = "type")]
    #[schema(example = "urn:peer-support:problem:not-found")]
    pub problem_type: String,
    /// Short summary of the kind of problem, in the language asked for by `Accept-Language`.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// What went wrong with this request, in the language asked for.
    pub detail: String,
    /// The path of the request that failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
    /// The request id also sent as `X-Request-Id`, to quote to support.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// The failing fields, for validation problems.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<FieldError>>,
    /// The HTTP methods the resource does allow, for 405.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed_methods: Option<Vec<String>>,
    /// The moves the resource's current state allows, for `invalid-transition` (409).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed: Option<Vec<String>>,
    /// The consent kinds still to be granted, for `consents-missing` (409).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub missing_consents: Option<Vec<String>>,
    /// The person's open application, for `application-open` (409): its URL (also in
    /// `Location`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub open_application: Option<String>,
}

fn open_application_url(id: &str) -> String {
    format!("/api/v1/intake-applications/{id}")
}

/// Every failure the API reports to a client.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ApiError {
    #[error("malformed JSON: {0}")]
    MalformedJson(String),
    #[error("request body does not match the schema: {0}")]
    InvalidBody(String),
    #[error("invalid parameter: {0}")]
    InvalidParameter(String),
    /// A request header the operation needs is missing or unusable.
    #[error("invalid header: {0}")]
    InvalidHeader(String),
    #[error("unsupported media type")]
    UnsupportedMediaType,
    #[error("payload larger than {limit} bytes")]
    PayloadTooLarge { limit: usize },
    #[error("request not completed in time")]
    RequestTimeout,
    #[error("validation failed")]
    Validation(Vec<FieldError>),
    /// An `Idempotency-Key` already used with a different request body.
    #[error("idempotency key reused with another request")]
    IdempotencyKeyReused,
    #[error("authentication required")]
    Unauthorized,
    /// Log-in refused: wrong email or password, or an address not verified yet — all alike, so
    /// that nobody learns who is enrolled.
    #[error("wrong email or password")]
    InvalidCredentials,
    #[error("forbidden")]
    Forbidden,
    #[error("not found")]
    NotFound,
    #[error("method not allowed")]
    MethodNotAllowed { allowed: Vec<String> },
    #[error("conflict: {0}")]
    Conflict(String),
    /// A state change the current state does not allow; `allowed` lists the ones it does.
    #[error("cannot {action} from {from}")]
    InvalidTransition {
        action: String,
        from: String,
        allowed: Vec<String>,
    },
    /// Placement needs these consents granted first (current version, not withdrawn).
    #[error("consents missing: {0:?}")]
    ConsentsMissing(Vec<String>),
    /// A change that would break a rule a program group always keeps (a formal group's ten
    /// sessions at opening, its two kinds of facilitator).
    #[error("group rule broken: {0}")]
    GroupRuleBroken(String),
    /// The applicant's identity preference or affiliation does not match the group; a
    /// coordinator may place them anyway with an override reason.
    #[error("placement mismatch: {0}")]
    PlacementMismatch(String),
    /// The person already has an open application (its id): one at a time.
    #[error("an application is open: {0}")]
    ApplicationOpen(String),
    /// A feedback token that is unknown, spent, expired or for another session: all alike.
    #[error("feedback token refused")]
    FeedbackTokenRefused,
    #[error("precondition failed")]
    PreconditionFailed,
    /// A cross-origin request from an origin not in `CORS_ALLOWED_ORIGINS`.
    #[error("origin not allowed")]
    OriginNotAllowed,
    #[error("too many requests")]
    TooManyRequests { retry_after: u64 },
    #[error("service unavailable")]
    Unavailable,
    #[error("internal error")]
    Internal,
    /// A framework error with no richer meaning (a CORS refusal, say): kept by its status alone.
    #[error("HTTP {0}")]
    Status(StatusCode),
}

impl ApiError {
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::MalformedJson(_)
            | ApiError::InvalidBody(_)
            | ApiError::InvalidParameter(_)
            | ApiError::InvalidHeader(_) => StatusCode::BAD_REQUEST,
            ApiError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::RequestTimeout => StatusCode::REQUEST_TIMEOUT,
            ApiError::Validation(_) | ApiError::IdempotencyKeyReused => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            ApiError::Unauthorized | ApiError::InvalidCredentials => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden | ApiError::FeedbackTokenRefused | ApiError::OriginNotAllowed => {
                StatusCode::FORBIDDEN
            }
            ApiError::NotFound => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Conflict(_)
            | ApiError::InvalidTransition { .. }
            | ApiError::ConsentsMissing(_)
            | ApiError::GroupRuleBroken(_)
            | ApiError::PlacementMismatch(_)
            | ApiError::ApplicationOpen(_) => StatusCode::CONFLICT,
            ApiError::PreconditionFailed => StatusCode::PRECONDITION_FAILED,
            ApiError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            ApiError::Status(status) => *status,
        }
    }

    /// The stable slug of the problem type.
    pub fn slug(&self) -> &'static str {
        match self {
            ApiError::MalformedJson(_) => "malformed-json",
            ApiError::InvalidBody(_) => "invalid-body",
            ApiError::InvalidParameter(_) => "invalid-parameter",
            ApiError::InvalidHeader(_) => "invalid-header",
            ApiError::UnsupportedMediaType => "unsupported-media-type",
            ApiError::PayloadTooLarge { .. } => "payload-too-large",
            ApiError::RequestTimeout => "request-timeout",
            ApiError::Validation(_) => "validation-failed",
            ApiError::IdempotencyKeyReused => "idempotency-key-reused",
            ApiError::Unauthorized => "unauthorized",
            ApiError::InvalidCredentials => "invalid-credentials",
            ApiError::Forbidden => "forbidden",
            ApiError::FeedbackTokenRefused => "feedback-token-refused",
            ApiError::OriginNotAllowed => "origin-not-allowed",
            ApiError::NotFound => "not-found",
            ApiError::MethodNotAllowed { .. } => "method-not-allowed",
            ApiError::Conflict(_) => "conflict",
            ApiError::InvalidTransition { .. } => "invalid-transition",
            ApiError::ConsentsMissing(_) => "consents-missing",
            ApiError::GroupRuleBroken(_) => "group-rule-broken",
            ApiError::PlacementMismatch(_) => "placement-mismatch",
            ApiError::ApplicationOpen(_) => "application-open",
            ApiError::PreconditionFailed => "precondition-failed",
            ApiError::TooManyRequests { .. } => "too-many-requests",
            ApiError::Unavailable => "service-unavailable",
            ApiError::Internal => "internal-error",
            ApiError::Status(status) if status.is_client_error() => "bad-request",
            ApiError::Status(_) => "internal-error",
        }
    }

    /// Title and detail in `lang`.
    fn texts(&self, lang: Language) -> (String, String) {
        let fr = lang == Language::Fr;
        let pick = |en: &str, fr_text: &str| {
            if fr {
                fr_text.to_string()
            } else {
                en.to_string()
            }
        };
        match self {
            ApiError::MalformedJson(why) => (
                pick("Malformed JSON", "JSON mal formé"),
                pick(
                    &format!("The request body is not valid JSON: {why}"),
                    &format!("Le corps de la requête n'est pas du JSON valide : {why}"),
                ),
            ),
            ApiError::InvalidBody(why) => (
                pick("Invalid request body", "Corps de requête invalide"),
                pick(
                    &format!("The request body does not match the expected schema: {why}"),
                    &format!("Le corps de la requête ne correspond pas au schéma attendu : {why}"),
                ),
            ),
            ApiError::InvalidParameter(why) => (
                pick("Invalid parameter", "Paramètre invalide"),
                pick(
                    &format!("A path or query parameter is invalid: {why}"),
                    &format!("Un paramètre de chemin ou de requête est invalide : {why}"),
                ),
            ),
            ApiError::InvalidHeader(why) => (
                pick("Invalid header", "En-tête invalide"),
                pick(
                    &format!("A request header is missing or invalid: {why}"),
                    &format!("Un en-tête de la requête est absent ou invalide : {why}"),
                ),
            ),
            ApiError::UnsupportedMediaType => (
                pick("Unsupported media type", "Type de média non pris en charge"),
                pick(
                    "Send the body as application/json (or the content type the operation documents).",
                    "Envoyez le corps en application/json (ou dans le type de contenu que l'opération documente).",
                ),
            ),
            ApiError::PayloadTooLarge { limit } => (
                pick("Payload too large", "Contenu trop volumineux"),
                pick(
                    &format!("The request body is larger than the limit of {limit} bytes."),
                    &format!("Le corps de la requête dépasse la limite de {limit} octets."),
                ),
            ),
            ApiError::RequestTimeout => (
                pick("Request timeout", "Délai de la requête dépassé"),
                pick(
                    "The request was not completed in time.",
                    "La requête n'a pas été terminée à temps.",
                ),
            ),
            ApiError::Validation(_) => (
                pick("Validation failed", "Échec de la validation"),
                pick(
                    "One or more fields are invalid.",
                    "Un ou plusieurs champs sont invalides.",
                ),
            ),
            ApiError::IdempotencyKeyReused => (
                pick("Idempotency key reused", "Clé d'idempotence réutilisée"),
                pick(
                    "This Idempotency-Key was already used with a different request body; use a new key for a new request.",
                    "Cette clé Idempotency-Key a déjà servi avec un autre corps de requête; utilisez une nouvelle clé pour une nouvelle requête.",
                ),
            ),
            ApiError::Unauthorized => (
                pick("Authentication required", "Authentification requise"),
                pick(
                    "A valid bearer token is required for this operation.",
                    "Un jeton porteur valide est requis pour cette opération.",
                ),
            ),
            ApiError::InvalidCredentials => (
                pick("Wrong email or password", "Courriel ou mot de passe erroné"),
                pick(
                    "The email or the password is wrong, or the address has not been confirmed yet (open the link we mailed to it).",
                    "Le courriel ou le mot de passe est erroné, ou l'adresse n'a pas encore été confirmée (ouvrez le lien que nous y avons envoyé).",
                ),
            ),
            ApiError::Forbidden => (
                pick("Forbidden", "Accès refusé"),
                pick(
                    "Your role may not perform this operation.",
                    "Votre rôle ne permet pas cette opération.",
                ),
            ),
            ApiError::FeedbackTokenRefused => (
                pick("Feedback link cannot be used", "Lien de rétroaction inutilisable"),
                pick(
                    "This feedback token cannot be used: it was already used, has expired, or is not for this session.",
                    "Ce jeton de rétroaction ne peut pas servir : il a déjà été utilisé, il est expiré ou il ne vise pas cette séance.",
                ),
            ),
            ApiError::OriginNotAllowed => (
                pick("Origin not allowed", "Origine non autorisée"),
                pick(
                    "This API does not accept cross-origin requests from this origin (see CORS_ALLOWED_ORIGINS).",
                    "Cette API n'accepte pas de requêtes d'une autre origine depuis celle-ci (voir CORS_ALLOWED_ORIGINS).",
                ),
            ),
            ApiError::NotFound => (
                pick("Not found", "Introuvable"),
                pick(
                    "No such resource exists, or it is not yours to see.",
                    "Cette ressource n'existe pas ou vous n'y avez pas accès.",
                ),
            ),
            ApiError::MethodNotAllowed { allowed } => (
                pick("Method not allowed", "Méthode non autorisée"),
                pick(
                    &format!("This resource allows: {}.", allowed.join(", ")),
                    &format!("Cette ressource accepte : {}.", allowed.join(", ")),
                ),
            ),
            ApiError::Conflict(why) => (
                pick("Conflict", "Conflit"),
                pick(
                    &format!("The request conflicts with the current state: {why}"),
                    &format!("La requête est en conflit avec l'état actuel : {why}"),
                ),
            ),
            ApiError::InvalidTransition { action, from, allowed } => (
                pick("Not allowed in the current state", "Interdit dans l'état actuel"),
                pick(
                    &format!(
                        "Cannot {action} while {from}; allowed now: {}.",
                        if allowed.is_empty() { "nothing".to_string() } else { allowed.join(", ") }
                    ),
                    &format!(
                        "Impossible de faire « {action} » à l'état {from}; permis maintenant : {}.",
                        if allowed.is_empty() { "rien".to_string() } else { allowed.join(", ") }
                    ),
                ),
            ),
            ApiError::ConsentsMissing(kinds) => (
                pick("Consents missing", "Consentements manquants"),
                pick(
                    &format!(
                        "The person has not granted the current version of: {}.",
                        kinds.join(", ")
                    ),
                    &format!(
                        "La personne n'a pas accordé la version actuelle de : {}.",
                        kinds.join(", ")
                    ),
                ),
            ),
            ApiError::GroupRuleBroken(why) => (
                pick("Group rule broken", "Règle de groupe enfreinte"),
                pick(
                    &format!("The change would break a rule the group must keep: {why}"),
                    &format!("Le changement enfreindrait une règle que le groupe doit respecter : {why}"),
                ),
            ),
            ApiError::PlacementMismatch(why) => (
                pick("The group does not match the applicant", "Le groupe ne correspond pas à la personne"),
                pick(
                    &format!("{why}; to place them anyway, give an override_reason."),
                    &format!("{why}; pour placer la personne malgré tout, donnez une override_reason."),
                ),
            ),
            ApiError::ApplicationOpen(_) => (
                pick("An application is already open", "Une demande est déjà ouverte"),
                pick(
                    "You already have an open application: follow or withdraw it (open_application) before starting another.",
                    "Vous avez déjà une demande ouverte : suivez-la ou retirez-la (open_application) avant d'en commencer une autre.",
                ),
            ),
            ApiError::PreconditionFailed => (
                pick("Precondition failed", "Condition préalable non remplie"),
                pick(
                    "The resource changed since you read it (If-Match does not match its ETag); read it again.",
                    "La ressource a changé depuis votre lecture (If-Match ne correspond pas à son ETag); relisez-la.",
                ),
            ),
            ApiError::TooManyRequests { retry_after } => (
                pick("Too many requests", "Trop de requêtes"),
                pick(
                    &format!("Too many attempts; try again in {retry_after} seconds."),
                    &format!("Trop de tentatives; réessayez dans {retry_after} secondes."),
                ),
            ),
            ApiError::Unavailable => (
                pick("Service unavailable", "Service indisponible"),
                pick(
                    "The service cannot reach its database right now; retry shortly.",
                    "Le service ne peut pas joindre sa base de données pour le moment; réessayez bientôt.",
                ),
            ),
            ApiError::Internal => (
                pick("Internal error", "Erreur interne"),
                pick(
                    "Something went wrong on our side; it has been logged.",
                    "Une erreur s'est produite de notre côté; elle a été journalisée.",
                ),
            ),
            ApiError::Status(status) => {
                let reason = status.canonical_reason().unwrap_or("Error");
                (reason.to_string(), format!("HTTP {} {reason}", status.as_u16()))
            }
        }
    }

    /// The problem document for this error, in `lang`.
    pub fn problem(&self, lang: Language) -> Problem {
        let (title, detail) = self.texts(lang);
        Problem {
            problem_type: format!("urn:peer-support:problem:{}", self.slug()),
            title,
            status: self.status().as_u16(),
            detail,
            instance: None,
            request_id: None,
            errors: match self {
                ApiError::Validation(fields) => Some(fields.clone()),
                _ => None,
            },
            allowed_methods: match self {
                ApiError::MethodNotAllowed { allowed } => Some(allowed.clone()),
                _ => None,
            },
            allowed: match self {
                ApiError::InvalidTransition { allowed, .. } => Some(allowed.clone()),
                _ => None,
            },
            missing_consents: match self {
                ApiError::ConsentsMissing(kinds) => Some(kinds.clone()),
                _ => None,
            },
            open_application: match self {
                ApiError::ApplicationOpen(id) => Some(open_application_url(id)),
                _ => None,
            },
        }
    }

    /// The response carrying `problem`, with the headers this error owes the client.
    pub fn response_with(&self, problem: &Problem) -> HttpResponse {
        let mut builder = HttpResponse::build(self.status());
        builder.content_type(PROBLEM_CONTENT_TYPE);
        match self {
            ApiError::Unauthorized => {
                builder.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
            }
            ApiError::Unavailable => {
                builder.insert_header((header::RETRY_AFTER, RETRY_AFTER_SECS.to_string()));
            }
            ApiError::ApplicationOpen(id) => {
                builder.insert_header((header::LOCATION, open_application_url(id)));
            }
            ApiError::MethodNotAllowed { allowed } => {
                builder.insert_header((header::ALLOW, allowed.join(", ")));
            }
            ApiError::TooManyRequests { retry_after } => {
                builder.insert_header((header::RETRY_AFTER, retry_after.to_string()));
            }
            _ => {}
        }
        let body = serde_json::to_string(problem).unwrap_or_else(|_| "{}".into());
        builder.body(body)
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status()
    }

    /// English by default; the problem middleware re-renders it in the caller's language with
    /// the request's path and id (actix keeps the error on the response for it).
    fn error_response(&self) -> HttpResponse {
        self.response_with(&self.problem(Language::En))
    }
}

/// The log target whose lines the log format writes without a time stamp (`crate::log_format`):
/// the feedback routes' access lines, and any error logged while serving them (`untimed`).
pub const UNTIMED_LOG_TARGET: &str = "peer_support_api::access::feedback";

thread_local! {
    static UNTIMED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `work` with the errors this thread logs meanwhile written without their time (the
/// feedback routes: a database error's log line must not date an anonymous answer).
pub fn untimed<T>(work: impl FnOnce() -> T) -> T {
    let before = UNTIMED.replace(true);
    let outcome = work();
    UNTIMED.set(before);
    outcome
}

/// Where this thread's error lines go: untimed inside `untimed`, else this module.
fn log_target() -> &'static str {
    if UNTIMED.get() {
        UNTIMED_LOG_TARGET
    } else {
        module_path!()
    }
}

impl ApiError {
    /// A stored value this build cannot read (a corrupt or foreign row): logged with the
    /// column it came from, answered as an internal error, never replaced by a default.
    pub fn unreadable(column: &str, error: impl std::fmt::Display) -> ApiError {
        log::error!(target: log_target(), "{column}: the stored value cannot be read: {error}");
        ApiError::Internal
    }
}

impl From<diesel::result::Error> for ApiError {
    fn from(error: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind, Error};
        match error {
            Error::NotFound => ApiError::NotFound,
            Error::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => {
                ApiError::Conflict("a record with the same unique value already exists".into())
            }
            Error::DatabaseError(DatabaseErrorKind::ClosedConnection, _)
            | Error::DatabaseError(DatabaseErrorKind::SerializationFailure, _) => {
                log::warn!(target: log_target(), "database unavailable: {error}");
                ApiError::Unavailable
            }
            Error::DatabaseError(DatabaseErrorKind::Unknown, ref info)
                if is_unavailable_message(info.message()) =>
            {
                log::warn!(target: log_target(), "database unavailable: {error}");
                ApiError::Unavailable
            }
            other => {
                log::error!(target: log_target(), "database error: {other}");
                ApiError::Internal
            }
        }
    }
}

/// Driver messages that mean "try again": SQLite's lock contention, a lost PostgreSQL server.
fn is_unavailable_message(message: &str) -> bool {
    let m = message.to_ascii_lowercase();
    m.contains("database is locked")
        || m.contains("server closed the connection")
        || m.contains("terminating connection")
        || m.contains("no connection to the server")
        || m.contains("connection refused")
}

impl From<validator::ValidationErrors> for ApiError {
    fn from(errors: validator::ValidationErrors) -> Self {
        let mut fields = Vec::new();
        collect_field_errors("", &errors, &mut fields);
        fields.sort_by(|a, b| a.field.cmp(&b.field));
        ApiError::Validation(fields)
    }
}

fn collect_field_errors(
    prefix: &str,
    errors: &validator::ValidationErrors,
    out: &mut Vec<FieldError>,
) {
    use validator::ValidationErrorsKind;
    for (field, kind) in errors.errors() {
        let path = if prefix.is_empty() {
            field.to_string()
        } else {
            format!("{prefix}.{field}")
        };
        match kind {
            ValidationErrorsKind::Field(list) => out.extend(list.iter().map(|e| {
                let message = e
                    .message
                    .as_ref()
                    .map(|m| m.to_string())
                    .unwrap_or_else(|| format!("is not valid ({})", e.code));
                FieldError::new(path.clone(), e.code.to_string(), message)
            })),
            ValidationErrorsKind::Struct(inner) => collect_field_errors(&path, inner, out),
            ValidationErrorsKind::List(items) => {
                for (index, inner) in items {
                    collect_field_errors(&format!("{path}[{index}]"), inner, out);
                }
            }
        }
    }
}

impl From<r2d2::Error> for ApiError {
    fn from(error: r2d2::Error) -> Self {
        log::warn!(target: log_target(), "database pool: {error}");
        ApiError::Unavailable
    }
}

impl From<actix_web::error::BlockingError> for ApiError {
    fn from(_: actix_web::error::BlockingError) -> Self {
        log::error!(target: log_target(), "blocking task failed");
        ApiError::Internal
    }
}

/// Reusable OpenAPI responses, and the sets of them that operations of one shape share: an
/// operation names its set beside its success response, and adds a line for a status its set
/// lacks.
pub mod responses {
    use super::Problem;
    use utoipa::ToResponse;

    /// An `IntoResponses` enum whose variants refer (`$ref`) to the reusable responses below, so
    /// that the contract lists each status as it did when every operation spelled it out.
    macro_rules! error_set {
        ($(#[$doc:meta])* $name:ident { $($status:tt => $response:ident),+ $(,)? }) => {
            $(#[$doc])*
            #[derive(utoipa::IntoResponses)]
            pub enum $name {
                $(
                    #[response(status = $status)]
                    $response(#[ref_response] $response),
                )+
            }
        };
    }

    error_set! {
        /// Reading one resource open to anyone; a token, when sent, must be valid.
        PublicRead {
            401 => Unauthorized,
            404 => NotFound,
            503 => ServiceUnavailable,
        }
    }

    error_set! {
        /// A page open to anyone: query parameters, the page's `limit` and `cursor`, and a
        /// token that must be valid when sent.
        PublicList {
            400 => BadRequest,
            401 => Unauthorized,
            422 => UnprocessableEntity,
            503 => ServiceUnavailable,
        }
    }

    error_set! {
        /// A JSON body sent without signing in.
        PublicWrite {
            400 => BadRequest,
            413 => PayloadTooLarge,
            415 => UnsupportedMediaType,
            422 => UnprocessableEntity,
            503 => ServiceUnavailable,
        }
    }

    error_set! {
        /// The caller's own records, for a caller with the right role: nothing to miss by id.
        AuthOwn {
            401 => Unauthorized,
            403 => Forbidden,
            503 => ServiceUnavailable,
        }
    }

    error_set! {
        /// One resource, read (or removed) by a caller with the right role.
        AuthRead {
            401 => Unauthorized,
            403 => Forbidden,
            404 => NotFound,
            503 => ServiceUnavailable,
        }
    }

    error_set! {
        /// A page or a query for a caller with the right role: query parameters and, for a
        /// page, its `limit` and `cursor`.
        AuthList {
            400 => BadRequest,
            401 => Unauthorized,
            403 => Forbidden,
            422 => UnprocessableEntity,
            503 => ServiceUnavailable,
        }
    }

    error_set! {
        /// An action without a body on one resource, which its state may refuse.
        AuthAction {
            401 => Unauthorized,
            403 => Forbidden,
            404 => NotFound,
            409 => Conflict,
            503 => ServiceUnavailable,
        }
    }

    error_set! {
        /// A JSON body from a caller with the right role, creating something.
        AuthWrite {
            400 => BadRequest,
            401 => Unauthorized,
            403 => Forbidden,
            413 => PayloadTooLarge,
            415 => UnsupportedMediaType,
            422 => UnprocessableEntity,
            503 => ServiceUnavailable,
        }
    }

    error_set! {
        /// A JSON body from a caller with the right role, changing or moving one resource,
        /// which its state may refuse.
        AuthChange {
            400 => BadRequest,
            401 => Unauthorized,
            403 => Forbidden,
            404 => NotFound,
            409 => Conflict,
            413 => PayloadTooLarge,
            415 => UnsupportedMediaType,
            422 => UnprocessableEntity,
            503 => ServiceUnavailable,
        }
    }

    /// Malformed JSON, a body that does not match the schema, or an invalid parameter.
    #[derive(ToResponse)]
    #[response(
        content_type = "application/problem+json",
        example = json!({"type": "urn:peer-support:problem:invalid-body", "title": "Invalid request body", "status": 400, "detail": "The request body does not match the expected schema: unknown field `role` at line 1 column 60", "instance": "/api/v1/me", "request_id": "5c1b7f0e-3f4e-4a39-9d0c-2a0f1a3f2b61"})
    )]
    pub struct BadRequest(#[allow(dead_code)] Problem);

    /// Missing, expired or invalid bearer token.
    #[derive(ToResponse)]
    #[response(
        content_type = "application/problem+json",
        example = json!({"type": "urn:peer-support:problem:unauthorized", "title": "Authentication required", "status": 401, "detail": "A valid bearer token is required for this operation.", "instance": "/api/v1/me", "request_id": "5c1b7f0e-3f4e-4a39-9d0c-2a0f1a3f2b61"})
    )]
    pub struct Unauthorized(#[allow(dead_code)] Problem);

    /// Log-in refused: wrong email or password, or an address not verified yet (alike). No
    /// `WWW-Authenticate`: no bearer token was asked for.
    #[derive(ToResponse)]
    #[response(
        content_type = "application/problem+json",
        example = json!({"type": "urn:peer-support:problem:invalid-credentials", "title": "Wrong email or password", "status": 401, "detail": "The email or the password is wrong, or the address has not been confirmed yet (open the link we mailed to it).", "instance": "/api/v1/auth/login", "request_id": "5c1b7f0e-3f4e-4a39-9d0c-2a0f1a3f2b61"})
    )]
    pub struct InvalidCredentials(#[allow(dead_code)] Problem);

    /// The caller's role may not perform this operation.
    #[derive(ToResponse)]
    #[response(
        content_type = "application/problem+json",
        example = json!({"type": "urn:peer-support:problem:forbidden", "title": "Forbidden", "status": 403, "detail": "Your role may not perform this operation.", "instance": "/api/v1/me", "request_id": "5c1b7f0e-3f4e-4a39-9d0c-2a0f1a3f2b61"})
    )]
    pub struct Forbidden(#[allow(dead_code)] Problem);

    /// No such resource, or not one the caller may see.
    #[derive(ToResponse)]
    #[response(
        content_type = "application/problem+json",
        example = json!({"type": "urn:peer-support:problem:not-found", "title": "Not found", "status": 404, "detail": "No such resource exists, or it is not yours to see.", "instance": "/api/v1/me", "request_id": "5c1b7f0e-3f4e-4a39-9d0c-2a0f1a3f2b61"})
    )]
    pub struct NotFound(#[allow(dead_code)] Problem);

    /// The request did not arrive in time.
    #[derive(ToResponse)]
    #[response(
        content_type = "application/problem+json",
        example = json!({"type": "urn:peer-support:problem:request-timeout", "title": "Request timeout", "status": 408, "detail": "The request was not completed in time.", "instance": "/api/v1/me", "request_id": "5c1b7f0e-3f4e-4a39-9d0c-2a0f1a3f2b61"})
    )]
    pub struct RequestTimeout(#[allow(dead_code)] Problem);

    /// The request conflicts with the resource's current state.
    #[derive(ToResponse)]
    #[response(
        content_type = "application/problem+json",
        example = json!({"type": "urn:peer-support:problem:conflict", "title": "Conflict", "status": 409, "detail": "The request conflicts with the current state: an account with this email already exists", "instance": "/api/v1/me", "request_id": "5c1b7f0e-3f4e-4a39-9d0c-2a0f1a3f2b61"})
    )]
    pub struct Conflict(#[allow(dead_code)] Problem);

    /// The resource changed since the caller read it: `If-Match` does not match its `ETag`.
    #[derive(ToResponse)]
    #[response(
        content_type = "application/problem+json",
        example = json!({"type": "urn:peer-support:problem:precondition-failed", "title": "Precondition failed", "status": 412, "detail": "The resource changed since you read it (If-Match does not match its ETag); read it again.", "instance": "/api/v1/me", "request_id": "5c1b7f0e-3f4e-4a39-9d0c-2a0f1a3f2b61"})
    )]
    pub struct PreconditionFailed(#[allow(dead_code)] Problem);

    /// Too many attempts; retry after the `Retry-After` seconds.
    #[derive(ToResponse)]
    #[response(
        content_type = "application/problem+json",
        example = json!({"type": "urn:peer-support:problem:too-many-requests", "title": "Too many requests", "status": 429, "detail": "Too many attempts; try again in 60 seconds.", "instance": "/api/v1/me", "request_id": "5c1b7f0e-3f4e-4a39-9d0c-2a0f1a3f2b61"}),
        headers(("Retry-After" = u32, description = "Seconds to wait before retrying"))
    )]
    pub struct TooManyRequests(#[allow(dead_code)] Problem);

    /// The body is larger than the configured limit.
    #[derive(ToResponse)]
    #[response(
        content_type = "application/problem+json",
        example = json!({"type": "urn:peer-support:problem:payload-too-large", "title": "Payload too large", "status": 413, "detail": "The request body is larger than the limit of 65536 bytes.", "instance": "/api/v1/me", "request_id": "5c1b7f0e-3f4e-4a39-9d0c-2a0f1a3f2b61"})
    )]
    pub struct PayloadTooLarge(#[allow(dead_code)] Problem);

    /// The body is not sent as the documented content type.
    #[derive(ToResponse)]
    #[response(
        content_type = "application/problem+json",
        example = json!({"type": "urn:peer-support:problem:unsupported-media-type", "title": "Unsupported media type", "status": 415, "detail": "Send the body as application/json (or the content type the operation documents).", "instance": "/api/v1/me", "request_id": "5c1b7f0e-3f4e-4a39-9d0c-2a0f1a3f2b61"})
    )]
    pub struct UnsupportedMediaType(#[allow(dead_code)] Problem);

    /// The body is well-formed but some fields are invalid; `errors` names them.
    #[derive(ToResponse)]
    #[response(
        content_type = "application/problem+json",
        example = json!({"type": "urn:peer-support:problem:validation-failed", "title": "Validation failed", "status": 422, "detail": "One or more fields are invalid.", "instance": "/api/v1/auth/register", "request_id": "5c1b7f0e-3f4e-4a39-9d0c-2a0f1a3f2b61", "errors": [{"field": "password", "code": "length", "message": "must be 12 to 1024 characters"}]})
    )]
    pub struct UnprocessableEntity(#[allow(dead_code)] Problem);

    /// The database is unreachable; retry after the `Retry-After` seconds.
    #[derive(ToResponse)]
    #[response(
        content_type = "application/problem+json",
        example = json!({"type": "urn:peer-support:problem:service-unavailable", "title": "Service unavailable", "status": 503, "detail": "The service cannot reach its database right now; retry shortly.", "instance": "/api/v1/me", "request_id": "5c1b7f0e-3f4e-4a39-9d0c-2a0f1a3f2b61"}),
        headers(("Retry-After" = u32, description = "Seconds to wait before retrying"))
    )]
    pub struct ServiceUnavailable(#[allow(dead_code)] Problem);
}
