/* The auth module's SQL. */
#include <string.h>

#include "auth/auth.h"
#include "auth/auth_int.h"
#include "core/json.h"
#include "user/user.h"

static const char sql_user_cols[] =
    "SELECT id, username, display_name, role_id, region_code, status, password_hash,"
    " must_change_password, failed_logins, locked_until FROM users WHERE username = ?";
static const char sql_user_by_id[] =
    "SELECT id, username, display_name, role_id, region_code, status, password_hash,"
    " must_change_password, failed_logins, locked_until FROM users WHERE id = ?";

static void
read_user(struct al_arena *a, sqlite3_stmt *st, struct auth_user *u)
{
    u->id = sqlite3_column_int64(st, 0);
    u->username = al_db_col_text(a, st, 1);
    u->display_name = al_db_col_text(a, st, 2);
    u->role = al_db_col_text(a, st, 3);
    u->region_code = al_db_col_text(a, st, 4);
    u->status = al_db_col_text(a, st, 5);
    u->password_hash = al_db_col_text(a, st, 6);
    u->must_change_password = sqlite3_column_int(st, 7) != 0;
    u->failed_logins = sqlite3_column_int(st, 8);
    u->locked_until = sqlite3_column_int64(st, 9);
}

static int
one_user(struct al_db *db, struct al_arena *a, sqlite3_stmt *st, struct auth_user *u)
{
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        read_user(a, st, u);
    sqlite3_reset(st);
    if (rc == SQLITE_ROW)
        return AL_OK;
    return rc == SQLITE_DONE ? AL_ENOTFOUND : al_db_check(db, rc);
}

int
auth_store_user_by_name(struct al_db *db, struct al_arena *a, const char *username,
    struct auth_user *u)
{
    sqlite3_stmt *st = al_db_stmt(db, sql_user_cols);
    if (!st)
        return AL_EDB;
    al_db_bind_text(st, 1, username);
    return one_user(db, a, st, u);
}

int
auth_store_user_by_id(struct al_db *db, struct al_arena *a, int64_t id, struct auth_user *u)
{
    sqlite3_stmt *st = al_db_stmt(db, sql_user_by_id);
    if (!st)
        return AL_EDB;
    sqlite3_bind_int64(st, 1, id);
    return one_user(db, a, st, u);
}

/* Run a prepared statement that returns no rows. */
static int
run(struct al_db *db, sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return al_db_check(db, rc);
}

int
auth_store_set_failures(struct al_db *db, int64_t user_id, int failures, int64_t locked_until)
{
    static const char sql[] = "UPDATE users SET failed_logins = ?, locked_until = ? WHERE id = ?";
    sqlite3_stmt *st = al_db_stmt(db, sql);
    if (!st)
        return AL_EDB;
    sqlite3_bind_int(st, 1, failures);
    sqlite3_bind_int64(st, 2, locked_until);
    sqlite3_bind_int64(st, 3, user_id);
    return run(db, st);
}

/* The lock counters as they are now (read inside the caller's transaction). */
int
auth_store_failures_get(struct al_db *db, int64_t user_id, int *failures, int64_t *locked_until)
{
    static const char sql[] = "SELECT failed_logins, locked_until FROM users WHERE id = ?";
    sqlite3_stmt *st = al_db_stmt(db, sql);
    if (!st)
        return AL_EDB;
    sqlite3_bind_int64(st, 1, user_id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *failures = sqlite3_column_int(st, 0);
        *locked_until = sqlite3_column_int64(st, 1);
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? AL_OK : rc == SQLITE_DONE ? AL_ENOTFOUND : al_db_check(db, rc);
}

int
auth_store_ip_get(struct al_db *db, const char *ip, struct auth_ip_state *s)
{
    static const char sql[] =
        "SELECT failures, window_start, blocked_until FROM login_throttle WHERE client_ip = ?";
    memset(s, 0, sizeof(*s));
    sqlite3_stmt *st = al_db_stmt(db, sql);
    if (!st)
        return AL_EDB;
    al_db_bind_text(st, 1, ip);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        s->failures = sqlite3_column_int(st, 0);
        s->window_start = sqlite3_column_int64(st, 1);
        s->blocked_until = sqlite3_column_int64(st, 2);
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? AL_OK : al_db_check(db, rc);
}

int
auth_store_ip_put(struct al_db *db, const char *ip, const struct auth_ip_state *s)
{
    static const char sql[] =
        "INSERT INTO login_throttle(client_ip, failures, window_start, blocked_until)"
        " VALUES (?1, ?2, ?3, ?4) ON CONFLICT(client_ip) DO UPDATE SET"
        " failures = ?2, window_start = ?3, blocked_until = ?4";
    sqlite3_stmt *st = al_db_stmt(db, sql);
    if (!st)
        return AL_EDB;
    al_db_bind_text(st, 1, ip);
    sqlite3_bind_int(st, 2, s->failures);
    sqlite3_bind_int64(st, 3, s->window_start);
    sqlite3_bind_int64(st, 4, s->blocked_until);
    return run(db, st);
}

int
auth_store_session_create(struct al_db *db, int64_t user_id, const char *token_hash,
    const char *csrf, int64_t now, int64_t expires_at, int64_t *id)
{
    static const char sql[] =
        "INSERT INTO sessions(user_id, token_hash, csrf_token, created_at, last_seen_at,"
        " expires_at) VALUES (?, ?, ?, ?, ?, ?)";
    sqlite3_stmt *st = al_db_stmt(db, sql);
    if (!st)
        return AL_EDB;
    sqlite3_bind_int64(st, 1, user_id);
    al_db_bind_text(st, 2, token_hash);
    al_db_bind_text(st, 3, csrf);
    sqlite3_bind_int64(st, 4, now);
    sqlite3_bind_int64(st, 5, now);
    sqlite3_bind_int64(st, 6, expires_at);
    int rc = run(db, st);
    *id = sqlite3_last_insert_rowid(al_db_handle(db));
    return rc;
}

static int
one_session(struct al_db *db, struct al_arena *a, sqlite3_stmt *st, struct auth_session_row *s)
{
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        s->id = sqlite3_column_int64(st, 0);
        s->user_id = sqlite3_column_int64(st, 1);
        s->csrf_token = al_db_col_text(a, st, 2);
        s->last_seen_at = sqlite3_column_int64(st, 3);
        s->expires_at = sqlite3_column_int64(st, 4);
        s->username = al_db_col_text(a, st, 5);
        s->display_name = al_db_col_text(a, st, 6);
        s->role = al_db_col_text(a, st, 7);
        s->region_code = al_db_col_text(a, st, 8);
        s->status = al_db_col_text(a, st, 9);
        s->must_change_password = sqlite3_column_int(st, 10) != 0;
    }
    sqlite3_reset(st);
    if (rc == SQLITE_ROW)
        return AL_OK;
    return rc == SQLITE_DONE ? AL_ENOTFOUND : al_db_check(db, rc);
}

int
auth_store_session_find(struct al_db *db, struct al_arena *a, const char *token_hash,
    struct auth_session_row *s)
{
    static const char sql[] =
        "SELECT s.id, s.user_id, s.csrf_token, s.last_seen_at, s.expires_at, u.username,"
        " u.display_name, u.role_id, u.region_code, u.status, u.must_change_password"
        " FROM sessions s JOIN users u ON u.id = s.user_id"
        " WHERE s.token_hash = ? AND s.revoked_at IS NULL";
    sqlite3_stmt *st = al_db_stmt(db, sql);
    if (!st)
        return AL_EDB;
    al_db_bind_text(st, 1, token_hash);
    return one_session(db, a, st, s);
}

int
auth_store_session_touch(struct al_db *db, int64_t id, int64_t now)
{
    static const char sql[] = "UPDATE sessions SET last_seen_at = ? WHERE id = ?";
    sqlite3_stmt *st = al_db_stmt(db, sql);
    if (!st)
        return AL_EDB;
    sqlite3_bind_int64(st, 1, now);
    sqlite3_bind_int64(st, 2, id);
    return run(db, st);
}

int
auth_store_session_revoke(struct al_db *db, int64_t id, int64_t now)
{
    static const char sql[] =
        "UPDATE sessions SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL";
    sqlite3_stmt *st = al_db_stmt(db, sql);
    if (!st)
        return AL_EDB;
    sqlite3_bind_int64(st, 1, now);
    sqlite3_bind_int64(st, 2, id);
    return run(db, st);
}

int
auth_revoke_sessions(struct al_db *db, int64_t user_id)
{
    static const char sql[] =
        "UPDATE sessions SET revoked_at = strftime('%s','now') WHERE user_id = ?"
        " AND revoked_at IS NULL";
    sqlite3_stmt *st = al_db_stmt(db, sql);
    if (!st)
        return AL_EDB;
    sqlite3_bind_int64(st, 1, user_id);
    return run(db, st);
}

int
auth_revoke_credentials(struct al_db *db, int64_t user_id)
{
    static const char sql[] =
        "UPDATE api_tokens SET revoked_at = strftime('%s','now') WHERE user_id = ?"
        " AND revoked_at IS NULL";
    int rc = auth_revoke_sessions(db, user_id);
    if (rc != AL_OK)
        return rc;
    sqlite3_stmt *st = al_db_stmt(db, sql);
    if (!st)
        return AL_EDB;
    sqlite3_bind_int64(st, 1, user_id);
    return run(db, st);
}

int
auth_store_token_find(struct al_db *db, struct al_arena *a, const char *token_hash,
    struct auth_session_row *s)
{
    static const char sql[] =
        "SELECT t.id, t.user_id, NULL, coalesce(t.last_used_at, 0),"
        " 9223372036854775807, u.username, u.display_name, u.role_id, u.region_code, u.status,"
        " u.must_change_password"
        " FROM api_tokens t JOIN users u ON u.id = t.user_id"
        " WHERE t.token_hash = ? AND t.revoked_at IS NULL";
    sqlite3_stmt *st = al_db_stmt(db, sql);
    if (!st)
        return AL_EDB;
    al_db_bind_text(st, 1, token_hash);
    return one_session(db, a, st, s);
}

int
auth_store_token_touch(struct al_db *db, int64_t id, int64_t now)
{
    static const char sql[] = "UPDATE api_tokens SET last_used_at = ? WHERE id = ?";
    sqlite3_stmt *st = al_db_stmt(db, sql);
    if (!st)
        return AL_EDB;
    sqlite3_bind_int64(st, 1, now);
    sqlite3_bind_int64(st, 2, id);
    return run(db, st);
}

int
auth_store_token_create(struct al_db *db, int64_t user_id, const char *name,
    const char *token_hash, int64_t now, int64_t *id)
{
    static const char sql[] =
        "INSERT INTO api_tokens(user_id, name, token_hash, created_at) VALUES (?, ?, ?, ?)";
    sqlite3_stmt *st = al_db_stmt(db, sql);
    if (!st)
        return AL_EDB;
    sqlite3_bind_int64(st, 1, user_id);
    al_db_bind_text(st, 2, name);
    al_db_bind_text(st, 3, token_hash);
    sqlite3_bind_int64(st, 4, now);
    int rc = run(db, st);
    *id = sqlite3_last_insert_rowid(al_db_handle(db));
    return rc;
}

int
auth_store_token_list(struct al_db *db, struct al_arena *a, int64_t user_id, json_t *items)
{
    static const char sql[] = "SELECT id, name, created_at, last_used_at, revoked_at"
                              " FROM api_tokens WHERE user_id = ? ORDER BY id DESC";
    sqlite3_stmt *st = al_db_stmt(db, sql);
    if (!st)
        return AL_EDB;
    sqlite3_bind_int64(st, 1, user_id);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        json_t *o = json_pack("{s:I, s:s, s:s, s:b}", "id", (json_int_t)sqlite3_column_int64(st, 0),
            "name", (const char *)sqlite3_column_text(st, 1), "created_at",
            al_json_time(a, sqlite3_column_int64(st, 2)), "revoked",
            sqlite3_column_type(st, 4) != SQLITE_NULL);
        json_object_set_new(o, "last_used_at",
            sqlite3_column_type(st, 3) == SQLITE_NULL
                ? json_null()
                : json_string(al_json_time(a, sqlite3_column_int64(st, 3))));
        json_array_append_new(items, o);
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? AL_OK : al_db_check(db, rc);
}

int
auth_store_token_revoke(struct al_db *db, int64_t user_id, int64_t id, int64_t now)
{
    static const char sql[] = "UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND user_id = ?"
                              " AND revoked_at IS NULL";
    sqlite3_stmt *st = al_db_stmt(db, sql);
    if (!st)
        return AL_EDB;
    sqlite3_bind_int64(st, 1, now);
    sqlite3_bind_int64(st, 2, id);
    sqlite3_bind_int64(st, 3, user_id);
    int rc = run(db, st);
    if (rc == AL_OK && sqlite3_changes(al_db_handle(db)) == 0)
        return AL_ENOTFOUND;
    return rc;
}

int
auth_store_set_password(struct al_db *db, int64_t user_id, const char *hash, int64_t now)
{
    static const char sql[] =
        "UPDATE users SET password_hash = ?, must_change_password = 0, updated_at = ?,"
        " version = version + 1 WHERE id = ?";
    sqlite3_stmt *st = al_db_stmt(db, sql);
    if (!st)
        return AL_EDB;
    al_db_bind_text(st, 1, hash);
    sqlite3_bind_int64(st, 2, now);
    sqlite3_bind_int64(st, 3, user_id);
    return run(db, st);
}

int
auth_store_update_me(struct al_db *db, int64_t user_id, const char *display_name,
    const char *phone, const char *prefs_json, int64_t now)
{
    static const char sql[] =
        "UPDATE users SET display_name = coalesce(?1, display_name),"
        " phone = CASE WHEN ?2 IS NULL THEN phone WHEN ?2 = '' THEN NULL ELSE ?2 END,"
        " prefs = coalesce(?3, prefs), updated_at = ?4, version = version + 1 WHERE id = ?5";
    sqlite3_stmt *st = al_db_stmt(db, sql);
    if (!st)
        return AL_EDB;
    al_db_bind_text(st, 1, display_name);
    al_db_bind_text(st, 2, phone);
    al_db_bind_text(st, 3, prefs_json);
    sqlite3_bind_int64(st, 4, now);
    sqlite3_bind_int64(st, 5, user_id);
    return run(db, st);
}

bool
auth_role_has(struct al_db *db, const char *role, const char *permission)
{
    static const char sql[] =
        "SELECT 1 FROM role_permissions WHERE role_id = ? AND permission_id = ?";
    sqlite3_stmt *st = al_db_stmt(db, sql);
    if (!st)
        return false;
    al_db_bind_text(st, 1, role);
    al_db_bind_text(st, 2, permission);
    bool yes = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_reset(st);
    return yes;
}

int
auth_role_permissions(struct al_db *db, const char *role, json_t *out)
{
    static const char sql[] =
        "SELECT permission_id FROM role_permissions WHERE role_id = ? ORDER BY permission_id";
    sqlite3_stmt *st = al_db_stmt(db, sql);
    if (!st)
        return AL_EDB;
    al_db_bind_text(st, 1, role);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        json_array_append_new(out, json_string((const char *)sqlite3_column_text(st, 0)));
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? AL_OK : al_db_check(db, rc);
}

int
auth_store_me(struct al_db *db, struct al_arena *a, int64_t user_id, json_t **out)
{
    int rc = user_get_json(db, a, user_id, out);
    if (rc != AL_OK)
        return rc;
    json_t *perms = json_array();
    rc = auth_role_permissions(db, json_string_value(json_object_get(*out, "role")), perms);
    if (rc != AL_OK)
        return rc;
    json_object_set_new(*out, "permissions", perms);
    static const char sql[] = "SELECT prefs FROM users WHERE id = ?";
    sqlite3_stmt *st = al_db_stmt(db, sql);
    if (!st)
        return AL_EDB;
    sqlite3_bind_int64(st, 1, user_id);
    json_t *prefs = NULL;
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
        prefs = json_loads((const char *)sqlite3_column_text(st, 0), 0, NULL);
    sqlite3_reset(st);
    if (!json_is_object(prefs))
        prefs = json_object();
    if (!json_object_get(prefs, "elder_mode"))
        json_object_set_new(prefs, "elder_mode", json_false());
    json_object_set_new(*out, "prefs", prefs);
    return AL_OK;
}
