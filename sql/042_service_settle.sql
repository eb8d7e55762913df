-- Home services (issue 13), second slice: confirmation, rating, complaints and the monthly
-- settlement.  PostgreSQL's twin is sql/pg/042_service_settle.sql (identity keys, BIGINT).
INSERT INTO permissions(id, name) VALUES
    ('service.settle', '生成、审核与导出服务机构月度结算');
INSERT INTO role_permissions(role_id, permission_id) VALUES
    ('civil_officer', 'service.settle');
-- RULE-AUTH-009: role permissions changed.
UPDATE settings SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT)
 WHERE key = 'auth.roles_version';

-- RULE-SVC-060..063: the confirmation code shown on the elder's/family's side, the wrong tries,
-- the rating and a complaint.
ALTER TABLE svc_orders ADD COLUMN confirm_code TEXT;
ALTER TABLE svc_orders ADD COLUMN confirm_tries INTEGER NOT NULL DEFAULT 0;
ALTER TABLE svc_orders ADD COLUMN confirmed_by TEXT;
ALTER TABLE svc_orders ADD COLUMN rating INTEGER;
ALTER TABLE svc_orders ADD COLUMN rating_comment TEXT NOT NULL DEFAULT '';
ALTER TABLE svc_orders ADD COLUMN complaint TEXT;

-- RULE-SVC-080..084: a provider's monthly statement; approving locks it.
CREATE TABLE svc_settlements (
    id            INTEGER PRIMARY KEY,
    provider_id   INTEGER NOT NULL REFERENCES svc_providers(id),
    region_code   TEXT NOT NULL,           -- the officer's scope that made it
    month         TEXT NOT NULL,              -- YYYY-MM (China time of the visit window)
    status        TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'approved')),
    orders        INTEGER NOT NULL,
    total_fen     INTEGER NOT NULL,
    entitled_fen  INTEGER NOT NULL,
    elder_fen     INTEGER NOT NULL,
    created_by    TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    approved_by   TEXT,
    approved_at   INTEGER,
    UNIQUE (provider_id, month),
    CHECK (entitled_fen + elder_fen = total_fen)
);

-- RULE-SVC-082: an order is on one statement line at most: never paid twice.
CREATE TABLE svc_settlement_lines (
    settlement_id INTEGER NOT NULL REFERENCES svc_settlements(id),
    order_id      INTEGER NOT NULL UNIQUE REFERENCES svc_orders(id),
    elder_id      INTEGER NOT NULL,
    visit_date    TEXT NOT NULL,
    total_fen     INTEGER NOT NULL,
    entitled_fen  INTEGER NOT NULL,
    elder_fen     INTEGER NOT NULL,
    PRIMARY KEY (settlement_id, order_id),
    CHECK (entitled_fen + elder_fen = total_fen)
);

-- RULE-SVC-073: the manual fix of a visit's exceptions, one per visit, with a reason and a
-- resolution from closed lists (src/service/service_logic.c).
CREATE TABLE svc_visit_fixes (
    order_id        INTEGER PRIMARY KEY REFERENCES svc_orders(id),
    exceptions      TEXT NOT NULL,            -- the exception ids fixed, comma-separated
    reason_code     TEXT NOT NULL,
    resolution_code TEXT NOT NULL,
    note            TEXT NOT NULL DEFAULT '',
    by_user         TEXT NOT NULL,
    at              INTEGER NOT NULL
);
