-- Home services (issue 13, RULE-SVC-235): an order's moves do not rewrite its indexes.
-- The twin of sql/079_orders_status_unindexed.sql for PostgreSQL. With `status` out of every
-- index and room left in each page (fillfactor 85), a move is a heap-only update: no index of the
-- table's six is written (the month's settlement moves 100,000 orders at once).
DROP INDEX svc_orders_region;
CREATE INDEX svc_orders_region ON svc_orders(region_code, window_start);
ALTER TABLE svc_orders SET (fillfactor = 85);
