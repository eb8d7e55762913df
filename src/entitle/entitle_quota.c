/*
 * The entitlement module's answer to "how much may this elder draw this month" (issue 13's
 * home services, RULE-SVC-160), moved here from service_store.c, which read these tables
 * directly; and a benefit record for other modules' demo seeds (RULE-SVC-161).
 */
#include <string.h>

#include "core/dbq.h"
#include "entitle/entitle.h"
#include "entitle/entitle_int.h"

int
entitle_monthly_standard(struct al_db *db, int64_t elder_id, const char *region_code,
    const char *item_key, const char *date, struct entitle_monthly *out)
{
    static const char sql_benefit[] =
        "SELECT count(*) FROM entitle_benefits WHERE elder_id = ? AND item_key = ?"
        " AND from_date <= ? AND (until_date IS NULL OR until_date >= ?)";
    static const char sql_standard[] =
        "SELECT i.standard_kind, coalesce(i.amount_fen, 0), coalesce(i.times, 0), i.period"
        " FROM entitle_items i JOIN entitle_changes c ON c.id = i.change_id"
        " WHERE c.status = 'approved' AND c.effective_from <= ?2 AND i.item_key = ?1"
        "   AND i.status <> 'stopped' AND (i.amount_fen IS NOT NULL OR i.times IS NOT NULL)"
        "   AND (i.region_code = '' OR i.region_code = substr(?3, 1, 2)"
        "        OR i.region_code = substr(?3, 1, 4) OR i.region_code = substr(?3, 1, 6))"
        " ORDER BY length(i.region_code) DESC, c.list_version DESC LIMIT 1";
    *out = (struct entitle_monthly){0};
    int64_t n = 0;
    struct al_stmt *st = al_db_sql(db, sql_benefit);
    if (!st)
        return AL_EDB;
    al_stmt_binds(st, AL_I(elder_id), AL_T(item_key), AL_T(date), AL_T(date));
    int rc = al_stmt_int64(st, &n);
    if (rc != AL_OK || n == 0)
        return rc;
    if (!(st = al_db_sql(db, sql_standard)))
        return AL_EDB;
    al_stmt_binds(st, AL_T(item_key), AL_T(date), AL_T(region_code));
    rc = al_stmt_one(st);
    if (rc == AL_ENOTFOUND)
        return AL_OK; /* no standard: nothing to draw */
    if (rc != AL_OK)
        return rc;
    const char *kind = al_stmt_text(st, 0), *period = al_stmt_text(st, 3);
    bool monthly = period && strcmp(period, "month") == 0;
    out->by_times = kind && strcmp(kind, "frequency") == 0;
    out->per_month = out->by_times ? al_stmt_int(st, 2) : al_stmt_int(st, 1);
    out->entitled = monthly;
    al_stmt_reset(st);
    return AL_OK;
}

int
entitle_benefit_grant(struct al_db *db, int64_t elder_id, const char *region_code,
    const char *item_key, const char *from, const char *source, const char *note, const char *by,
    int64_t now)
{
    static const char sql[] =
        "SELECT count(*) FROM entitle_benefits WHERE elder_id = ? AND item_key = ?"
        " AND from_date <= ? AND (until_date IS NULL OR until_date >= ?)";
    int64_t n = 0, id = 0;
    struct al_stmt *st = al_db_sql(db, sql);
    if (!st)
        return AL_EDB;
    al_stmt_binds(st, AL_I(elder_id), AL_T(item_key), AL_T(from), AL_T(from));
    int rc = al_stmt_int64(st, &n);
    if (rc != AL_OK || n > 0)
        return rc;
    return entitle_store_benefit_add(db, elder_id, region_code, item_key, from, NULL, source, note,
        by, now, &id);
}
