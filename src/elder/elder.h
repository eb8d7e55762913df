/*
 * The elder registry (一人一档): every older resident of the region, their
 * contacts, family consents, derived categories with evidence, and history.
 */
#ifndef ELDER_H
#define ELDER_H

#include <jansson.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/db.h"
#include "core/router.h"

extern const struct al_module elder_module;

/* ---- for other modules (imports, assessments) ---- */


/* Where a fact came from: shown as the evidence of the categories it implies. */
struct elder_evidence {
    const char *source;     /* "record", "id_number", "import:roll", "assessment" */
    const char *source_ref; /* "user:fg_civil", "import:12", "assessment:5" */
    const char *date;       /* YYYY-MM-DD */
};

/* What other modules may know of one record when they reconcile data with it. */
struct elder_state {
    int64_t id, version;
    const char *name, *address, *region_code, *hukou_region_code, *household_no;
    int household_size;
    const char *economic_status, *economic_source; /* source of the economic status */
    const char *disability_type;
    int disability_grade;
    const char *status, *status_date;
    const char *pension_type;
    int64_t pension_amount_fen; /* -1 none */
};

/*
 * Find the record of an 18-character ID number (keyed-hash lookup).
 * AL_OK, AL_ENOTFOUND or AL_EDB.
 */
int elder_find_by_number(struct al_db *db, struct al_arena *a, const char *number,
    struct elder_state *out);

/*
 * Write `set` (column → value; for a new record it must hold name, region_code,
 * address and "id_number") to record `id` (0: create), inside the caller's
 * transaction: encrypts the ID number, records `ev` as the evidence of the
 * facts written, adds a history entry by `actor` and recomputes the
 * categories.  *new_id receives the id of a created record.
 */
int elder_apply(struct al_db *db, struct al_arena *a, int64_t id, json_t *set,
    const struct elder_evidence *ev, int64_t user_id, const char *actor, const char *action,
    int64_t *new_id);

/* The residence region of elder `id` (copied into `a`).  AL_OK, AL_ENOTFOUND or AL_EDB. */
int elder_region_of(struct al_db *db, struct al_arena *a, int64_t id, const char **region);

/*
 * Recompute every elder's categories on `today` (settings and ages change),
 * writing only records whose set changed; counts in *scanned / *changed.
 * Runs inside the caller's transaction.  AL_OK or AL_EDB.
 */
int elder_recompute_all(struct al_db *db, struct al_arena *a, const char *today, int64_t *scanned,
    int64_t *changed);

#endif
