-- Elder registry (一人一档): people, contacts, family consents, derived categories
-- with evidence, and the change history.

INSERT INTO permissions(id, name) VALUES
    ('elder.read',        '查看老年人档案'),
    ('elder.write',       '登记和修改老年人档案'),
    ('elder.read_pii',    '查看完整身份证号和电话（留痕）'),
    ('elder.consent',     '管理家属授权'),
    ('elder.read_linked', '查看已授权关联的老人');

INSERT INTO role_permissions(role_id, permission_id) VALUES
    ('civil_officer', 'elder.read'), ('civil_officer', 'elder.write'),
    ('civil_officer', 'elder.read_pii'), ('civil_officer', 'elder.consent'),
    ('township_officer', 'elder.read'), ('township_officer', 'elder.write'),
    ('township_officer', 'elder.read_pii'), ('township_officer', 'elder.consent'),
    ('helper', 'elder.read'), ('helper', 'elder.write'), ('helper', 'elder.consent'),
    ('assessor', 'elder.read'),
    ('family', 'elder.read_linked'),
    ('elder', 'elder.read_linked');

-- Settings of the registry; edit per deployment.
INSERT INTO settings(key, value) VALUES
    ('elder.min_age', '60'),
    ('elder.advanced_age', '80'),
    ('elder.disabled_min_level', '1'),
    ('elder.economic_tiers', 'tekun,dibao,dibao_edge,low_income'),
    ('elder.special_difficulty',
     'advanced_age,living_alone,empty_nest,left_behind,disabled,severe_disability,fp_special,economic_difficulty,entitled');

CREATE TABLE elders (
    id                 INTEGER PRIMARY KEY,
    region_code        TEXT NOT NULL,          -- residence, 12-digit village/community code
    hukou_region_code  TEXT,                   -- registered residence (户籍)
    name               TEXT NOT NULL,
    sex                TEXT NOT NULL CHECK (sex IN ('M', 'F')),
    birth_date         TEXT NOT NULL,          -- YYYY-MM-DD, from the ID number
    id_hash            TEXT NOT NULL UNIQUE,   -- keyed hash of the 18-character number
    id_enc             TEXT NOT NULL,          -- the number, encrypted
    id_masked          TEXT NOT NULL,
    phone              TEXT,
    phone2             TEXT,
    address            TEXT NOT NULL,
    lat                REAL,
    lng                REAL,
    living_arrangement TEXT CHECK (living_arrangement IN
                           ('alone', 'spouse_only', 'with_children', 'with_others', 'institution')),
    left_behind        INTEGER NOT NULL DEFAULT 0,
    economic_status    TEXT NOT NULL DEFAULT 'general' CHECK (economic_status IN
                           ('tekun', 'dibao', 'dibao_edge', 'low_income', 'general')),
    disability_type    TEXT,
    disability_grade   INTEGER CHECK (disability_grade BETWEEN 1 AND 4),
    fp_special         INTEGER NOT NULL DEFAULT 0,
    entitled_groups    TEXT NOT NULL DEFAULT '[]',
    ability_level      INTEGER CHECK (ability_level BETWEEN 0 AND 4),
    status             TEXT NOT NULL DEFAULT 'active' CHECK (status IN
                           ('active', 'moved_out', 'deceased', 'cancelled')),
    status_date        TEXT,
    status_reason      TEXT,
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL,
    version            INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX elders_region ON elders(region_code, id);
CREATE INDEX elders_name ON elders(name, region_code);
CREATE INDEX elders_birth ON elders(birth_date);

-- Substring search over name, phone and address (trigram: Chinese works, queries of 3+ chars).
CREATE VIRTUAL TABLE elders_fts USING fts5(
    name, phone, address, content='elders', content_rowid='id', tokenize='trigram');
CREATE TRIGGER elders_fts_ai AFTER INSERT ON elders BEGIN
    INSERT INTO elders_fts(rowid, name, phone, address)
    VALUES (new.id, new.name, coalesce(new.phone, '') || ' ' || coalesce(new.phone2, ''), new.address);
END;
CREATE TRIGGER elders_fts_ad AFTER DELETE ON elders BEGIN
    INSERT INTO elders_fts(elders_fts, rowid, name, phone, address)
    VALUES ('delete', old.id, old.name, coalesce(old.phone, '') || ' ' || coalesce(old.phone2, ''), old.address);
END;
CREATE TRIGGER elders_fts_au AFTER UPDATE OF name, phone, phone2, address ON elders BEGIN
    INSERT INTO elders_fts(elders_fts, rowid, name, phone, address)
    VALUES ('delete', old.id, old.name, coalesce(old.phone, '') || ' ' || coalesce(old.phone2, ''), old.address);
    INSERT INTO elders_fts(rowid, name, phone, address)
    VALUES (new.id, new.name, coalesce(new.phone, '') || ' ' || coalesce(new.phone2, ''), new.address);
END;

CREATE TABLE elder_contacts (
    id         INTEGER PRIMARY KEY,
    elder_id   INTEGER NOT NULL REFERENCES elders(id),
    relation   TEXT NOT NULL,
    name       TEXT NOT NULL,
    phone      TEXT NOT NULL,
    priority   INTEGER NOT NULL DEFAULT 1,   -- order of emergency contact
    created_at INTEGER NOT NULL
);
CREATE INDEX elder_contacts_elder ON elder_contacts(elder_id, priority);

-- A family (or elder) account may see an elder only through an active consent.
CREATE TABLE elder_consents (
    id          INTEGER PRIMARY KEY,
    elder_id    INTEGER NOT NULL REFERENCES elders(id),
    user_id     INTEGER NOT NULL REFERENCES users(id),
    relation    TEXT NOT NULL,
    scope       TEXT NOT NULL,               -- JSON array: basic, health, services, location
    granted_by  TEXT NOT NULL,               -- who gave consent (the elder, a guardian …)
    recorded_by INTEGER NOT NULL REFERENCES users(id),
    granted_at  INTEGER NOT NULL,
    revoked_at  INTEGER,
    revoked_by  INTEGER REFERENCES users(id)
);
CREATE INDEX elder_consents_elder ON elder_consents(elder_id);
CREATE INDEX elder_consents_user ON elder_consents(user_id, elder_id);

-- Derived categories with their evidence.
CREATE TABLE elder_categories (
    elder_id      INTEGER NOT NULL REFERENCES elders(id),
    category      TEXT NOT NULL,
    source        TEXT NOT NULL,   -- record, id_number, import:<kind>, assessment
    source_ref    TEXT,            -- the import or record that proves it
    evidence_date TEXT,            -- YYYY-MM-DD
    PRIMARY KEY (elder_id, category)
) WITHOUT ROWID;
CREATE INDEX elder_categories_cat ON elder_categories(category, elder_id);

CREATE TABLE elder_history (
    id       INTEGER PRIMARY KEY,
    elder_id INTEGER NOT NULL REFERENCES elders(id),
    at       INTEGER NOT NULL,
    user_id  INTEGER,
    username TEXT,
    action   TEXT NOT NULL,        -- create, update, status, contact, consent, import
    changes  TEXT NOT NULL         -- JSON {field: [old, new]} (PII masked)
);
CREATE INDEX elder_history_elder ON elder_history(elder_id, id);

-- Where each fact of a record came from (a user's entry, an import, an assessment).
CREATE TABLE elder_field_sources (
    elder_id      INTEGER NOT NULL REFERENCES elders(id),
    field         TEXT NOT NULL,
    source        TEXT NOT NULL,
    source_ref    TEXT,
    evidence_date TEXT,
    PRIMARY KEY (elder_id, field)
) WITHOUT ROWID;
