/* The user module's SQL. */
#include <string.h>

#include "core/dbq.h"
#include "core/json.h"
#include "region/region.h"
#include "user/user_int.h"

#define USER_COLS                                                                              \
    "u.id, u.username, u.display_name, u.phone, u.role_id, r.name, u.region_code,"             \
    " CASE WHEN u.region_code = '' THEN '全国' ELSE g.name END, u.status,"                       \
    " u.must_change_password, u.created_at, u.updated_at, u.version"
#define USER_FROM                                                                              \
    " FROM users u JOIN roles r ON r.id = u.role_id LEFT JOIN regions g ON g.code = u.region_code"

static const struct al_col user_cols[] = {AL_COL(0, "id", AL_COL_INT),
    AL_COL(1, "username", AL_COL_TEXT), AL_COL(2, "display_name", AL_COL_TEXT),
    AL_COL(3, "phone", AL_COL_TEXT), AL_COL(4, "role", AL_COL_TEXT),
    AL_COL(5, "role_name", AL_COL_TEXT), AL_COL(6, "region_code", AL_COL_TEXT),
    AL_COL(7, "region_name", AL_COL_TEXT), AL_COL(8, "status", AL_COL_TEXT),
    AL_COL(9, "must_change_password", AL_COL_BOOL), AL_COL(10, "created_at", AL_COL_TIME),
    AL_COL(11, "updated_at", AL_COL_TIME), AL_COL(12, "version", AL_COL_INT), AL_COL_END};

int
user_get_json(struct al_db *db, struct al_arena *a, int64_t id, json_t **out)
{
    static const char sql[] = "SELECT " USER_COLS USER_FROM " WHERE u.id = ?";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_bind_int(st, 1, id);
    int rc = al_stmt_one(st);
    if (rc == AL_OK) {
        *out = al_row_json(&(struct al_row_ctx){.a = a}, st, user_cols);
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

static const struct al_page_sql list_sql = {.cols = USER_COLS, .from = USER_FROM,
    .order = " ORDER BY u.id"};

/* ?1–?7 as LIST_WHERE names them. */
static void
list_params(struct al_params *p, struct al_arena *a, const struct user_filter *f)
{
    al_params_init(p, a);
    region_params(p, f->scope);
    al_param_text(p, f->q);
    al_param_text(p, f->role);
    region_params(p, f->region);
    al_param_text(p, f->status);
}

int
user_store_list(struct al_db *db, struct al_arena *a, const struct user_filter *f, json_t *items,
    int64_t *total)
{
    struct al_params p;
    list_params(&p, a, f);
    return al_db_page(db, &p, &list_sql, LIST_WHERE, f->limit, f->offset,
        &(struct al_rows){.cols = user_cols}, items, total);
}

struct al_stmt *
user_store_export_page(struct al_db *db, struct al_arena *a, const struct user_filter *f,
    const char *after, int64_t limit)
{
    struct al_params p;
    list_params(&p, a, f);
    return al_db_keyset(db, &p, &list_sql, LIST_WHERE, "u.id", false, after, limit);
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
    al_stmt_binds(st, AL_T(in->username), AL_T(in->display_name),
        AL_T(in->phone && *in->phone ? in->phone : NULL), AL_T(in->role), AL_T(in->region_code),
        AL_T(hash), AL_I(must_change), AL_I(now), AL_I(now));
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
    al_stmt_binds(st, AL_T(role), AL_T(holder_role));
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
    al_stmt_binds(st, AL_T(p->display_name), AL_T(p->phone), AL_T(p->role), AL_T(p->region_code),
        AL_T(p->status), AL_T(p->password_hash), AL_I(p->must_change_password), AL_I(now), AL_I(id),
        AL_I(version));
    int rc = al_stmt_run(st);
    if (rc == AL_OK && al_db_changes(db) == 0)
        return AL_ECONFLICT;
    return rc;
}
