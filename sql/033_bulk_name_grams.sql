-- RULE-DB-084: PostgreSQL's bulk imports write the name grams of the records they create a chunk
-- at a time, one statement per chunk, and its per-row trigger stands aside in such a transaction
-- (the twin sql/pg/033).  SQLite's imports already keep the grams quiet and rebuild them once
-- (sql/026, search_deferred): nothing changes here.
SELECT 1;
