/* Private to the dashboard module. */
#ifndef DASHBOARD_INT_H
#define DASHBOARD_INT_H

#include <stdint.h>

#include <jansson.h>

#include "core/db.h"

struct dashboard_counts {
    int64_t users, users_active, townships, villages, audit_today, logins_today,
        login_failures_today;
};

/* Start of the current day in China time (UTC+8), as unix seconds (pure). */
int64_t dashboard_day_start(int64_t now);

/*
 * The counts of the dashboard within `scope` (a region prefix, "" = everything), the day's
 * counts from `day_start` (unix seconds), into *c.  AL_OK or an error of the closed set (*c
 * then untouched).  On SQLite and PostgreSQL alike.
 */
int dashboard_store_counts(struct al_db *db, const char *scope, int64_t day_start,
    struct dashboard_counts *c);

/* Each child region of `parent` with its in-registry elders: [{code, name, active}]. */
int dashboard_store_region_counts(struct al_db *db, const char *parent, json_t *items);

#endif
