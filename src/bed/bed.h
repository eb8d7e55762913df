/*
 * Family care beds (家庭养老床位, issue 14): the lifecycle from application to closure as a pure
 * transition table, required devices and rectification tasks (RULE-BED-*).
 */
#ifndef BED_H
#define BED_H

#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/router.h"

extern const struct al_module bed_module;

/*
 * RULE-BED-050: photos and documents of the adaptation and of the installation (owner kind
 * "bed", tags "adaptation" and "installation"), seen by whoever may see the bed.
 */
struct attach_owner;
extern const struct attach_owner bed_attach_owner;

struct al_db;
struct al_errinfo;

/*
 * The demo county's beds (520327 凤冈县) on the first demo elders: one in service with its
 * devices, one missing the activity sensor with an open rectification task, one at the home
 * check.  AL_OK (nothing when there is no elder) or the failure with a message in `e`.
 */
int bed_seed_demo(struct al_db *db, struct al_errinfo *e);

/*
 * Does a family care bed of elder `elder_id` cover service `item_name` (助浴 …) on `date`
 * (YYYY-MM-DD)?  A bed in service (or under review) whose agreement runs that day and whose care
 * plan's service package names the item: *covered, and the bed's id in *bed_id.  For the home
 * services' settlement (issue 13, RULE-SVC-163).  AL_OK or AL_EDB.
 */
int bed_covers_service(struct al_db *db, int64_t elder_id, const char *date,
    const char *item_name, bool *covered, int64_t *bed_id);

/*
 * RULE-BED-080/081: a bed application for elder `elder_id` asked by another module (a welfare
 * visit's referral, issue 15): applicant 协管员 named `applicant_name`, applied `today`, in the
 * caller's transaction (the caller audits).  An elder who already has a bed not closed keeps it:
 * its id in *id with *existing set, nothing written.  AL_OK, AL_ENOTFOUND (no such elder),
 * AL_EUNPROC (the record is not active) or a database error.
 */
struct al_arena;
int bed_apply_for(struct al_db *db, struct al_arena *a, int64_t elder_id,
    const char *applicant_name, const char *today, int64_t now, int64_t *id, bool *existing);

/* The state of bed `id` (application … in_service, review, closed) and its Chinese name, in `a`.
 * AL_OK, AL_ENOTFOUND or a database error. */
int bed_status_of(struct al_db *db, struct al_arena *a, int64_t id, const char **status,
    const char **status_name);

/*
 * The elders whose family care bed (in service or under review, with a care plan) has an
 * agreement running on some day of [from, to] (YYYY-MM-DD): only their visits can be covered
 * (bed_covers_service), so a month's settlement asks once instead of per visit (RULE-SVC-204).
 * Ascending ids in `a`, *n their number.  AL_OK or AL_EDB.
 */
int bed_elders_covered(struct al_db *db, struct al_arena *a, const char *from, const char *to,
    int64_t **ids, size_t *n);

#endif
