-- Family care beds (issue 14): the home check records the elder's assessment (RULE-BED-083).
-- The twin of sql/076_bed_assessment.sql for PostgreSQL.
ALTER TABLE beds ADD COLUMN assessment_id BIGINT;
ALTER TABLE beds ADD COLUMN assess_request_id BIGINT;
