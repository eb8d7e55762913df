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

/* RULE-ALARM-021: acknowledge an open alarm.  AL_ECONFLICT when it is not open any more. */
int alarm_store_ack(struct al_db *db, int64_t id, int64_t user_id, const char *user_name,
    int64_t now);
/* RULE-ALARM-022: one escalation call.  AL_ECONFLICT when closed. */
int alarm_store_call(struct al_db *db, int64_t id, int64_t user_id, const char *user_name,
    const char *target, const char *outcome, const char *note, int64_t now);
/* RULE-ALARM-023: close an acknowledged alarm.  AL_ECONFLICT when not acknowledged. */
int alarm_store_close(struct al_db *db, int64_t id, int64_t user_id, const char *user_name,
    const char *outcome, const char *note, int64_t now);

#endif
