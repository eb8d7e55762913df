/*
 * What elders drew from their entitlements (issue 13, RULE-SVC-201..202): the home services'
 * settlement writes one record per settled visit and entitlement item with entitle.h's
 * ENTITLE_USAGE_INSERT (in the approval's transaction), and a reversal after approval writes
 * it back; the entitlement module reads them (an elder's benefits page).
 * Table entitle_usage, migration 071.
 */
#include <stdio.h>

#include "core/dbq.h"
#include "entitle/entitle.h"
#include "entitle/entitle_int.h"

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
