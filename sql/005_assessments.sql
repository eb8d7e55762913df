-- Capability assessments (GB/T 42195-2022): drafts with their computed results.
-- The workflow (submit, review, publish, dispute), signatures and qualifications follow.

INSERT INTO permissions(id, name) VALUES
    ('assess.create', '填写能力评估'),
    ('assess.read',   '查看能力评估（含各项得分）');
INSERT INTO role_permissions(role_id, permission_id) VALUES
    ('assessor', 'assess.create'), ('assessor', 'assess.read'),
    ('civil_officer', 'assess.read'), ('township_officer', 'assess.read'),
    ('helper', 'assess.read');

INSERT INTO settings(key, value) VALUES
    ('assess.coma_level', '4'),
    ('assess.adjust_stack', '0'),
    ('assess.validity_months', '12'),
    ('assess.assessors_required', '2');

CREATE TABLE assessments (
    id                INTEGER PRIMARY KEY,
    elder_id          INTEGER NOT NULL REFERENCES elders(id),
    region_code       TEXT NOT NULL,      -- the elder's, for scope
    scale             TEXT NOT NULL DEFAULT 'GB/T 42195-2022',
    reason            TEXT NOT NULL CHECK (reason IN ('first', 'routine', 'immediate', 'reassessment', 'other')),
    status            TEXT NOT NULL DEFAULT 'draft'
                      CHECK (status IN ('draft', 'submitted', 'reviewed', 'published', 'disputed')),
    items             TEXT,               -- JSON array of the 26 scores (NULL in a coma)
    coma              INTEGER NOT NULL DEFAULT 0,
    diagnoses         TEXT NOT NULL DEFAULT '[]',
    risk_events       TEXT NOT NULL DEFAULT '{}',
    total             INTEGER,
    domain_scores     TEXT,
    preliminary_level INTEGER NOT NULL CHECK (preliminary_level BETWEEN 0 AND 4),
    final_level       INTEGER NOT NULL CHECK (final_level BETWEEN 0 AND 4),
    rules             TEXT NOT NULL,      -- JSON array of the rule ids applied
    created_by        INTEGER NOT NULL REFERENCES users(id),
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL,
    version           INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX assessments_elder ON assessments(elder_id, id);
CREATE INDEX assessments_region ON assessments(region_code, id);
