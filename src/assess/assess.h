/*
 * Capability assessment (老年人能力评估, GB/T 42195-2022): scoring, levels,
 * adjustment rules (docs/rules.md RULE-ASSESS-*), and the assessment record.
 */
#ifndef ASSESS_H
#define ASSESS_H

#include <stdbool.h>
#include <stdint.h>

#include "core/db.h"
#include "core/router.h"

extern const struct al_module assess_module;

/*
 * Record a result of the older standard (MZ/T 039-2013, levels 0–3) for an
 * elder, inside the caller's transaction (imports).  Never converted, never
 * setting the ability level (RULE-ASSESS-017); the same elder, date and level
 * is recorded once (*inserted false then).  adl_score -1 when unknown.
 */
int assess_legacy_record(struct al_db *db, int64_t now, int64_t elder_id, const char *region_code,
    int level, int adl_score, const char *assessed_on, const char *reference, int64_t user_id,
    bool *inserted);

/*
 * For other modules (a welfare visit's referral, issue 15): open an immediate-
 * assessment request for elder `elder_id` living in `region_code`, from
 * `source` ("visit", "alarm"), inside the caller's transaction.  *id the new
 * request.  AL_OK or AL_EDB.
 */
int assess_request_open(struct al_db *db, int64_t elder_id, const char *region_code,
    const char *source, const char *note, int64_t user_id, int64_t now, int64_t *id);

/*
 * RULE-ASSESS-022: elder `elder_id`'s newest published capability assessment still valid on
 * `today` (YYYY-MM-DD), for another module (a family care bed's home check, issue 14): its id,
 * final level (0–4) and dates, copied into `a`.  AL_OK, AL_ENOTFOUND (none valid) or AL_EDB.
 */
struct al_arena;
struct assess_latest {
    int64_t id;
    int level;
    const char *assessed_on, *valid_until;
};
int assess_latest_valid(struct al_db *db, struct al_arena *a, int64_t elder_id, const char *today,
    struct assess_latest *out);

/* The status of request `id` ("open" or "done", a copy in `a`).  AL_OK, AL_ENOTFOUND or AL_EDB. */
struct al_arena;
int assess_request_status(struct al_db *db, struct al_arena *a, int64_t id, const char **status);

/*
 * Demo county: the qualifications of the demo assessors (user_seed_demo()):
 * fg_assessor and fg_assessor2 valid, fg_assessor3 expired (it cannot sign).
 * Existing ones are kept.  AL_OK or AL_EDB.
 */
int assess_seed_demo_assessors(struct al_db *db);

/*
 * Demo county: published assessments for about one elder in twelve (`anlao serve --demo`),
 * dated from `now` (the seed's time), inside the caller's transaction; their count in
 * *made.  AL_OK or an error of the closed set.
 */
int assess_seed_demo(struct al_db *db, int64_t now, int64_t *made);

#endif
