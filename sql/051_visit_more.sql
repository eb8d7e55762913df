-- Welfare visits, second slice (issue 15): the history of each elder's tier (the rate of a past
-- month reads that month's target list).
-- PostgreSQL's twin is sql/pg/051_visit_more.sql (identity keys, "C" collation on codes and dates).

-- RULE-VISIT-063: one row per interval an elder spent in a tier and region; to_date (exclusive)
-- is NULL for the current one.  Elders already targets count from the start.
CREATE TABLE visit_target_history (
    id          INTEGER PRIMARY KEY,
    elder_id    INTEGER NOT NULL REFERENCES elders(id),
    region_code TEXT NOT NULL,
    tier        TEXT NOT NULL CHECK (tier = 'high' OR tier = 'key' OR tier = 'general'),
    from_date   TEXT NOT NULL,
    to_date     TEXT
);
CREATE INDEX visit_target_history_region ON visit_target_history(region_code, from_date);
CREATE INDEX visit_target_history_elder ON visit_target_history(elder_id, to_date);
INSERT INTO visit_target_history(elder_id, region_code, tier, from_date)
    SELECT elder_id, region_code, tier, '1970-01-01' FROM visit_targets WHERE tier <> 'none';
