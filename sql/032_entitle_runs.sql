-- Entitlement runs (issue 12, RULE-ENT-060..): every elder of a region evaluated against the
-- effective list of their county on a date.  PostgreSQL's twin is sql/pg/032_entitle_runs.sql
-- (identity keys, BIGINT times, "C" collation on codes).
--
--   entitle_runs       one row per run: region, date, counts, who, status.
--   entitle_run_lists  per run and county list: the items evaluated, in bit order, with their
--                      rule version (what the run's bits and changes mean).
--   entitle_state      each elder's entitled set as of the latest run that covered them: a bitset
--                      in hex over the items of the run that wrote it (entitle_run_lists),
--                      rewritten only when the set changed (RULE-ENT-061).
--   entitle_diffs      every change of an elder's set since the run before (newly entitled or no
--                      longer entitled): the item, its rule version and text, and the deciding
--                      inputs in Chinese sentences (RULE-ENT-062); kept for good.
--   entitle_work       the worklists of a run, one row per elder on any of them, each list a
--                      bitset in hex over the run's items for the elder's county, or NULL
--                      (RULE-ENT-064).  SQLite keeps it WITHOUT ROWID: one b-tree.

INSERT INTO permissions(id, name) VALUES
    ('entitle.run', '运行享受资格认定（全辖区老人对照清单）');
INSERT INTO role_permissions(role_id, permission_id) VALUES
    ('civil_officer', 'entitle.run'), ('township_officer', 'entitle.run');
-- RULE-AUTH-009: role permissions changed.
UPDATE settings SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT)
 WHERE key = 'auth.roles_version';

CREATE TABLE entitle_runs (
    id          INTEGER PRIMARY KEY,
    region_code TEXT NOT NULL,
    on_date     TEXT NOT NULL,
    status      TEXT NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'done', 'failed')),
    baseline    INTEGER NOT NULL DEFAULT 0,
    elders      INTEGER NOT NULL DEFAULT 0,
    evaluations INTEGER NOT NULL DEFAULT 0,
    gained      INTEGER NOT NULL DEFAULT 0,
    lost        INTEGER NOT NULL DEFAULT 0,
    todo        INTEGER NOT NULL DEFAULT 0,
    review      INTEGER NOT NULL DEFAULT 0,
    dup         INTEGER NOT NULL DEFAULT 0,
    skipped     TEXT NOT NULL DEFAULT '[]',
    duration_ms INTEGER NOT NULL DEFAULT 0,
    created_by  TEXT NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE INDEX entitle_runs_region ON entitle_runs(region_code, id);

CREATE TABLE entitle_run_lists (
    run_id      INTEGER NOT NULL REFERENCES entitle_runs(id),
    list_region TEXT NOT NULL,
    items       TEXT NOT NULL,
    PRIMARY KEY (run_id, list_region)
);

CREATE TABLE entitle_state (
    elder_id    INTEGER PRIMARY KEY,
    region_code TEXT NOT NULL,
    list_region TEXT NOT NULL,
    entitled    TEXT NOT NULL,
    run_id      INTEGER NOT NULL
);

CREATE TABLE entitle_diffs (
    id           INTEGER PRIMARY KEY,
    run_id       INTEGER NOT NULL REFERENCES entitle_runs(id),
    elder_id     INTEGER NOT NULL,
    region_code  TEXT NOT NULL,
    item_key     TEXT NOT NULL,
    gained       INTEGER NOT NULL,
    rule_version INTEGER NOT NULL,
    rule_text    TEXT NOT NULL,
    inputs       TEXT NOT NULL
);
CREATE INDEX entitle_diffs_elder ON entitle_diffs(elder_id, run_id);
CREATE INDEX entitle_diffs_run ON entitle_diffs(run_id, region_code);

CREATE TABLE entitle_work (
    run_id      INTEGER NOT NULL,
    elder_id    INTEGER NOT NULL,
    region_code TEXT NOT NULL,
    todo        TEXT,
    review      TEXT,
    dup         TEXT,
    gained      TEXT,
    lost        TEXT,
    PRIMARY KEY (run_id, region_code, elder_id)
) WITHOUT ROWID;
