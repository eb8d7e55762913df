-- migrate: foreign_keys off
-- Home services (issue 13), the verification and settlement points finished last.
-- PostgreSQL's twin is sql/pg/071_service_evv_settle.sql.
--
-- 1. RULE-SVC-192: a completed visit not confirmed within service.confirm_hours is flagged.
-- 2. RULE-SVC-194..196: the reason and resolution codes of a manual fix are a table (settings),
--    seeded with the codes of before; `payable` 0 marks a resolution that is never paid.
-- 3. RULE-SVC-203: the permission service.config (the EVV settings and the code tables), the
--    civil officers' only: provider accounts hold service.manage for their own records.
-- 4. RULE-SVC-197..199: adjusting lines after approval.  SQLite cannot change a table's keys in
--    place, so svc_settlement_lines is rebuilt by the documented procedure (same rows, new
--    columns): an order is paid at most once (reversal 0) and reversed at most once (reversal 1).
-- 5. RULE-SVC-201: the settled draws of entitlements (entitle_usage), the entitlement module's.

INSERT INTO settings(key, value) VALUES
    ('service.confirm_hours', '48')
ON CONFLICT DO NOTHING;

CREATE TABLE svc_fix_codes (
    kind        TEXT NOT NULL CHECK (kind IN ('reason', 'resolution')),
    code        TEXT NOT NULL,
    name        TEXT NOT NULL,
    payable     INTEGER NOT NULL DEFAULT 1 CHECK (payable IN (0, 1)),
    active      INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    sort        INTEGER NOT NULL DEFAULT 0,
    created_by  TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (kind, code)
);
INSERT INTO svc_fix_codes(kind, code, name, payable, sort, created_by, created_at) VALUES
    ('reason', 'gps_drift', '定位漂移', 1, 1, 'migration', 0),
    ('reason', 'no_signal', '无网络信号', 1, 2, 'migration', 0),
    ('reason', 'device_fault', '设备故障', 1, 3, 'migration', 0),
    ('reason', 'forgot', '护理员漏签到或签出', 1, 4, 'migration', 0),
    ('reason', 'elder_request', '老人要求调整服务时长', 1, 5, 'migration', 0),
    ('reason', 'other', '其他', 1, 6, 'migration', 0),
    ('resolution', 'phone_verified', '电话回访核实', 1, 1, 'migration', 0),
    ('resolution', 'visit_verified', '上门核实', 1, 2, 'migration', 0),
    ('resolution', 'time_corrected', '按实际时间更正', 1, 3, 'migration', 0),
    ('resolution', 'not_payable', '核实未服务，不予结算', 0, 4, 'migration', 0);

INSERT INTO permissions(id, name) VALUES
    ('service.config', '修改上门核验设置与异常处理代码表');
INSERT INTO role_permissions(role_id, permission_id) VALUES
    ('civil_officer', 'service.config');
-- RULE-AUTH-009: role permissions changed.
UPDATE settings SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT)
 WHERE key = 'auth.roles_version';

CREATE TABLE svc_settlement_lines_new (
    settlement_id INTEGER NOT NULL REFERENCES svc_settlements(id),
    order_id      INTEGER NOT NULL REFERENCES svc_orders(id),
    elder_id      INTEGER NOT NULL,
    visit_date    TEXT NOT NULL,
    total_fen     INTEGER NOT NULL,
    entitled_fen  INTEGER NOT NULL,
    elder_fen     INTEGER NOT NULL,
    adjusting     INTEGER NOT NULL DEFAULT 0 CHECK (adjusting IN (0, 1)),
    reversal      INTEGER NOT NULL DEFAULT 0 CHECK (reversal IN (0, 1)),
    reason        TEXT NOT NULL DEFAULT '',
    added_by      TEXT,
    added_at      INTEGER,
    batch         INTEGER NOT NULL DEFAULT 0, -- 0: the statement's own; n: its n-th adjustment
    PRIMARY KEY (settlement_id, order_id, reversal),
    UNIQUE (order_id, reversal),
    CHECK (entitled_fen + elder_fen = total_fen),
    CHECK (reversal = 0 OR adjusting = 1),
    CHECK ((adjusting = 0) = (batch = 0)),
    CHECK ((reversal = 0 AND entitled_fen >= 0 AND elder_fen >= 0)
        OR (reversal = 1 AND entitled_fen <= 0 AND elder_fen <= 0))
);
INSERT INTO svc_settlement_lines_new(settlement_id, order_id, elder_id, visit_date, total_fen,
    entitled_fen, elder_fen)
SELECT settlement_id, order_id, elder_id, visit_date, total_fen, entitled_fen, elder_fen
  FROM svc_settlement_lines;
DROP TABLE svc_settlement_lines;
ALTER TABLE svc_settlement_lines_new RENAME TO svc_settlement_lines;

-- RULE-SVC-199: what the adjusting lines add to an approved statement (its own totals stay).
ALTER TABLE svc_settlements ADD COLUMN adjustments INTEGER NOT NULL DEFAULT 0;
ALTER TABLE svc_settlements ADD COLUMN adjust_total_fen INTEGER NOT NULL DEFAULT 0;
ALTER TABLE svc_settlements ADD COLUMN adjust_entitled_fen INTEGER NOT NULL DEFAULT 0;
ALTER TABLE svc_settlements ADD COLUMN adjust_elder_fen INTEGER NOT NULL DEFAULT 0;

-- RULE-SVC-204: the month's candidates of a provider by station and window.
CREATE INDEX svc_orders_station ON svc_orders(station_id, window_start);

-- RULE-SVC-201: what a settled visit drew from an entitlement (an amount, or one visit of a
-- frequency item); a reversal draws it back (negative).  One row per order, item and sign.
CREATE TABLE entitle_usage (
    id            INTEGER PRIMARY KEY,
    elder_id      INTEGER NOT NULL REFERENCES elders(id),
    region_code   TEXT NOT NULL,
    item_key      TEXT NOT NULL,
    month         TEXT NOT NULL,              -- YYYY-MM of the visit (China time)
    used_on       TEXT NOT NULL,              -- YYYY-MM-DD
    amount_fen    INTEGER NOT NULL,
    times         INTEGER NOT NULL,
    source        TEXT NOT NULL,              -- 'service' (a home-service visit)
    ref_id        INTEGER NOT NULL,           -- the order
    reversal      INTEGER NOT NULL DEFAULT 0 CHECK (reversal IN (0, 1)),
    settlement_id INTEGER,
    created_by    TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    UNIQUE (source, ref_id, item_key, reversal)
);
CREATE INDEX entitle_usage_elder ON entitle_usage(elder_id, item_key, month);
