/*
 * Meal assistance (老年助餐, issue 17): canteens and meal points, daily menus, subsidy rules
 * and caps as regional settings, the counter that identifies a diner and records a meal,
 * the stop of subsidies at death or move, monthly statements per canteen and the measures
 * of coverage.
 */
#ifndef MEAL_H
#define MEAL_H

#include "core/arena.h"
#include "core/db.h"
#include "core/err.h"
#include "core/router.h"

extern const struct al_module meal_module;

/*
 * Demo (meal_demo.c): canteens and meal points of the demo county 520327 with the
 * communities and villages they serve, the county's subsidy rules, this week's menus and,
 * when there are elders, cards and a month of meals (one canteen's licence expired).
 * Rows already there are kept.  Inside no transaction: runs its own.  AL_OK or an error
 * with `e` filled.
 */
int meal_seed_demo(struct al_db *db, struct al_arena *a, struct al_errinfo *e);
/*
 * Demo: delivery orders of the family account fg_family for its linked elder over the next
 * days (RULE-MEAL-070), after the account and its link exist (service_flow_seed_demo).
 * Its own transaction; nothing when there is no link or orders exist.  AL_OK or an error.
 */
int meal_seed_family_demo(struct al_db *db, struct al_arena *a, int64_t now,
    struct al_errinfo *e);

#endif
