//! Versioned resources at the HTTP edge: an `ETag` from the row's version, and `If-Match` read
//! into the version a write expects (`domain::version::ExpectedVersion`).

use actix_web::{dev::Payload, http::header, FromRequest, HttpRequest};

use crate::{domain::version::ExpectedVersion, error::ApiError};

/// The entity tag of a resource at `version`.
pub fn etag(version: i64) -> String {
    format!("\"{version}\"")
}

/// `If-Match`: absent or `*` expects nothing; otherwise its tags (weak or strong) name the
/// versions the write expects. A tag this API never issued matches no version.
pub fn expected_version(if_match: Option<&str>) -> ExpectedVersion {
    let Some(value) = if_match else {
        return ExpectedVersion::Any;
    };
    let tags: Vec<&str> = value.split(',').map(str::trim).collect();
    if tags.contains(&"*") {
        return ExpectedVersion::Any;
    }
    ExpectedVersion::OneOf(
        tags.iter()
            .filter_map(|tag| {
                let tag = tag.strip_prefix("W/").unwrap_or(tag);
                tag.strip_prefix('"')?.strip_suffix('"')?.parse().ok()
            })
            .collect(),
    )
}

impl FromRequest for ExpectedVersion {
    type Error = ApiError;
    type Future = std::future::Ready<Result<ExpectedVersion, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(match req.headers().get(header::IF_MATCH) {
            None => Ok(ExpectedVersion::Any),
            Some(v) => v
                .to_str()
                .map(|v| expected_version(Some(v)))
                .map_err(|_| ApiError::InvalidParameter("If-Match is not ASCII".into())),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::expected_version;

    #[test]
    fn if_match_accepts_the_current_tag_star_or_nothing() {
        assert!(expected_version(None).check(3).is_ok());
        assert!(expected_version(Some("\"3\"")).check(3).is_ok());
        assert!(expected_version(Some("W/\"3\"")).check(3).is_ok());
        assert!(expected_version(Some("\"1\", \"3\"")).check(3).is_ok());
        assert!(expected_version(Some("*")).check(3).is_ok());
        assert!(expected_version(Some("\"2\"")).check(3).is_err());
        assert!(expected_version(Some("3")).check(3).is_err());
    }
}
