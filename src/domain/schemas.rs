//! Named schemas for rules a field's `#[schema(...)]` cannot state, or would state again in
//! every struct: fields point at them with `#[schema(value_type = ...)]`, and the validator
//! each one mirrors is named beside it.

use std::borrow::Cow;

use utoipa::openapi::{
    schema::{Schema, Type},
    ObjectBuilder, RefOr,
};

use super::Role;

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
    /// What `domain::contact::valid_phone` accepts.
    PhoneNumber,
    text("A phone number: 3 to 20 digits with spaces, `+-().` or an `ext`, e.g. 1-844-750-1648 or 988.")
        .pattern(Some(r"^[-+(). extEXT]*([0-9][-+(). extEXT]*){3,20}$"))
        .max_length(Some(40))
);

named_schema!(
    /// What `domain::contact::valid_website` accepts (a subset: lower-case scheme, no
    /// loopback `http://`).
    Website,
    text("An https:// address with a host name, e.g. https://www.example.org, stored in \
          normal form (lower-case scheme and host, no default port, no lone trailing `/`). \
          Other schemes (javascript:, data:, file:, ftp:; http: except to a loopback host) and \
          addresses without a scheme are refused (422).")
        .pattern(Some(r"^https://([A-Za-z0-9-]+\.)+[A-Za-z][A-Za-z0-9-]*([/?#][^\s\u0000-\u001f\u007f-\u009f]*)?$"))
        .max_length(Some(500))
);

named_schema!(
    /// What `domain::contact::valid_time_zone` accepts: the names `chrono-tz` knows.
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
                .iter()
                .copied()
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
