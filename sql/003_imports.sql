-- Imports of other departments' data: each run, its rejected rows, and the
-- facts they bring to the registry.

INSERT INTO permissions(id, name) VALUES ('elder.import', '导入部门数据');
INSERT INTO role_permissions(role_id, permission_id) VALUES
    ('civil_officer', 'elder.import'),
    ('township_officer', 'elder.import');

CREATE TABLE imports (
    id              INTEGER PRIMARY KEY,
    kind            TEXT NOT NULL CHECK (kind IN ('hukou', 'roll', 'disability', 'death', 'pension')),
    filename        TEXT NOT NULL,
    file_sha256     TEXT NOT NULL,
    encoding        TEXT NOT NULL,
    stored_path     TEXT,               -- uploaded file kept for the commit step
    region_code     TEXT NOT NULL,      -- the uploader's region: rows outside it are refused
    user_id         INTEGER,
    username        TEXT,
    status          TEXT NOT NULL CHECK (status IN ('validated', 'committed')),
    rows            INTEGER NOT NULL,
    accepted        INTEGER NOT NULL,
    rejected        INTEGER NOT NULL,
    unknown_columns TEXT NOT NULL DEFAULT '[]',
    summary         TEXT NOT NULL DEFAULT '{}',
    created_at      INTEGER NOT NULL,
    committed_at    INTEGER
);

CREATE TABLE import_errors (
    import_id INTEGER NOT NULL REFERENCES imports(id),
    line      INTEGER NOT NULL,
    col       TEXT NOT NULL,
    reason    TEXT NOT NULL
);
CREATE INDEX import_errors_import ON import_errors(import_id, line);

ALTER TABLE elders ADD COLUMN household_no TEXT;
ALTER TABLE elders ADD COLUMN household_size INTEGER;
ALTER TABLE elders ADD COLUMN pension_type TEXT;
ALTER TABLE elders ADD COLUMN pension_amount_fen INTEGER;
ALTER TABLE elders ADD COLUMN last_hukou_import INTEGER;

-- Background jobs (imports, identification runs): final state; progress lives in memory.
CREATE TABLE jobs (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL,
    user_id     INTEGER,
    status      TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed')),
    result      TEXT,
    error       TEXT,
    created_at  INTEGER NOT NULL,
    finished_at INTEGER
);
