//! The HTTP edge shared by every resource: middleware, extractors and their settings, the
//! 404/405 fallback.

pub mod caller_check;
pub mod client;
pub mod etag;
pub mod extractors;
pub mod fallback;
pub mod list_query;
pub mod middleware;
