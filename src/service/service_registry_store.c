/*
 * Home services: the SQL of the registry's management (RULE-SVC-100..105) and of provider
 * accounts (RULE-SVC-110..113).  Engine-neutral (core/db.h); see service_registry_int.h.
 */
#include <string.h>

#include "core/dbq.h"
#include "core/json.h"
#include "service/service_int.h"
#include "service/service_admin_int.h"
#include "service/service_registry_int.h"

int
service_user_account(struct al_db *db, int64_t user_id, struct svc_account *out)
{
    struct al_stmt *st = al_db_sql(db,
        "SELECT CASE WHEN u.role_id = 'provider_admin' AND u.provider_id IS NULL AND s.id IS NULL"
        " THEN -1 ELSE coalesce(u.provider_id, s.provider_id, 0) END, coalesce(u.station_id, 0)"
        " FROM users u LEFT JOIN svc_stations s ON s.id = u.station_id WHERE u.id = ?");
    *out = (struct svc_account){0};
    if (!st)
        return AL_EDB;
    al_stmt_bind_int(st, 1, user_id);
    int rc = al_stmt_one(st);
    if (rc == AL_OK) {
        *out = (struct svc_account){al_stmt_int(st, 0), al_stmt_int(st, 1)};
        al_stmt_reset(st);
    }
    return rc == AL_ENOTFOUND ? AL_OK : rc;
}

int
service_user_provider(struct al_db *db, int64_t user_id, int64_t *provider)
{
    struct svc_account acct;
    int rc = service_user_account(db, user_id, &acct);
    *provider = acct.provider;
    return rc;
}

int
service_reg_row(struct al_db *db, struct al_arena *a, const struct reg_kind *k, json_t *key,
    struct reg_row *out)
{
    struct al_stmt *st = al_db_sql(db, k->load_sql);
    if (!st)
        return AL_EDB;
    al_stmt_bind_jsonv(st, 1, key);
    int rc = al_stmt_one(st);
    if (rc != AL_OK)
        return rc;
    *out = (struct reg_row){.version = al_stmt_int(st, 0),
        .region_code = al_stmt_dup(a, st, 1), .provider_id = al_stmt_int(st, 2),
        .status = al_stmt_dup(a, st, 3)};
    al_stmt_reset(st);
    return AL_OK;
}

/* RULE-SVC-101: INSERT of the columns of `set` (a field table's output; keys are columns). */
int
service_reg_insert(struct al_db *db, struct al_arena *a, const struct reg_kind *k, json_t *set,
    int64_t now, int64_t *id)
{
    const char *cols = "", *marks = "", *sep = "";
    int n = 0;
    const char *key;
    json_t *v;
    json_object_foreach(set, key, v)
    {
        n++;
        cols = al_arena_printf(a, "%s%s%s", cols, sep, key);
        marks = al_arena_printf(a, "%s%s?%d", marks, sep, n);
        sep = ", ";
    }
    if (k->has_created) {
        cols = al_arena_printf(a, "%s%screated_at", cols, sep);
        marks = al_arena_printf(a, "%s%s?%d", marks, sep, n + 1);
    }
    struct al_stmt *st = al_db_sql_text(db, al_arena_printf(a,
        "INSERT INTO %s(%s) VALUES (%s) RETURNING %s", k->table, cols, marks,
        k->int_key ? k->key_col : "0"));
    if (!st)
        return AL_EDB;
    int i = 0;
    json_object_foreach(set, key, v)
        al_stmt_bind_jsonv(st, ++i, v);
    if (k->has_created)
        al_stmt_bind_int(st, n + 1, now);
    int rc = al_stmt_one(st);
    if (rc == AL_OK) {
        *id = al_stmt_int(st, 0);
        al_stmt_reset(st);
    }
    return rc;
}

/* RULE-SVC-102: UPDATE of the columns of `set`, compare-and-set on the version. */
int
service_reg_update(struct al_db *db, struct al_arena *a, const struct reg_kind *k, json_t *key,
    int64_t version, json_t *set)
{
    const char *sets = "";
    int n = 0;
    const char *col;
    json_t *v;
    json_object_foreach(set, col, v)
    {
        n++;
        sets = al_arena_printf(a, "%s%s = ?%d, ", sets, col, n);
    }
    struct al_stmt *st = al_db_sql_text(db, al_arena_printf(a,
        "UPDATE %s SET %sversion = version + 1 WHERE %s = ?%d AND version = ?%d", k->table, sets,
        k->key_col, n + 1, n + 2));
    if (!st)
        return AL_EDB;
    int i = 0;
    json_object_foreach(set, col, v)
        al_stmt_bind_jsonv(st, ++i, v);
    al_stmt_bind_jsonv(st, n + 1, key);
    al_stmt_bind_int(st, n + 2, version);
    int rc = al_stmt_run(st);
    if (rc == AL_OK && al_db_changes(db) == 0)
        rc = AL_ECONFLICT;
    return rc;
}

int
service_reg_serves_put(struct al_db *db, int64_t station, json_t *codes)
{
    struct al_stmt *st = al_db_sql(db, "DELETE FROM svc_station_regions WHERE station_id = ?");
    if (!st)
        return AL_EDB;
    al_stmt_bind_int(st, 1, station);
    int rc = al_stmt_run(st);
    size_t i;
    json_t *v;
    json_array_foreach(codes, i, v)
    {
        if (rc != AL_OK)
            break;
        if (!(st = al_db_sql(db, "INSERT INTO svc_station_regions(station_id, region_code)"
                                 " VALUES (?, ?) ON CONFLICT DO NOTHING")))
            return AL_EDB;
        al_stmt_binds(st, AL_I(station), AL_T(json_string_value(v)));
        rc = al_stmt_run(st);
    }
    return rc;
}

int
service_reg_certs_put(struct al_db *db, int64_t caregiver, json_t *certs)
{
    struct al_stmt *st = al_db_sql(db, "DELETE FROM svc_certificates WHERE caregiver_id = ?");
    if (!st)
        return AL_EDB;
    al_stmt_bind_int(st, 1, caregiver);
    int rc = al_stmt_run(st);
    size_t i;
    json_t *c;
    json_array_foreach(certs, i, c)
    {
        if (rc != AL_OK)
            break;
        if (!(st = al_db_sql(db, "INSERT INTO svc_certificates(caregiver_id, skill, name, number,"
                                 " valid_until) VALUES (?, ?, ?, ?, ?)")))
            return AL_EDB;
        al_stmt_binds(st, AL_I(caregiver), AL_T(json_string_value(json_object_get(c, "skill"))),
            AL_T(json_string_value(json_object_get(c, "name"))),
            AL_T(json_string_value(json_object_get(c, "number"))),
            AL_T(json_string_value(json_object_get(c, "valid_until"))));
        rc = al_stmt_run(st);
    }
    return rc;
}

static const struct al_col serve_cols[] = {AL_COL(0, "region_code", AL_COL_TEXT),
    AL_COL(1, "region_name", AL_COL_TEXT), AL_COL_END};
static const struct al_col cert_cols[] = {AL_COL(0, "id", AL_COL_INT),
    AL_COL(1, "skill", AL_COL_TEXT), AL_COL(2, "name", AL_COL_TEXT),
    AL_COL(3, "number", AL_COL_TEXT), AL_COL(4, "valid_until", AL_COL_TEXT), AL_COL_END};

int
service_reg_get(struct al_db *db, struct al_arena *a, const struct reg_kind *k, json_t *key,
    const char *today, json_t **out)
{
    struct al_params p;
    al_params_init(&p, a);
    const char *where = al_arena_printf(a, " WHERE %s = %s", k->list_key,
        json_is_integer(key) ? al_param_int(&p, json_integer_value(key))
                             : al_param_text(&p, json_string_value(key)));
    json_t *items = json_array();
    int64_t total = 0;
    int rc = al_db_page(db, &p, k->page, where, 1, 0,
        &(struct al_rows){.cols = k->cols, .user = today}, items, &total);
    if (rc == AL_OK && json_array_size(items) == 0)
        rc = AL_ENOTFOUND;
    if (rc != AL_OK)
        return rc;
    *out = json_incref(json_array_get(items, 0));
    struct al_stmt *st = NULL;
    if (strcmp(k->table, "svc_stations") == 0) {
        st = al_db_sql(db, "SELECT r.region_code, g.name FROM svc_station_regions r"
                           " LEFT JOIN regions g ON g.code = r.region_code"
                           " WHERE r.station_id = ? ORDER BY r.region_code");
        if (!st)
            return AL_EDB;
        al_stmt_bind_jsonv(st, 1, key);
        json_t *serves = json_array();
        json_object_set_new(*out, "serves", serves);
        return al_db_rows(st, a, &(struct al_rows){.cols = serve_cols}, serves);
    }
    if (strcmp(k->table, "svc_caregivers") == 0) {
        st = al_db_sql(db, "SELECT id, skill, name, number, valid_until FROM svc_certificates"
                           " WHERE caregiver_id = ? ORDER BY valid_until, id");
        if (!st)
            return AL_EDB;
        al_stmt_bind_jsonv(st, 1, key);
        json_t *certs = json_array();
        json_object_set_new(*out, "certificates", certs);
        rc = al_db_rows(st, a, &(struct al_rows){.cols = cert_cols}, certs);
        size_t i;
        json_t *c;
        json_array_foreach(certs, i, c) /* RULE-SVC-105 */
            json_object_set_new(c, "state", json_string(service_cert_state(
                json_string_value(json_object_get(c, "valid_until")), today)));
        return rc;
    }
    return AL_OK;
}

int
service_reg_exists(struct al_db *db, const char *sql, const char *value, bool *yes)
{
    int64_t n = 0;
    int rc = al_db_count(db, sql, value, &n);
    *yes = n > 0;
    return rc;
}

/* ---- provider accounts (RULE-SVC-111, RULE-SVC-112) ---- */

int
service_order_visible(struct al_req *r, int64_t order_id, bool *ok)
{
    int64_t n = 0;
    struct svc_account mine;
    int rc = service_user_account(r->db, r->who->user_id, &mine);
    *ok = true;
    if (rc != AL_OK || !mine.provider)
        return rc;
    struct al_stmt *st = al_db_sql(r->db,
        "SELECT count(*) FROM svc_orders o WHERE o.id = ?1 AND" SVC_ORDER_OF_PROVIDER("o", "?2")
        " AND (?3 = 0 OR" SVC_ORDER_OF_STATION("o", "?3") ")"); /* RULE-SVC-208 */
    if (!st)
        return AL_EDB;
    al_stmt_binds(st, AL_I(order_id), AL_I(mine.provider), AL_I(mine.station));
    rc = al_stmt_int64(st, &n);
    *ok = n > 0;
    return rc;
}

/* Is caregiver `id` of account `mine`'s provider (and station, RULE-SVC-209)? */
static int
caregiver_of(struct al_db *db, int64_t id, const struct svc_account *mine, bool *ok)
{
    int64_t n = 0;
    struct al_stmt *st = al_db_sql(db, "SELECT count(*) FROM svc_caregivers WHERE id = ?1"
                                       " AND provider_id = ?2 AND (?3 = 0 OR station_id = ?3)");
    if (!st)
        return AL_EDB;
    al_stmt_binds(st, AL_I(id), AL_I(mine->provider), AL_I(mine->station));
    int rc = al_stmt_int64(st, &n);
    *ok = n > 0;
    return rc;
}

int
service_caregiver_visible(struct al_req *r, int64_t id, bool *ok)
{
    struct svc_account mine;
    int rc = service_user_account(r->db, r->who->user_id, &mine);
    *ok = true;
    return rc != AL_OK || !mine.provider ? rc : caregiver_of(r->db, id, &mine, ok);
}

int
service_provider_only(struct al_req *r, json_t *items, const char *key)
{
    struct svc_account mine;
    int rc = service_user_account(r->db, r->who->user_id, &mine);
    if (rc != AL_OK || !mine.provider)
        return rc;
    for (size_t i = json_array_size(items); i-- > 0;) {
        json_t *it = json_array_get(items, i);
        int64_t v = json_integer_value(json_object_get(it, key));
        /* RULE-SVC-209: a station account's list of stations is its own station. */
        bool ok = v == mine.provider &&
                  (!mine.station || json_integer_value(json_object_get(it, "id")) == mine.station);
        if (strcmp(key, "id") == 0 && (rc = caregiver_of(r->db, v, &mine, &ok)) != AL_OK)
            return rc;
        if (!ok)
            json_array_remove(items, i);
    }
    return AL_OK;
}

int
service_cands_of_provider(struct al_req *r, struct svc_cand *cands, int64_t *stations, int *n)
{
    struct svc_account mine;
    int rc = service_user_account(r->db, r->who->user_id, &mine);
    if (rc != AL_OK || !mine.provider)
        return rc;
    int k = 0;
    for (int i = 0; i < *n; i++) {
        bool ok = false;
        if ((rc = caregiver_of(r->db, cands[i].id, &mine, &ok)) != AL_OK)
            return rc;
        if (ok) {
            cands[k] = cands[i];
            stations[k++] = stations[i];
        }
    }
    *n = k;
    return AL_OK;
}
