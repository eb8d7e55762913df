-- Alarms (issue 14): when an alarm was first shown on an operator's console (RULE-ALARM-069).
-- The twin of sql/075_alarm_views.sql for PostgreSQL.
CREATE TABLE alarm_views (
    alarm_id   BIGINT PRIMARY KEY REFERENCES alarms(id),
    shown_at   BIGINT NOT NULL,
    shown_by   BIGINT,
    shown_name TEXT
);
