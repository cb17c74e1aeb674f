-- Runs by conversation thread: the runs a stitched timeline shows (`GET /api/executions?thread_id=`).
CREATE INDEX executions_thread ON executions (thread_id);
