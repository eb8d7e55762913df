/*
 * Alarms (issue 14): the rules that turn device messages and silences into
 * alarms and tickets (pure, RULE-ALARM-001..019), their timers, and the
 * handling of an alarm: the live console, acknowledgement, escalation steps
 * and closure, each a step of the alarm's timeline (RULE-ALARM-020..).
 */
#ifndef ALARM_H
#define ALARM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/router.h"
#include "core/vec.h"

extern const struct al_module alarm_module;

struct al_db;

/* ---- rules (pure, alarm_logic.c) ---- */

/* RULE-ALARM-001: what one new device message raises. */
struct alarm_verdict {
    bool raise;           /* open an alarm */
    const char *type;     /* its type: sos, fall, smoke, gas, water, or the message's type */
    int severity;         /* 1 critical, 2 urgent, 3 notice */
    bool maintenance;     /* RULE-ALARM-011: battery below ALARM_LOW_BATTERY_PCT */
    bool activity;        /* a motion or door message: resets the inactivity clock */
};
#define ALARM_LOW_BATTERY_PCT 20
/*
 * `kind` is the message kind (1 alarm, 2 information, 3 reset, 4 heartbeat, as
 * device_int.h's enum devmsg_kind), `type` its type, `device_type` the
 * registered type's id ("motion"), `battery` 0..100 or -1.
 */
void alarm_rule_message(const char *device_type, int kind, const char *type, int battery,
    struct alarm_verdict *v);

/* RULE-ALARM-010: when a device that last spoke at `last_seen` is overdue (2 × interval). */
int64_t alarm_heartbeat_due(int64_t last_seen, int heartbeat_s);

/*
 * RULE-ALARM-012: seconds of daytime (window [from_min, to_min) minutes after
 * midnight, China Standard Time) between `last_activity` and `now`.  The elder
 * is inactive when this reaches the setting's hours.
 */
int64_t alarm_daytime_silence_s(int64_t last_activity, int64_t now, int from_min, int to_min);

/*
 * RULE-ALARM-031: the escalation level an open alarm raised at `raised_at` has
 * reached at `now` when it must be acknowledged within `escalate_s` seconds:
 * 0 before, 1 from raised_at + escalate_s, 2 from raised_at + 2 × escalate_s.
 */
int alarm_escalation_level(int64_t raised_at, int64_t now, int64_t escalate_s);

/*
 * RULE-ALARM-031: whom level 1 or 2 of an alarm in `region` (12 digits) goes
 * to: the role id (township_officer, civil_officer) and the region code of the
 * supervisor's region (the township's 9 digits, then the county's 6) into
 * `sup_region` (13 bytes).  The role, or NULL for another level.
 */
const char *alarm_escalation_target(const char *region, int level, char sup_region[13]);

/*
 * RULE-ALARM-041: whether an elder last active at `last_activity` is inactive at
 * `now` after `hours` hours without activity outside the quiet hours
 * [quiet_from_min, quiet_to_min) (minutes after midnight CST; the quiet hours
 * run across midnight, so quiet_to_min < quiet_from_min).
 */
bool alarm_inactive(int64_t last_activity, int64_t now, int hours, int quiet_from_min,
    int quiet_to_min);

/*
 * RULE-ALARM-045: the month "YYYY-MM" as [*from, *to) in unix seconds, the
 * month's days in China Standard Time.  false when `month` is not a month
 * (years 2000..2999).
 */
bool alarm_month_bounds(const char *month, int64_t *from, int64_t *to);

/* RULE-ALARM-045: the answer-time targets (TSA): shares of alarms acknowledged within. */
#define ALARM_ANSWER_60_S 60
#define ALARM_ANSWER_180_S 180
#define ALARM_TARGET_60_PERMILLE 975  /* 97.5 % within 60 s */
#define ALARM_TARGET_180_PERMILLE 990 /* 99 % within 180 s */

/* ---- timers (alarm_logic.c): a min-heap of (due, device), lazily superseded ---- */

struct alarm_timer {
    int64_t due, device_id;
};
struct alarm_timers {
    struct al_vec heap;    /* struct alarm_timer, a min-heap by (due, device) */
    struct al_vec current; /* int64_t by device id: 1 + the due time that counts, 0 none
                              (older heap entries are stale) */
    size_t live;           /* devices with a time */
};
void alarm_timers_init(struct alarm_timers *t);
void alarm_timers_fini(struct alarm_timers *t);
/* Device `id` is due at `due` (replaces its earlier time).  false when out of memory, or
 * when `id` is not positive or `due` is negative or INT64_MAX. */
bool alarm_timers_set(struct alarm_timers *t, int64_t id, int64_t due);
/* Forget device `id`'s time. */
void alarm_timers_cancel(struct alarm_timers *t, int64_t id);
/*
 * Pop the next device due at or before `now` into *id (its time into *due):
 * true, or false when none is due.  O(log n); stale entries are skipped.
 */
bool alarm_timers_next(struct alarm_timers *t, int64_t now, int64_t *id, int64_t *due);
/* Live entries plus stale ones still in the heap (tests): at most about 4 × the devices. */
size_t alarm_timers_heap_size(const struct alarm_timers *t);

/* ---- store (alarm_store.c) ---- */

/*
 * RULE-ALARM-001: open an alarm of `type` and `severity` for device
 * `device_id` of elder `elder_id` in `region`, from event `event_id` (0: none)
 * sent at `device_ts` and stored at `now`, with its first two timeline steps,
 * in the caller's transaction.  AL_OK with *id, or the database's error.
 */
int alarm_store_raise(struct al_db *db, const char *region, int64_t elder_id, int64_t device_id,
    int64_t event_id, const char *type, int severity, int64_t device_ts, int64_t now,
    int64_t *id);

/*
 * RULE-ALARM-030..033, RULE-ALARM-041..042: one pass of the alarm timers at
 * `now`, each change in its own transaction: open alarms past the escalation
 * time (setting alarm.escalate_seconds) are escalated a level with a timeline
 * step, and elders inactive past their setting get one inactivity alarm.  Each
 * new or changed alarm is announced on ALARM_CHANNEL.  *changed (may be NULL)
 * gets their number.  AL_OK or the first database error (what was done stays).
 * Run every second by the periodic job kind "alarm.sweep" (RULE-ALARM-060), on one
 * server at a time (RULE-ALARM-061); still safe from several servers (each change is a
 * conditional UPDATE: one wins).
 */
int alarm_sweep(struct al_db *db, int64_t now, int *changed);

/*
 * RULE-ALARM-040: a motion or door message of `device_id` for elder
 * `elder_id` at `now`: the elder's inactivity clock restarts (nothing when the
 * elder has no inactivity setting).  In the caller's transaction.
 */
int alarm_store_activity(struct al_db *db, int64_t elder_id, int64_t device_id, int64_t now);

/*
 * An alarm no device sent, raised by a person (issue 15: a visitor's urgent
 * finding, type "visit_urgent"): open, of `severity`, for elder `elder_id` of
 * `region`, device_id NULL, with its "stored" step carrying `who_id`,
 * `who_name` and `note`, in the caller's transaction.  The caller announces it
 * on ALARM_CHANNEL after its commit.  AL_OK with *id, or the database's error.
 */
int alarm_raise_manual(struct al_db *db, const char *region, int64_t elder_id, const char *type,
    int severity, int64_t who_id, const char *who_name, const char *note, int64_t now,
    int64_t *id);

/*
 * Demo handling (凤冈县): the open smoke alarm acknowledged, called and closed as a false
 * alarm; the open fall alarm acknowledged with a call under way.  In the caller's transaction.
 */
int alarm_seed_demo(struct al_db *db, int64_t now);

/* The live channel of new and changed alarms (RULE-ALARM-021): payload {"id","region_code",…}. */
#define ALARM_CHANNEL "alarms"

#endif
