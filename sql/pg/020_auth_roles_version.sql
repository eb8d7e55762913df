-- PostgreSQL's twin of sql/020: the roles version (RULE-AUTH-009).  The index on
-- lower(username) is the baseline's unique users_username.
INSERT INTO settings(key, value) VALUES ('auth.roles_version', '1') ON CONFLICT DO NOTHING;
