-- elders_person (name, birth date, sex) served the first duplicate search; identification now
-- finds the same person twice by hashing in memory (identify_logic.c) and no query uses the
-- index.  Every import rebuilt it for nothing (1.7 s at a million records).
DROP INDEX IF EXISTS elders_person;
