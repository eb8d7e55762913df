-- Home services (issue 13, RULE-SVC-235): an order's moves do not rewrite its region index.
-- `status` left svc_orders_region: every move of the state machine (eight or nine an order, the
-- month's settlement one for each of 100,000) changed an indexed column. The board still finds a
-- region's orders of a period by (region_code, window_start) and reads their status from the row.
DROP INDEX svc_orders_region;
CREATE INDEX svc_orders_region ON svc_orders(region_code, window_start);
