/*
 * Identification runs (精准识别, "服务找人"): recompute every elder's
 * categories from all sources and produce worklists (docs/rules.md
 * RULE-IDENT-001..005), exportable to CSV and XLSX.
 */
#ifndef IDENTIFY_H
#define IDENTIFY_H

#include <stdint.h>

#include "core/db.h"
#include "core/err.h"
#include "core/router.h"

extern const struct al_module identify_module;

struct identify_result {
    int64_t run_id, scanned, recomputed, duration_ms;
    int baseline;
    int64_t counts[5]; /* per list, in identify_list_ids order */
    int64_t visit_tasks; /* RULE-VISIT-064: visit tasks opened for the newly special */
};

/* The list ids, in order: new_special, inactive_in_service, missing_hukou, duplicates, changed. */
extern const char *const identify_list_ids[5];

/*
 * Run an identification over the whole registry in one transaction, as
 * `username` (user_id 0 for the CLI), at `now` (unix seconds: the job's start,
 * RULE-DB-102): the run, its audit entry and the categories' "today" (ages)
 * are of that time.  AL_OK with `out` filled, or AL_EDB.
 */
int identify_run(struct al_db *db, int64_t now, int64_t user_id, const char *username,
    const char *client_ip, struct identify_result *out);

#endif
