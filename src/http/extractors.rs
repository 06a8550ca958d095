//! Settings for actix's extractors so that their failures are problem documents too.

use actix_web::{
    error::{JsonPayloadError, PathError, PayloadError, QueryPayloadError, UrlencodedError},
    web,
};

use validator::Validate;

use super::caller_check::caller_checked;
use crate::error::ApiError;

pub fn json_config(limit: usize) -> web::JsonConfig {
    web::JsonConfig::default()
        .limit(limit)
        .error_handler(move |error, _req| json_error(error, limit).into())
}

pub fn form_config(limit: usize) -> web::FormConfig {
    web::FormConfig::default()
        .limit(limit)
        .error_handler(move |error, _req| form_error(error, limit).into())
}

pub fn path_config() -> web::PathConfig {
    web::PathConfig::default().error_handler(|error: PathError, _req| {
        ApiError::InvalidParameter(error.to_string()).into()
    })
}

pub fn query_config() -> web::QueryConfig {
    web::QueryConfig::default().error_handler(|error: QueryPayloadError, _req| {
        ApiError::InvalidParameter(error.to_string()).into()
    })
}

fn json_error(error: JsonPayloadError, limit: usize) -> ApiError {
    match error {
        JsonPayloadError::OverflowKnownLength { .. } | JsonPayloadError::Overflow { .. } => {
            ApiError::PayloadTooLarge { limit }
        }
        JsonPayloadError::ContentType => ApiError::UnsupportedMediaType,
        JsonPayloadError::Deserialize(e) => match e.classify() {
            serde_json::error::Category::Data => ApiError::InvalidBody(e.to_string()),
            _ => ApiError::MalformedJson(e.to_string()),
        },
        JsonPayloadError::Payload(e) => payload_error(e, limit),
        other => ApiError::MalformedJson(other.to_string()),
    }
}

fn form_error(error: UrlencodedError, limit: usize) -> ApiError {
    match error {
        UrlencodedError::Overflow { .. } => ApiError::PayloadTooLarge { limit },
        UrlencodedError::ContentType => ApiError::UnsupportedMediaType,
        UrlencodedError::Payload(e) => payload_error(e, limit),
        other => ApiError::InvalidBody(other.to_string()),
    }
}

fn payload_error(error: PayloadError, limit: usize) -> ApiError {
    match error {
        PayloadError::Overflow => ApiError::PayloadTooLarge { limit },
        PayloadError::Io(e) if e.kind() == std::io::ErrorKind::TimedOut => ApiError::RequestTimeout,
        other => ApiError::MalformedJson(other.to_string()),
    }
}

/// A JSON request body that must be an object and pass its `Validate` rules (422 naming the
/// failing fields). serde would otherwise read a struct from an array (`[null, null]`). Numbers
/// with no fractional part (`5.0`) are integers, as JSON Schema's `integer` says, so they fill
/// integer fields. Limits and errors are those of the app's `JsonConfig`. It answers only once
/// the caller is checked (see [`caller_checked`]): declare it after the caller.
pub struct ValidJson<T>(pub T);

impl<T> ValidJson<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> std::ops::Deref for ValidJson<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: serde::de::DeserializeOwned + Validate + 'static> actix_web::FromRequest for ValidJson<T> {
    type Error = actix_web::Error;
    type Future =
        futures_util::future::LocalBoxFuture<'static, Result<ValidJson<T>, actix_web::Error>>;

    fn from_request(
        req: &actix_web::HttpRequest,
        payload: &mut actix_web::dev::Payload,
    ) -> Self::Future {
        let value = web::Json::<serde_json::Value>::from_request(req, payload);
        let caller_checked = caller_checked(req);
        Box::pin(async move {
            // The body is read while the caller is checked, and answered for after.
            let value = value.await;
            caller_checked.await;
            let mut value = value?.into_inner();
            integral_floats_to_integers(&mut value);
            if !value.is_object() {
                return Err(ApiError::InvalidBody("expected a JSON object".into()).into());
            }
            if holds_nul(&value) {
                return Err(ApiError::InvalidBody(
                    "text must not contain the NUL character (\\u0000)".into(),
                )
                .into());
            }
            let body: T =
                serde_json::from_value(value).map_err(|e| ApiError::InvalidBody(e.to_string()))?;
            body.validate().map_err(ApiError::from)?;
            Ok(ValidJson(body))
        })
    }
}

/// Whether a string anywhere in the document (or a key) holds U+0000, which PostgreSQL cannot
/// store in text: refused on both backends alike.
fn holds_nul(value: &serde_json::Value) -> bool {
    use serde_json::Value;
    match value {
        Value::String(s) => s.contains('\0'),
        Value::Array(items) => items.iter().any(holds_nul),
        Value::Object(fields) => fields
            .iter()
            .any(|(key, value)| key.contains('\0') || holds_nul(value)),
        _ => false,
    }
}

/// `5.0` → `5` throughout a JSON document, where the value fits an `i64`.
fn integral_floats_to_integers(value: &mut serde_json::Value) {
    use serde_json::Value;
    match value {
        Value::Number(n) if n.is_f64() => {
            let f = n.as_f64().unwrap_or(f64::NAN);
            // The bounds are exact powers of two, so the range test has no rounding at its edges.
            if f.fract() == 0.0
                && (-9.223_372_036_854_776e18..9.223_372_036_854_776e18).contains(&f)
            {
                *value = Value::from(f as i64);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(integral_floats_to_integers),
        Value::Object(fields) => fields.values_mut().for_each(integral_floats_to_integers),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::integral_floats_to_integers;
    use serde_json::json;

    #[test]
    fn nul_characters_are_found_anywhere() {
        assert!(super::holds_nul(&json!({"a": [{"b": "x\u{0}"}]})));
        assert!(super::holds_nul(&json!({"\u{0}": 1})));
        assert!(!super::holds_nul(&json!({"a": ["x", 1, null]})));
    }

    #[test]
    fn integral_floats_become_integers_and_others_stay() {
        let mut value = json!({"a": 5.0, "b": [1.5, -2.0, 1e300], "c": {"d": 0.0}, "e": "5.0"});
        integral_floats_to_integers(&mut value);
        assert_eq!(
            value,
            json!({"a": 5, "b": [1.5, -2, 1e300], "c": {"d": 0}, "e": "5.0"})
        );
        assert!(value["a"].is_i64());
    }
}
