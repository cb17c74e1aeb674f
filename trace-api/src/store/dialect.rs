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

    /// A statement taking a JSON array of span ids (`$1`) and an execution id (`$2`), returning as `payloads`
    /// the JSON array of those spans' payloads in the order of the ids (NULL when none is found).
    ///
    /// Both forms walk the ids and look each span up by its key, whatever the statistics say: a planner that
    /// drives from the execution's spans instead scans every span of a large trace for each page (SQLite's
    /// `CROSS JOIN` fixes the loop order; Postgres keeps a `LIMIT`ed lateral subquery as a per-id lookup).
    pub fn payloads_in_order(self) -> &'static str {
        match self {
            Self::Sqlite => {
                "SELECT '[' || group_concat(s.payload, ',' ORDER BY page.key) || ']' AS payloads \
                 FROM json_each(?) AS page CROSS JOIN spans s ON s.execution_id = ? AND s.span_id = page.value"
            }
            Self::Postgres => {
                "SELECT '[' || string_agg(s.payload, ',' ORDER BY page.pos) || ']' AS payloads \
                 FROM jsonb_array_elements_text($1::jsonb) WITH ORDINALITY AS page (id, pos) \
                 CROSS JOIN LATERAL (SELECT payload::text AS payload FROM spans \
                   WHERE execution_id = $2 AND span_id = page.id LIMIT 1) AS s"
            }
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
