//! The HTTP edge shared by every resource: middleware, extractor settings, the 404/405 fallback.

pub mod etag;
pub mod extractors;
pub mod fallback;
pub mod middleware;
