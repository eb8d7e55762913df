-- Issue 14, second part: PostgreSQL's twin of sql/046_alarm_escalation.sql (BIGINT times and
-- ids, "C" collation on region codes, the step kinds changed with ALTER TABLE); permissions,
-- grants and settings are the same text.
INSERT INTO permissions(id, name) VALUES
    ('alarm.manage', '设置告警升级时限');
INSERT INTO role_permissions(role_id, permission_id) VALUES
    ('civil_officer', 'alarm.manage');
-- RULE-AUTH-009: role permissions changed.
UPDATE settings SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT)
 WHERE key = 'auth.roles_version';

-- RULE-ALARM-030: an open alarm not acknowledged within this many seconds is escalated.
INSERT INTO settings(key, value) VALUES ('alarm.escalate_seconds', '60') ON CONFLICT DO NOTHING;

-- RULE-ALARM-031: the escalation level reached (0 none, 1 township, 2 county) and when.
ALTER TABLE alarms ADD COLUMN escalation_level INTEGER NOT NULL DEFAULT 0;
ALTER TABLE alarms ADD COLUMN escalated_at BIGINT;
CREATE INDEX alarms_open ON alarms(status, raised_at);
CREATE INDEX alarms_raised ON alarms(raised_at, region_code);

-- RULE-ALARM-032, RULE-ALARM-055: new timeline steps (escalated, service_order, inactivity).
ALTER TABLE alarm_steps DROP CONSTRAINT alarm_steps_kind_check;
ALTER TABLE alarm_steps ADD CONSTRAINT alarm_steps_kind_check CHECK (kind IN
    ('device_message', 'stored', 'acknowledged', 'call', 'closed', 'escalated',
     'service_order', 'inactivity'));

-- RULE-ALARM-040: per-elder inactivity settings and the clock of the elder's last activity.
CREATE TABLE elder_inactivity (
    elder_id           BIGINT PRIMARY KEY REFERENCES elders(id),
    region_code        TEXT COLLATE "C" NOT NULL,
    hours              INTEGER NOT NULL CHECK (hours BETWEEN 1 AND 72),
    quiet_from_min     INTEGER NOT NULL CHECK (quiet_from_min BETWEEN 0 AND 1439),
    quiet_to_min       INTEGER NOT NULL CHECK (quiet_to_min BETWEEN 0 AND 1439),
    last_activity      BIGINT NOT NULL,     -- the last motion/door message, or when set
    activity_device_id BIGINT REFERENCES devices(id),
    alarmed_for        BIGINT,              -- RULE-ALARM-042: last_activity already alarmed
    updated_at         BIGINT NOT NULL,
    version            INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX elder_inactivity_region ON elder_inactivity(region_code);

-- RULE-ALARM-050: why a ticket closed (a fault closes itself when the device speaks again).
ALTER TABLE device_tickets ADD COLUMN closed_reason TEXT;
ALTER TABLE device_tickets ADD COLUMN closed_event_id BIGINT;
