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

/* ---- timers (alarm_logic.c): a min-heap of (due, device), lazily superseded ---- */

struct alarm_timer {
    int64_t due, device_id;
};
struct alarm_timers {
    struct alarm_timer *heap;
    size_t n, cap;
    int64_t *current; /* by device id: the due time that counts (older heap entries are stale) */
    size_t ncurrent;
    size_t live; /* devices with a time */
};
void alarm_timers_init(struct alarm_timers *t);
void alarm_timers_fini(struct alarm_timers *t);
/* Device `id` is due at `due` (replaces its earlier time).  false when out of memory. */
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
