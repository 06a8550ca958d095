//! Settings for actix's extractors so that their failures are problem documents too.

use actix_web::{
    error::{JsonPayloadError, PathError, PayloadError, QueryPayloadError, UrlencodedError},
    web,
};

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

/// A JSON request body that must be an object: serde would otherwise read a struct from an
/// array (`[null, null]`). Limits and errors are those of the app's `JsonConfig`.
pub struct JsonBody<T>(pub T);

impl<T> JsonBody<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> std::ops::Deref for JsonBody<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: serde::de::DeserializeOwned + 'static> actix_web::FromRequest for JsonBody<T> {
    type Error = actix_web::Error;
    type Future =
        futures_util::future::LocalBoxFuture<'static, Result<JsonBody<T>, actix_web::Error>>;

    fn from_request(
        req: &actix_web::HttpRequest,
        payload: &mut actix_web::dev::Payload,
    ) -> Self::Future {
        let value = web::Json::<serde_json::Value>::from_request(req, payload);
        Box::pin(async move {
            let value = value.await?.into_inner();
            if !value.is_object() {
                return Err(ApiError::InvalidBody("expected a JSON object".into()).into());
            }
            serde_json::from_value(value)
                .map(JsonBody)
                .map_err(|e| ApiError::InvalidBody(e.to_string()).into())
        })
    }
}
