-- An execution is the span carrying its id plus that span's descendants (docs/architecture.md, "Executions"): spans
-- are looked up by trace to file each one under the execution of its nearest declaring ancestor, ancestors of an
-- execution's span are copied into it as context, and traces without any id are runs of their own that are listed
-- only when they hold workflow, node, LLM or tool spans.
ALTER TABLE spans ADD COLUMN context INTEGER NOT NULL DEFAULT 0;
CREATE INDEX spans_trace ON spans (trace_id, span_id);
CREATE INDEX spans_trace_parent ON spans (trace_id, parent_span_id);

ALTER TABLE executions ADD COLUMN listed INTEGER NOT NULL DEFAULT 1;
-- When the newest span of the run arrived (wall clock): a running run that hears nothing for a while is stalled.
ALTER TABLE executions ADD COLUMN last_span_at TEXT;
CREATE INDEX executions_listed ON executions (listed, seq);

-- Artifacts the spans of an execution name, counted once each however many spans name them.
CREATE TABLE artifact_refs (
    execution_id TEXT NOT NULL,
    span_id      TEXT NOT NULL,
    artifact_id  TEXT NOT NULL,
    PRIMARY KEY (execution_id, span_id, artifact_id)
);
