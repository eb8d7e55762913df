-- migrate: foreign_keys off
-- A sixth import kind: results of the older MZ/T 039-2013 assessment from a department's file
-- (RULE-ASSESS-017).  The imports table is made again for its kind list (written as an OR
-- chain); a result is recorded once per elder, date and level, so re-importing changes nothing.

CREATE TABLE imports_new (
    id              INTEGER PRIMARY KEY,
    kind            TEXT NOT NULL CHECK (kind = 'hukou' OR kind = 'roll' OR kind = 'disability'
                        OR kind = 'death' OR kind = 'pension' OR kind = 'legacy_assessment'),
    filename        TEXT NOT NULL,
    file_sha256     TEXT NOT NULL,
    encoding        TEXT NOT NULL,
    stored_path     TEXT,               -- uploaded file kept for the commit step
    region_code     TEXT NOT NULL,      -- the uploader's region: rows outside it are refused
    user_id         INTEGER,
    username        TEXT,
    status          TEXT NOT NULL CHECK (status = 'validated' OR status = 'committed'),
    rows            INTEGER NOT NULL,
    accepted        INTEGER NOT NULL,
    rejected        INTEGER NOT NULL,
    unknown_columns TEXT NOT NULL DEFAULT '[]',
    summary         TEXT NOT NULL DEFAULT '{}',
    created_at      INTEGER NOT NULL,
    committed_at    INTEGER
);
INSERT INTO imports_new(id, kind, filename, file_sha256, encoding, stored_path, region_code,
    user_id, username, status, rows, accepted, rejected, unknown_columns, summary, created_at,
    committed_at)
SELECT id, kind, filename, file_sha256, encoding, stored_path, region_code, user_id, username,
    status, rows, accepted, rejected, unknown_columns, summary, created_at, committed_at
FROM imports;
DROP TABLE imports;
ALTER TABLE imports_new RENAME TO imports;

-- Results imported on the command line have no signed-in user: created_by may be empty.
CREATE TABLE legacy_assessments_new (
    id          INTEGER PRIMARY KEY,
    elder_id    INTEGER NOT NULL REFERENCES elders(id),
    region_code TEXT NOT NULL,
    scale       TEXT NOT NULL DEFAULT 'MZ/T 039-2013',
    level       INTEGER NOT NULL CHECK (level BETWEEN 0 AND 3),
    adl_score   INTEGER CHECK (adl_score BETWEEN 0 AND 100),
    assessed_on TEXT NOT NULL,
    reference   TEXT,
    created_by  INTEGER REFERENCES users(id),
    created_at  INTEGER NOT NULL
);
INSERT INTO legacy_assessments_new SELECT id, elder_id, region_code, scale, level, adl_score,
    assessed_on, reference, created_by, created_at FROM legacy_assessments;
DROP TABLE legacy_assessments;
ALTER TABLE legacy_assessments_new RENAME TO legacy_assessments;
CREATE INDEX legacy_assessments_elder ON legacy_assessments(elder_id, id);
CREATE UNIQUE INDEX legacy_assessments_once ON legacy_assessments(elder_id, assessed_on, level);
