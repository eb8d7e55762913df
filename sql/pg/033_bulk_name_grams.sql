-- PostgreSQL's twin of sql/033 (RULE-DB-084): the name-gram trigger of sql/pg/026 stands aside
-- for the records a bulk import inserts (the transaction says so with SET LOCAL
-- anlao.bulk_grams = 'on', elder_bulk_begin); the import writes their grams itself, one
-- INSERT … SELECT per chunk of records (elder_store_batch_write), the same rows this trigger
-- writes.  Changes and deletions keep the trigger, and so does every other transaction.
CREATE OR REPLACE FUNCTION elder_name_grams_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' AND current_setting('anlao.bulk_grams', true) = 'on' THEN
        RETURN NULL;
    END IF;
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
