-- Run history with its trace summary, and the spans of each run.
-- Timestamps are RFC 3339 UTC text with microseconds: they sort as text.

CREATE TABLE executions (
    seq            INTEGER PRIMARY KEY AUTOINCREMENT,
    id             TEXT    NOT NULL UNIQUE,
    workflow_id    TEXT    NOT NULL,
    status         TEXT    NOT NULL DEFAULT 'running',
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

CREATE TABLE spans (
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
    artifact_count INTEGER NOT NULL DEFAULT 0,
    -- The whole wire span as JSON; the columns above are what queries filter and sum on.
    payload        TEXT    NOT NULL,
    PRIMARY KEY (execution_id, span_id)
);
