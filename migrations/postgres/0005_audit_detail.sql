-- What an audited action was about beyond its execution: why a sender's spans were refused, say.
ALTER TABLE audit_log ADD COLUMN detail TEXT;
