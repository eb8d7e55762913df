-- Issue 14, third part: the alarm timers as a periodic job (RULE-ALARM-060..079).
-- One text for both engines.

-- RULE-ALARM-061: the lease of a periodic job kind that runs on one server at a time
-- (core/jobs.h: al_job_periodic_hold).  The holder renews it with each run; another server
-- takes it over once lease_until (unix seconds) has passed; a server that stops deletes its rows.
CREATE TABLE periodic_leases (
    kind        TEXT PRIMARY KEY,
    server      TEXT NOT NULL,
    lease_until BIGINT NOT NULL
);

-- RULE-ALARM-062..064: a county's inactivity thresholds (the county officer's settings page):
-- the hours without activity and the night quiet hours an elder's inactivity alarm takes when
-- set without its own values.  No row: 12 hours, 22:00–07:00.
CREATE TABLE inactivity_defaults (
    county         TEXT PRIMARY KEY,          -- 6-digit county code
    hours          INTEGER NOT NULL,
    quiet_from_min INTEGER NOT NULL,
    quiet_to_min   INTEGER NOT NULL,
    updated_at     BIGINT NOT NULL,
    version        INTEGER NOT NULL DEFAULT 1
);
-- RULE-ALARM-063: 1 when the elder's setting follows the county's thresholds (changed with them).
ALTER TABLE elder_inactivity ADD COLUMN follows_default INTEGER NOT NULL DEFAULT 0;

-- RULE-ALARM-065: the immediate capability assessment a fall alarm requested (assessment_requests,
-- source 'alarm'), at most one per alarm.
ALTER TABLE alarms ADD COLUMN assess_request_id BIGINT;

-- RULE-ALARM-067: the inactivity timer reads only the settings already due (the sweep's filter
-- `last_activity + hours * 3600 <= now`), not every elder's setting every second.
CREATE INDEX elder_inactivity_due ON elder_inactivity((last_activity + hours * 3600))
    WHERE activity_device_id IS NOT NULL;
