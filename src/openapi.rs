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
        (name = "auth", description = "Sign-up, log-in, token refresh and log-out; partner client credentials"),
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

/// Named schemas for rules a field's `#[schema(...)]` cannot state, or would state again in
/// every struct: fields point at them with `#[schema(value_type = ...)]`, and the validator
/// each one mirrors is named beside it.
pub mod schemas {
    use std::borrow::Cow;

    use utoipa::openapi::{
        schema::{Schema, Type},
        ObjectBuilder, RefOr,
    };

    use crate::auth::Role;

    /// A named schema: `$name` in the contract, built by `$build`.
    macro_rules! named_schema {
        ($(#[$doc:meta])* $name:ident, $build:expr) => {
            $(#[$doc])*
            pub struct $name;

            impl utoipa::PartialSchema for $name {
                fn schema() -> RefOr<Schema> {
                    let builder: ObjectBuilder = $build;
                    builder.into()
                }
            }

            impl utoipa::ToSchema for $name {
                fn name() -> Cow<'static, str> {
                    Cow::Borrowed(stringify!($name))
                }
            }
        };
    }

    fn text(description: &str) -> ObjectBuilder {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some(description))
    }

    named_schema!(
        /// What `directory::models::valid_phone` accepts.
        PhoneNumber,
        text("A phone number: 3 to 20 digits with spaces, `+-().` or an `ext`, e.g. 1-844-750-1648 or 988.")
            .pattern(Some(r"^[-+(). extEXT]*([0-9][-+(). extEXT]*){3,20}$"))
            .max_length(Some(40))
    );

    named_schema!(
        /// What `directory::models::valid_website` accepts (a subset: lower-case scheme).
        Website,
        text("An https:// (or http://) address, e.g. https://www.example.org.")
            .pattern(Some(r"^https?://[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+([/?#]\S*)?$"))
            .max_length(Some(500))
    );

    named_schema!(
        /// What `groups::models::validate_time_zone` accepts: the names `chrono-tz` knows.
        IanaTimeZone,
        text("An IANA time zone, e.g. America/Toronto.")
            .enum_values(Some(chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name())))
    );

    named_schema!(
        /// The roles an account may hold (`Role::is_account_role`).
        AccountRole,
        text("A person's role: any role but `partner` (partners are clients: `POST /partners`).")
            .enum_values(Some(
                Role::ALL
                    .into_iter()
                    .filter(|role| role.is_account_role())
                    .map(Role::as_str),
            ))
    );

    named_schema!(
        /// A boolean whose one accepted value is `true`.
        OnlyTrue,
        ObjectBuilder::new()
            .schema_type(Type::Boolean)
            .enum_values(Some([true]))
    );
}
