-- RULE-DB-021: the reasons of one rejected line keep the order they were found in, on SQLite and
-- PostgreSQL alike.  SQLite listed them by rowid within (import_id, line); PostgreSQL has no rowid
-- and its sort is not stable, so each reason carries its place in the line.  Rows recorded before
-- have pos 0 and stay in rowid order on SQLite (the index's own tie-break).  One text for both.
ALTER TABLE import_errors ADD COLUMN pos INTEGER NOT NULL DEFAULT 0;
DROP INDEX import_errors_import;
CREATE INDEX import_errors_import ON import_errors(import_id, line, pos);
