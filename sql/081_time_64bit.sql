-- RULE-DB-144: every time column holds 64 bits (sql/pg/081_time_64bit.sql widens the one that
-- did not on PostgreSQL).  SQLite's INTEGER is 64 bits already: nothing to change here; the
-- number keeps both engines' histories aligned.
SELECT 1;
