-- migrate: foreign_keys off
-- The allowed values of elders' enumerated columns, written as OR chains instead of IN lists:
-- SQLite builds an ephemeral table for every IN list each time a CHECK runs, which cost about
-- 12 % of an import.  Same rules, same columns (in the same order), same data; the table is
-- rebuilt by SQLite's documented procedure (foreign keys off, checked before the commit), with
-- its indexes, the search view and the search triggers made again.

CREATE TABLE elders_new (
    id                 INTEGER PRIMARY KEY,
    region_code        TEXT NOT NULL,          -- residence, 12-digit village/community code
    hukou_region_code  TEXT,                   -- registered residence (户籍)
    name               TEXT NOT NULL,
    sex                TEXT NOT NULL CHECK (sex = 'M' OR sex = 'F'),
    birth_date         TEXT NOT NULL,          -- YYYY-MM-DD, from the ID number
    id_hash            TEXT NOT NULL UNIQUE,   -- keyed hash of the 18-character number
    id_enc             TEXT NOT NULL,          -- the number, encrypted
    id_masked          TEXT NOT NULL,
    phone              TEXT,
    phone2             TEXT,
    address            TEXT NOT NULL,
    lat                REAL,
    lng                REAL,
    living_arrangement TEXT CHECK (living_arrangement = 'alone' OR living_arrangement = 'spouse_only'
                           OR living_arrangement = 'with_children' OR living_arrangement = 'with_others'
                           OR living_arrangement = 'institution'),
    left_behind        INTEGER NOT NULL DEFAULT 0,
    economic_status    TEXT NOT NULL DEFAULT 'general' CHECK (economic_status = 'tekun'
                           OR economic_status = 'dibao' OR economic_status = 'dibao_edge'
                           OR economic_status = 'low_income' OR economic_status = 'general'),
    disability_type    TEXT,
    disability_grade   INTEGER CHECK (disability_grade BETWEEN 1 AND 4),
    fp_special         INTEGER NOT NULL DEFAULT 0,
    entitled_groups    TEXT NOT NULL DEFAULT '[]',
    ability_level      INTEGER CHECK (ability_level BETWEEN 0 AND 4),
    status             TEXT NOT NULL DEFAULT 'active' CHECK (status = 'active'
                           OR status = 'moved_out' OR status = 'deceased' OR status = 'cancelled'),
    status_date        TEXT,
    status_reason      TEXT,
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL,
    version            INTEGER NOT NULL DEFAULT 1,
    household_no       TEXT,
    household_size     INTEGER,
    pension_type       TEXT,
    pension_amount_fen INTEGER,
    last_hukou_import  INTEGER
);
INSERT INTO elders_new(id, region_code, hukou_region_code, name, sex, birth_date, id_hash, id_enc,
    id_masked, phone, phone2, address, lat, lng, living_arrangement, left_behind, economic_status,
    disability_type, disability_grade, fp_special, entitled_groups, ability_level, status,
    status_date, status_reason, created_at, updated_at, version, household_no, household_size,
    pension_type, pension_amount_fen, last_hukou_import)
SELECT id, region_code, hukou_region_code, name, sex, birth_date, id_hash, id_enc,
    id_masked, phone, phone2, address, lat, lng, living_arrangement, left_behind, economic_status,
    disability_type, disability_grade, fp_special, entitled_groups, ability_level, status,
    status_date, status_reason, created_at, updated_at, version, household_no, household_size,
    pension_type, pension_amount_fen, last_hukou_import
FROM elders;

DROP VIEW elders_search;
DROP TABLE elders;
ALTER TABLE elders_new RENAME TO elders;

CREATE INDEX elders_region ON elders(region_code, id);
CREATE INDEX elders_name ON elders(name, region_code);
CREATE INDEX elders_birth ON elders(birth_date);
CREATE INDEX elders_person ON elders(name, birth_date, sex);

CREATE VIEW elders_search AS
    SELECT id, name, coalesce(phone, '') || ' ' || coalesce(phone2, '') AS phone, address
    FROM elders;
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
