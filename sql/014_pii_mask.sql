-- RULE-PII-001 (issue 9): the masked ID number keeps the address code and the check character
-- only.  The old mask (first 6 and last 4) hid exactly the birth date, which every response
-- carrying it also showed.  Existing rows get the new mask from the old one (no key needed).
UPDATE elders SET id_masked = substr(id_masked, 1, 6) || '***********' || substr(id_masked, 18, 1)
WHERE length(id_masked) = 18 AND substr(id_masked, 7, 11) != '***********';

-- RULE-PII-003: whole-number lookups (ID number, phone) an hour by a reader without
-- elder.read_pii; each is audited as elder.lookup.
INSERT INTO settings(key, value) VALUES ('elder.lookup_per_hour', '60') ON CONFLICT DO NOTHING;
