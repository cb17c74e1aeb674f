-- Run history with its trace summary, the spans of each run, artifacts, and the audit trail of trace views.
-- The Postgres dialect of migrations/sqlite: same tables and columns; JSONB payloads, identities, a sequence.
-- Timestamps are RFC 3339 UTC text with microseconds (as in SQLite): they sort as text.

CREATE TABLE executions (
    seq            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id             TEXT    NOT NULL UNIQUE,
    workspace_id   TEXT    NOT NULL DEFAULT 'default',
    workflow_id    TEXT    NOT NULL,
    status         TEXT    NOT NULL DEFAULT 'running',
    thread_id      TEXT,
    trace_id       TEXT,
    root_span_id   TEXT,
    started_at     TEXT,
    finished_at    TEXT,
    span_count     BIGINT  NOT NULL DEFAULT 0,
    error_count    BIGINT  NOT NULL DEFAULT 0,
    input_tokens   BIGINT  NOT NULL DEFAULT 0,
    output_tokens  BIGINT  NOT NULL DEFAULT 0,
    artifact_count BIGINT  NOT NULL DEFAULT 0
);

CREATE INDEX executions_workflow ON executions (workflow_id, seq);
CREATE INDEX executions_workspace ON executions (workspace_id, seq);

CREATE TABLE spans (
    seq            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    execution_id   TEXT    NOT NULL,
    span_id        TEXT    NOT NULL,
    trace_id       TEXT    NOT NULL,
    parent_span_id TEXT,
    name           TEXT    NOT NULL,
    kind           TEXT    NOT NULL,
    status_code    TEXT    NOT NULL,
    start_time     TEXT    NOT NULL,
    end_time       TEXT,
    input_tokens   BIGINT  NOT NULL DEFAULT 0,
    output_tokens  BIGINT  NOT NULL DEFAULT 0,
    version        BIGINT  NOT NULL,
    payload        JSONB   NOT NULL,
    UNIQUE (execution_id, span_id)
);

CREATE INDEX spans_version ON spans (execution_id, version);
-- Attribute queries (e.g. payload @> '{"attributes": {"gen_ai.request.model": "…"}}').
CREATE INDEX spans_payload ON spans USING GIN (payload jsonb_path_ops);

CREATE SEQUENCE span_version;

CREATE TABLE artifacts (
    id           TEXT    PRIMARY KEY,
    execution_id TEXT    NOT NULL,
    span_id      TEXT,
    name         TEXT    NOT NULL,
    content_type TEXT    NOT NULL,
    size_bytes   BIGINT  NOT NULL,
    content      BYTEA   NOT NULL,
    created_at   TEXT    NOT NULL
);

CREATE INDEX artifacts_execution ON artifacts (execution_id);

CREATE TABLE audit_log (
    seq          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at           TEXT    NOT NULL,
    subject      TEXT    NOT NULL,
    action       TEXT    NOT NULL,
    execution_id TEXT,
    workspace_id TEXT
);
