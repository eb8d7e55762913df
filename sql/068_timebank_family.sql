-- Time bank (issue 16): a family member or the elder posts a mutual-aid need for the elder
-- from the phone (RULE-TB-082).  The family ↔ elder link is the registry's own consent
-- (elder_consents, sql/002); this migration adds only the permission.  Portable: PostgreSQL
-- applies this text as it is.
INSERT INTO permissions(id, name) VALUES
    ('timebank.family', '家属或老人本人：为已授权关联的老人发布互助需求、查看其需求');
INSERT INTO role_permissions(role_id, permission_id) VALUES
    ('family', 'timebank.family'), ('elder', 'timebank.family');
-- RULE-AUTH-009: role permissions changed.
UPDATE settings SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT)
 WHERE key = 'auth.roles_version';
