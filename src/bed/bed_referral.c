/*
 * A family care bed asked by another module (issue 15: a welfare visit's referral,
 * RULE-BED-080/081): the application opened, and its state read, here, so no other module
 * writes or reads the beds table.
 */
#include <string.h>

#include "bed/bed.h"
#include "bed/bed_int.h"
#include "core/db.h"
#include "core/dbq.h"
#include "elder/elder.h"

int
bed_apply_for(struct al_db *db, struct al_arena *a, int64_t elder_id, const char *applicant_name,
    const char *today, int64_t now, int64_t *id, bool *existing)
{
    static const char sql_open[] = "SELECT id FROM beds WHERE elder_id = ? AND status <> 'closed'"
                                   " ORDER BY id DESC LIMIT 1";
    const char *region = NULL, *status = NULL;
    *existing = false;
    int rc = elder_region_of(db, a, elder_id, &region, &status);
    if (rc != AL_OK)
        return rc;
    if (strcmp(status, "active") != 0)
        return AL_EUNPROC;
    struct al_stmt *st = al_db_sql(db, sql_open);
    al_stmt_binds(st, AL_I(elder_id));
    if ((rc = al_stmt_int64(st, id)) != AL_ENOTFOUND) { /* RULE-BED-081: the bed it has */
        *existing = rc == AL_OK;
        return rc;
    }
    return bed_store_create(db, region, elder_id, "helper", applicant_name, today, now, id);
}

int
bed_status_of(struct al_db *db, struct al_arena *a, int64_t id, const char **status,
    const char **status_name)
{
    static const char sql[] = "SELECT status FROM beds WHERE id = ?";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_I(id));
    int rc = al_stmt_one(st);
    if (rc != AL_OK)
        return rc;
    *status = al_stmt_dup(a, st, 0);
    al_stmt_reset(st);
    *status_name = bed_state_name(bed_state_parse(*status));
    return AL_OK;
}
