-- migrate: foreign_keys off
-- A seventh import kind: benefit rolls from other systems (issue 12, RULE-ENT-071..073).  The
-- imports table is made again for its kind list, as in 010 (SQLite cannot change a CHECK).

CREATE TABLE imports_new (
    id              INTEGER PRIMARY KEY,
    kind            TEXT NOT NULL CHECK (kind = 'hukou' OR kind = 'roll' OR kind = 'disability'
                        OR kind = 'death' OR kind = 'pension' OR kind = 'legacy_assessment'
                        OR kind = 'benefit'),
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
    committed_at    INTEGER,
    partial         INTEGER NOT NULL DEFAULT 0 CHECK (partial = 0 OR partial = 1),
    errors_omitted  INTEGER NOT NULL DEFAULT 0,
    error_reasons   TEXT NOT NULL DEFAULT '[]',
    sheet           TEXT,
    header_row      INTEGER NOT NULL DEFAULT 1,
    sheet_candidates TEXT NOT NULL DEFAULT '[]',
    blank_rows      INTEGER NOT NULL DEFAULT 0
);
INSERT INTO imports_new(id, kind, filename, file_sha256, encoding, stored_path, region_code,
    user_id, username, status, rows, accepted, rejected, unknown_columns, summary, created_at,
    committed_at, partial, errors_omitted, error_reasons, sheet, header_row, sheet_candidates,
    blank_rows)
SELECT id, kind, filename, file_sha256, encoding, stored_path, region_code, user_id, username,
    status, rows, accepted, rejected, unknown_columns, summary, created_at, committed_at, partial,
    errors_omitted, error_reasons, sheet, header_row, sheet_candidates, blank_rows
FROM imports;
DROP TABLE imports;
ALTER TABLE imports_new RENAME TO imports;

-- Benefit records from rolls are found by elder, item and start date (RULE-ENT-072).
CREATE INDEX entitle_benefits_roll ON entitle_benefits(elder_id, item_key, from_date);
