//! Optimistic concurrency as the rules see it: the versions a write expects the resource to
//! be at (from `If-Match` at the HTTP edge), checked against the stored version.

use crate::error::ApiError;

/// What a write expects of the resource's version.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum ExpectedVersion {
    /// No expectation (no `If-Match`, or `*`).
    #[default]
    Any,
    /// One of these versions; an empty list matches nothing.
    OneOf(Vec<i64>),
}

impl ExpectedVersion {
    /// Passes when the expectation holds for `current`; otherwise the write is refused (412).
    pub fn check(&self, current: i64) -> Result<(), ApiError> {
        match self {
            ExpectedVersion::OneOf(versions) if !versions.contains(&current) => {
                Err(ApiError::PreconditionFailed)
            }
            _ => Ok(()),
        }
    }
}
