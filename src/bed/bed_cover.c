/*
 * What a family care bed's service package covers, for other modules (issue 13's settlement,
 * RULE-SVC-163): read here, so no other module reads the beds table.
 */
#include <jansson.h>
#include <string.h>

#include "bed/bed.h"
#include "core/db.h"
#include "core/dbq.h"

int
bed_covers_service(struct al_db *db, int64_t elder_id, const char *date, const char *item_name,
    bool *covered, int64_t *bed_id)
{
    static const char sql[] =
        "SELECT id, care_plan FROM beds WHERE elder_id = ? AND status IN ('in_service', 'review')"
        " AND care_plan IS NOT NULL AND coalesce(agreement_start, started_on, '') <= ?"
        " AND (agreement_end IS NULL OR agreement_end >= ?) ORDER BY id";
    *covered = false;
    *bed_id = 0;
    struct al_stmt *st = al_db_sql(db, sql);
    if (!st)
        return AL_EDB;
    al_stmt_binds(st, AL_I(elder_id), AL_T(date), AL_T(date));
    int rc;
    while ((rc = al_stmt_step(st)) == AL_ROW) {
        if (*covered)
            continue; /* read to the end: the statement resets itself */
        json_t *plan = json_loads(al_stmt_text(st, 1), 0, NULL);
        size_t i;
        json_t *s;
        json_array_foreach(json_object_get(plan, "services"), i, s) {
            const char *name = json_string_value(json_object_get(s, "name"));
            if (name && item_name && strstr(name, item_name)) {
                *covered = true;
                *bed_id = al_stmt_int(st, 0);
            }
        }
        json_decref(plan);
    }
    return rc;
}

int
bed_elders_covered(struct al_db *db, struct al_arena *a, const char *from, const char *to,
    int64_t **ids, size_t *n)
{
    static const char sql[] =
        "SELECT DISTINCT elder_id FROM beds WHERE status IN ('in_service', 'review')"
        " AND care_plan IS NOT NULL AND coalesce(agreement_start, started_on, '') <= ?"
        " AND (agreement_end IS NULL OR agreement_end >= ?) ORDER BY elder_id";
    struct al_stmt *st = al_db_sql(db, sql);
    size_t cap = 0;
    int rc;
    *ids = NULL;
    *n = 0;
    if (!st)
        return AL_EDB;
    al_stmt_binds(st, AL_T(to), AL_T(from));
    while ((rc = al_stmt_step(st)) == AL_ROW) {
        *ids = al_arena_grow(a, *ids, *n, &cap, sizeof(**ids), 16);
        (*ids)[(*n)++] = al_stmt_int(st, 0);
    }
    return rc;
}
