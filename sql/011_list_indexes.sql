-- Filtering the elder list at a million records (issue 3): each filter gets an index that
-- counts and pages within the caller's region without reading the records.
--
-- A category row carries its elder's residence region, status and birth date, kept equal by a
-- trigger, so a category list of a township, with or without a status or an age range, is read
-- from one range of the index (category, region_code, elder_id, status, birth_date).
ALTER TABLE elder_categories ADD COLUMN region_code TEXT;
ALTER TABLE elder_categories ADD COLUMN status TEXT;
ALTER TABLE elder_categories ADD COLUMN birth_date TEXT;
UPDATE elder_categories SET (region_code, status, birth_date) =
    (SELECT e.region_code, e.status, e.birth_date FROM elders e WHERE e.id = elder_id);
DROP INDEX elder_categories_cat;
CREATE INDEX elder_categories_cat ON elder_categories(category, region_code, elder_id, status, birth_date);
CREATE TRIGGER elder_categories_copy AFTER UPDATE OF region_code, status, birth_date ON elders BEGIN
    UPDATE elder_categories SET region_code = new.region_code, status = new.status,
        birth_date = new.birth_date WHERE elder_id = new.id;
END;

-- Status lists (迁出, 死亡 …) in region order; age ranges with the region and status at hand.
CREATE INDEX elders_status ON elders(status, region_code, id);
DROP INDEX elders_birth;
CREATE INDEX elders_birth ON elders(birth_date, region_code, status);
