-- PostgreSQL's twin of sql/026 (RULE-UI-007): every character and every pair of adjacent
-- characters of a name in elder_name_grams, with the record's region, status and birth date
-- copied beside it, kept by a trigger (PostgreSQL writes through bulk imports, so the trigger
-- always runs).  A 1–2 character search reads the rows of its gram within the region range.

CREATE TABLE name_positions (n INTEGER PRIMARY KEY);
INSERT INTO name_positions(n) SELECT generate_series(1, 64);

CREATE TABLE elder_name_grams (
    gram        TEXT COLLATE "C" NOT NULL,
    region_code TEXT COLLATE "C" NOT NULL,
    elder_id    BIGINT NOT NULL,
    status      TEXT NOT NULL,
    birth_date  TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (gram, region_code, elder_id)
);
CREATE INDEX elder_name_grams_elder ON elder_name_grams (elder_id);

CREATE VIEW elder_name_gram_rows AS
    SELECT substr(e.name, p.n, 1) AS gram, e.region_code, e.id AS elder_id, e.status, e.birth_date
    FROM elders e JOIN name_positions p ON p.n <= length(e.name)
    UNION
    SELECT substr(e.name, p.n, 2), e.region_code, e.id, e.status, e.birth_date
    FROM elders e JOIN name_positions p ON p.n < length(e.name);

CREATE FUNCTION elder_name_grams_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        DELETE FROM elder_name_grams WHERE elder_id = OLD.id;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        INSERT INTO elder_name_grams(gram, region_code, elder_id, status, birth_date)
        SELECT substr(NEW.name, n, 1), NEW.region_code, NEW.id, NEW.status, NEW.birth_date
        FROM name_positions WHERE n <= length(NEW.name)
        UNION
        SELECT substr(NEW.name, n, 2), NEW.region_code, NEW.id, NEW.status, NEW.birth_date
        FROM name_positions WHERE n < length(NEW.name)
        ON CONFLICT DO NOTHING;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER elder_name_grams_ai AFTER INSERT ON elders
    FOR EACH ROW EXECUTE FUNCTION elder_name_grams_sync();
CREATE TRIGGER elder_name_grams_au AFTER UPDATE OF name, region_code, status, birth_date ON elders
    FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name
        OR OLD.region_code IS DISTINCT FROM NEW.region_code OR OLD.status IS DISTINCT FROM NEW.status
        OR OLD.birth_date IS DISTINCT FROM NEW.birth_date)
    EXECUTE FUNCTION elder_name_grams_sync();
CREATE TRIGGER elder_name_grams_ad AFTER DELETE ON elders
    FOR EACH ROW EXECUTE FUNCTION elder_name_grams_sync();

INSERT INTO elder_name_grams(gram, region_code, elder_id, status, birth_date)
SELECT gram, region_code, elder_id, status, birth_date FROM elder_name_gram_rows;
