-- Family care beds (issue 14): the home check records the elder's capability and needs
-- assessment (RULE-BED-083): the valid published one it found, or the immediate-assessment
-- request it opened when there was none.  PostgreSQL's twin is sql/pg/076_bed_assessment.sql.
ALTER TABLE beds ADD COLUMN assessment_id INTEGER;
ALTER TABLE beds ADD COLUMN assess_request_id INTEGER;
