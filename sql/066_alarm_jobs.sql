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
