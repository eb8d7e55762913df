-- Issue 14, second part: escalation of unanswered alarms, the per-elder inactivity alarm, fault
-- tickets that close themselves, and the urgent service order on the timeline
-- (RULE-ALARM-030..059).  PostgreSQL's twin is sql/pg/046_alarm_escalation.sql (BIGINT times,
-- the step kinds changed with ALTER TABLE instead of a rebuild); the rest is the same text.
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
ALTER TABLE alarms ADD COLUMN escalated_at INTEGER;
CREATE INDEX alarms_open ON alarms(status, raised_at);
CREATE INDEX alarms_raised ON alarms(raised_at, region_code);

-- RULE-ALARM-032, RULE-ALARM-055: new timeline steps (escalated, service_order).  SQLite cannot
-- change a CHECK: the table is rebuilt with its rows.
CREATE TABLE alarm_steps_046 (
    id        INTEGER PRIMARY KEY,
    alarm_id  INTEGER NOT NULL REFERENCES alarms(id),
    step_at   INTEGER NOT NULL,
    kind      TEXT NOT NULL CHECK (kind IN
                  ('device_message', 'stored', 'acknowledged', 'call', 'closed', 'escalated',
                   'service_order', 'inactivity')),
    who_id    INTEGER,
    who_name  TEXT,
    target    TEXT,                          -- call: family, helper, …; escalated: the role
    outcome   TEXT,                          -- call: reached, …; escalated: the level
    note      TEXT
);
INSERT INTO alarm_steps_046(id, alarm_id, step_at, kind, who_id, who_name, target, outcome, note)
    SELECT id, alarm_id, step_at, kind, who_id, who_name, target, outcome, note FROM alarm_steps;
DROP TABLE alarm_steps;
ALTER TABLE alarm_steps_046 RENAME TO alarm_steps;
CREATE INDEX alarm_steps_alarm ON alarm_steps(alarm_id, id);

-- RULE-ALARM-040: per-elder inactivity settings and the clock of the elder's last activity.
CREATE TABLE elder_inactivity (
    elder_id           INTEGER PRIMARY KEY REFERENCES elders(id),
    region_code        TEXT NOT NULL,
    hours              INTEGER NOT NULL CHECK (hours BETWEEN 1 AND 72),
    quiet_from_min     INTEGER NOT NULL CHECK (quiet_from_min BETWEEN 0 AND 1439),
    quiet_to_min       INTEGER NOT NULL CHECK (quiet_to_min BETWEEN 0 AND 1439),
    last_activity      INTEGER NOT NULL,    -- the last motion/door message, or when set
    activity_device_id INTEGER REFERENCES devices(id),
    alarmed_for        INTEGER,             -- RULE-ALARM-042: last_activity already alarmed
    updated_at         INTEGER NOT NULL,
    version            INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX elder_inactivity_region ON elder_inactivity(region_code);

-- RULE-ALARM-050: why a ticket closed (a fault closes itself when the device speaks again).
ALTER TABLE device_tickets ADD COLUMN closed_reason TEXT;
ALTER TABLE device_tickets ADD COLUMN closed_event_id INTEGER;
