//! What differs between SQLite and Postgres: migrations, JSON payload casts, the version counter.

use sqlx::migrate::Migrator;

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("../migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("../migrations/postgres");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

impl Dialect {
    pub fn of_url(url: &str) -> Option<Self> {
        if url.starts_with("sqlite:") {
            Some(Self::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Some(Self::Postgres)
        } else {
            None
        }
    }

    /// SQLite files are created on first use.
    pub fn connect_url(self, url: &str) -> String {
        match self {
            Self::Sqlite if !url.contains("mode=") && !url.contains(":memory:") => {
                let separator = if url.contains('?') { '&' } else { '?' };
                format!("{url}{separator}mode=rwc")
            }
            _ => url.to_owned(),
        }
    }

    pub fn migrator(self) -> &'static Migrator {
        match self {
            Self::Sqlite => &SQLITE_MIGRATIONS,
            Self::Postgres => &POSTGRES_MIGRATIONS,
        }
    }

    /// The `n`-th parameter of a statement that uses only [`Dialect::param`]s. SQLite gets anonymous `?`s: looking
    /// a numbered parameter up is linear in the statement's parameter count, so binding thousands of `$n`s costs
    /// quadratic time there. (Statements must then not mix `$n` and `?`.)
    pub fn param(self, n: usize) -> String {
        match self {
            Self::Sqlite => "?".to_owned(),
            Self::Postgres => format!("${n}"),
        }
    }

    /// `count` parameters from the `first`-th, comma-separated.
    pub fn params(self, first: usize, count: usize) -> String {
        (first..first + count).map(|n| self.param(n)).collect::<Vec<_>>().join(", ")
    }

    /// The `n`-th parameter, a JSON text, as the payload column's type.
    pub fn json_param(self, n: usize) -> String {
        match self {
            Self::Sqlite => self.param(n),
            Self::Postgres => format!("${n}::jsonb"),
        }
    }

    /// The payload column as JSON text.
    pub fn payload_text(self) -> &'static str {
        match self {
            Self::Sqlite => "payload",
            Self::Postgres => "payload::text",
        }
    }

    /// The JSON texts of a `payload` column joined with commas, in `order`: an aggregate.
    pub fn ordered_payloads(self, payload: &str, order: &str) -> String {
        match self {
            Self::Sqlite => format!("group_concat({payload}, ',' ORDER BY {order})"),
            Self::Postgres => format!("string_agg({payload}::text, ',' ORDER BY {order})"),
        }
    }

    /// A statement returning the next span version as `value`.
    pub fn next_version(self) -> &'static str {
        match self {
            Self::Sqlite => "UPDATE counters SET value = value + 1 WHERE name = 'span_version' RETURNING value",
            Self::Postgres => "SELECT nextval('span_version') AS value",
        }
    }
}
