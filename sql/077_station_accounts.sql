-- Home services (issue 13, RULE-SVC-207): a station's own account. A user bound to a station
-- sees and dispatches that station's orders and caregivers only; its provider is the station's.
ALTER TABLE users ADD COLUMN station_id INTEGER REFERENCES svc_stations(id);
