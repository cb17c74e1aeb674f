-- Run history with its trace summary, the spans of each run, artifacts, and the audit trail of trace views.
-- Timestamps are RFC 3339 UTC text with microseconds: they sort as text.

CREATE TABLE executions (
    seq            INTEGER PRIMARY KEY AUTOINCREMENT,
    id             TEXT    NOT NULL UNIQUE,
    workspace_id   TEXT    NOT NULL DEFAULT 'default',
    workflow_id    TEXT    NOT NULL,
    status         TEXT    NOT NULL DEFAULT 'running',
    thread_id      TEXT,
    trace_id       TEXT,
    root_span_id   TEXT,
    started_at     TEXT,
    finished_at    TEXT,
    span_count     INTEGER NOT NULL DEFAULT 0,
    error_count    INTEGER NOT NULL DEFAULT 0,
    input_tokens   INTEGER NOT NULL DEFAULT 0,
    output_tokens  INTEGER NOT NULL DEFAULT 0,
    artifact_count INTEGER NOT NULL DEFAULT 0
);

CREATE INDEX executions_workflow ON executions (workflow_id, seq);
CREATE INDEX executions_workspace ON executions (workspace_id, seq);

CREATE TABLE spans (
    -- Arrival order: a page cursor pins the spans that had arrived when paging began.
    seq            INTEGER PRIMARY KEY AUTOINCREMENT,
    execution_id   TEXT    NOT NULL,
    span_id        TEXT    NOT NULL,
    trace_id       TEXT    NOT NULL,
    parent_span_id TEXT,
    name           TEXT    NOT NULL,
    kind           TEXT    NOT NULL,
    status_code    TEXT    NOT NULL,
    start_time     TEXT    NOT NULL,
    end_time       TEXT,
    input_tokens   INTEGER NOT NULL DEFAULT 0,
    output_tokens  INTEGER NOT NULL DEFAULT 0,
    -- Raised on every change: live subscribers ask for what changed since the version they saw.
    version        INTEGER NOT NULL,
    -- The whole wire span as JSON; the columns above are what queries filter and sum on.
    payload        TEXT    NOT NULL,
    UNIQUE (execution_id, span_id)
);

CREATE INDEX spans_version ON spans (execution_id, version);

CREATE TABLE artifacts (
    id           TEXT    PRIMARY KEY,
    execution_id TEXT    NOT NULL,
    span_id      TEXT,
    name         TEXT    NOT NULL,
    content_type TEXT    NOT NULL,
    size_bytes   INTEGER NOT NULL,
    content      BLOB    NOT NULL,
    created_at   TEXT    NOT NULL
);

CREATE INDEX artifacts_execution ON artifacts (execution_id);

CREATE TABLE audit_log (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    at           TEXT    NOT NULL,
    subject      TEXT    NOT NULL,
    action       TEXT    NOT NULL,
    execution_id TEXT,
    workspace_id TEXT
);

-- Counters SQLite has no sequences for.
CREATE TABLE counters (
    name  TEXT    PRIMARY KEY,
    value INTEGER NOT NULL
);

INSERT INTO counters (name, value) VALUES ('span_version', 0);
