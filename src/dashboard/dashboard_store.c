/* The dashboard module's SQL. */
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
    al_stmt_bind_text(st, 1, lo);
    al_stmt_bind_text(st, 2, hi);
    al_stmt_bind_int(st, 3, day_start);
    al_stmt_bind_text(st, 4, scope);
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
