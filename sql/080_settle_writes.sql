-- Home services (issue 13, RULE-SVC-217): the month's settlement writes its lines and its order
-- events without a foreign-key check per row on PostgreSQL (sql/pg/080_settle_writes.sql).
-- SQLite keeps these foreign keys: its check is an index lookup in the same process and takes no
-- lock on the order.  Nothing to change here; the number keeps both engines' histories aligned.
SELECT 1;
