/*
 * The basic elderly-care service list (基本养老服务清单, issue 12): items per level
 * (national → province → city → county) with inheritance and raised standards, the
 * approval of a lower list's changes by the level above, dated parameters, exclusions
 * between items, example elders, and benefit records (what an elder receives).
 *
 * The rule language (src/entitle/rule*.c, facts*.c) joins this module later: rules are
 * stored here as texts with their version, never parsed or evaluated by this part.
 */
#ifndef ENTITLE_H
#define ENTITLE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/db.h"
#include "core/err.h"
#include "core/router.h"

extern const struct al_module entitle_module;
/* Entitlement runs and their worklists (entitle_run_http.c, issue 12). */
extern const struct al_module entitle_run_module;

/*
 * Demo (entitle_demo.c): the officers of the demo province and city (gz_civil at 52,
 * zy_civil at 5203, with `password`) who approve the lists below them, an approved
 * province list raising 高龄津贴 and adding one item, a county draft, and a few benefit
 * records of the demo county's elders when there are elders.  Rows already there are
 * kept.  AL_OK, or an error with `e` filled.
 */
int entitle_seed_demo(struct al_db *db, struct al_arena *a, const char *password,
    struct al_errinfo *e);

/*
 * What elder `elder_id` (residence `region_code`) may draw each month from item `item_key`
 * on `date` (YYYY-MM-DD), for the home services' funding split (issue 13, RULE-SVC-160):
 * *entitled when a benefit record of the item runs on `date` and the item's newest approved
 * standard on the elder's chain of lists (the longest region prefix, then the newest list
 * version) is monthly; then *by_times for a frequency item (the quota counts visits) and
 * *per_month the amount in fen or the number of visits.  What the month already used is the
 * caller's (the orders are its own).  AL_OK or a database error.
 */
struct entitle_monthly {
    bool entitled, by_times;
    int64_t per_month;
};
int entitle_monthly_standard(struct al_db *db, int64_t elder_id, const char *region_code,
    const char *item_key, const char *date, struct entitle_monthly *out);

/*
 * A benefit record for elder `elder_id` of item `item_key` from `from` (open-ended), with
 * `source` (manual, import, order, subsidy) and a note, by `by`, in the caller's transaction —
 * for other modules' demo seeds (RULE-SVC-161); skipped when one of the item already runs on
 * `from`.  AL_OK or a database error.
 */
int entitle_benefit_grant(struct al_db *db, int64_t elder_id, const char *region_code,
    const char *item_key, const char *from, const char *source, const char *note, const char *by,
    int64_t now);

/*
 * RULE-SVC-201, RULE-SVC-218: what settled visits drew from entitlements, written by the caller
 * as one set statement in its transaction (the statement's approval or adjustment): a county's
 * month is 10^5 draws, which never leave the database.  The caller's text is this head followed
 * by a SELECT of its own tables yielding, per visit and entitlement item: elder_id, region_code,
 * item_key, month (YYYY-MM of used_on), used_on (YYYY-MM-DD, China time), amount_fen the
 * entitlement paid and times the visits (both negative for a reversal after approval), source
 * ('service'), ref_id (the order), reversal (0/1), settlement_id, created_by, created_at.  A draw
 * recorded twice (source, ref_id, item_key, reversal) makes the statement AL_ECONFLICT and
 * nothing is written.
 */
#define ENTITLE_USAGE_INSERT                                                                  \
    "INSERT INTO entitle_usage(elder_id, region_code, item_key, month, used_on, amount_fen,"   \
    " times, source, ref_id, reversal, settlement_id, created_by, created_at) "
struct al_job;

/* What a run is asked to do (RULE-ENT-060). */
struct entitle_run_opts {
    const char *region;   /* "" (whole country) or a code of 2, 4, 6, 9 or 12 digits */
    const char *date;     /* YYYY-MM-DD, NULL for today (China Standard Time) */
    int64_t user_id;      /* 0 for the CLI */
    const char *username; /* the actor in the run row and the audit entry */
    const char *client_ip;/* may be NULL */
    struct al_job *job;   /* progress goes here when run as a job, else NULL */
};

/*
 * Evaluate every active elder under `o->region` against the effective list of their county on
 * the date (RULE-ENT-060..066): each elder's entitled set is kept (rewritten only when it
 * changed), each change since the latest run is recorded with the rule version and the
 * deciding inputs, and the run's worklists are written.  One transaction per county; the run
 * row says done or failed.  AL_OK with *result (a new heap JSON object: run_id, counts,
 * skipped items, duration_ms, phases_ms), or an error with `e` filled in Chinese (AL_EINVAL
 * naming region_code or date).
 */
int entitle_run(struct al_db *db, const struct entitle_run_opts *o, struct json_t **result,
    struct al_errinfo *e);

/*
 * Benefit rolls from other systems (entitle_import.c, RULE-ENT-071..073), for the import
 * module.  A cache of the lists in force, made per import in `a` (which must outlive the pass
 * and holds what the cache reads); `today` is the import's day.
 */
struct entitle_items;
struct entitle_items *entitle_items_new(struct al_arena *a, struct al_db *db, const char *today);
/*
 * RULE-ENT-071: the key of `item` (an item key or its Chinese name) in the list in force for
 * `region` today, else on `date` (an item since ended).  AL_OK with *key (owned by the cache),
 * AL_ENOTFOUND when neither list has it, AL_EINVAL for a malformed region, or a database error.
 */
int entitle_items_find(struct entitle_items *c, const char *region, const char *date,
    const char *item, const char **key);

enum { ENTITLE_BENEFIT_SAME = 0, ENTITLE_BENEFIT_ADDED, ENTITLE_BENEFIT_CHANGED };
/*
 * RULE-ENT-072: record that the elder receives `key` from `from` (until `until`, NULL open)
 * as read from a roll (source 'import'): the same elder, item and start date already imported
 * only has its end date updated.  *outcome is one of the ENTITLE_BENEFIT_* values.  The caller
 * owns the transaction.  AL_OK or a database error.
 */
int entitle_benefit_import(struct al_db *db, int64_t elder_id, const char *region,
    const char *key, const char *from, const char *until, const char *note, const char *by,
    int64_t now, int *outcome);

/* One elder against one item of the effective list (RULE-BED-040: the bed's eligibility step). */
struct entitle_verdict {
    int eligible;            /* 1 entitled, 0 not, -1 cannot say (no rule, a rule that does not
                                compile, the item not on the elder's list) */
    const char *explanation; /* Chinese: why, naming the conditions missing (in `a`) */
    const char *item_name;   /* the item's Chinese name, or NULL when not on the list */
    const char *rule_text;   /* the rule applied, or NULL */
    const char *list_region; /* the county list the elder falls under */
};

/*
 * Is elder `elder_id` (living in `region`) entitled to `item_key` of the effective list of their
 * county on `date`, by the item's rule (RULE-ENT-050..052, the same answer as
 * GET /api/v1/elders/:id/entitlements)?  Fills `out` in `a`.  AL_OK (whatever the answer),
 * AL_EUNPROC when the region keys no list, AL_EDB.  Reads only; the caller checks scope.
 */
int entitle_elder_item(struct al_db *db, struct al_arena *a, int64_t elder_id, const char *region,
    const char *item_key, const char *date, struct entitle_verdict *out);

/*
 * RULE-ENT-074: elder `elder_id` (living in `region`) against every item of the effective list
 * of their county on `date`, as GET /api/v1/elders/:id/entitlements answers it, summed up for
 * another module (a welfare visit's referral, issue 15): how many items, how many the elder is
 * eligible for, how many they receive, and the names of those eligible but not received — the
 * gap to act on — with a Chinese summary (in `a`).  Reads only; the caller checks scope.
 * AL_OK, AL_EUNPROC when the region keys no list, or a database error.
 */
struct entitle_check {
    int items, eligible, receiving, missing;
    const char *missing_names; /* 、-separated, "" when none */
    const char *summary;
    const char *list_region;
};
int entitle_elder_check(struct al_db *db, struct al_arena *a, int64_t elder_id,
    const char *region, const char *date, struct entitle_check *out);

#endif
