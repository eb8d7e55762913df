-- Bounds of an upload (RULE-UPLOAD-002): an import keeps the first rejected rows' reasons with
-- their lines; beyond that only counts per reason (column and reason, as JSON
-- [{"column","reason","count"}]) and how many reasons were not kept.
ALTER TABLE imports ADD COLUMN errors_omitted INTEGER NOT NULL DEFAULT 0;
ALTER TABLE imports ADD COLUMN error_reasons TEXT NOT NULL DEFAULT '[]';
