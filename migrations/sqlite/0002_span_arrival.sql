-- How far span arrival has got for an execution (MAX(seq), a trace page's watermark) in one index probe instead of a
-- walk over all of the execution's spans, and its spans in arrival order for ordering a trace.
CREATE INDEX spans_arrival ON spans (execution_id, seq);
