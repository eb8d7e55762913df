-- The assessment workflow (issue 4): form context, needs, two signing assessors with their
-- qualifications, draft → submitted → reviewed → published, disputes and re-assessments,
-- validity and due lists, immediate-assessment requests, legacy MZ/T 039-2013 results.

INSERT INTO permissions(id, name) VALUES
    ('assess.read_level',    '查看能力等级（不含各项得分）'),
    ('assess.review',        '审核、发布能力评估，登记异议'),
    ('assess.qualify',       '登记评估员资格'),
    ('assess.import_legacy', '录入旧标准（MZ/T 039-2013）评估结果');
INSERT INTO role_permissions(role_id, permission_id) VALUES
    ('assessor', 'assess.read_level'),
    ('civil_officer', 'assess.read_level'), ('civil_officer', 'assess.review'),
    ('civil_officer', 'assess.qualify'), ('civil_officer', 'assess.import_legacy'),
    ('township_officer', 'assess.read_level'), ('township_officer', 'assess.review'),
    ('helper', 'assess.read_level'),
    ('provider_admin', 'assess.read_level'),
    ('caregiver', 'assess.read_level');

-- The status list gains 'superseded' and the levels may be unknown in a draft saved half-way:
-- the table is made again (no other table refers to it yet).  Enumerations as OR chains: an IN
-- list makes SQLite build a temporary table on every write.
CREATE TABLE assessments_new (
    id                INTEGER PRIMARY KEY,
    elder_id          INTEGER NOT NULL REFERENCES elders(id),
    region_code       TEXT NOT NULL,      -- the elder's, for scope
    scale             TEXT NOT NULL DEFAULT 'GB/T 42195-2022',
    reason            TEXT NOT NULL CHECK (reason = 'first' OR reason = 'routine'
                          OR reason = 'immediate' OR reason = 'reassessment' OR reason = 'other'),
    status            TEXT NOT NULL DEFAULT 'draft' CHECK (status = 'draft' OR status = 'submitted'
                          OR status = 'reviewed' OR status = 'published' OR status = 'disputed'
                          OR status = 'superseded'),
    items             TEXT,               -- JSON array of the 26 scores (null: not answered yet)
    coma              INTEGER NOT NULL DEFAULT 0,
    diagnoses         TEXT NOT NULL DEFAULT '[]',
    risk_events       TEXT NOT NULL DEFAULT '{}',
    health            TEXT NOT NULL DEFAULT '{}',
    needs             TEXT NOT NULL DEFAULT '{}',
    organisation      TEXT,
    place             TEXT,
    assessed_on       TEXT,               -- YYYY-MM-DD
    total             INTEGER,
    domain_scores     TEXT,
    preliminary_level INTEGER CHECK (preliminary_level BETWEEN 0 AND 4),
    final_level       INTEGER CHECK (final_level BETWEEN 0 AND 4),
    rules             TEXT NOT NULL DEFAULT '[]',
    request_id        INTEGER,
    supersedes_id     INTEGER,            -- the disputed assessment this one re-assesses
    disputed_reason   TEXT,
    review_note       TEXT,
    published_at      INTEGER,
    valid_until       TEXT,               -- YYYY-MM-DD, set when published
    created_by        INTEGER NOT NULL REFERENCES users(id),
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL,
    version           INTEGER NOT NULL DEFAULT 1
);
INSERT INTO assessments_new(id, elder_id, region_code, scale, reason, status, items, coma,
    diagnoses, risk_events, total, domain_scores, preliminary_level, final_level, rules,
    assessed_on, created_by, created_at, updated_at, version)
SELECT id, elder_id, region_code, scale, reason, status, items, coma, diagnoses, risk_events,
    total, domain_scores, preliminary_level, final_level, rules,
    date(created_at, 'unixepoch', '+8 hours'), created_by, created_at, updated_at, version
FROM assessments;
DROP TABLE assessments;
ALTER TABLE assessments_new RENAME TO assessments;
CREATE INDEX assessments_elder ON assessments(elder_id, id);
CREATE INDEX assessments_region ON assessments(region_code, id);
CREATE INDEX assessments_due ON assessments(status, valid_until);

-- Who signed (the assessors), with the certificate they held when they signed.
CREATE TABLE assessment_signatures (
    assessment_id  INTEGER NOT NULL REFERENCES assessments(id),
    user_id        INTEGER NOT NULL REFERENCES users(id),
    certificate_no TEXT NOT NULL,
    signed_at      INTEGER NOT NULL,
    PRIMARY KEY (assessment_id, user_id)
) WITHOUT ROWID;

-- Every step of an assessment's life (the history shown on its page).
CREATE TABLE assessment_events (
    id            INTEGER PRIMARY KEY,
    assessment_id INTEGER NOT NULL REFERENCES assessments(id),
    action        TEXT NOT NULL,   -- create, save, sign, submit, approve, return, publish, dispute, supersede
    user_id       INTEGER,
    username      TEXT,
    at            INTEGER NOT NULL,
    note          TEXT
);
CREATE INDEX assessment_events_assessment ON assessment_events(assessment_id, id);

-- An assessor's qualification: without a valid one on the day, nobody signs.
CREATE TABLE assessor_qualifications (
    user_id        INTEGER PRIMARY KEY REFERENCES users(id),
    certificate_no TEXT NOT NULL,
    organisation   TEXT,
    expires_on     TEXT NOT NULL,  -- YYYY-MM-DD, valid through that day
    updated_by     INTEGER REFERENCES users(id),
    updated_at     INTEGER NOT NULL
);

-- Requests for an assessment now: a condition change (an alarm, a visit) or a dispute.
CREATE TABLE assessment_requests (
    id            INTEGER PRIMARY KEY,
    elder_id      INTEGER NOT NULL REFERENCES elders(id),
    region_code   TEXT NOT NULL,
    reason        TEXT NOT NULL CHECK (reason = 'immediate' OR reason = 'reassessment'),
    source        TEXT NOT NULL,   -- officer, dispute, alarm, visit
    note          TEXT,
    disputed_id   INTEGER REFERENCES assessments(id),
    status        TEXT NOT NULL DEFAULT 'open' CHECK (status = 'open' OR status = 'done'),
    created_by    INTEGER REFERENCES users(id),
    created_at    INTEGER NOT NULL,
    done_by_assessment INTEGER REFERENCES assessments(id),
    done_at       INTEGER
);
CREATE INDEX assessment_requests_open ON assessment_requests(status, region_code);
CREATE INDEX assessment_requests_elder ON assessment_requests(elder_id);

-- Results under the older standard, kept on their own 4-level scale and never converted.
CREATE TABLE legacy_assessments (
    id          INTEGER PRIMARY KEY,
    elder_id    INTEGER NOT NULL REFERENCES elders(id),
    region_code TEXT NOT NULL,
    scale       TEXT NOT NULL DEFAULT 'MZ/T 039-2013',
    level       INTEGER NOT NULL CHECK (level BETWEEN 0 AND 3),
    adl_score   INTEGER CHECK (adl_score BETWEEN 0 AND 100),
    assessed_on TEXT NOT NULL,
    reference   TEXT,
    created_by  INTEGER NOT NULL REFERENCES users(id),
    created_at  INTEGER NOT NULL
);
CREATE INDEX legacy_assessments_elder ON legacy_assessments(elder_id, id);
