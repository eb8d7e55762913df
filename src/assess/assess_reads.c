/*
 * Capability assessments read by other modules (issue 14: a family care bed's home check):
 * here, so no other module reads the assessment tables.
 */
#include "assess/assess.h"
#include "core/db.h"
#include "core/dbq.h"

int
assess_latest_valid(struct al_db *db, struct al_arena *a, int64_t elder_id, const char *today,
    struct assess_latest *out)
{
    /* RULE-ASSESS-022: the newest published result still valid on `today`. */
    static const char sql[] =
        "SELECT id, final_level, assessed_on, valid_until FROM assessments"
        " WHERE elder_id = ?1 AND status = 'published' AND valid_until >= ?2"
        " ORDER BY assessed_on DESC, id DESC LIMIT 1";
    struct al_stmt *st = al_db_sql(db, sql);
    if (!st)
        return AL_EDB;
    al_stmt_binds(st, AL_I(elder_id), AL_T(today));
    int rc = al_stmt_one(st);
    if (rc != AL_OK)
        return rc;
    *out = (struct assess_latest){.id = al_stmt_int(st, 0), .level = (int)al_stmt_int(st, 1),
        .assessed_on = al_stmt_dup(a, st, 2), .valid_until = al_stmt_dup(a, st, 3)};
    al_stmt_reset(st);
    return AL_OK;
}
