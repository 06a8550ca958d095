//! The contract's frame: info, servers, tags, the bearer scheme and the shared problem responses.
//! Paths come from the routes themselves (`utoipa_actix_web`), so no route escapes the contract.

use utoipa::{
    openapi::{
        security::{HttpAuthScheme, HttpBuilder, SecurityScheme},
        OpenApi as OpenApiDoc,
    },
    Modify, OpenApi,
};

use crate::error::{responses, FieldError, Problem};

pub const BEARER: &str = "bearer_auth";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Peer Support API",
        description = "Runs peer support programs for people affected by military sexual trauma \
and operational stress injuries (groups, sessions, intake, consent, anonymous feedback, partner \
referrals) and publishes a directory of peer support groups across Canada.\n\n\
Errors are RFC 9457 `application/problem+json` documents in English or French \
(`Accept-Language`). Every response carries an `X-Request-Id`.\n\n\
If you are in crisis, call the 24/7 support line at 1-844-750-1648.",
        license(name = "MIT", identifier = "MIT"),
        contact(name = "Peer Support API team")
    ),
    servers((url = "/", description = "This server")),
    tags(
        (name = "auth", description = "Sign-up with a verified email address, log-in, password reset, token refresh and log-out; partner client credentials"),
        (name = "accounts", description = "The caller's own account"),
        (name = "users", description = "Accounts and roles (admin)"),
        (name = "partners", description = "Partner organizations' machine clients (admin)"),
        (name = "audit", description = "The audit log (admin)"),
        (name = "groups", description = "Program groups, their sessions, rosters and attendance"),
        (name = "intake", description = "Intake applications: the six-step journey from interest to a seat"),
        (name = "consent", description = "Consent documents and the append-only consent ledger"),
        (name = "feedback", description = "Anonymous session feedback that nobody can trace back to a person, and summaries that protect small groups"),
        (name = "directory", description = "The directory of peer support groups across Canada"),
        (name = "support-lines", description = "Crisis and support lines, in English and French"),
        (name = "referrals", description = "Partner referrals: a partner organization's system refers a person who agreed to be contacted, idempotently (`Idempotency-Key`), and follows the referral by a coarse status (`received`, `in_intake`, `placed`, `closed`) with `modified_after` polling; the person later links it to their account with a one-time code sent to the referral's email address"),
        (name = "notifications", description = "The notices the program sends a person (receipt of their intake form, a meeting booked, a place confirmed with its session dates, updates on their application), in their language"),
        (name = "operations", description = "Liveness, readiness and metrics"),
    ),
    components(
        schemas(Problem, FieldError, crate::auth::models::OAuthError),
        responses(
            responses::BadRequest,
            responses::Unauthorized,
            responses::InvalidCredentials,
            responses::Forbidden,
            responses::NotFound,
            responses::RequestTimeout,
            responses::Conflict,
            responses::PreconditionFailed,
            responses::TooManyRequests,
            responses::PayloadTooLarge,
            responses::UnsupportedMediaType,
            responses::UnprocessableEntity,
            responses::ServiceUnavailable,
            crate::auth::models::OAuthErrorResponse,
        )
    ),
    modifiers(&BearerScheme)
)]
pub struct ApiDoc;

struct BearerScheme;

impl Modify for BearerScheme {
    fn modify(&self, openapi: &mut OpenApiDoc) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            BEARER,
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some(
                        "An access token from `POST /api/v1/auth/login` (or `/auth/token` for partners).",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "metrics_token",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "`METRICS_TOKEN`, for a scraper reading `/metrics` on the public port.",
                    ))
                    .build(),
            ),
        );
    }
}

/// Last touches once every route has added its path: a public operation's `security(())`
/// (`[{}]`, "optional") becomes `[]`, "no authentication".
pub fn finalize(mut api: OpenApiDoc) -> OpenApiDoc {
    for item in api.paths.paths.values_mut() {
        for operation in [
            &mut item.get,
            &mut item.post,
            &mut item.put,
            &mut item.patch,
            &mut item.delete,
        ]
        .into_iter()
        .flatten()
        {
            if let Some(security) = &operation.security {
                let is_public = security.iter().all(|requirement| {
                    serde_json::to_value(requirement).is_ok_and(|v| v == serde_json::json!({}))
                });
                if is_public {
                    operation.security = Some(Vec::new());
                }
            }
        }
    }
    api
}
