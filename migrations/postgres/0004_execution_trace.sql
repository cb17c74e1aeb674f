-- Runs by trace id: where a span link leads (`GET /api/executions?trace_id=`).
CREATE INDEX executions_trace ON executions (trace_id);
