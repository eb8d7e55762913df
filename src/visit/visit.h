/*
 * Welfare visits and referrals (探访关爱, issue 15): risk tiers per region,
 * responsible visitors, visit tasks per period and on events, visit records
 * with findings and needs, referrals tracked to closure, the monthly visit
 * rate (docs/rules.md RULE-VISIT-*).
 */
#ifndef VISIT_H
#define VISIT_H

#include <stdint.h>

#include "core/arena.h"
#include "core/db.h"
#include "core/err.h"
#include "core/router.h"

extern const struct al_module visit_module;

/* RULE-VISIT-080: the visit record as the owner of photos (src/attach, docs/attachments.md). */
struct attach_owner;
extern const struct attach_owner visit_attach_owner;

/*
 * RULE-VISIT-021: an event that calls for a visit of elder `elder_id`:
 * "identified" (newly in special difficulty after an identification run:
 * src/identify calls it, RULE-VISIT-064), "discharge" (a hospital discharge a
 * helper entered), "alarm" (an alarm closed as needing help: through
 * visit_on_alarm_closed, RULE-VISIT-081).  The elder's tier is first
 * recomputed (their village), then one task is opened, due within the tier's
 * event hours; the same event (`reason`, `ref`) twice opens one task.  Inside
 * the caller's transaction.  *task_id the task.  AL_OK, AL_ENOTFOUND (no
 * such elder), AL_EUNPROC (the elder is in no target group) or AL_EDB.
 */
int visit_on_event(struct al_db *db, struct al_arena *a, int64_t elder_id, const char *reason,
    const char *ref, const char *note, int64_t user_id, int64_t now, int64_t *task_id);

/*
 * RULE-VISIT-081: the alarm module's one seam into visits, called when alarm
 * `alarm_id` of elder `elder_id` is closed with `outcome` (RULE-ALARM-023), in
 * the closing transaction.  An alarm that ended in a real emergency or a need
 * for help (real_emergency, needed_help) gets the elder a follow-up visit
 * task through visit_on_event (reason "alarm", reference "alarm:<id>", due
 * within the tier's event hours); one closed as a false alarm, a test or
 * after someone went to the door (no_answer_visited) gets none, and neither
 * does an elder outside the visit target groups.  *task_id the task, 0 when
 * none.  AL_OK or AL_EDB.
 */
int visit_on_alarm_closed(struct al_db *db, struct al_arena *a, int64_t alarm_id,
    int64_t elder_id, const char *outcome, int64_t user_id, int64_t now, int64_t *task_id);

/*
 * Demo county: tiers of 凤冈县, lq_helper responsible for 龙泉街道's targets,
 * this period's tasks, a month of visits, needs and referrals.  AL_OK or AL_EDB.
 */
int visit_seed_demo(struct al_db *db, struct al_arena *a, struct al_errinfo *e);

/*
 * RULE-VISIT-090: elder `elder_id`'s latest `limit` welfare visits, the newest first, as a new
 * JSON array in *out (id, visited_at, method and its Chinese name, reached, urgent, the
 * visitor's name), for another module's view of the elder (the alarm console's card).  Reads
 * only; the caller checks scope.
 */
int visit_recent_json(struct al_db *db, struct al_arena *a, int64_t elder_id, int limit,
    struct json_t **out);

#endif
