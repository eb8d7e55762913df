-- Alarms (issue 14): when an alarm was first shown on an operator's console (RULE-ALARM-069),
-- a step of its timeline between "stored" and "acknowledged".  One row per alarm: the first
-- console that showed it.  PostgreSQL's twin is sql/pg/075_alarm_views.sql.
CREATE TABLE alarm_views (
    alarm_id   INTEGER PRIMARY KEY REFERENCES alarms(id),
    shown_at   INTEGER NOT NULL,
    shown_by   INTEGER,
    shown_name TEXT
);
