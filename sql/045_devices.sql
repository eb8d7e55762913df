-- Issue 14: home devices, their messages and the alarms they raise (RULE-DEV-*, RULE-ALARM-*).
-- PostgreSQL's twin is sql/pg/045_devices.sql (identity keys, BIGINT times, "C" collation on
-- codes); the permissions and grants are the same text.
INSERT INTO permissions(id, name) VALUES
    ('device.read',  '查看智能设备'),
    ('device.write', '登记与维护智能设备'),
    ('alarm.read',   '查看紧急呼叫告警'),
    ('alarm.handle', '处置紧急呼叫告警（响应、联系、结案）');
INSERT INTO role_permissions(role_id, permission_id) VALUES
    ('civil_officer', 'device.read'), ('civil_officer', 'device.write'),
    ('civil_officer', 'alarm.read'), ('civil_officer', 'alarm.handle'),
    ('township_officer', 'device.read'), ('township_officer', 'device.write'),
    ('township_officer', 'alarm.read'), ('township_officer', 'alarm.handle'),
    ('helper', 'device.read'), ('helper', 'alarm.read'), ('helper', 'alarm.handle');
-- RULE-AUTH-009: role permissions changed.
UPDATE settings SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT)
 WHERE key = 'auth.roles_version';

-- RULE-DEV-001: one row per installed device; its MQTT user name is its serial.
CREATE TABLE devices (
    id           INTEGER PRIMARY KEY,
    region_code  TEXT NOT NULL,              -- the elder's residence when registered
    elder_id     INTEGER NOT NULL REFERENCES elders(id),
    bed_id       INTEGER,                    -- issue 14 (family care beds): set when beds land
    type         TEXT NOT NULL CHECK (type IN
                     ('sos', 'fall', 'door', 'motion', 'smoke', 'gas', 'water', 'bracelet')),
    model        TEXT NOT NULL,
    serial       TEXT NOT NULL UNIQUE,
    installed_on TEXT,                       -- YYYY-MM-DD
    warranty_end TEXT,                       -- YYYY-MM-DD
    heartbeat_s  INTEGER NOT NULL DEFAULT 300,
    mqtt_hash    TEXT NOT NULL,              -- mosquitto_passwd line's hash ($7$…), never the password
    status       TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'retired')),
    last_seen    INTEGER,
    battery      INTEGER,                    -- percent, from the device's last report
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    version      INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX devices_region ON devices(region_code);
CREATE INDEX devices_elder ON devices(elder_id);

-- RULE-DEV-010: every stored device message, once per (device, seq).
CREATE TABLE device_events (
    id          INTEGER PRIMARY KEY,
    device_id   INTEGER NOT NULL REFERENCES devices(id),
    seq         INTEGER NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('alarm', 'information', 'reset', 'heartbeat')),
    type        TEXT NOT NULL,
    device_ts   INTEGER NOT NULL,
    received_at INTEGER NOT NULL,
    data        TEXT NOT NULL DEFAULT '{}',
    UNIQUE (device_id, seq)
);

-- RULE-ALARM-001: an alarm raised by a device event (or a timer, event_id NULL).
CREATE TABLE alarms (
    id               INTEGER PRIMARY KEY,
    region_code      TEXT NOT NULL,
    elder_id         INTEGER NOT NULL REFERENCES elders(id),
    device_id        INTEGER NOT NULL REFERENCES devices(id),
    event_id         INTEGER UNIQUE REFERENCES device_events(id),
    type             TEXT NOT NULL,
    severity         INTEGER NOT NULL CHECK (severity BETWEEN 1 AND 3),
    status           TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'acknowledged', 'closed')),
    raised_at        INTEGER NOT NULL,
    acked_at         INTEGER,
    acked_by         INTEGER,
    acked_by_name    TEXT,
    closed_at        INTEGER,
    closed_by        INTEGER,
    outcome          TEXT CHECK (outcome IN
                         ('real_emergency', 'needed_help', 'false_alarm', 'test', 'no_answer_visited')),
    closing_note     TEXT,
    service_order_id INTEGER,                -- issue 14: the urgent order, through order.h when it lands
    version          INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX alarms_region ON alarms(region_code, status);

-- RULE-ALARM-020: the timeline of an alarm, in order.
CREATE TABLE alarm_steps (
    id        INTEGER PRIMARY KEY,
    alarm_id  INTEGER NOT NULL REFERENCES alarms(id),
    step_at   INTEGER NOT NULL,
    kind      TEXT NOT NULL CHECK (kind IN
                  ('device_message', 'stored', 'acknowledged', 'call', 'closed')),
    who_id    INTEGER,
    who_name  TEXT,
    target    TEXT,                          -- call: family, helper, provider, 120, 110
    outcome   TEXT,                          -- call: reached, no_answer, busy, on_the_way
    note      TEXT
);
CREATE INDEX alarm_steps_alarm ON alarm_steps(alarm_id, id);

-- RULE-ALARM-010/011: a device-fault or maintenance ticket, at most one open per device and kind.
CREATE TABLE device_tickets (
    id          INTEGER PRIMARY KEY,
    region_code TEXT NOT NULL,
    device_id   INTEGER NOT NULL REFERENCES devices(id),
    kind        TEXT NOT NULL CHECK (kind IN ('fault', 'maintenance')),
    reason      TEXT NOT NULL,
    status      TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
    opened_at   INTEGER NOT NULL,
    closed_at   INTEGER
);
CREATE UNIQUE INDEX device_tickets_open ON device_tickets(device_id, kind) WHERE status = 'open';
