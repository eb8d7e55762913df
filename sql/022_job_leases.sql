-- Jobs claimed by exactly one server (RULE-JOB-001..): the queue is the jobs table.
--   arg          the submitter's argument, hex of its bytes (any server can run the job)
--   origin       the server that queued it; server: the one that claimed it
--   lease_until  unix seconds; the claiming server renews it while the job runs, and any
--                live server fails a running job whose lease has passed (RULE-JOB-004)
--   phase, progress_done, progress_total: the progress last written with the lease, so
--                every server answers GET /api/v1/jobs/:id (the runner's own memory is fresher)
-- One text for both engines.
ALTER TABLE jobs ADD COLUMN arg TEXT;
ALTER TABLE jobs ADD COLUMN origin TEXT;
ALTER TABLE jobs ADD COLUMN server TEXT;
ALTER TABLE jobs ADD COLUMN lease_until BIGINT;
ALTER TABLE jobs ADD COLUMN started_at BIGINT;
ALTER TABLE jobs ADD COLUMN phase TEXT;
ALTER TABLE jobs ADD COLUMN progress_done BIGINT;
ALTER TABLE jobs ADD COLUMN progress_total BIGINT;
CREATE INDEX jobs_open ON jobs(status, id);
-- RULE-JOB-005: seconds a claimed job's lease lasts; renewed every third of it.
INSERT INTO settings(key, value) VALUES ('jobs.lease_seconds', '30') ON CONFLICT DO NOTHING;
