-- migrate: foreign_keys off
-- Welfare visits, second slice (issue 15): the history of each elder's tier (the rate of a past
-- month reads that month's target list); alarms without a device (a visitor's urgent finding), so
-- the alarms table is rebuilt by SQLite's documented procedure (foreign keys off, checked before
-- the commit) with device_id nullable; the visit keeps the alarm it raised.
-- PostgreSQL's twin is sql/pg/051_visit_more.sql (identity keys, "C" collation on codes and dates).

-- RULE-VISIT-063: one row per interval an elder spent in a tier and region; to_date (exclusive)
-- is NULL for the current one.  Elders already targets count from the start.
CREATE TABLE visit_target_history (
    id          INTEGER PRIMARY KEY,
    elder_id    INTEGER NOT NULL REFERENCES elders(id),
    region_code TEXT NOT NULL,
    tier        TEXT NOT NULL CHECK (tier = 'high' OR tier = 'key' OR tier = 'general'),
    from_date   TEXT NOT NULL,
    to_date     TEXT
);
CREATE INDEX visit_target_history_region ON visit_target_history(region_code, from_date);
CREATE INDEX visit_target_history_elder ON visit_target_history(elder_id, to_date);
INSERT INTO visit_target_history(elder_id, region_code, tier, from_date)
    SELECT elder_id, region_code, tier, '1970-01-01' FROM visit_targets WHERE tier <> 'none';

-- RULE-VISIT-065: an alarm a visitor raised has no device (device_id NULL).  Same columns, same
-- order, same data.
CREATE TABLE alarms_new (
    id               INTEGER PRIMARY KEY,
    region_code      TEXT NOT NULL,
    elder_id         INTEGER NOT NULL REFERENCES elders(id),
    device_id        INTEGER REFERENCES devices(id),   -- NULL: raised by a person (visit_urgent)
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
    version          INTEGER NOT NULL DEFAULT 1,
    escalation_level INTEGER NOT NULL DEFAULT 0,   -- 046: RULE-ALARM-031
    escalated_at     INTEGER
);
INSERT INTO alarms_new(id, region_code, elder_id, device_id, event_id, type, severity, status,
    raised_at, acked_at, acked_by, acked_by_name, closed_at, closed_by, outcome, closing_note,
    service_order_id, version, escalation_level, escalated_at)
SELECT id, region_code, elder_id, device_id, event_id, type, severity, status, raised_at,
    acked_at, acked_by, acked_by_name, closed_at, closed_by, outcome, closing_note,
    service_order_id, version, escalation_level, escalated_at FROM alarms;
DROP TABLE alarms;
ALTER TABLE alarms_new RENAME TO alarms;
CREATE INDEX alarms_region ON alarms(region_code, status);
CREATE INDEX alarms_open ON alarms(status, raised_at);       -- 046
CREATE INDEX alarms_raised ON alarms(raised_at, region_code); -- 046

ALTER TABLE visit_records ADD COLUMN alarm_id INTEGER;   -- RULE-VISIT-065: the alarm it raised

-- RULE-VISIT-070: campaign visits (extreme weather, festivals): a window, the tiers and regions
-- covered; its tasks are visit_tasks of kind 'event', reason 'campaign', dedupe 'campaign:<id>'.
CREATE TABLE visit_campaigns (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind = 'weather' OR kind = 'festival' OR kind = 'other'),
    region_code TEXT NOT NULL,      -- the organiser's region: who sees and manages it
    regions     TEXT NOT NULL,      -- comma list of the region codes covered
    tiers       TEXT NOT NULL,      -- comma list of the tiers covered (high, key, general)
    start_date  TEXT NOT NULL,
    end_date    TEXT NOT NULL,
    note        TEXT,
    tasks       INTEGER NOT NULL DEFAULT 0,   -- tasks opened by its generations
    created_by  INTEGER NOT NULL REFERENCES users(id),
    created_at  INTEGER NOT NULL
);
CREATE INDEX visit_campaigns_region ON visit_campaigns(region_code, start_date);
CREATE INDEX visit_tasks_dedupe ON visit_tasks(dedupe, status);

-- RULE-VISIT-066: the high tier's life-threatening condition, a fact a helper sets on an elder
-- (who and when; each change audited).  The registry has no facts table: the visit module keeps
-- it.  The national high tier names it (at any age).
CREATE TABLE visit_conditions (
    elder_id         INTEGER PRIMARY KEY REFERENCES elders(id),
    region_code      TEXT NOT NULL,
    life_threatening INTEGER NOT NULL DEFAULT 0,
    note             TEXT,
    set_by           INTEGER REFERENCES users(id),
    set_at           INTEGER NOT NULL
);
UPDATE visit_tiers SET categories = categories || ',life_threatening'
    WHERE region_code = '' AND tier = 'high';
