/* The dashboard module's SQL. */
#include "core/dbq.h"
#include "dashboard/dashboard_int.h"
#include "region/region.h"

int
dashboard_store_counts(struct al_db *db, const char *scope, int64_t day_start,
    struct dashboard_counts *c)
{
    static const char sql[] =
        "SELECT"
        " (SELECT count(*) FROM users WHERE region_code >= ?1 AND region_code < ?2),"
        " (SELECT count(*) FROM users WHERE region_code >= ?1 AND region_code < ?2"
        "   AND status = 'active'),"
        " (SELECT count(*) FROM regions WHERE level = 4 AND code >= ?1 AND code < ?2),"
        " (SELECT count(*) FROM regions WHERE level = 5 AND code >= ?1 AND code < ?2),"
        " (SELECT count(*) FROM audit_log WHERE at >= ?3"
        "   AND (?4 = '' OR (region_code >= ?1 AND region_code < ?2))),"
        " (SELECT count(*) FROM audit_log WHERE action = 'auth.login' AND at >= ?3"
        "   AND (?4 = '' OR (region_code >= ?1 AND region_code < ?2))),"
        " (SELECT count(*) FROM audit_log WHERE action = 'auth.login_failed' AND at >= ?3"
        "   AND (?4 = '' OR (region_code >= ?1 AND region_code < ?2)))";
    char lo[16], hi[16];
    region_scope_bounds(scope, lo, hi);
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_T(lo), AL_T(hi), AL_I(day_start), AL_T(scope));
    int rc = al_stmt_one(st);
    if (rc == AL_OK) {
        int64_t *out[] = {&c->users, &c->users_active, &c->townships, &c->villages,
            &c->audit_today, &c->logins_today, &c->login_failures_today};
        for (int i = 0; i < 7; i++)
            *out[i] = al_stmt_int(st, i);
        al_stmt_reset(st);
    }
    return rc == AL_ENOTFOUND ? AL_EDB : rc;
}

/* RULE-SCOPE-002: the in-registry elders of each child region of `parent` (the caller has
 * checked it lies within the scope), counted over the same region range and status the elder
 * list uses for ?region=<child>&status=active. */
int
dashboard_store_region_counts(struct al_db *db, const char *parent, json_t *items)
{
    static const char sql_children[] = "SELECT code, name FROM regions WHERE parent_code = ?1"
                                       " ORDER BY code";
    static const char sql_count[] = "SELECT count(*) FROM elders WHERE status = 'active'"
                                    " AND region_code >= ?1 AND region_code < ?2";
    struct al_stmt *st = al_db_sql(db, sql_children);
    if (!st)
        return AL_EDB;
    al_stmt_bind_text(st, 1, parent);
    static const struct al_col cols[] = {AL_COL(0, "code", AL_COL_TEXT),
        AL_COL(1, "name", AL_COL_TEXT), AL_COL_END};
    int rc = al_db_rows(st, NULL, &(struct al_rows){.cols = cols}, items);
    if (rc != AL_OK)
        return rc;
    size_t i;
    json_t *it;
    json_array_foreach(items, i, it) {
        char lo[16], hi[16];
        region_scope_bounds(json_string_value(json_object_get(it, "code")), lo, hi);
        struct al_stmt *c = al_db_sql(db, sql_count);
        if (!c)
            return AL_EDB;
        al_stmt_bind_text(c, 1, lo);
        al_stmt_bind_text(c, 2, hi);
        int64_t n = 0;
        rc = al_stmt_int64(c, &n);
        if (rc != AL_OK)
            return rc;
        json_object_set_new(it, "active", json_integer(n));
    }
    return AL_OK;
}
