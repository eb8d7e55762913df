-- RULE-DB-144: every time column holds 64 bits.  svc_order_events.at (sql/pg/040) was INTEGER:
-- an order's move after 2038-01-19 would not fit.  The table is rewritten once.
ALTER TABLE svc_order_events ALTER COLUMN at TYPE BIGINT;
