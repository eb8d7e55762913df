-- Search by 1–2 characters of a name (issue 18 point 2, RULE-UI-007): FTS5's trigram index needs
-- 3 characters, and a range of the name index finds only names starting with the text (义成
-- found nothing, 王义成 two).  Chinese users search by the given name, so every character and
-- every pair of adjacent characters of a name is a row of elder_name_grams, with the record's
-- region, status and birth date copied beside it (as elder_categories does, sql/011): a 1–2
-- character search reads the rows of its gram within the caller's region range, counts them
-- without touching the records, and pages in (region, id) order.
-- The grams are made in SQL from name_positions (1..64; names are at most 50 characters), so
-- the same triggers run in any client of the database.  Like the FTS index, the triggers stay
-- quiet while `search_deferred` is set (a bulk import), which rebuilds the table once
-- (elder_store_rebuild_indexes).  PostgreSQL's twin: sql/pg/026_name_grams.sql.

CREATE TABLE name_positions (n INTEGER PRIMARY KEY);
INSERT INTO name_positions(n) VALUES (1),(2),(3),(4),(5),(6),(7),(8),(9),(10),(11),(12),(13),(14),(15),(16),(17),(18),(19),(20),(21),(22),(23),(24),(25),(26),(27),(28),(29),(30),(31),(32),(33),(34),(35),(36),(37),(38),(39),(40),(41),(42),(43),(44),(45),(46),(47),(48),(49),(50),(51),(52),(53),(54),(55),(56),(57),(58),(59),(60),(61),(62),(63),(64);

CREATE TABLE elder_name_grams (
    gram        TEXT NOT NULL,
    region_code TEXT NOT NULL,
    elder_id    INTEGER NOT NULL,
    status      TEXT NOT NULL,
    birth_date  TEXT NOT NULL,
    PRIMARY KEY (gram, region_code, elder_id)
) WITHOUT ROWID;

CREATE VIEW elder_name_gram_rows AS
    SELECT substr(e.name, p.n, 1) AS gram, e.region_code, e.id AS elder_id, e.status, e.birth_date
    FROM elders e JOIN name_positions p ON p.n <= length(e.name)
    UNION
    SELECT substr(e.name, p.n, 2), e.region_code, e.id, e.status, e.birth_date
    FROM elders e JOIN name_positions p ON p.n < length(e.name);

CREATE TRIGGER elder_name_grams_ai AFTER INSERT ON elders
WHEN NOT EXISTS (SELECT 1 FROM search_deferred) BEGIN
    INSERT OR IGNORE INTO elder_name_grams(gram, region_code, elder_id, status, birth_date)
    SELECT substr(new.name, n, 1), new.region_code, new.id, new.status, new.birth_date
    FROM name_positions WHERE n <= length(new.name);
    INSERT OR IGNORE INTO elder_name_grams(gram, region_code, elder_id, status, birth_date)
    SELECT substr(new.name, n, 2), new.region_code, new.id, new.status, new.birth_date
    FROM name_positions WHERE n < length(new.name);
END;
CREATE TRIGGER elder_name_grams_ad AFTER DELETE ON elders
WHEN NOT EXISTS (SELECT 1 FROM search_deferred) BEGIN
    DELETE FROM elder_name_grams WHERE region_code = old.region_code AND elder_id = old.id
    AND gram IN (SELECT substr(old.name, n, 1) FROM name_positions WHERE n <= length(old.name)
        UNION SELECT substr(old.name, n, 2) FROM name_positions WHERE n < length(old.name));
END;
CREATE TRIGGER elder_name_grams_au AFTER UPDATE OF name, region_code, status, birth_date ON elders
WHEN NOT EXISTS (SELECT 1 FROM search_deferred) BEGIN
    DELETE FROM elder_name_grams WHERE region_code = old.region_code AND elder_id = old.id
    AND gram IN (SELECT substr(old.name, n, 1) FROM name_positions WHERE n <= length(old.name)
        UNION SELECT substr(old.name, n, 2) FROM name_positions WHERE n < length(old.name));
    INSERT OR IGNORE INTO elder_name_grams(gram, region_code, elder_id, status, birth_date)
    SELECT substr(new.name, n, 1), new.region_code, new.id, new.status, new.birth_date
    FROM name_positions WHERE n <= length(new.name);
    INSERT OR IGNORE INTO elder_name_grams(gram, region_code, elder_id, status, birth_date)
    SELECT substr(new.name, n, 2), new.region_code, new.id, new.status, new.birth_date
    FROM name_positions WHERE n < length(new.name);
END;

INSERT INTO elder_name_grams(gram, region_code, elder_id, status, birth_date)
SELECT gram, region_code, elder_id, status, birth_date FROM elder_name_gram_rows;
