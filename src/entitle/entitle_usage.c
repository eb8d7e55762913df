/*
 * What elders drew from their entitlements (issue 13, RULE-SVC-201..202): the home services'
 * settlement writes one record per settled visit and entitlement item through
 * entitle_usage_record (in the approval's transaction), and a reversal after approval writes
 * it back; the entitlement module reads them (an elder's benefits page).
 * Table entitle_usage, migration 071.
 */
#include <stdio.h>

#include "core/dbq.h"
#include "entitle/entitle.h"
#include "entitle/entitle_int.h"

int
entitle_usage_record(struct al_db *db, const struct entitle_use *u, size_t n, const char *by,
    int64_t now)
{
    struct al_copy *cp = NULL;
    if (n == 0)
        return AL_OK;
    /* RULE-DB-022: one bulk load (COPY on PostgreSQL) — a county's month is 10^5 rows. */
    int rc = al_db_copy_begin(db, "entitle_usage",
        "elder_id, region_code, item_key, month, used_on, amount_fen, times, source, ref_id,"
        " reversal, settlement_id, created_by, created_at", &cp);
    for (size_t i = 0; i < n && rc == AL_OK; i++) {
        char month[8];
        snprintf(month, sizeof(month), "%.7s", u[i].used_on);
        al_copy_int(cp, u[i].elder_id);
        al_copy_text(cp, u[i].region_code);
        al_copy_text(cp, u[i].item_key);
        al_copy_text(cp, month);
        al_copy_text(cp, u[i].used_on);
        al_copy_int(cp, u[i].amount_fen);
        al_copy_int(cp, u[i].times);
        al_copy_text(cp, u[i].source);
        al_copy_int(cp, u[i].ref_id);
        al_copy_int(cp, u[i].reversal ? 1 : 0);
        al_copy_int(cp, u[i].settlement_id);
        al_copy_text(cp, by);
        al_copy_int(cp, now);
        rc = al_copy_row(cp);
    }
    if (cp)
        rc = al_copy_end(cp, rc);
    return rc;
}

static const struct al_col usage_cols[] = {AL_COL(0, "item_key", AL_COL_TEXT),
    AL_COL(1, "month", AL_COL_TEXT), AL_COL(2, "used_on", AL_COL_TEXT),
    AL_COL(3, "amount_fen", AL_COL_INT), AL_COL(4, "times", AL_COL_INT),
    AL_COL(5, "source", AL_COL_TEXT), AL_COL(6, "ref_id", AL_COL_INT),
    AL_COL(7, "reversal", AL_COL_BOOL), AL_COL(8, "settlement_id", AL_COL_INT),
    AL_COL(9, "created_at", AL_COL_TIME), AL_COL_END};

int
entitle_usage_json(struct al_db *db, struct al_arena *a, int64_t elder_id, json_t *out)
{
    struct al_stmt *st = al_db_sql(db,
        "SELECT item_key, month, used_on, amount_fen, times, source, ref_id, reversal,"
        " settlement_id, created_at FROM entitle_usage WHERE elder_id = ?"
        " ORDER BY used_on DESC, id DESC LIMIT 200");
    if (!st)
        return AL_EDB;
    al_stmt_bind_int(st, 1, elder_id);
    return al_db_rows(st, a, &(struct al_rows){.cols = usage_cols}, out);
}
