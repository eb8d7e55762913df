-- Foundation: regions, roles and permissions, users, sessions, API tokens,
-- login throttling, the audit trail and settings.

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

-- Statistical division codes: 2 (province), 4, 6 (county), 9 (township), 12 (village).
CREATE TABLE regions (
    code        TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    level       INTEGER NOT NULL CHECK (level BETWEEN 1 AND 5),
    parent_code TEXT,
    edition     INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX regions_parent ON regions(parent_code, code);

CREATE TABLE permissions (
    id   TEXT PRIMARY KEY,
    name TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE roles (
    id   TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    sort INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE role_permissions (
    role_id       TEXT NOT NULL REFERENCES roles(id),
    permission_id TEXT NOT NULL REFERENCES permissions(id),
    PRIMARY KEY (role_id, permission_id)
) WITHOUT ROWID;

CREATE TABLE users (
    id                   INTEGER PRIMARY KEY,
    username             TEXT NOT NULL UNIQUE COLLATE NOCASE,
    display_name         TEXT NOT NULL,
    phone                TEXT,
    role_id              TEXT NOT NULL REFERENCES roles(id),
    region_code          TEXT NOT NULL,
    status               TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
    password_hash        TEXT NOT NULL,
    must_change_password INTEGER NOT NULL DEFAULT 0,
    failed_logins        INTEGER NOT NULL DEFAULT 0,
    locked_until         INTEGER NOT NULL DEFAULT 0,
    prefs                TEXT NOT NULL DEFAULT '{}',
    created_at           INTEGER NOT NULL,
    updated_at           INTEGER NOT NULL,
    version              INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX users_region ON users(region_code, id);

-- Browser sessions.  Only a hash of the cookie value is stored.
CREATE TABLE sessions (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users(id),
    token_hash   TEXT NOT NULL UNIQUE,
    csrf_token   TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    revoked_at   INTEGER
);
CREATE INDEX sessions_user ON sessions(user_id);

-- Bearer tokens for programs.  Only a hash is stored.
CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users(id),
    name         TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER,
    revoked_at   INTEGER
);
CREATE INDEX api_tokens_user ON api_tokens(user_id);

-- Failed sign-ins per source address (slows down guessing across accounts).
CREATE TABLE login_throttle (
    client_ip     TEXT PRIMARY KEY,
    failures      INTEGER NOT NULL,
    window_start  INTEGER NOT NULL,
    blocked_until INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;

-- Append-only, hash-chained audit trail (see src/audit/audit_logic.c for the hash).
CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    at          INTEGER NOT NULL,
    user_id     INTEGER,
    username    TEXT,
    action      TEXT NOT NULL,
    target_type TEXT,
    target_id   TEXT,
    region_code TEXT,
    outcome     TEXT NOT NULL CHECK (outcome IN ('success', 'failure', 'denied')),
    client_ip   TEXT,
    detail      TEXT,
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL
);
CREATE INDEX audit_at ON audit_log(at);
CREATE INDEX audit_user ON audit_log(user_id, id);
CREATE INDEX audit_action ON audit_log(action, id);
CREATE INDEX audit_target ON audit_log(target_type, target_id);
CREATE INDEX audit_region ON audit_log(region_code, id);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

INSERT INTO roles(id, name, sort) VALUES
    ('admin',            '系统管理员', 1),
    ('civil_officer',    '民政管理员', 2),
    ('township_officer', '乡镇/街道管理员', 3),
    ('helper',           '社区助老员', 4),
    ('assessor',         '评估员', 5),
    ('provider_admin',   '服务机构管理员', 6),
    ('caregiver',        '护理员', 7),
    ('elder',            '老年人', 8),
    ('family',           '家属', 9),
    ('volunteer',        '志愿者', 10);

-- The system admin holds every permission, including those later migrations add.
CREATE TRIGGER permissions_admin_all AFTER INSERT ON permissions
BEGIN INSERT INTO role_permissions(role_id, permission_id) VALUES ('admin', new.id); END;

INSERT INTO permissions(id, name) VALUES
    ('dashboard.read', '查看首页统计'),
    ('user.read',      '查看用户'),
    ('user.write',     '新增和修改用户'),
    ('role.read',      '查看角色与权限'),
    ('region.read',    '查看行政区划'),
    ('audit.read',     '查看审计日志'),
    ('token.manage',   '管理接口令牌'),
    ('system.manage',  '系统配置与备份');

INSERT INTO role_permissions(role_id, permission_id) VALUES
    ('civil_officer', 'dashboard.read'), ('civil_officer', 'user.read'),
    ('civil_officer', 'user.write'), ('civil_officer', 'role.read'),
    ('civil_officer', 'region.read'), ('civil_officer', 'audit.read'),
    ('civil_officer', 'token.manage'),
    ('township_officer', 'dashboard.read'), ('township_officer', 'user.read'),
    ('township_officer', 'user.write'), ('township_officer', 'role.read'),
    ('township_officer', 'region.read'),
    ('helper', 'dashboard.read'), ('helper', 'region.read'),
    ('assessor', 'dashboard.read'), ('assessor', 'region.read'),
    ('provider_admin', 'dashboard.read'), ('provider_admin', 'region.read'),
    ('provider_admin', 'token.manage'),
    ('caregiver', 'dashboard.read');
