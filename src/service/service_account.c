/*
 * Home services: the sign-ins of the service network (RULE-SVC-213..216).  A civil officer binds
 * an account of role provider_admin to a provider, or to one of its stations (a station account,
 * RULE-SVC-207), and an account of role caregiver to a caregiver's record (what the caregiver's
 * phone page reads); until then such an account sees nothing of a provider's.  Its SQL is in the
 * "store" part at the end.
 */
#include <string.h>

#include "audit/audit.h"
#include "core/dbq.h"
#include "core/json.h"
#include "core/query.h"
#include "region/region.h"
#include "service/service_admin_int.h"
#include "service/service_registry_int.h"

/* ---- store ---- */

static const struct al_page_sql account_page = {
    .cols = "u.id, u.username, u.display_name, u.role_id, r.name, u.region_code, u.status,"
            " coalesce(u.provider_id, s.provider_id), p.name, u.station_id, s.name, c.id, c.name",
    .from = " FROM users u JOIN roles r ON r.id = u.role_id"
            " LEFT JOIN svc_stations s ON s.id = u.station_id"
            " LEFT JOIN svc_providers p ON p.id = coalesce(u.provider_id, s.provider_id)"
            " LEFT JOIN svc_caregivers c ON c.user_id = u.id",
    .order = " ORDER BY u.id"};

static const struct al_col account_cols[] = {AL_COL(0, "user_id", AL_COL_INT),
    AL_COL(1, "username", AL_COL_TEXT), AL_COL(2, "display_name", AL_COL_TEXT),
    AL_COL(3, "role", AL_COL_TEXT), AL_COL(4, "role_name", AL_COL_TEXT),
    AL_COL(5, "region_code", AL_COL_TEXT), AL_COL(6, "status", AL_COL_TEXT),
    AL_COL(7, "provider_id", AL_COL_INT), AL_COL(8, "provider_name", AL_COL_TEXT),
    AL_COL(9, "station_id", AL_COL_INT), AL_COL(10, "station_name", AL_COL_TEXT),
    AL_COL(11, "caregiver_id", AL_COL_INT), AL_COL(12, "caregiver_name", AL_COL_TEXT),
    AL_COL_END};

/* The accounts of the network's two roles in `scope` matching role / q / bound (NULL: any). */
static const char account_where[] =
    " WHERE u.role_id IN ('provider_admin', 'caregiver') AND u.region_code >= ?1"
    " AND u.region_code < ?2 AND (CAST(?3 AS TEXT) IS NULL OR u.role_id = ?3)"
    " AND (CAST(?4 AS TEXT) IS NULL OR instr(u.username, ?4) > 0"
    " OR instr(coalesce(u.display_name, ''), ?4) > 0)"
    " AND (?5 = 0 OR (?5 = 1) = (u.provider_id IS NOT NULL OR u.station_id IS NOT NULL"
    " OR c.id IS NOT NULL))";

struct acct_user {
    const char *role, *region_code, *username;
};

static int
acct_user_row(struct al_db *db, struct al_arena *a, int64_t id, struct acct_user *out)
{
    struct al_stmt *st = al_db_sql(db, "SELECT role_id, region_code, username FROM users WHERE id = ?");
    if (!st)
        return AL_EDB;
    al_stmt_bind_int(st, 1, id);
    int rc = al_stmt_one(st);
    if (rc == AL_OK) {
        *out = (struct acct_user){al_stmt_dup(a, st, 0), al_stmt_dup(a, st, 1),
            al_stmt_dup(a, st, 2)};
        al_stmt_reset(st);
    }
    return rc;
}

/* A caregiver's record: region, status and the user it is bound to (0: none). */
static int
acct_caregiver_row(struct al_db *db, struct al_arena *a, int64_t id, struct reg_row *out,
    int64_t *user)
{
    struct al_stmt *st = al_db_sql(db,
        "SELECT region_code, provider_id, status, coalesce(user_id, 0) FROM svc_caregivers"
        " WHERE id = ?");
    if (!st)
        return AL_EDB;
    al_stmt_bind_int(st, 1, id);
    int rc = al_stmt_one(st);
    if (rc == AL_OK) {
        *out = (struct reg_row){.region_code = al_stmt_dup(a, st, 0),
            .provider_id = al_stmt_int(st, 1), .status = al_stmt_dup(a, st, 2)};
        *user = al_stmt_int(st, 3);
        al_stmt_reset(st);
    }
    return rc;
}

static void
bind_or_null(struct al_stmt *st, int idx, int64_t v)
{
    if (v)
        al_stmt_bind_int(st, idx, v);
    else
        al_stmt_bind_null(st, idx);
}

/* RULE-SVC-214: user `user` bound to exactly what is given (0: none), in one transaction. */
static int
acct_store_bind(struct al_db *db, int64_t user, int64_t provider, int64_t station,
    int64_t caregiver)
{
    struct al_stmt *st = al_db_sql(db, "UPDATE users SET provider_id = ?, station_id = ? WHERE id = ?");
    if (!st)
        return AL_EDB;
    bind_or_null(st, 1, station ? 0 : provider); /* a station account's provider is its station's */
    bind_or_null(st, 2, station);
    al_stmt_bind_int(st, 3, user);
    int rc = al_stmt_run(st);
    if (rc == AL_OK && (st = al_db_sql(db,
                            "UPDATE svc_caregivers SET user_id = NULL WHERE user_id = ?1"
                            " AND id <> ?2")) == NULL)
        rc = AL_EDB;
    if (rc == AL_OK) {
        al_stmt_bind_int(st, 1, user);
        al_stmt_bind_int(st, 2, caregiver);
        rc = al_stmt_run(st);
    }
    if (rc == AL_OK && caregiver) {
        if (!(st = al_db_sql(db, "UPDATE svc_caregivers SET user_id = ?1 WHERE id = ?2")))
            return AL_EDB;
        al_stmt_bind_int(st, 1, user);
        al_stmt_bind_int(st, 2, caregiver);
        rc = al_stmt_run(st);
    }
    return rc;
}

static int
acct_json(struct al_req *r, int64_t user, json_t **out)
{
    struct al_stmt *st = al_db_sql_text(r->db, al_arena_printf(r->arena,
        "SELECT %s%s WHERE u.id = ? AND u.role_id IN ('provider_admin', 'caregiver')",
        account_page.cols, account_page.from));
    if (st)
        al_stmt_bind_int(st, 1, user);
    json_t *rows = NULL;
    int rc = al_db_rows_new(st, r->arena, &(struct al_rows){.cols = account_cols}, &rows);
    *out = rc == AL_OK && json_array_size(rows) ? json_incref(json_array_get(rows, 0)) : NULL;
    json_decref(rows);
    return rc == AL_OK && !*out ? AL_ENOTFOUND : rc;
}

/* ---- handlers ---- */

/* RULE-SVC-213: the network's accounts of the caller's region (role, q, bound=0|1; paged). */
int
service_accounts_list(struct al_req *r)
{
    static const char *const roles[] = {"provider_admin", "caregiver", NULL};
    const char *role = al_query_opt(&r->query, "role"), *bound = al_query_opt(&r->query, "bound");
    int64_t limit, offset, total = 0;
    int rc = al_query_limit(&r->query, &limit, &offset, &r->err);
    if (rc != AL_OK)
        return rc;
    bool known = !role;
    for (int i = 0; role && roles[i]; i++)
        known |= strcmp(role, roles[i]) == 0;
    if (!known)
        return al_req_fail(r, AL_EINVAL, "role", "角色应为 provider_admin 或 caregiver");
    if (bound && strcmp(bound, "0") && strcmp(bound, "1"))
        return al_req_fail(r, AL_EINVAL, "bound", "绑定筛选应为 0（未绑定）或 1（已绑定）");
    struct al_params p;
    al_params_init(&p, r->arena);
    region_params(&p, r->who->region_code);
    al_param_text(&p, role);
    al_param_text(&p, al_query_opt(&r->query, "q"));
    al_param_int(&p, bound ? (*bound == '1' ? 1 : 2) : 0);
    json_t *items = json_array();
    rc = al_db_page(r->db, &p, &account_page, account_where, limit, offset,
        &(struct al_rows){.cols = account_cols}, items, &total);
    return rc == AL_OK ? al_reply_items(r, items, total) : rc;
}

/* The account of the path if in the caller's region and of the network's roles, else 404. */
static int
acct_visible(struct al_req *r, int64_t *id, struct acct_user *u)
{
    int rc = al_req_param_id(r, "id", id);
    if (rc == AL_OK)
        rc = acct_user_row(r->db, r->arena, *id, u);
    if (rc == AL_ENOTFOUND ||
        (rc == AL_OK && !region_in_scope(r->who->region_code, u->region_code)))
        return al_req_fail(r, AL_ENOTFOUND, NULL, "用户不存在");
    return rc;
}

int
service_account_get(struct al_req *r)
{
    int64_t id;
    struct acct_user u;
    json_t *out = NULL;
    int rc = acct_visible(r, &id, &u);
    if (rc == AL_OK && (rc = acct_json(r, id, &out)) == AL_ENOTFOUND)
        return al_req_fail(r, AL_ENOTFOUND, NULL, "该用户不是服务机构管理员或护理员账号");
    return rc == AL_OK ? al_reply(r, 200, out) : rc;
}

/* A record of the body: exists, in the caller's region, active; else 400 naming `field`. */
static int
target_ok(struct al_req *r, const char *field, const char *what, int rc, const struct reg_row *row)
{
    if (rc == AL_ENOTFOUND || (rc == AL_OK && !region_in_scope(r->who->region_code, row->region_code)))
        return al_req_fail(r, AL_EINVAL, field, "%s不存在或不在本辖区内", what);
    if (rc == AL_OK && strcmp(row->status, "active"))
        return al_req_fail(r, AL_EINVAL, field, "%s已停用，不能绑定", what);
    return rc;
}

/*
 * RULE-SVC-214, RULE-SVC-215: bind the account to {provider_id, station_id} (provider_admin) or
 * {caregiver_id} (caregiver); members absent or null are none, all of them none unbinds.
 */
int
service_account_put(struct al_req *r)
{
    int64_t id, provider = 0, station = 0, caregiver = 0;
    struct acct_user u;
    json_t *body;
    int rc = acct_visible(r, &id, &u);
    if (rc == AL_OK)
        rc = al_req_json(r, &body);
    if (rc == AL_OK)
        rc = al_json_get_int(body, "provider_id", "服务机构", 0, 1, INT64_MAX, &provider, NULL,
            &r->err);
    if (rc == AL_OK)
        rc = al_json_get_int(body, "station_id", "服务站", 0, 1, INT64_MAX, &station, NULL, &r->err);
    if (rc == AL_OK)
        rc = al_json_get_int(body, "caregiver_id", "护理员档案", 0, 1, INT64_MAX, &caregiver, NULL,
            &r->err);
    if (rc != AL_OK)
        return rc;
    bool admin = strcmp(u.role, "provider_admin") == 0, carer = strcmp(u.role, "caregiver") == 0;
    if (!admin && !carer)
        return al_req_fail(r, AL_EINVAL, "role", "只有服务机构管理员和护理员账号可以绑定服务网络");
    if (carer && (provider || station))
        return al_req_fail(r, AL_EINVAL, provider ? "provider_id" : "station_id",
            "护理员账号绑定护理员档案（caregiver_id），其机构随档案");
    if (admin && caregiver)
        return al_req_fail(r, AL_EINVAL, "caregiver_id", "服务机构管理员账号不能绑定护理员档案");
    struct reg_row row;
    if (station) {
        json_t *key = json_integer(station);
        rc = service_reg_row(r->db, r->arena, &service_reg_station, key, &row);
        json_decref(key);
        if ((rc = target_ok(r, "station_id", "服务站", rc, &row)) != AL_OK)
            return rc;
        if (provider && provider != row.provider_id)
            return al_req_fail(r, AL_EINVAL, "station_id", "该服务站不属于所选服务机构");
        provider = row.provider_id;
    }
    if (provider) {
        json_t *key = json_integer(provider);
        rc = service_reg_row(r->db, r->arena, &service_reg_provider, key, &row);
        json_decref(key);
        if ((rc = target_ok(r, "provider_id", "服务机构", rc, &row)) != AL_OK)
            return rc;
    }
    if (caregiver) {
        int64_t holder = 0;
        rc = acct_caregiver_row(r->db, r->arena, caregiver, &row, &holder);
        if ((rc = target_ok(r, "caregiver_id", "护理员档案", rc, &row)) != AL_OK)
            return rc;
        if (holder && holder != id)
            return al_req_fail(r, AL_ECONFLICT, "caregiver_id", "该护理员档案已绑定其他账号");
    }
    if ((rc = al_db_begin(r->db)) != AL_OK)
        return rc;
    rc = acct_store_bind(r->db, id, provider, station, caregiver);
    if (rc == AL_OK) {
        struct audit_entry e = {.action = "service.account_bind", .target_type = "user",
            .target_id = al_arena_printf(r->arena, "%lld", (long long)id),
            .region_code = u.region_code, .outcome = "success",
            .detail = json_pack("{s:s, s:I, s:I, s:I}", "username", u.username, "provider_id",
                (json_int_t)provider, "station_id", (json_int_t)station, "caregiver_id",
                (json_int_t)caregiver)};
        rc = audit_append(r, &e);
    }
    if ((rc = al_db_end(r->db, rc)) != AL_OK)
        return rc;
    json_t *out = NULL;
    if ((rc = acct_json(r, id, &out)) != AL_OK)
        return rc;
    return al_reply(r, 200, out);
}
