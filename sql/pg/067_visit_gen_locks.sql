-- Welfare visits (issue 15): at most one task generation at a time for a region and the regions
-- inside or around it (RULE-VISIT-083).  The twin of sql/067_visit_gen_locks.sql for PostgreSQL.
CREATE TABLE visit_generation_locks (
    region_code TEXT COLLATE "C" PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind = 'routine' OR kind = 'campaign'),
    job_id      BIGINT,
    created_at  BIGINT NOT NULL
);
