-- RULE-DB-140..142: list totals remembered on PostgreSQL, exact across several servers.
--
-- One generation for every table a remembered count reads (elders, elder_categories,
-- elder_name_grams).  A statement-level trigger on each bumps it in the writing transaction, so
-- the new generation becomes visible at the same commit as the rows, on every server.  A server
-- reads the generation and the count in one statement (one snapshot) and keeps (key, gen, n);
-- the next request compares the current generation and counts again when it moved.
--
-- One row, not one per table: two transactions writing the tables in different orders would
-- take per-table rows in different orders and could deadlock.  A transaction bumps once (the
-- first statement; anlao.list_bumped remembers it until the end of the transaction, savepoints
-- included), so the row lock is held from its first write of these tables to its commit.
--
-- Bulk imports say SET LOCAL anlao.bulk = 'on' (elder_bulk_begin): the triggers stand aside and
-- the import bumps once just before its commit (import_store_counts), so a long import does not
-- hold the row while HTTP writes wait.
CREATE TABLE list_gen (
    id  INTEGER PRIMARY KEY CHECK (id = 1),
    gen BIGINT NOT NULL
);
INSERT INTO list_gen(id, gen) VALUES (1, 1);

CREATE FUNCTION list_gen_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('anlao.bulk', true) = 'on'
       OR current_setting('anlao.list_bumped', true) = 'on' THEN
        RETURN NULL;
    END IF;
    UPDATE list_gen SET gen = gen + 1 WHERE id = 1;
    PERFORM set_config('anlao.list_bumped', 'on', true);
    RETURN NULL;
END $$;

CREATE TRIGGER elders_list_gen AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON elders
    FOR EACH STATEMENT EXECUTE FUNCTION list_gen_bump();
CREATE TRIGGER elder_categories_list_gen AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
    ON elder_categories FOR EACH STATEMENT EXECUTE FUNCTION list_gen_bump();
CREATE TRIGGER elder_name_grams_list_gen AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
    ON elder_name_grams FOR EACH STATEMENT EXECUTE FUNCTION list_gen_bump();

-- RULE-DB-142: the counts of the filtered lists (EXPLAIN ANALYZE at 100,000 elders).
--  - An age range within a village or township read the whole county's birth-date range of
--    elders_birth (birth_date, region_code, status) and kept the region's few: 12 ms for 362
--    matches; with the region first, 0.16 ms.  elders_birth stays for the county-wide ranges and
--    the list's order by birth date.
--  - A category with an age range (高龄 and 90+) read every entry of the category in
--    elder_categories_cat (category, region_code, …) to keep the birth dates: 8 ms for 1,963;
--    with the birth date second, 0.7 ms.
CREATE INDEX elders_region_birth ON elders(region_code, birth_date, status);
CREATE INDEX elder_categories_birth ON elder_categories(category, birth_date, region_code, status);
