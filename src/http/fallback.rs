//! What a request that matches no route gets: 405 with `Allow` when the path exists in the
//! contract under other methods, 404 otherwise. The contract is the route table, since every
//! route is registered through it.

use actix_web::{web, HttpRequest, HttpResponse};
use utoipa::openapi::OpenApi;

use crate::error::ApiError;

/// The documented paths and the methods each allows.
pub struct RouteTable {
    routes: Vec<(Vec<Segment>, Vec<String>)>,
}

enum Segment {
    Literal(String),
    Parameter,
}

impl RouteTable {
    pub fn from_openapi(api: &OpenApi) -> RouteTable {
        let routes = api
            .paths
            .paths
            .iter()
            .map(|(path, item)| {
                let segments = path
                    .trim_matches('/')
                    .split('/')
                    .map(|s| {
                        if s.starts_with('{') && s.ends_with('}') {
                            Segment::Parameter
                        } else {
                            Segment::Literal(s.to_string())
                        }
                    })
                    .collect();
                let mut methods: Vec<String> = [
                    ("GET", item.get.is_some()),
                    ("POST", item.post.is_some()),
                    ("PUT", item.put.is_some()),
                    ("PATCH", item.patch.is_some()),
                    ("DELETE", item.delete.is_some()),
                ]
                .iter()
                .filter(|(_, present)| *present)
                .map(|(m, _)| m.to_string())
                .collect();
                if item.get.is_some() {
                    methods.push("HEAD".into());
                }
                (segments, methods)
            })
            .collect();
        RouteTable { routes }
    }

    /// The methods allowed on `path`, or `None` when no documented path matches it.
    pub fn allowed_methods(&self, path: &str) -> Option<&[String]> {
        let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
        self.routes
            .iter()
            .find(|(segments, _)| {
                segments.len() == parts.len()
                    && segments
                        .iter()
                        .zip(&parts)
                        .all(|(segment, part)| match segment {
                            Segment::Literal(l) => l == part,
                            Segment::Parameter => !part.is_empty(),
                        })
            })
            .map(|(_, methods)| methods.as_slice())
    }
}

/// The default service of the app.
pub async fn unmatched(
    req: HttpRequest,
    table: web::Data<RouteTable>,
) -> Result<HttpResponse, ApiError> {
    Err(match table.allowed_methods(req.path()) {
        Some(allowed) => ApiError::MethodNotAllowed {
            allowed: allowed.to_vec(),
        },
        None => ApiError::NotFound,
    })
}
