/* The user module's SQL. */
#include <string.h>

#include "core/json.h"
#include "region/region.h"
#include "user/user_int.h"

#define USER_COLS                                                                              \
    "u.id, u.username, u.display_name, u.phone, u.role_id, r.name, u.region_code,"             \
    " CASE WHEN u.region_code = '' THEN '全国' ELSE g.name END, u.status,"                       \
    " u.must_change_password, u.created_at, u.updated_at, u.version"
#define USER_FROM                                                                              \
    " FROM users u JOIN roles r ON r.id = u.role_id LEFT JOIN regions g ON g.code = u.region_code"

static json_t *
user_json(struct al_arena *a, struct al_stmt *st)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(al_stmt_int(st, 0)));
    static const char *names[] = {NULL, "username", "display_name", "phone", "role", "role_name",
        "region_code", "region_name", "status"};
    for (int i = 1; i <= 8; i++) {
        const char *v = al_stmt_text(st, i);
        json_object_set_new(o, names[i], v ? json_string(v) : json_null());
    }
    json_object_set_new(o, "must_change_password", json_boolean(al_stmt_int(st, 9)));
    json_object_set_new(o, "created_at", json_string(al_json_time(a, al_stmt_int(st, 10))));
    json_object_set_new(o, "updated_at", json_string(al_json_time(a, al_stmt_int(st, 11))));
    json_object_set_new(o, "version", json_integer(al_stmt_int(st, 12)));
    return o;
}

int
user_get_json(struct al_db *db, struct al_arena *a, int64_t id, json_t **out)
{
    static const char sql[] = "SELECT " USER_COLS USER_FROM " WHERE u.id = ?";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_bind_int(st, 1, id);
    int rc = al_stmt_one(st);
    if (rc == AL_OK) {
        *out = user_json(a, st);
        al_stmt_reset(st);
    }
    return rc;
}

#define LIST_WHERE                                                                             \
    " WHERE u.region_code >= ?1 AND u.region_code < ?2"                                        \
    " AND (CAST(?3 AS TEXT) IS NULL OR instr(lower(u.username), lower(?3)) > 0 OR instr(u.display_name, ?3) > 0)" \
    " AND (CAST(?4 AS TEXT) IS NULL OR u.role_id = ?4)"                                                      \
    " AND (CAST(?5 AS TEXT) IS NULL OR (u.region_code >= ?5 AND u.region_code < ?6))"                        \
    " AND (CAST(?7 AS TEXT) IS NULL OR u.status = ?7)"

int
user_store_list(struct al_db *db, struct al_arena *a, const struct user_filter *f, json_t *items,
    int64_t *total)
{
    static const char sql_count[] = "SELECT count(*)" USER_FROM LIST_WHERE;
    static const char sql_page[] =
        "SELECT " USER_COLS USER_FROM LIST_WHERE " ORDER BY u.id LIMIT ?8 OFFSET ?9";
    char lo[16], hi[16], rlo[16], rhi[16];
    region_scope_bounds(f->scope, lo, hi);
    if (f->region)
        region_scope_bounds(f->region, rlo, rhi);
    for (int pass = 0; pass < 2; pass++) {
        struct al_stmt *st = al_db_sql(db, pass ? sql_page : sql_count);
        al_stmt_bind_text(st, 1, lo);
        al_stmt_bind_text(st, 2, hi);
        al_stmt_bind_text(st, 3, f->q);
        al_stmt_bind_text(st, 4, f->role);
        al_stmt_bind_text(st, 5, f->region ? rlo : NULL);
        al_stmt_bind_text(st, 6, f->region ? rhi : NULL);
        al_stmt_bind_text(st, 7, f->status);
        if (pass) {
            al_stmt_bind_int(st, 8, f->limit);
            al_stmt_bind_int(st, 9, f->offset);
        }
        int rc;
        while ((rc = al_stmt_step(st)) == AL_ROW) {
            if (pass)
                json_array_append_new(items, user_json(a, st));
            else
                *total = al_stmt_int(st, 0);
        }
        if (rc != AL_OK)
            return rc;
    }
    return AL_OK;
}

int
user_store_get_row(struct al_db *db, struct al_arena *a, int64_t id, struct user_row *u)
{
    static const char sql[] =
        "SELECT id, version, username, role_id, region_code, status FROM users WHERE id = ?";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_bind_int(st, 1, id);
    int rc = al_stmt_one(st);
    if (rc == AL_OK) {
        u->id = al_stmt_int(st, 0);
        u->version = al_stmt_int(st, 1);
        u->username = al_stmt_dup(a, st, 2);
        u->role = al_stmt_dup(a, st, 3);
        u->region_code = al_stmt_dup(a, st, 4);
        u->status = al_stmt_dup(a, st, 5);
        al_stmt_reset(st);
    }
    return rc;
}

int
user_store_insert(struct al_db *db, const struct user_new *in, const char *hash, int must_change,
    int64_t now, int64_t *id)
{
    static const char sql[] =
        "INSERT INTO users(username, display_name, phone, role_id, region_code, password_hash,"
        " must_change_password, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?) RETURNING id";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_bind_text(st, 1, in->username);
    al_stmt_bind_text(st, 2, in->display_name);
    al_stmt_bind_text(st, 3, in->phone && *in->phone ? in->phone : NULL);
    al_stmt_bind_text(st, 4, in->role);
    al_stmt_bind_text(st, 5, in->region_code);
    al_stmt_bind_text(st, 6, hash);
    al_stmt_bind_int(st, 7, must_change);
    al_stmt_bind_int(st, 8, now);
    al_stmt_bind_int(st, 9, now);
    int rc = al_stmt_one(st);
    if (rc == AL_OK) {
        *id = al_stmt_int(st, 0);
        al_stmt_reset(st);
    }
    return rc == AL_ENOTFOUND ? AL_EDB : rc;
}

bool
user_store_role_exists(struct al_db *db, const char *role)
{
    static const char sql[] = "SELECT 1 FROM roles WHERE id = ?";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_bind_text(st, 1, role);
    if (al_stmt_one(st) != AL_OK)
        return false;
    al_stmt_reset(st);
    return true;
}

bool
user_store_role_within(struct al_db *db, const char *role, const char *holder_role)
{
    static const char sql[] =
        "SELECT count(*) FROM role_permissions p WHERE p.role_id = ?1 AND NOT EXISTS"
        " (SELECT 1 FROM role_permissions h WHERE h.role_id = ?2"
        "  AND h.permission_id = p.permission_id)";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_bind_text(st, 1, role);
    al_stmt_bind_text(st, 2, holder_role);
    int64_t outside = 1;
    return al_stmt_int64(st, &outside) == AL_OK && outside == 0;
}

int
user_store_update(struct al_db *db, int64_t id, int64_t version, const struct user_patch *p,
    int64_t now)
{
    static const char sql[] =
        "UPDATE users SET display_name = coalesce(?1, display_name),"
        " phone = CASE WHEN CAST(?2 AS TEXT) IS NULL THEN phone WHEN ?2 = '' THEN NULL ELSE ?2 END,"
        " role_id = coalesce(?3, role_id), region_code = coalesce(?4, region_code),"
        " status = coalesce(?5, status), password_hash = coalesce(?6, password_hash),"
        " must_change_password = CASE WHEN ?7 < 0 THEN must_change_password ELSE ?7 END,"
        " failed_logins = CASE WHEN ?6 IS NULL THEN failed_logins ELSE 0 END,"
        " locked_until = CASE WHEN ?6 IS NULL THEN locked_until ELSE 0 END,"
        " updated_at = ?8, version = version + 1 WHERE id = ?9 AND version = ?10";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_bind_text(st, 1, p->display_name);
    al_stmt_bind_text(st, 2, p->phone);
    al_stmt_bind_text(st, 3, p->role);
    al_stmt_bind_text(st, 4, p->region_code);
    al_stmt_bind_text(st, 5, p->status);
    al_stmt_bind_text(st, 6, p->password_hash);
    al_stmt_bind_int(st, 7, p->must_change_password);
    al_stmt_bind_int(st, 8, now);
    al_stmt_bind_int(st, 9, id);
    al_stmt_bind_int(st, 10, version);
    int rc = al_stmt_run(st);
    if (rc == AL_OK && al_db_changes(db) == 0)
        return AL_ECONFLICT;
    return rc;
}
