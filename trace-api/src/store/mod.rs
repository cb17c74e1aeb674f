//! The trace store: executions (run history with a trace summary), their spans, artifacts and the audit trail, on
//! SQLite (embedded default) or Postgres, through one sqlx `Any` pool. Statements are shared where the dialects
//! agree and chosen by [`Dialect`] where they do not.

mod artifacts;
mod audit;
mod changes;
mod dialect;
mod ingest;
mod membership;
mod pg_text;
mod query;
mod retention;
mod span_rows;
mod turns;
mod write;

use std::time::Duration;

use sqlx::any::AnyPoolOptions;
use sqlx::postgres::PgSeverity;
use sqlx::{AnyConnection, AnyPool, Connection, Executor, Row};

pub use artifacts::{ArtifactMeta, NewArtifact};
pub use audit::AuditEntry;
pub use changes::Changes;
pub use dialect::Dialect;
pub use ingest::{Ingested, RejectedSpan, WriteScope};
pub use query::{ExecutionFilter, SpanPage, TraceHead, TraceSnapshot};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("invalid database URL {url}: {reason}")]
    Config { url: String, reason: String },
    #[error("database unavailable: {0}")]
    Unavailable(#[source] sqlx::Error),
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("database query failed: {0}")]
    Query(#[source] sqlx::Error),
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    #[error("the database takes no writes (a read-only replica or session)")]
    ReadOnly,
    /// Input the store refuses, with the reason (an id holding U+0000, say): the caller's fault, nothing stored.
    #[error("{0}")]
    Invalid(String),
    /// Text the database cannot hold, refused by the database itself: the caller's fault, nothing stored.
    #[error("the database cannot hold this text: {0}")]
    Unstorable(#[source] sqlx::Error),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        if is_unavailable(&e) {
            Self::Unavailable(e)
        } else if is_unstorable(&e) {
            Self::Unstorable(e)
        } else {
            Self::Query(e)
        }
    }
}

/// Postgres refusing a character of a value: 22021 (U+0000 in text), 22P05 (`\u0000` in JSONB).
fn is_unstorable(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Database(db) => matches!(db.code().as_deref(), Some("22021" | "22P05")),
        _ => false,
    }
}

/// Ids name rows and go into queries as they are, so unlike span text they cannot be escaped; none holds U+0000.
pub(crate) fn check_id(what: &str, id: &str) -> Result<(), StoreError> {
    if id.contains('\0') {
        return Err(StoreError::Invalid(format!("{what} {id:?} contains U+0000, which ids cannot hold")));
    }
    Ok(())
}

/// Errors that mean "the database is not reachable right now", as opposed to a bad statement.
fn is_unavailable(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) | sqlx::Error::Tls(_) => true,
        sqlx::Error::Database(db) => {
            // A FATAL error ends the session: the server refused or dropped the connection (shutting down,
            // not accepting connections, out of slots).
            let fatal = db
                .try_downcast_ref::<sqlx::postgres::PgDatabaseError>()
                .is_some_and(|pg| matches!(pg.severity(), PgSeverity::Fatal | PgSeverity::Panic));
            let code = db.code();
            // Postgres classes 08 (connection), 53 (resources), 57 (operator intervention).
            let postgres =
                code.as_deref().is_some_and(|c| c.starts_with("08") || c.starts_with("53") || c.starts_with("57"));
            let sqlite = db.try_downcast_ref::<sqlx::sqlite::SqliteError>().is_some();
            fatal || postgres || (sqlite && code.as_deref().is_some_and(sqlite_unavailable))
        }
        _ => false,
    }
}

/// SQLite result codes (extended codes carry the primary code in their low byte) that say the file cannot be
/// written now but may be later: busy and locked (another writer), read-only, I/O error, full disk, cannot open.
fn sqlite_unavailable(code: &str) -> bool {
    code.parse::<u32>().is_ok_and(|code| matches!(code & 0xff, 5 | 6 | 8 | 10 | 13 | 14))
}

/// The default of `TRACE_API_STALL_AFTER_SECONDS`.
pub const DEFAULT_STALL_AFTER: Duration = Duration::from_secs(600);

#[derive(Debug, Clone)]
pub struct Store {
    pool: AnyPool,
    dialect: Dialect,
    changes: Changes,
    orders: query::OrderCache,
    turns: turns::WriteTurns,
    /// A running execution that hears of no span for this long shows as stalled (`None`: never).
    stall_after: Option<Duration>,
}

impl Store {
    /// Opens the database at `url` (`sqlite://…`, `sqlite::memory:`, `postgres://…`), creating a SQLite file if
    /// needed, and brings its schema up to date.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        sqlx::any::install_default_drivers();
        let dialect = Dialect::of_url(url).ok_or_else(|| StoreError::Config {
            url: url.to_owned(),
            reason: "expected sqlite:// or postgres://".into(),
        })?;
        let in_memory = url.contains(":memory:") || url.contains("mode=memory");
        let mut options = AnyPoolOptions::new().acquire_timeout(Duration::from_secs(5));
        options = match (dialect, in_memory) {
            // An in-memory database lives as long as its one connection.
            (Dialect::Sqlite, true) => {
                options.max_connections(1).min_connections(1).idle_timeout(None).max_lifetime(None)
            }
            (Dialect::Sqlite, false) => options.max_connections(8),
            (Dialect::Postgres, _) => options.max_connections(16),
        };
        if dialect == Dialect::Sqlite {
            options = options.after_connect(|conn: &mut AnyConnection, _| {
                Box::pin(async move {
                    conn.execute("PRAGMA busy_timeout = 5000; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON")
                        .await?;
                    Ok(())
                })
            });
        }
        let connect_url = dialect.connect_url(url);
        if dialect == Dialect::Sqlite && !in_memory {
            // One connection first, with the write the pool's set-up makes, so that a file that cannot be opened or
            // written (a read-only data directory, say) fails with SQLite's reason rather than a pool timeout.
            let mut probe = AnyConnection::connect(&connect_url).await.map_err(StoreError::Unavailable)?;
            probe.execute("PRAGMA journal_mode = WAL").await.map_err(StoreError::Unavailable)?;
            probe.close().await.map_err(StoreError::Unavailable)?;
        }
        let pool = options.connect(&connect_url).await.map_err(|e| match e {
            sqlx::Error::Configuration(reason) => {
                StoreError::Config { url: url.to_owned(), reason: reason.to_string() }
            }
            other => StoreError::Unavailable(other),
        })?;
        if dialect == Dialect::Sqlite && !in_memory {
            // WAL lets the API read while the exporter writes; the setting stays with the file.
            pool.execute("PRAGMA journal_mode = WAL").await?;
        }
        dialect.migrator().run(&pool).await?;
        let changes = Changes::start(dialect, url);
        Ok(Self {
            pool,
            dialect,
            changes,
            orders: query::OrderCache::default(),
            turns: turns::WriteTurns::for_dialect(dialect),
            stall_after: Some(DEFAULT_STALL_AFTER),
        })
    }

    /// How long a running execution may hear of no span before it shows as stalled (`None`: never).
    pub fn with_stall_after(mut self, after: Option<Duration>) -> Self {
        self.stall_after = after;
        self
    }

    /// Which executions changed, as they change (in this process, and on Postgres in every replica).
    pub fn changes(&self) -> &Changes {
        &self.changes
    }

    /// Answers when the database does.
    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// Answers when the database takes writes: SQLite commits a one-row write (a full disk or a read-only file
    /// fails it), Postgres reports whether it is a writable primary.
    pub async fn ping_write(&self) -> Result<(), StoreError> {
        match self.dialect {
            Dialect::Sqlite => {
                let turn = self.turns.take().await;
                let mut connection = write::WriteConnection::acquire(&self.pool).await?;
                let mut tx = connection.begin().await?;
                sqlx::query(
                    "INSERT INTO counters (name, value) VALUES ('write_probe', $1) \
                     ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                )
                .bind(chrono::Utc::now().timestamp_micros())
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                connection.committed();
                drop(turn);
            }
            Dialect::Postgres => {
                let row = sqlx::query(
                    "SELECT (NOT pg_is_in_recovery() AND current_setting('transaction_read_only') = 'off') AS writable",
                )
                .fetch_one(&self.pool)
                .await?;
                if !row.try_get::<bool, _>("writable")? {
                    return Err(StoreError::ReadOnly);
                }
            }
        }
        Ok(())
    }
}

/// Recounts `artifact_count` of execution `$1`: the artifacts stored for it and those its spans name, each once.
pub(crate) const ARTIFACT_COUNT: &str = "UPDATE executions SET artifact_count = (SELECT COUNT(*) FROM ( \
       SELECT id FROM artifacts WHERE execution_id = $1 \
       UNION SELECT artifact_id FROM artifact_refs WHERE execution_id = $1) AS named) \
     WHERE id = $1";

/// Counts are unsigned on the wire, signed in SQL; they saturate rather than wrap.
pub(crate) fn to_sql_count(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

pub(crate) fn from_sql_count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}
