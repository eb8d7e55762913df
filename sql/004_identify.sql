-- Identification runs (精准识别, "服务找人") and their worklists.

INSERT INTO permissions(id, name) VALUES ('elder.identify', '运行精准识别、导出工作清单');
INSERT INTO role_permissions(role_id, permission_id) VALUES
    ('civil_officer', 'elder.identify'),
    ('township_officer', 'elder.identify');

ALTER TABLE elders ADD COLUMN special_flag INTEGER NOT NULL DEFAULT 0;
ALTER TABLE elders ADD COLUMN cat_snapshot TEXT NOT NULL DEFAULT '';

CREATE TABLE identify_runs (
    id          INTEGER PRIMARY KEY,
    at          INTEGER NOT NULL,
    user_id     INTEGER,
    username    TEXT,
    baseline    INTEGER NOT NULL,   -- first run: lists of changes are not produced
    scanned     INTEGER NOT NULL,
    recomputed  INTEGER NOT NULL,
    duration_ms INTEGER NOT NULL,
    counts      TEXT NOT NULL       -- JSON {list: n}
);

CREATE TABLE identify_items (
    run_id   INTEGER NOT NULL REFERENCES identify_runs(id),
    list     TEXT NOT NULL,
    elder_id INTEGER NOT NULL REFERENCES elders(id),
    detail   TEXT,
    PRIMARY KEY (run_id, list, elder_id)
) WITHOUT ROWID;

-- RULE-IDENT-004 looks people up by name, birth date and sex.
CREATE INDEX elders_person ON elders(name, birth_date, sex);
