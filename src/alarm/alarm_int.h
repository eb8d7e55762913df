/* Private to the alarm module: its SQL and the handling rules' tables. */
#ifndef ALARM_INT_H
#define ALARM_INT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/db.h"

/* RULE-ALARM-022: who may be called on the escalation ladder, and what came of it. */
bool alarm_step_target_ok(const char *s);
bool alarm_step_outcome_ok(const char *s);
/* RULE-ALARM-023: closure outcome categories. */
bool alarm_outcome_ok(const char *s);
const char *alarm_outcome_name(const char *s);

struct alarm_filter {
    const char *scope, *status;
    int64_t device_id, elder_id;
    int64_t limit, offset;
};
int alarm_store_list(struct al_db *db, struct al_arena *a, const struct alarm_filter *f,
    json_t *items, int64_t *total);

/* One alarm (with the elder's card) as JSON; its region and status in `a`.  AL_ENOTFOUND. */
int alarm_store_get(struct al_db *db, struct al_arena *a, int64_t id, json_t **out,
    const char **region, const char **status, int64_t *version);
/* The timeline, in order, appended to `steps`. */
int alarm_store_steps(struct al_db *db, struct al_arena *a, int64_t id, json_t *steps);
/* RULE-ALARM-069: record the first console showing alarm `id`; *first when this call did. */
int alarm_store_shown(struct al_db *db, int64_t id, int64_t user_id, const char *name, int64_t now,
    bool *first);
/* RULE-ALARM-069: the "shown" step of alarm `id` (none before it is shown), into `steps`. */
int alarm_store_shown_step(struct al_db *db, struct al_arena *a, int64_t id, json_t *steps);
/* RULE-ALARM-068: elder `elder_id`'s latest `limit` alarms other than `except`, into `items`. */
int alarm_store_recent(struct al_db *db, struct al_arena *a, int64_t elder_id, int64_t except,
    int limit, json_t *items);

/* RULE-ALARM-021: acknowledge an open alarm.  AL_ECONFLICT when it is not open any more. */
int alarm_store_ack(struct al_db *db, int64_t id, int64_t user_id, const char *user_name,
    int64_t now);
/* RULE-ALARM-022: one escalation call.  AL_ECONFLICT when closed. */
int alarm_store_call(struct al_db *db, int64_t id, int64_t user_id, const char *user_name,
    const char *target, const char *outcome, const char *note, int64_t now);
/* RULE-ALARM-023: close an acknowledged alarm.  AL_ECONFLICT when not acknowledged. */
int alarm_store_close(struct al_db *db, int64_t id, int64_t user_id, const char *user_name,
    const char *outcome, const char *note, int64_t now);

/*
 * RULE-ALARM-055: record urgent service order `order_id` on acknowledged alarm
 * `id` (with a timeline step).  AL_ECONFLICT when the alarm is not
 * acknowledged or already has an order.  In the caller's transaction.
 */
int alarm_store_set_order(struct al_db *db, int64_t id, int64_t order_id, int64_t user_id,
    const char *user_name, int64_t now);

/* ---- timers' SQL (alarm_store.c) ---- */

/*
 * RULE-ALARM-065: fall alarm `id` requested assessment request `request_id`, in the caller's
 * transaction.  AL_ECONFLICT when not a fall alarm or one was requested already.
 */
int alarm_store_set_assessment(struct al_db *db, int64_t id, int64_t request_id);

/* RULE-ALARM-030: the setting alarm.escalate_seconds (60 when unset or not a number ≥ 1). */
int64_t alarm_store_escalate_seconds(struct al_db *db);
/* RULE-ALARM-030: set it. */
int alarm_store_escalate_seconds_put(struct al_db *db, int64_t seconds);

/* An alarm the sweep changed: to announce. */
struct alarm_changed {
    int64_t id;
    char region_code[16];
};

/*
 * RULE-ALARM-031..032: escalate every open alarm whose level at `now` is above
 * the one recorded, a level at a time, each level a timeline step dated at its
 * due time, one transaction per alarm.  At most `max` changed alarms into
 * `out` (*n).  AL_OK or the database's error.
 */
int alarm_store_escalate_due(struct al_db *db, int64_t now, int64_t escalate_s,
    struct alarm_changed *out, int max, int *n);

/*
 * RULE-ALARM-041..042: raise one inactivity alarm for every elder whose
 * silence (outside the quiet hours) reached the setting at `now` and whose
 * current silence has not been alarmed yet.  Like alarm_store_escalate_due.
 */
int alarm_store_inactive_due(struct al_db *db, int64_t now, struct alarm_changed *out, int max,
    int *n);

/* RULE-ALARM-040: an elder's inactivity setting (from the request). */
struct alarm_inactivity {
    int64_t elder_id;
    const char *region_code;
    int hours, quiet_from_min, quiet_to_min;
    bool follows_default; /* RULE-ALARM-063: the county's thresholds, changed with them */
};

/* RULE-ALARM-062: the thresholds when a county has set none. */
#define ALARM_INACTIVITY_HOURS 12
#define ALARM_QUIET_FROM_MIN (22 * 60)
#define ALARM_QUIET_TO_MIN (7 * 60)
/*
 * RULE-ALARM-062: county `county`'s (6 digits) thresholds into in->hours and the quiet hours;
 * *set false (and the defaults above) when it has none.  AL_OK or the database's error.
 */
int alarm_store_thresholds_get(struct al_db *db, const char *county, struct alarm_inactivity *in,
    bool *set);
/*
 * RULE-ALARM-062, RULE-ALARM-063: set the county's thresholds at `now`, and the settings of its
 * elders that follow them; their number into *followers.  In the caller's transaction.
 */
int alarm_store_thresholds_put(struct al_db *db, const char *county,
    const struct alarm_inactivity *in, int64_t now, int64_t *followers);
/* RULE-ALARM-064: the county's elders with an inactivity setting, and those following it. */
int alarm_store_thresholds_count(struct al_db *db, const char *county, int64_t *with,
    int64_t *following);
/*
 * Set it (insert or replace; the clock starts at `now` from the elder's newest
 * motion or door device `device_id`).  In the caller's transaction.
 */
int alarm_store_inactivity_put(struct al_db *db, const struct alarm_inactivity *in,
    int64_t device_id, int64_t now);
/* The setting of elder `elder_id` as JSON (AL_ENOTFOUND when none). */
int alarm_store_inactivity_get(struct al_db *db, struct al_arena *a, int64_t elder_id,
    json_t **out);
/* The elder's newest active motion or door device (AL_ENOTFOUND when none). */
int alarm_store_activity_device(struct al_db *db, int64_t elder_id, int64_t *device_id);

/* ---- the answer-time report (RULE-ALARM-045..047) ---- */

/* One region's figures for a month. */
struct alarm_answer {
    int64_t count, within_60, within_180, unanswered;
    int64_t slowest_s; /* the longest time to acknowledgement, -1 when none was acknowledged */
    int64_t closed, close_total_s, false_alarms; /* RULE-ALARM-066 */
};
/*
 * The alarms of `scope` raised in [from, to), per child region (the next level
 * of division codes below `scope`: townships under a county, villages under a
 * township) appended to `children` as {region_code, count, within_60,
 * within_180, unanswered, slowest_s, closed, close_avg_s, false_alarms}, and
 * summed into *total.
 */
int alarm_store_answer_report(struct al_db *db, struct al_arena *a, const char *scope,
    int64_t from, int64_t to, json_t *children, struct alarm_answer *total);
/* RULE-ALARM-066: the mean time to closure of `x` (rounded seconds; null when none closed). */
void alarm_close_avg(json_t *row, const struct alarm_answer *x);
/*
 * RULE-ALARM-066: the same alarms by type, most first, appended to `kinds` as {type, count,
 * false_alarms}.
 */
int alarm_store_answer_kinds(struct al_db *db, struct al_arena *a, const char *scope,
    int64_t from, int64_t to, json_t *kinds);

#endif
