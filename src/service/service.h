/*
 * Home services (居家上门服务, issue 13): providers, stations, caregivers,
 * service items, orders placed on an elder's behalf with their funding split,
 * the order's state machine, automatic and manual dispatch, the dispatch board
 * (live), and the proof of each visit (check-in/out, EVV).
 */
#ifndef SERVICE_H
#define SERVICE_H

#include "core/arena.h"
#include "core/db.h"
#include "core/err.h"
#include "core/router.h"

extern const struct al_module service_module;
/* Recurring plans and the answer-time sweep (service_flow.c, RULE-SVC-130..143). */
extern const struct al_module service_flow_module;
/* The family's and the elder's own page (service_family.c, RULE-SVC-152..157). */
extern const struct al_module service_family_module;

/* The live-event channel of the dispatch board (payload: an order's id, region, status). */
#define SERVICE_CHANNEL "service.orders"

/*
 * Demo (service_demo.c): a provider with two stations in the demo county
 * (凤冈县), their caregivers with skills and certificates (one expired), the
 * caregiver account fg_caregiver linked to one of them, and orders of the
 * county's elders in various states for today (none without elders).  Seeded
 * once: with a provider already there nothing is written.  `now` is the seeding time.
 * AL_OK, or an error with `e` filled.
 */
int service_seed_demo(struct al_db *db, struct al_arena *a, int64_t now, struct al_errinfo *e);

/*
 * Demo of the order flow (service_flow_demo.c): the family account fg_family with `password`,
 * linked to the elder of the first completed demo order (its code waiting), and a weekly plan
 * for that elder.  After service_seed_demo; seeded once.  AL_OK, or an error with `e` filled.
 */
int service_flow_seed_demo(struct al_db *db, struct al_arena *a, const char *password, int64_t now,
    struct al_errinfo *e);

#endif
