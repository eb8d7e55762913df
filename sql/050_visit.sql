-- Welfare visits and referrals (探访关爱, issue 15): regional risk tiers with their frequency and
-- allowed methods, the target elders with their tier and responsible visitor (and its history),
-- visit tasks per period and on events, visit records with findings, needs and their referrals.
-- PostgreSQL's twin is sql/pg/050_visit.sql (identity keys, "C" collation on codes and dates).

INSERT INTO permissions(id, name) VALUES
    ('visit.read',   '查看探访计划、任务、记录和探访率'),
    ('visit.record', '登记探访记录、需求和事件探访任务'),
    ('visit.manage', '设置探访分级、指派探访人、生成任务、转介和办结');
INSERT INTO role_permissions(role_id, permission_id) VALUES
    ('civil_officer', 'visit.read'), ('civil_officer', 'visit.record'),
    ('civil_officer', 'visit.manage'),
    ('township_officer', 'visit.read'), ('township_officer', 'visit.record'),
    ('township_officer', 'visit.manage'),
    ('helper', 'visit.read'), ('helper', 'visit.record'),
    ('volunteer', 'visit.read'), ('volunteer', 'visit.record');

INSERT INTO settings(key, value) VALUES ('visit.position_max_m', '500');

-- RULE-VISIT-001..003: the tiers of a region.  The row of the longest region_code that is a prefix
-- of the elder's residence wins, per tier ('' is the national default of services.md).
CREATE TABLE visit_tiers (
    region_code TEXT NOT NULL,
    tier        TEXT NOT NULL CHECK (tier = 'high' OR tier = 'key' OR tier = 'general'),
    categories  TEXT NOT NULL,                 -- category ids (elder registry) and 'destitute'
    min_age     INTEGER NOT NULL DEFAULT 0,
    every       TEXT NOT NULL CHECK (every = 'week' OR every = 'month' OR every = 'quarter'),
    methods     TEXT NOT NULL,                 -- home, phone, video, remote
    event_hours INTEGER NOT NULL DEFAULT 72,   -- an event's visit is due within
    updated_by  INTEGER,
    updated_at  INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (region_code, tier)
);
INSERT INTO visit_tiers(region_code, tier, categories, min_age, every, methods, event_hours) VALUES
    ('', 'high', 'living_alone,empty_nest,left_behind', 80, 'week', 'home,phone,video,remote', 24),
    ('', 'key', 'disabled,severe_disability,destitute,fp_special', 0, 'month', 'home,phone,video', 72),
    ('', 'general', 'living_alone,empty_nest,left_behind,disabled,severe_disability,destitute,fp_special',
     0, 'quarter', 'home,phone,video,remote', 72);

-- One row per elder ever in a target group: the derived tier ('none' once out of it) and the
-- responsible visitor (a user; kind says in which capacity).
CREATE TABLE visit_targets (
    elder_id     INTEGER PRIMARY KEY REFERENCES elders(id),
    region_code  TEXT NOT NULL,
    tier         TEXT NOT NULL CHECK (tier = 'high' OR tier = 'key' OR tier = 'general'
                     OR tier = 'none'),
    reasons      TEXT NOT NULL DEFAULT '',     -- the categories that gave the tier
    every        TEXT,                         -- the tier's rule for this elder's region:
    methods      TEXT,                         --   frequency, allowed methods,
    event_hours  INTEGER,                      --   hours to visit after an event
    visitor_id   INTEGER REFERENCES users(id),
    visitor_kind TEXT CHECK (visitor_kind IS NULL OR visitor_kind = 'helper'
                     OR visitor_kind = 'cadre' OR visitor_kind = 'volunteer'
                     OR visitor_kind = 'provider'),
    assigned_at  INTEGER,
    updated_at   INTEGER NOT NULL
);
CREATE INDEX visit_targets_region ON visit_targets(region_code, tier);
CREATE INDEX visit_targets_visitor ON visit_targets(visitor_id);

-- RULE-VISIT-011: every assignment kept; the current one has no end.
CREATE TABLE visit_assignments (
    id           INTEGER PRIMARY KEY,
    elder_id     INTEGER NOT NULL REFERENCES elders(id),
    region_code  TEXT NOT NULL,
    visitor_id   INTEGER NOT NULL REFERENCES users(id),
    visitor_kind TEXT NOT NULL,
    from_at      INTEGER NOT NULL,
    to_at        INTEGER,
    assigned_by  INTEGER REFERENCES users(id),
    note         TEXT
);
CREATE INDEX visit_assignments_elder ON visit_assignments(elder_id, from_at);

CREATE TABLE visit_tasks (
    id          INTEGER PRIMARY KEY,
    elder_id    INTEGER NOT NULL REFERENCES elders(id),
    region_code TEXT NOT NULL,
    tier        TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind = 'routine' OR kind = 'event'),
    reason      TEXT NOT NULL,   -- routine: week, month, quarter; event: identified, discharge, alarm, unreachable
    dedupe      TEXT NOT NULL,   -- routine:<period>, event:<reason>:<reference>
    method      TEXT,            -- the method the task requires (home after an unanswered call), or any allowed
    note        TEXT,
    start_date  TEXT NOT NULL,
    due_date    TEXT NOT NULL,
    visitor_id  INTEGER REFERENCES users(id),
    status      TEXT NOT NULL DEFAULT 'open' CHECK (status = 'open' OR status = 'done'
                    OR status = 'cancelled'),
    visit_id    INTEGER,
    done_at     INTEGER,
    created_by  INTEGER,
    created_at  INTEGER NOT NULL,
    UNIQUE (elder_id, dedupe)
);
CREATE INDEX visit_tasks_visitor ON visit_tasks(visitor_id, status, due_date);
CREATE INDEX visit_tasks_open ON visit_tasks(status, region_code, due_date);

CREATE TABLE visit_records (
    id            INTEGER PRIMARY KEY,
    elder_id      INTEGER NOT NULL REFERENCES elders(id),
    region_code   TEXT NOT NULL,
    visitor_id    INTEGER NOT NULL REFERENCES users(id),
    method        TEXT NOT NULL CHECK (method = 'home' OR method = 'phone' OR method = 'video'
                      OR method = 'remote'),
    visited_at    INTEGER NOT NULL,
    visit_date    TEXT NOT NULL,               -- China date of visited_at (the monthly rate)
    reached       INTEGER NOT NULL DEFAULT 1,  -- 0: the elder was not reached (call unanswered)
    lat           REAL,
    lng           REAL,
    distance_m    INTEGER,
    position_flag TEXT,                        -- home visits: ok, far, no_position, no_elder_position
    findings      TEXT NOT NULL DEFAULT '{}',
    urgent        INTEGER NOT NULL DEFAULT 0,
    note          TEXT,
    created_at    INTEGER NOT NULL
);
CREATE INDEX visit_records_region ON visit_records(region_code, visit_date, elder_id);
CREATE INDEX visit_records_elder ON visit_records(elder_id, visited_at);

-- A need registered at a visit; referred, it has a target, a deadline and is tracked to closure.
CREATE TABLE visit_needs (
    id          INTEGER PRIMARY KEY,
    visit_id    INTEGER REFERENCES visit_records(id),
    elder_id    INTEGER NOT NULL REFERENCES elders(id),
    region_code TEXT NOT NULL,
    kind        TEXT NOT NULL,   -- care, health, living, safety, economic, mental, other
    need        TEXT NOT NULL,
    status      TEXT NOT NULL DEFAULT 'recorded' CHECK (status = 'recorded' OR status = 'referred'
                    OR status = 'closed'),
    target      TEXT CHECK (target IS NULL OR target = 'assessment' OR target = 'service_order'
                    OR target = 'bed' OR target = 'entitlement'),
    target_ref  TEXT,            -- assessment_request:<id>; the seams leave it empty
    deadline    TEXT,
    referred_at INTEGER,
    referred_by INTEGER,
    outcome     TEXT,
    closed_at   INTEGER,
    closed_by   INTEGER,
    created_by  INTEGER NOT NULL,
    created_at  INTEGER NOT NULL,
    version     INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX visit_needs_region ON visit_needs(region_code, status);
CREATE INDEX visit_needs_elder ON visit_needs(elder_id);
