//! Storage: one diesel code base over SQLite (the zero-set-up default) and PostgreSQL, chosen by
//! the URL's scheme; the connection pool and the embedded migrations of each backend.

pub mod schema;

use std::time::Duration;

use actix_web::web;
use diesel::{
    connection::{InstrumentationEvent, SimpleConnection},
    pg::PgConnection,
    r2d2::R2D2Connection,
    sqlite::SqliteConnection,
    Connection, ConnectionError,
};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};
use prometheus::IntCounter;

use crate::error::ApiError;

/// A connection to whichever database the service runs on.
#[derive(diesel::MultiConnection)]
pub enum AnyConnection {
    Postgresql(PgConnection),
    Sqlite(SqliteConnection),
}

pub type Conn = AnyConnection;

const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");
const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Postgres,
    Sqlite,
}

impl Backend {
    pub fn of_url(url: &str) -> Backend {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            Backend::Sqlite
        }
    }
}

/// The file path inside a SQLite URL (`sqlite://data/x.db`, `sqlite:x.db` or a bare path).
pub fn sqlite_path(url: &str) -> &str {
    url.strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or(url)
}

/// Opens connections by the URL's scheme, so a failure carries the driver's own message (the
/// derived multi-backend `establish` reports every failure as an invalid URL).
#[derive(Debug, Clone)]
pub struct ConnectionManager {
    url: String,
    backend: Backend,
    statements: Option<IntCounter>,
}

impl ConnectionManager {
    pub fn new(url: &str) -> ConnectionManager {
        ConnectionManager {
            url: url.to_string(),
            backend: Backend::of_url(url),
            statements: None,
        }
    }

    /// Counts every statement its connections start (queries, and `BEGIN`/`COMMIT` too) in
    /// `statements`, from the first after the connection's own set-up.
    pub fn counting_statements(mut self, statements: IntCounter) -> ConnectionManager {
        self.statements = Some(statements);
        self
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn establish(&self) -> Result<AnyConnection, ConnectionError> {
        let mut conn = self.open()?;
        if let Some(statements) = self.statements.clone() {
            conn.set_instrumentation(move |event: InstrumentationEvent<'_>| {
                if matches!(event, InstrumentationEvent::StartQuery { .. }) {
                    statements.inc();
                }
            });
        }
        Ok(conn)
    }

    fn open(&self) -> Result<AnyConnection, ConnectionError> {
        match self.backend {
            Backend::Postgres => PgConnection::establish(&self.url).map(AnyConnection::Postgresql),
            Backend::Sqlite => {
                let path = sqlite_path(&self.url);
                if let Some(dir) = std::path::Path::new(path).parent() {
                    if !dir.as_os_str().is_empty() && !dir.exists() {
                        std::fs::create_dir_all(dir).map_err(|e| {
                            ConnectionError::BadConnection(format!(
                                "cannot create directory {}: {e}",
                                dir.display()
                            ))
                        })?;
                    }
                }
                let mut conn = SqliteConnection::establish(path)?;
                // Foreign keys are off by default; WAL and a busy timeout let readers and one
                // writer share the file; secure_delete overwrites what a change removes, so an
                // erased person's old values do not linger in the file's free space.
                conn.batch_execute(
                    "PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000; \
                     PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                     PRAGMA secure_delete = ON;",
                )
                .map_err(ConnectionError::CouldntSetupConfiguration)?;
                Ok(AnyConnection::Sqlite(conn))
            }
        }
    }
}

impl r2d2::ManageConnection for ConnectionManager {
    type Connection = AnyConnection;
    type Error = ConnectionError;

    fn connect(&self) -> Result<AnyConnection, ConnectionError> {
        self.establish()
    }

    fn is_valid(&self, conn: &mut AnyConnection) -> Result<(), ConnectionError> {
        conn.ping()
            .map_err(ConnectionError::CouldntSetupConfiguration)
    }

    fn has_broken(&self, conn: &mut AnyConnection) -> bool {
        conn.is_broken()
    }
}

/// The shared pool; checkouts give up after the configured timeout so a lost database answers
/// 503 quickly, and dead connections are replaced on checkout so it recovers by itself.
#[derive(Clone)]
pub struct DbPool {
    pool: r2d2::Pool<ConnectionManager>,
    backend: Backend,
}

impl DbPool {
    /// Builds the pool without connecting: connections are opened in the background.
    pub fn new(url: &str, max_size: u32, checkout_timeout: Duration) -> DbPool {
        DbPool::with_manager(ConnectionManager::new(url), max_size, checkout_timeout)
    }

    /// A pool whose connections count every statement they send in `statements`.
    pub fn counting_statements(
        url: &str,
        max_size: u32,
        checkout_timeout: Duration,
        statements: IntCounter,
    ) -> DbPool {
        let manager = ConnectionManager::new(url).counting_statements(statements);
        DbPool::with_manager(manager, max_size, checkout_timeout)
    }

    fn with_manager(
        manager: ConnectionManager,
        max_size: u32,
        checkout_timeout: Duration,
    ) -> DbPool {
        let backend = manager.backend();
        let pool = r2d2::Pool::builder()
            .max_size(max_size)
            .min_idle(Some(1))
            .connection_timeout(checkout_timeout)
            .test_on_check_out(true)
            .build_unchecked(manager);
        DbPool { pool, backend }
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn state(&self) -> r2d2::State {
        self.pool.state()
    }

    pub fn get(&self) -> Result<r2d2::PooledConnection<ConnectionManager>, ApiError> {
        Ok(self.pool.get()?)
    }

    /// Runs `work` with a pooled connection on the blocking thread pool.
    pub async fn run<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut Conn) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        let pool = self.clone();
        web::block(move || {
            let mut conn = pool.get()?;
            work(&mut conn)
        })
        .await?
    }

    /// `run`, with any error logged meanwhile written without its time (`error::untimed`): for
    /// the feedback routes, whose events must not be dated by a log line.
    pub async fn run_untimed<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut Conn) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        let pool = self.clone();
        web::block(move || {
            crate::error::untimed(|| {
                let mut conn = pool.get()?;
                work(&mut conn)
            })
        })
        .await?
    }
}

/// Runs `work` in a transaction that takes the write lock first on SQLite (`BEGIN IMMEDIATE`):
/// concurrent read-then-write transactions then wait for each other (busy_timeout) instead of
/// failing with "database is locked". On PostgreSQL, an ordinary transaction.
pub fn write_transaction<T, E, F>(conn: &mut AnyConnection, work: F) -> Result<T, E>
where
    F: FnOnce(&mut AnyConnection) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    use diesel::connection::{AnsiTransactionManager, TransactionManager};
    fn sqlite(conn: &mut AnyConnection) -> Option<&mut SqliteConnection> {
        match conn {
            AnyConnection::Sqlite(inner) => Some(inner),
            AnyConnection::Postgresql(_) => None,
        }
    }
    let Some(inner) = sqlite(conn) else {
        return conn.transaction(work);
    };
    let nested = AnsiTransactionManager::transaction_manager_status_mut(inner)
        .transaction_depth()?
        .is_some();
    if nested {
        // Inside an outer write transaction the lock is held already: a savepoint is enough.
        return conn.transaction(work);
    }
    AnsiTransactionManager::begin_transaction_sql(inner, "BEGIN IMMEDIATE")?;
    let outcome = work(conn);
    let Some(inner) = sqlite(conn) else {
        return outcome;
    };
    match outcome {
        Ok(value) => match AnsiTransactionManager::commit_transaction(inner) {
            Ok(()) => Ok(value),
            Err(error) => {
                let _ = AnsiTransactionManager::rollback_transaction(inner);
                Err(error.into())
            }
        },
        Err(error) => {
            let _ = AnsiTransactionManager::rollback_transaction(inner);
            Err(error)
        }
    }
}

/// Runs `work` on one consistent snapshot of the database, for a read made of many queries that
/// must agree with each other (a person's export): on PostgreSQL a `REPEATABLE READ`
/// transaction; on SQLite a `write_transaction`, whose write lock keeps every writer out until
/// it ends. `work` may write too (an audit event).
pub fn snapshot_transaction<T, E, F>(conn: &mut AnyConnection, work: F) -> Result<T, E>
where
    F: FnOnce(&mut AnyConnection) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    use diesel::RunQueryDsl;
    if matches!(conn, AnyConnection::Postgresql(_)) {
        conn.transaction(|conn| {
            diesel::sql_query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ").execute(conn)?;
            work(conn)
        })
    } else {
        write_transaction(conn, work)
    }
}

/// After an erasure, outside any transaction: on SQLite, copies the write-ahead log into the
/// database file and empties it, so the pages holding the old values (kept in the log until a
/// checkpoint) are gone from disk too; `secure_delete` already zeroed them in the file. On
/// PostgreSQL, nothing: old row versions stay in the table files until (auto)vacuum, which only
/// the tables' owner may force, and no dump shows them.
pub fn purge_freed(conn: &mut AnyConnection) -> diesel::QueryResult<()> {
    use diesel::connection::SimpleConnection;
    match conn {
        AnyConnection::Postgresql(_) => Ok(()),
        AnyConnection::Sqlite(inner) => inner.batch_execute("PRAGMA wal_checkpoint(TRUNCATE);"),
    }
}

/// Inside a `write_transaction`, waits for any other transaction holding the same `name` to
/// end, and holds it until this one ends: on PostgreSQL a transaction-scoped advisory lock; on
/// SQLite the write lock `BEGIN IMMEDIATE` took already does it. For rules no row can lock (a
/// row that does not exist yet).
pub fn lock_name(conn: &mut AnyConnection, name: &str) -> diesel::QueryResult<()> {
    use diesel::{sql_types::Text, RunQueryDsl};
    match conn {
        AnyConnection::Postgresql(inner) => {
            diesel::sql_query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
                .bind::<Text, _>(name)
                .execute(inner)
                .map(|_| ())
        }
        AnyConnection::Sqlite(_) => Ok(()),
    }
}

/// Runs the same diesel code on the connection's own backend, for what the multi-backend
/// connection cannot express (inserting many rows in one statement): `on_backend!(conn, |c|
/// query.execute(c))`. With `write_transaction`, the only other place backends differ.
macro_rules! on_backend {
    ($conn:expr, |$inner:ident| $body:expr) => {
        match $conn {
            $crate::db::AnyConnection::Postgresql($inner) => $body,
            $crate::db::AnyConnection::Sqlite($inner) => $body,
        }
    };
}
pub(crate) use on_backend;

/// Now, in UTC, to the microsecond: both backends keep exactly this.
pub fn now() -> chrono::NaiveDateTime {
    let now = chrono::Utc::now().naive_utc();
    chrono::Timelike::with_nanosecond(&now, now.and_utc().timestamp_subsec_micros() * 1_000)
        .unwrap_or(now)
}

/// A new opaque id.
pub fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// Applies the pending migrations of the connection's backend; returns how many ran.
pub fn run_migrations(conn: &mut AnyConnection) -> Result<usize, String> {
    let applied = match conn {
        AnyConnection::Postgresql(c) => c.run_pending_migrations(POSTGRES_MIGRATIONS),
        AnyConnection::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS),
    }
    .map_err(|e| format!("migration failed: {e}"))?;
    Ok(applied.len())
}

/// Connects directly (not through the pool) so start-up reports the driver's real message, and
/// migrates.
pub fn connect_and_migrate(url: &str) -> Result<usize, String> {
    let mut conn = ConnectionManager::new(url)
        .establish()
        .map_err(|e| format!("cannot connect to the database: {e}"))?;
    run_migrations(&mut conn)
}
