-- What each elder looked like at the last identification run, in a narrow table of its own: the
-- run compares with it in the same ordered scan as the records, and a first run over a large
-- registry writes these small rows instead of rewriting every record.
CREATE TABLE identify_state (
    elder_id INTEGER PRIMARY KEY REFERENCES elders(id),
    special  INTEGER NOT NULL,      -- in special difficulty at the last run
    cats     TEXT NOT NULL          -- category ids at the last run, sorted, comma-separated
);
INSERT INTO identify_state(elder_id, special, cats)
    SELECT id, special_flag, cat_snapshot FROM elders WHERE special_flag != 0 OR cat_snapshot != '';
ALTER TABLE elders DROP COLUMN special_flag;
ALTER TABLE elders DROP COLUMN cat_snapshot;
