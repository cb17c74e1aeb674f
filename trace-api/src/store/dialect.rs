//! What differs between SQLite and Postgres: migrations, JSON payload casts, the version counter, and text with
//! U+0000 (which Postgres cannot hold, see `pg_text`).

use std::borrow::Cow;

use sqlx::migrate::Migrator;

use super::pg_text;

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

    /// Text (a span's name, an audit subject) as stored.
    pub fn store_text(self, text: &str) -> Cow<'_, str> {
        match self {
            Self::Sqlite => Cow::Borrowed(text),
            Self::Postgres => pg_text::escape_text(text),
        }
    }

    /// Stored text as it was written.
    pub fn read_text(self, stored: String) -> String {
        match self {
            Self::Sqlite => stored,
            Self::Postgres => match pg_text::unescape_text(&stored) {
                Cow::Borrowed(_) => stored,
                Cow::Owned(text) => text,
            },
        }
    }

    /// A span payload (serialized JSON) as stored: the same string unless it must be escaped.
    pub fn store_json(self, json: String) -> String {
        match self {
            Self::Sqlite => json,
            Self::Postgres => match pg_text::escape_json(&json) {
                Cow::Borrowed(_) => json,
                Cow::Owned(text) => text,
            },
        }
    }

    /// `json` as stored, when storing changes it (`None`: stored as it is).
    pub fn escaped_json(self, json: &str) -> Option<String> {
        match self {
            Self::Sqlite => None,
            Self::Postgres => match pg_text::escape_json(json) {
                Cow::Borrowed(_) => None,
                Cow::Owned(text) => Some(text),
            },
        }
    }

    /// Stored span payloads (one, or a JSON array of them) as they were sent.
    pub fn read_json(self, stored: String) -> String {
        match self {
            Self::Sqlite => stored,
            Self::Postgres => match pg_text::unescape_json(&stored) {
                Cow::Borrowed(_) => stored,
                Cow::Owned(text) => text,
            },
        }
    }

    /// The payload column as JSON text.
    pub fn payload_text(self) -> &'static str {
        match self {
            Self::Sqlite => "payload",
            Self::Postgres => "payload::text",
        }
    }

    /// A statement taking a JSON array of span `seq`s (`$1`) and an execution id (`$2`), returning as `payloads`
    /// the JSON array of those spans' payloads in the order given (NULL when none is found).
    ///
    /// Both forms walk the keys and look each span up by its primary key, whatever the statistics say: a planner
    /// that drives from the execution's spans instead scans every span of a large trace for each page (SQLite's
    /// `CROSS JOIN` fixes the loop order; Postgres keeps a `LIMIT`ed lateral subquery as a per-key lookup). The
    /// execution id guards against a key of another execution.
    pub fn payloads_in_order(self) -> &'static str {
        match self {
            Self::Sqlite => {
                // The subquery delivers the rows in order (json_each yields its rowids in order, so no sort),
                // and an ORDER BY subquery is not flattened into the aggregate; an ORDER BY inside
                // group_concat would copy every payload into a temporary B-tree first.
                "SELECT '[' || group_concat(payload, ',') || ']' AS payloads FROM (SELECT s.payload \
                 FROM json_each(?) AS page CROSS JOIN spans s ON s.seq = page.value AND s.execution_id = ? \
                 ORDER BY page.rowid)"
            }
            Self::Postgres => {
                "SELECT '[' || string_agg(s.payload, ',' ORDER BY page.pos) || ']' AS payloads \
                 FROM jsonb_array_elements_text($1::jsonb) WITH ORDINALITY AS page (seq, pos) \
                 CROSS JOIN LATERAL (SELECT payload::text AS payload FROM spans \
                   WHERE seq = page.seq::bigint AND execution_id = $2 LIMIT 1) AS s"
            }
        }
    }

    /// An expression of a statement on `executions`: the execution's artifacts (metadata only) as a JSON array
    /// of [`super::ArtifactMeta`], oldest first (`[]` or NULL for none).
    pub fn artifacts_json(self) -> &'static str {
        match self {
            Self::Sqlite => {
                "(SELECT json_group_array(json_object('id', a.id, 'execution_id', a.execution_id, \
                   'span_id', a.span_id, 'name', a.name, 'content_type', a.content_type, 'size_bytes', a.size_bytes) \
                   ORDER BY a.created_at, a.id) \
                 FROM artifacts a WHERE a.execution_id = executions.id)"
            }
            Self::Postgres => {
                "(SELECT json_agg(json_build_object('id', a.id, 'execution_id', a.execution_id, \
                   'span_id', a.span_id, 'name', a.name, 'content_type', a.content_type, 'size_bytes', a.size_bytes) \
                   ORDER BY a.created_at, a.id)::text \
                 FROM artifacts a WHERE a.execution_id = executions.id)"
            }
        }
    }

    /// The values of the `n`-th parameter, a JSON array of text, as a list for `IN`.
    pub fn json_list(self, n: usize) -> String {
        match self {
            Self::Sqlite => format!("(SELECT value FROM json_each(${n}))"),
            Self::Postgres => format!("(SELECT jsonb_array_elements_text(${n}::jsonb))"),
        }
    }

    /// A statement that holds trace `$1` for the rest of the transaction, so that two batches of one trace file
    /// their spans one after the other (SQLite writers take turns anyway).
    pub fn trace_lock(self) -> Option<&'static str> {
        match self {
            Self::Sqlite => None,
            Self::Postgres => {
                Some("SELECT 1 AS held FROM (SELECT pg_advisory_xact_lock(hashtextextended($1, 0))) AS lock")
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
