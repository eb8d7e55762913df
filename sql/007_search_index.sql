-- The search index (FTS5 trigram over name, phones, address) is fed from a view, so that it can
-- be rebuilt from the records in one pass.  A large import sets `search_deferred` inside its own
-- transaction: the per-row insert trigger stays quiet and the import rebuilds the index once
-- before it commits (other connections never see the flag).  Updates and deletes keep the
-- index current row by row.

DROP TRIGGER elders_fts_ai;
DROP TRIGGER elders_fts_ad;
DROP TRIGGER elders_fts_au;
DROP TABLE elders_fts;

CREATE VIEW elders_search AS
    SELECT id, name, coalesce(phone, '') || ' ' || coalesce(phone2, '') AS phone, address
    FROM elders;

CREATE VIRTUAL TABLE elders_fts USING fts5(
    name, phone, address, content='elders_search', content_rowid='id', tokenize='trigram');

CREATE TABLE search_deferred (flag INTEGER PRIMARY KEY CHECK (flag = 1));

CREATE TRIGGER elders_fts_ai AFTER INSERT ON elders
WHEN NOT EXISTS (SELECT 1 FROM search_deferred) BEGIN
    INSERT INTO elders_fts(rowid, name, phone, address)
    VALUES (new.id, new.name, coalesce(new.phone, '') || ' ' || coalesce(new.phone2, ''), new.address);
END;
CREATE TRIGGER elders_fts_ad AFTER DELETE ON elders
WHEN NOT EXISTS (SELECT 1 FROM search_deferred) BEGIN
    INSERT INTO elders_fts(elders_fts, rowid, name, phone, address)
    VALUES ('delete', old.id, old.name, coalesce(old.phone, '') || ' ' || coalesce(old.phone2, ''), old.address);
END;
CREATE TRIGGER elders_fts_au AFTER UPDATE OF name, phone, phone2, address ON elders
WHEN NOT EXISTS (SELECT 1 FROM search_deferred) BEGIN
    INSERT INTO elders_fts(elders_fts, rowid, name, phone, address)
    VALUES ('delete', old.id, old.name, coalesce(old.phone, '') || ' ' || coalesce(old.phone2, ''), old.address);
    INSERT INTO elders_fts(rowid, name, phone, address)
    VALUES (new.id, new.name, coalesce(new.phone, '') || ' ' || coalesce(new.phone2, ''), new.address);
END;

INSERT INTO elders_fts(elders_fts) VALUES ('rebuild');
