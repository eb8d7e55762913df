-- Home services (issue 13, RULE-SVC-207): a station's own account.
-- The twin of sql/077_station_accounts.sql for PostgreSQL.
ALTER TABLE users ADD COLUMN station_id BIGINT REFERENCES svc_stations(id);
