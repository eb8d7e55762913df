-- RULE-AUTH-009: the roles version.  Workers cache each role's permission set and drop it
-- when this number changes; it is read with the session on every signed-in request.  Any
-- later migration (or code) that changes roles or role_permissions must bump it:
--   UPDATE settings SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT)
--    WHERE key = 'auth.roles_version';
INSERT INTO settings(key, value) VALUES ('auth.roles_version', '1') ON CONFLICT DO NOTHING;

-- RULE-AUTH-010: sign-in looks a name up as lower(username) = lower(?) on both engines;
-- SQLite's index for it (PostgreSQL's baseline has the unique index users_username on
-- lower(username) already, so its twin sql/pg/020 only adds the setting).
CREATE INDEX users_lower_username ON users(lower(username));
