-- Home services, second slice (issue 13): recurring plans that generate orders ahead
-- (RULE-SVC-130..137), the caregiver's answer time before an order goes back to the board
-- (RULE-SVC-140..143), and the confirmation code stored sealed (RULE-SVC-150..151).
-- PostgreSQL's twin is sql/pg/044_service_flow.sql (identity key, BIGINT, "C" collation).

INSERT INTO settings(key, value) VALUES
    ('service.accept_minutes', '15'),  -- RULE-SVC-140: an assigned order not accepted by then returns
    ('service.plan_days', '7')         -- RULE-SVC-132: plans generate their orders this many days ahead
ON CONFLICT DO NOTHING;

-- A recurring plan (RULE-SVC-130): one elder, one item, weekly or monthly days, a start time.
CREATE TABLE svc_plans (
    id           INTEGER PRIMARY KEY,
    region_code  TEXT NOT NULL,                 -- the elder's (scope)
    elder_id     INTEGER NOT NULL REFERENCES elders(id),
    item_code    TEXT NOT NULL REFERENCES svc_items(code),
    pattern      TEXT NOT NULL CHECK (pattern IN ('weekly', 'monthly')),
    days         TEXT NOT NULL,                 -- weekly: ISO weekdays 1..7; monthly: 1..31; "2,5"
    start_min    INTEGER NOT NULL CHECK (start_min >= 0 AND start_min < 1440), -- China time
    from_date    TEXT NOT NULL,                 -- YYYY-MM-DD, first day
    to_date      TEXT,                          -- YYYY-MM-DD, last day; NULL: open
    note         TEXT NOT NULL DEFAULT '',
    status       TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'stopped')),
    stop_reason  TEXT NOT NULL DEFAULT '',
    generated_to TEXT,                          -- the last day orders were generated for
    created_by   TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    version      INTEGER NOT NULL DEFAULT 1,
    CHECK (to_date IS NULL OR from_date <= to_date)
);
CREATE INDEX svc_plans_region ON svc_plans(region_code, status);
CREATE INDEX svc_plans_elder ON svc_plans(elder_id);

-- RULE-SVC-133: one order per plan and day, whoever runs the generation and how often.
ALTER TABLE svc_orders ADD COLUMN plan_id INTEGER REFERENCES svc_plans(id);
ALTER TABLE svc_orders ADD COLUMN plan_date TEXT;
CREATE UNIQUE INDEX svc_orders_plan_day ON svc_orders(plan_id, plan_date);

-- RULE-SVC-150: the six-digit code sealed (core/crypto, like ID numbers); the plain column of
-- 042 is no longer written.
ALTER TABLE svc_orders ADD COLUMN confirm_code_enc TEXT;

-- RULE-SVC-152: the family's (and the elder's own) page; reached only through an active consent
-- with the services scope (elder_consents).
INSERT INTO permissions(id, name) VALUES
    ('service.family', '家属/老人：查看已授权老人的上门服务、确认码，评价与预约');
INSERT INTO role_permissions(role_id, permission_id) VALUES
    ('family', 'service.family'), ('elder', 'service.family');
-- RULE-AUTH-009: role permissions changed.
UPDATE settings SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT)
 WHERE key = 'auth.roles_version';

-- RULE-SVC-162..164: an order a statement held back because it would be paid twice (another
-- provider already has a line for the elder, item and time; or a family care bed's service
-- package covers it), with the code, on the statement that held it.
CREATE TABLE svc_settle_holds (
    settlement_id INTEGER NOT NULL REFERENCES svc_settlements(id),
    order_id      INTEGER NOT NULL REFERENCES svc_orders(id),
    code          TEXT NOT NULL CHECK (code IN ('paid_other_provider', 'bed_package')),
    detail        TEXT NOT NULL DEFAULT '',
    created_at    INTEGER NOT NULL,
    PRIMARY KEY (settlement_id, order_id)
);
