-- Home services (issue 13, RULE-SVC-217): the month's settlement writes 100,000 lines and, at
-- approval, 100,000 order events and the entitlement draws in set statements.  On PostgreSQL
-- each row's foreign-key check runs a query that locks the row it refers to (FOR KEY SHARE), a
-- logged write of that row's page: the lines' COPY took 4.8 s and the events' INSERT 2.1 s of
-- bench/settle.mjs's 100,000 visits, the draws' check of their elder 0.23 s of 33,334 rows.
-- These tables are append-only and written only from orders (and their elders) read in the same
-- statement or transaction (src/service/service_settle_store.c, service_store.c), and orders,
-- statements and elders are never deleted, so the checks guard nothing the writes do not: they
-- go.  SQLite keeps them (sql/080_settle_writes.sql).
ALTER TABLE svc_settlement_lines
    DROP CONSTRAINT svc_settlement_lines_settlement_id_fkey,
    DROP CONSTRAINT svc_settlement_lines_order_id_fkey;
ALTER TABLE svc_order_events DROP CONSTRAINT svc_order_events_order_id_fkey;
ALTER TABLE entitle_usage DROP CONSTRAINT entitle_usage_elder_id_fkey;

-- RULE-SVC-217: an order is rewritten nine or ten times (assigned … rated, then settled with its
-- whole month at once).  A heap-only update needs room for the new version on the row's own
-- page; with fillfactor 85 (migration 079) a page had room for about one row in six, so the
-- month's settlement moved most orders to other pages and wrote an entry in each of the table's
-- six indexes for each (494,000 WAL records for 100,000 orders, 1.16 s; at fillfactor 50:
-- 100,000 records, 0.57 s).  Half of each new page is left free; the table is about twice the
-- size (41 MB for 100,000 orders).  Pages written before keep their fill until rewritten.
ALTER TABLE svc_orders SET (fillfactor = 50);
