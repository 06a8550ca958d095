use serde::Serialize;
use utoipa::ToSchema;

/// The process is up.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"status": "ok"}))]
pub struct Health {
    #[schema(example = "ok")]
    pub status: &'static str,
}

/// The service can reach its database.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"status": "ready", "database": "sqlite"}))]
pub struct Readiness {
    #[schema(example = "ready")]
    pub status: &'static str,
    /// Which database backend serves: `sqlite` or `postgres`.
    #[schema(example = "sqlite")]
    pub database: &'static str,
}
