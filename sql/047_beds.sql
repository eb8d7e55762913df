-- Issue 14: family care beds (家庭养老床位), RULE-BED-*.  PostgreSQL's twin is sql/pg/047_beds.sql
-- (identity keys, BIGINT times, "C" collation on region codes); permissions, grants and settings
-- are the same text.
INSERT INTO permissions(id, name) VALUES
    ('bed.read',   '查看家庭养老床位'),
    ('bed.write',  '办理家庭养老床位（申请、评估、协议、安装、服务、结束）'),
    ('bed.manage', '设置家庭养老床位必备设备与整改期限');
INSERT INTO role_permissions(role_id, permission_id) VALUES
    ('civil_officer', 'bed.read'), ('civil_officer', 'bed.write'), ('civil_officer', 'bed.manage'),
    ('township_officer', 'bed.read'), ('township_officer', 'bed.write'),
    ('helper', 'bed.read');
-- RULE-AUTH-009: role permissions changed.
UPDATE settings SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT)
 WHERE key = 'auth.roles_version';

-- RULE-BED-020: the required devices of a bed in service and the rectification period in days.
INSERT INTO settings(key, value) VALUES
    ('bed.required_devices', 'network,sos,activity'),
    ('bed.rectify_days', '30') ON CONFLICT DO NOTHING;

-- RULE-BED-001: one family care bed per application; its state follows the lifecycle table.
CREATE TABLE beds (
    id               INTEGER PRIMARY KEY,
    region_code      TEXT NOT NULL,              -- the elder's residence when applied
    elder_id         INTEGER NOT NULL REFERENCES elders(id),
    status           TEXT NOT NULL DEFAULT 'application' CHECK (status IN
                         ('application', 'eligibility', 'home_check', 'care_plan', 'agreement',
                          'installation', 'in_service', 'review', 'closed')),
    applicant        TEXT NOT NULL CHECK (applicant IN ('elder', 'family', 'helper')),
    applicant_name   TEXT,
    applied_on       TEXT NOT NULL,
    eligible         INTEGER,                    -- 1 / 0 once decided
    eligibility_note TEXT,
    home_check       TEXT,                       -- JSON: rooms → {hazards[], adapt[]}
    care_plan        TEXT,                       -- JSON: {goals[], services[{name, frequency}], devices[]}
    provider         TEXT,
    agreement_start  TEXT,
    agreement_end    TEXT,
    installed_on     TEXT,
    network          INTEGER,                    -- 1 when the home has a working network (RULE-BED-021)
    install_note     TEXT,
    started_on       TEXT,
    reviewed_on      TEXT,
    review_note      TEXT,
    close_reason     TEXT,
    close_note       TEXT,
    closed_on        TEXT,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    version          INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX beds_region ON beds(region_code, status);
CREATE INDEX beds_elder ON beds(elder_id);

-- RULE-BED-022: a rectification task for a bed in service missing a required device.
CREATE TABLE bed_rectifications (
    id          INTEGER PRIMARY KEY,
    bed_id      INTEGER NOT NULL REFERENCES beds(id),
    region_code TEXT NOT NULL,
    missing     TEXT NOT NULL,                   -- comma list of setting items
    due_on      TEXT NOT NULL,                   -- YYYY-MM-DD
    status      TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'fixed', 'to_home_services')),
    opened_at   INTEGER NOT NULL,
    resolved_at INTEGER,
    resolved_by TEXT,
    note        TEXT
);
CREATE UNIQUE INDEX bed_rect_open ON bed_rectifications(bed_id) WHERE status = 'open';
CREATE INDEX bed_rect_due ON bed_rectifications(region_code, due_on) WHERE status = 'open';
