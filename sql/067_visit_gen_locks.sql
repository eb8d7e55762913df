-- Welfare visits (issue 15): at most one task generation (routine or campaign) at a time for a
-- region and the regions inside or around it (RULE-VISIT-083).  A row is taken by the request
-- that submits the job and given back by the job when it ends; a row whose job has finished
-- (its server stopped) or that never got its job (after 2 minutes) is stale and taken over.
-- PostgreSQL's twin is sql/pg/067_visit_gen_locks.sql ("C" collation on the code).
CREATE TABLE visit_generation_locks (
    region_code TEXT PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind = 'routine' OR kind = 'campaign'),
    job_id      INTEGER,                -- NULL until the job is queued
    created_at  INTEGER NOT NULL
);
