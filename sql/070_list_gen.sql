-- PostgreSQL only (its twin sql/pg/070_list_gen.sql): the generation of the listed tables that
-- lets several servers remember list totals exactly (RULE-DB-140).  SQLite needs nothing: its
-- remembered totals follow the file's data version, which every commit moves (RULE-DB-130).
SELECT 1;
