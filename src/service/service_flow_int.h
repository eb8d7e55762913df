/*
 * Home services, the order flow around the orders (issue 13, second slice), private:
 * recurring plans that generate orders ahead (RULE-SVC-130..137) and the sweep that takes
 * back an order the caregiver did not accept in time (RULE-SVC-140..143).  Pure rules in
 * service_flow_logic.c, SQL in service_flow_store.c, routes and jobs in service_flow.c.
 */
#ifndef SERVICE_FLOW_INT_H
#define SERVICE_FLOW_INT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/db.h"
#include "core/err.h"
#include "core/jobs.h"
#include "core/router.h"

/* ---- pure rules (service_flow_logic.c) ---- */

enum svc_pattern { SVC_WEEKLY = 0, SVC_MONTHLY = 1 };

/* "weekly"/"monthly" → enum svc_pattern, or -1. */
int service_pattern_parse(const char *s);

/*
 * RULE-SVC-130: the days of a plan, "2,5" (weekly: ISO weekdays 1 = Monday .. 7; monthly: days
 * 1..31), as a bit mask (bit d set for day d).  False when empty, not numbers, or out of range.
 */
bool service_plan_days(int pattern, const char *days, uint32_t *mask);

/*
 * RULE-SVC-131: is `date` (YYYY-MM-DD) one of the plan's days?  A monthly day the month lacks
 * (31 in April) is skipped, never moved.  False for a date that is not one.
 */
bool service_plan_due(int pattern, uint32_t mask, const char *date);

/* The date `n` days after `date` (YYYY-MM-DD, either may be the same buffer). */
void service_date_add(const char *date, int n, char out[11]);

/* RULE-SVC-140: an order assigned at `assigned_at` and not accepted is overdue at `now`. */
bool service_accept_overdue(int64_t assigned_at, int64_t now, int accept_min);

/* ---- the store (service_flow_store.c) ---- */

struct svc_plan {
    int64_t id, elder_id, version;
    const char *region_code, *item_code, *pattern, *days, *from_date, *to_date, *note, *status,
        *generated_to, *created_by;
    int start_min;
};

/* service.accept_minutes (default 15, 1..1440) and service.plan_days (default 7, 1..62). */
int service_flow_settings(struct al_db *db, int *accept_min, int *plan_days);

/* Insert plan `p` (caller's transaction); id in *id. */
int service_flow_plan_add(struct al_db *db, const struct svc_plan *p, int64_t now, int64_t *id);

/* Plan `id` (in `a`).  AL_OK, AL_ENOTFOUND or AL_EDB. */
int service_flow_plan(struct al_db *db, struct al_arena *a, int64_t id, struct svc_plan *out);

/* The plans in `scope` (elder `elder_id` only when > 0) as JSON appended to `items`. */
int service_flow_plans_json(struct al_db *db, struct al_arena *a, const char *scope,
    int64_t elder_id, json_t *items);

/* The active plans (plan `only` when > 0), in `a`. */
int service_flow_active(struct al_db *db, struct al_arena *a, int64_t only, struct svc_plan **out,
    size_t *n);

/* RULE-SVC-134: plan `id` stops with `reason` (caller's transaction). */
int service_flow_plan_stop(struct al_db *db, int64_t id, const char *reason, int64_t now);

/* The plan has its order for `date` already: *yes. */
int service_flow_plan_has(struct al_db *db, int64_t plan_id, const char *date, bool *yes);

/* Tie order `order_id` to plan `plan_id`'s day `date`; AL_ECONFLICT when that day has one. */
int service_flow_plan_link(struct al_db *db, int64_t order_id, int64_t plan_id, const char *date);

/* Plan `id` generated up to `date`. */
int service_flow_plan_generated(struct al_db *db, int64_t id, const char *date);

struct svc_overdue {
    int64_t order_id, assigned_at;
    const char *region_code, *caregiver_name;
};

/* Orders in state assigned whose last assignment was at or before `before`, in `a`. */
int service_flow_overdue(struct al_db *db, struct al_arena *a, int64_t before,
    struct svc_overdue **out, size_t *n);

/* Elder `elder_id`'s orders, newest first (at most 200), for the family's page. */
int service_flow_elder_orders(struct al_db *db, struct al_arena *a, int64_t elder_id, json_t *items);

/*
 * RULE-SVC-162, RULE-SVC-163: would paying order `order_id` pay twice?  *code
 * "paid_other_provider" (another provider's statement has a line for the same elder, an item in
 * common and an overlapping time) or "bed_package" (a family care bed's service package covers
 * an item that day, bed.h), with a Chinese *detail (in `a`); NULL when neither.
 */
int service_flow_double(struct al_db *db, struct al_arena *a, int64_t order_id, const char **code,
    const char **detail);
/* RULE-SVC-164: statement `settlement_id` held order `order_id` back with `code` (caller's tx);
 * held again (an adjustment, RULE-SVC-197): the newest code and detail. */
int service_flow_hold(struct al_db *db, int64_t settlement_id, int64_t order_id, const char *code,
    const char *detail, int64_t now);
/* The orders statement `settlement_id` held back for double payment, as JSON into `items`. */
int service_flow_holds_json(struct al_db *db, struct al_arena *a, int64_t settlement_id,
    json_t *items);

/* ---- the work (service_flow.c) ---- */

struct elder_home;
struct svc_new_order;

/* One order of one item for one elder (a plan's day, a family's order). */
struct svc_one {
    int64_t elder_id;
    const struct elder_home *home; /* the elder's, from elder_home_of */
    const char *item_code, *note, *channel, *placed_by;
    int64_t start;                 /* unix seconds; the window is the item's planned minutes */
};

/*
 * Price (RULE-SVC-014: the entitlement first, this month's quota) and insert order `in` in
 * the caller's transaction: the order in *o (its line in `a`), its id in *id.  AL_OK,
 * AL_ENOTFOUND (the item is not active) or a database error.  The caller audits.
 */
int service_flow_place(struct al_db *db, struct al_arena *a, const struct svc_one *in, int64_t now,
    struct svc_new_order *o, int64_t *id);

struct svc_plan_run {
    int plans, created, existing, stopped, failed;
};

/*
 * RULE-SVC-131..135: every active plan (plan `only` when > 0) gets its orders for the days
 * [today, today + service.plan_days) within its dates, as of `now`, by `by`; a plan whose
 * elder is no longer in the registry (moved out, deceased, cancelled) stops instead.  Each
 * order is placed, priced and audited like one a helper places, in its own transaction; a
 * day that has its order already is skipped (run twice: nothing twice).  AL_OK or an error.
 */
int service_flow_generate(struct al_db *db, struct al_arena *a, int64_t only, int64_t now,
    const char *by, struct svc_plan_run *out);

/*
 * RULE-SVC-141: every order assigned at least service.accept_minutes before `now` and not
 * accepted goes back to 待派单 with an event naming why (超时未接单) and an audit entry, the
 * boards told.  *n: how many.  AL_OK or an error.
 */
int service_flow_sweep(struct al_db *db, struct al_arena *a, int64_t now, int *n);

/* The routes and job kinds of this part, listed by service.c. */
extern const struct al_route service_flow_routes[];
extern const struct al_job_periodic service_flow_jobs[];

#endif
