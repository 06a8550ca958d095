use serde::Serialize;
use utoipa::ToSchema;

/// The process is up.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"status": "ok"}))]
pub struct Health {
    #[schema(example = "ok")]
    pub status: &'static str,
}

crate::domain::vocabulary! {
    /// The readiness probe's answer when the database can be reached.
    ReadinessStatus { Ready = "ready" }
}

/// The service can reach its database.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"status": ReadinessStatus::Ready, "database": "sqlite"}))]
pub struct Readiness {
    pub status: ReadinessStatus,
    /// Which database backend serves: `sqlite` or `postgres`.
    #[schema(example = "sqlite")]
    pub database: &'static str,
}
