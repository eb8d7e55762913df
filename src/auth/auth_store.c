/* The auth module's SQL, on the engine-neutral calls of core/db.h (SQLite and PostgreSQL). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/auth.h"
#include "auth/auth_int.h"
#include "core/dbq.h"
#include "core/json.h"
#include "user/user.h"

static const char sql_user_by_name[] =
    "SELECT id, username, display_name, role_id, region_code, status, password_hash,"
    " must_change_password, failed_logins, locked_until FROM users"
    " WHERE lower(username) = lower(?)";
static const char sql_user_by_id[] =
    "SELECT id, username, display_name, role_id, region_code, status, password_hash,"
    " must_change_password, failed_logins, locked_until FROM users WHERE id = ?";

static int
one_user(struct al_arena *a, struct al_stmt *st, struct auth_user *u)
{
    int rc = al_stmt_one(st);
    if (rc != AL_OK)
        return rc;
    u->id = al_stmt_int(st, 0);
    u->username = al_stmt_dup(a, st, 1);
    u->display_name = al_stmt_dup(a, st, 2);
    u->role = al_stmt_dup(a, st, 3);
    u->region_code = al_stmt_dup(a, st, 4);
    u->status = al_stmt_dup(a, st, 5);
    u->password_hash = al_stmt_dup(a, st, 6);
    u->must_change_password = al_stmt_int(st, 7) != 0;
    u->failed_logins = (int)al_stmt_int(st, 8);
    u->locked_until = al_stmt_int(st, 9);
    al_stmt_reset(st);
    return AL_OK;
}

int
auth_store_user_by_name(struct al_db *db, struct al_arena *a, const char *username,
    struct auth_user *u)
{
    /* Names are unique case-insensitively (RULE-AUTH-010: lower() on both engines). */
    struct al_stmt *st = al_db_sql(db, sql_user_by_name);
    al_stmt_bind_text(st, 1, username);
    return one_user(a, st, u);
}

int
auth_store_user_by_id(struct al_db *db, struct al_arena *a, int64_t id, struct auth_user *u)
{
    struct al_stmt *st = al_db_sql(db, sql_user_by_id);
    al_stmt_bind_int(st, 1, id);
    return one_user(a, st, u);
}

int
auth_store_set_failures(struct al_db *db, int64_t user_id, int failures, int64_t locked_until)
{
    static const char sql[] = "UPDATE users SET failed_logins = ?, locked_until = ? WHERE id = ?";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_I(failures), AL_I(locked_until), AL_I(user_id));
    return al_stmt_run(st);
}

int
auth_store_failures_get(struct al_db *db, int64_t user_id, int *failures, int64_t *locked_until)
{
    static const char sql[] = "SELECT failed_logins, locked_until FROM users WHERE id = ?";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_bind_int(st, 1, user_id);
    int rc = al_stmt_one(st);
    if (rc == AL_OK) {
        *failures = (int)al_stmt_int(st, 0);
        *locked_until = al_stmt_int(st, 1);
        al_stmt_reset(st);
    }
    return rc;
}

int
auth_store_ip_get(struct al_db *db, const char *ip, struct auth_ip_state *s)
{
    static const char sql[] =
        "SELECT failures, window_start, blocked_until FROM login_throttle WHERE client_ip = ?";
    memset(s, 0, sizeof(*s));
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_bind_text(st, 1, ip);
    int rc = al_stmt_one(st);
    if (rc == AL_OK) {
        s->failures = (int)al_stmt_int(st, 0);
        s->window_start = al_stmt_int(st, 1);
        s->blocked_until = al_stmt_int(st, 2);
        al_stmt_reset(st);
    }
    return rc == AL_ENOTFOUND ? AL_OK : rc;
}

int
auth_store_ip_put(struct al_db *db, const char *ip, const struct auth_ip_state *s)
{
    static const char sql[] =
        "INSERT INTO login_throttle(client_ip, failures, window_start, blocked_until)"
        " VALUES (?1, ?2, ?3, ?4) ON CONFLICT (client_ip) DO UPDATE SET"
        " failures = excluded.failures, window_start = excluded.window_start,"
        " blocked_until = excluded.blocked_until";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_T(ip), AL_I(s->failures), AL_I(s->window_start), AL_I(s->blocked_until));
    return al_stmt_run(st);
}

int
auth_store_session_create(struct al_db *db, int64_t user_id, const char *token_hash,
    const char *csrf, int64_t now, int64_t expires_at, int64_t *id)
{
    static const char sql[] =
        "INSERT INTO sessions(user_id, token_hash, csrf_token, created_at, last_seen_at,"
        " expires_at) VALUES (?1, ?2, ?3, ?4, ?4, ?5) RETURNING id";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_I(user_id), AL_T(token_hash), AL_T(csrf), AL_I(now), AL_I(expires_at));
    int rc = al_stmt_int64(st, id);
    return rc == AL_ENOTFOUND ? AL_EDB : rc;
}

/*
 * The caller's user record as the Me object needs it, the preferences and the roles version
 * (RULE-AUTH-009), read with the session or token in the same statement (issue 10: one read
 * per signed-in request).  `X` is the sessions or api_tokens row.
 */
#define CALLER_COLS                                                                            \
    " u.username, u.display_name, u.role_id, u.region_code, u.status,"                          \
    " u.must_change_password, u.phone, r.name,"                                                 \
    " CASE WHEN u.region_code = '' THEN '全国' ELSE g.name END, u.created_at, u.updated_at,"     \
    " u.version, u.prefs, (SELECT v.value FROM settings v WHERE v.key = 'auth.roles_version')"
#define CALLER_FROM(x)                                                                         \
    " JOIN users u ON u.id = " x ".user_id JOIN roles r ON r.id = u.role_id"                   \
    " LEFT JOIN regions g ON g.code = u.region_code"

static int
one_session(struct al_arena *a, struct al_stmt *st, struct auth_session_row *s)
{
    int rc = al_stmt_one(st);
    if (rc != AL_OK)
        return rc;
    s->id = al_stmt_int(st, 0);
    s->user_id = al_stmt_int(st, 1);
    s->csrf_token = al_stmt_dup(a, st, 2);
    s->last_seen_at = al_stmt_int(st, 3);
    s->expires_at = al_stmt_int(st, 4);
    s->username = al_stmt_dup(a, st, 5);
    s->display_name = al_stmt_dup(a, st, 6);
    s->role = al_stmt_dup(a, st, 7);
    s->region_code = al_stmt_dup(a, st, 8);
    s->status = al_stmt_dup(a, st, 9);
    s->must_change_password = al_stmt_int(st, 10) != 0;
    s->phone = al_stmt_dup(a, st, 11);
    s->role_name = al_stmt_dup(a, st, 12);
    s->region_name = al_stmt_dup(a, st, 13);
    s->created_at = al_stmt_int(st, 14);
    s->updated_at = al_stmt_int(st, 15);
    s->version = al_stmt_int(st, 16);
    s->prefs = al_stmt_dup(a, st, 17);
    s->roles_version = al_stmt_dup(a, st, 18);
    al_stmt_reset(st);
    return AL_OK;
}

int
auth_store_session_find(struct al_db *db, struct al_arena *a, const char *token_hash,
    struct auth_session_row *s)
{
    static const char sql[] =
        "SELECT s.id, s.user_id, s.csrf_token, s.last_seen_at, s.expires_at," CALLER_COLS
        " FROM sessions s" CALLER_FROM("s")
        " WHERE s.token_hash = ? AND s.revoked_at IS NULL";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_bind_text(st, 1, token_hash);
    return one_session(a, st, s);
}

int
auth_store_session_touch(struct al_db *db, int64_t id, int64_t now)
{
    static const char sql[] = "UPDATE sessions SET last_seen_at = ? WHERE id = ?";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_I(now), AL_I(id));
    return al_stmt_run(st);
}

int
auth_store_session_revoke(struct al_db *db, int64_t id, int64_t now)
{
    static const char sql[] =
        "UPDATE sessions SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_I(now), AL_I(id));
    return al_stmt_run(st);
}

int
auth_revoke_sessions(struct al_db *db, int64_t user_id, int64_t now)
{
    static const char sql[] =
        "UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_I(now), AL_I(user_id));
    return al_stmt_run(st);
}

int
auth_revoke_credentials(struct al_db *db, int64_t user_id, int64_t now)
{
    static const char sql[] =
        "UPDATE api_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL";
    int rc = auth_revoke_sessions(db, user_id, now);
    if (rc != AL_OK)
        return rc;
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_I(now), AL_I(user_id));
    return al_stmt_run(st);
}

int
auth_store_token_find(struct al_db *db, struct al_arena *a, const char *token_hash,
    struct auth_session_row *s)
{
    static const char sql[] =
        "SELECT t.id, t.user_id, NULL, coalesce(t.last_used_at, 0), 9223372036854775807,"
        CALLER_COLS " FROM api_tokens t" CALLER_FROM("t")
        " WHERE t.token_hash = ? AND t.revoked_at IS NULL";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_bind_text(st, 1, token_hash);
    return one_session(a, st, s);
}

int
auth_store_caller_by_id(struct al_db *db, struct al_arena *a, int64_t user_id,
    struct auth_session_row *s)
{
    static const char sql[] =
        "SELECT 0, u.id, NULL, 0, 0," CALLER_COLS " FROM users u JOIN roles r ON r.id = u.role_id"
        " LEFT JOIN regions g ON g.code = u.region_code WHERE u.id = ?";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_bind_int(st, 1, user_id);
    return one_session(a, st, s);
}

int
auth_store_token_touch(struct al_db *db, int64_t id, int64_t now)
{
    static const char sql[] = "UPDATE api_tokens SET last_used_at = ? WHERE id = ?";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_I(now), AL_I(id));
    return al_stmt_run(st);
}

int
auth_store_token_create(struct al_db *db, int64_t user_id, const char *name,
    const char *token_hash, int64_t now, int64_t *id)
{
    static const char sql[] = "INSERT INTO api_tokens(user_id, name, token_hash, created_at)"
                              " VALUES (?, ?, ?, ?) RETURNING id";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_I(user_id), AL_T(name), AL_T(token_hash), AL_I(now));
    int rc = al_stmt_int64(st, id);
    return rc == AL_ENOTFOUND ? AL_EDB : rc;
}

int
auth_store_token_list(struct al_db *db, struct al_arena *a, int64_t user_id, json_t *items)
{
    static const char sql[] = "SELECT id, name, created_at, last_used_at, revoked_at"
                              " FROM api_tokens WHERE user_id = ? ORDER BY id DESC";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_bind_int(st, 1, user_id);
    int rc;
    while ((rc = al_stmt_step(st)) == AL_ROW) {
        json_t *o = json_pack("{s:I, s:s, s:s, s:b}", "id", (json_int_t)al_stmt_int(st, 0),
            "name", al_stmt_text(st, 1), "created_at", al_json_time(a, al_stmt_int(st, 2)),
            "revoked", !al_stmt_null(st, 4));
        json_object_set_new(o, "last_used_at",
            al_stmt_null(st, 3) ? json_null()
                                : json_string(al_json_time(a, al_stmt_int(st, 3))));
        json_array_append_new(items, o);
    }
    return rc;
}

int
auth_store_token_revoke(struct al_db *db, int64_t user_id, int64_t id, int64_t now)
{
    static const char sql[] = "UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND user_id = ?"
                              " AND revoked_at IS NULL";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_I(now), AL_I(id), AL_I(user_id));
    int rc = al_stmt_run(st);
    if (rc == AL_OK && al_db_changes(db) == 0)
        return AL_ENOTFOUND;
    return rc;
}

int
auth_store_set_password(struct al_db *db, int64_t user_id, const char *hash, int64_t now)
{
    static const char sql[] =
        "UPDATE users SET password_hash = ?, must_change_password = 0, updated_at = ?,"
        " version = version + 1 WHERE id = ?";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_T(hash), AL_I(now), AL_I(user_id));
    return al_stmt_run(st);
}

int
auth_store_update_me(struct al_db *db, int64_t user_id, const char *display_name,
    const char *phone, const char *prefs_json, int64_t now)
{
    static const char sql[] =
        "UPDATE users SET display_name = coalesce(?1, display_name),"
        " phone = CASE WHEN CAST(?2 AS TEXT) IS NULL THEN phone WHEN ?2 = '' THEN NULL ELSE ?2 END,"
        " prefs = coalesce(?3, prefs), updated_at = ?4, version = version + 1 WHERE id = ?5";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_T(display_name), AL_T(phone), AL_T(prefs_json), AL_I(now), AL_I(user_id));
    return al_stmt_run(st);
}

/*
 * ---- Role permissions, cached per worker (RULE-AUTH-009) ----
 *
 * A role's permission set changes only with a migration (or an administrator's change to
 * come), so each thread keeps the sets it has read.  The cache is tied to one connection and
 * to the roles version (settings 'auth.roles_version'), which every signed-in request reads
 * with its session (auth_roles_seen): whatever changes roles or role_permissions bumps it
 * (auth_store_roles_changed), and the next request of every worker, on every server sharing
 * the database, drops its sets before its permission check.  A thread that has not seen a
 * version for this connection (no request identified on it) reads the database each time.
 */
#define ROLE_CACHE_ROLES 24
#define ROLE_CACHE_TEXT 4096

struct role_set {
    char role[48];
    char perms[ROLE_CACHE_TEXT]; /* "\nperm\nperm\n", in permission order */
};

struct role_cache {
    const struct al_db *db;      /* the connection the version was read on; NULL = off */
    char version[32];
    int n;
    struct role_set sets[ROLE_CACHE_ROLES];
};

/* One per thread, so one per worker's connection; static storage, nothing to free. */
static _Thread_local struct role_cache cache;

void
auth_roles_seen(struct al_db *db, const char *version)
{
    bool usable = version && *version && strlen(version) < sizeof(cache.version);
    struct role_cache *c = &cache;
    if (!usable) {
        c->db = NULL;
        c->n = 0;
        return;
    }
    if (c->db != db || strcmp(c->version, version) != 0) {
        c->db = db;
        snprintf(c->version, sizeof(c->version), "%s", version);
        c->n = 0;
    }
}

static const char sql_role_perms[] =
    "SELECT permission_id FROM role_permissions WHERE role_id = ? ORDER BY permission_id";

/* The cached set of `role` for this connection, read on first use; NULL when not cacheable. */
static const struct role_set *
cached_set(struct al_db *db, const char *role)
{
    struct role_cache *c = &cache;
    if (c->db != db || !role)
        return NULL;
    for (int i = 0; i < c->n; i++)
        if (strcmp(c->sets[i].role, role) == 0)
            return &c->sets[i];
    if (c->n == ROLE_CACHE_ROLES || strlen(role) >= sizeof(c->sets[0].role))
        return NULL;
    struct role_set *rs = &c->sets[c->n];
    snprintf(rs->role, sizeof(rs->role), "%s", role);
    size_t used = 1;
    rs->perms[0] = '\n';
    rs->perms[1] = '\0';
    struct al_stmt *st = al_db_sql(db, sql_role_perms);
    al_stmt_bind_text(st, 1, role);
    int rc;
    bool fits = true;
    while ((rc = al_stmt_step(st)) == AL_ROW) {
        size_t n = al_stmt_len(st, 0);
        if (used + n + 2 > sizeof(rs->perms)) {
            fits = false;
            al_stmt_reset(st);
            break;
        }
        memcpy(rs->perms + used, al_stmt_text(st, 0), n);
        used += n;
        rs->perms[used++] = '\n';
        rs->perms[used] = '\0';
    }
    if (!fits || rc != AL_OK)
        return NULL;
    c->n++;
    return rs;
}

static bool
set_has(const struct role_set *rs, const char *permission)
{
    size_t n = strlen(permission);
    for (const char *p = rs->perms; (p = strstr(p, permission)) != NULL; p++)
        if (p[-1] == '\n' && p[n] == '\n')
            return true;
    return false;
}

bool
auth_role_has(struct al_db *db, const char *role, const char *permission)
{
    if (!permission || !*permission || strchr(permission, '\n'))
        return false;
    const struct role_set *rs = cached_set(db, role);
    if (rs)
        return set_has(rs, permission);
    static const char sql[] =
        "SELECT 1 FROM role_permissions WHERE role_id = ? AND permission_id = ?";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_T(role), AL_T(permission));
    if (al_stmt_one(st) != AL_OK)
        return false;
    al_stmt_reset(st);
    return true;
}

int
auth_role_permissions(struct al_db *db, const char *role, json_t *out)
{
    const struct role_set *rs = cached_set(db, role);
    if (rs) {
        for (const char *p = rs->perms + 1; *p;) {
            const char *e = strchr(p, '\n');
            json_array_append_new(out, json_stringn(p, (size_t)(e - p)));
            p = e + 1;
        }
        return AL_OK;
    }
    struct al_stmt *st = al_db_sql(db, sql_role_perms);
    al_stmt_bind_text(st, 1, role);
    int rc;
    while ((rc = al_stmt_step(st)) == AL_ROW)
        json_array_append_new(out, json_string(al_stmt_text(st, 0)));
    return rc;
}

int
auth_store_roles_changed(struct al_db *db)
{
    static const char sql[] =
        "UPDATE settings SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT)"
        " WHERE key = 'auth.roles_version'";
    return al_stmt_run(al_db_sql(db, sql));
}

int
auth_me_json(struct al_db *db, const struct auth_session_row *s, struct al_arena *a,
    json_t **out)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(s->user_id));
    const char *names[] = {"username", "display_name", "phone", "role", "role_name",
        "region_code", "region_name", "status"};
    const char *vals[] = {s->username, s->display_name, s->phone, s->role, s->role_name,
        s->region_code, s->region_name, s->status};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        json_object_set_new(o, names[i], vals[i] ? json_string(vals[i]) : json_null());
    json_object_set_new(o, "must_change_password", json_boolean(s->must_change_password));
    json_object_set_new(o, "created_at", json_string(al_json_time(a, s->created_at)));
    json_object_set_new(o, "updated_at", json_string(al_json_time(a, s->updated_at)));
    json_object_set_new(o, "version", json_integer(s->version));
    json_t *perms = json_array();
    json_object_set_new(o, "permissions", perms);
    int rc = auth_role_permissions(db, s->role, perms);
    if (rc != AL_OK) {
        json_decref(o);
        return rc;
    }
    json_t *prefs = s->prefs ? json_loads(s->prefs, 0, NULL) : NULL;
    if (!json_is_object(prefs)) {
        json_decref(prefs);
        prefs = json_object();
    }
    if (!json_object_get(prefs, "elder_mode"))
        json_object_set_new(prefs, "elder_mode", json_false());
    json_object_set_new(o, "prefs", prefs);
    *out = o;
    return AL_OK;
}

int
auth_store_me(struct al_db *db, struct al_arena *a, int64_t user_id, json_t **out)
{
    struct auth_session_row s;
    int rc = auth_store_caller_by_id(db, a, user_id, &s);
    if (rc != AL_OK)
        return rc;
    return auth_me_json(db, &s, a, out);
}
