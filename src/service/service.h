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
/* The officers' side: registry management and the complaint queue (RULE-SVC-100..129). */
extern const struct al_module service_admin_module;
/* Recurring plans and the answer-time sweep (service_flow.c, RULE-SVC-130..143). */
extern const struct al_module service_flow_module;
/* The codes of a visit's manual fix (service_evv.c, RULE-SVC-194..196). */
extern const struct al_module service_evv_module;
/* The family's and the elder's own page (service_family.c, RULE-SVC-152..157). */
extern const struct al_module service_family_module;

/* Photos of a visit: the order as an owner of attachments (service_photo.c, RULE-SVC-170..173). */
struct attach_owner;
extern const struct attach_owner service_attach_owner;

/* The live-event channel of the dispatch board (payload: an order's id, region, status). */
#define SERVICE_CHANNEL "service.orders"

/*
 * An urgent home visit (助急) for elder `elder_id`, asked by another module
 * (issue 14: an alarm the operator handles with 派单上门): one order of the
 * item `zhuji` at the elder's home, its window from `now` for two hours,
 * channel hotline, placed by `placed_by`, with `note`; priced and split like
 * any order (RULE-SVC-014), announced on the dispatch board.  In the caller's
 * transaction (the caller audits).  AL_OK with *id, AL_ENOTFOUND (no such
 * elder), AL_EUNPROC (the elder is not active, or 助急 is not offered), or a
 * database error.
 */
int service_order_urgent(struct al_db *db, struct al_arena *a, int64_t elder_id,
    const char *note, const char *placed_by, int64_t now, int64_t *id);

/*
 * An order asked by another module (RULE-SVC-230): one line of item `item_code` at the elder's
 * home in the window given, priced and split like any order (RULE-SVC-014), status 待派单
 * (created: on the dispatch board, waiting for an assignment), announced on the board.  In the
 * caller's transaction (the caller audits).  AL_OK with *id, AL_ENOTFOUND (no such elder),
 * AL_EUNPROC (the elder is not active, or the item is not offered), or a database error.
 * service_order_urgent is this with 助急 for two hours from now.
 */
struct service_order_ask {
    int64_t elder_id;
    const char *item_code; /* svc_items.code: zhujie, zhuyi … */
    const char *channel;   /* helper, hotline, family or elder */
    const char *note, *placed_by;
    int64_t window_start, window_end, now;
};
int service_order_open(struct al_db *db, struct al_arena *a, const struct service_order_ask *q,
    int64_t *id);

/*
 * The status of order `id` ("created", "assigned", … "cancelled") and its
 * Chinese name, copied into `a`, for another module's timeline.  AL_OK,
 * AL_ENOTFOUND or a database error.
 */
int service_order_status(struct al_db *db, struct al_arena *a, int64_t id, const char **status,
    const char **status_name);

/*
 * RULE-SVC-231: elder `elder_id`'s latest `limit` orders, the newest visit first, as a new JSON
 * array in *out (id, window_start, status, status_name, the first item's name), for another
 * module's view of the elder (the alarm console's card).  Reads only; the caller checks scope.
 */
int service_recent_orders_json(struct al_db *db, struct al_arena *a, int64_t elder_id, int limit,
    struct json_t **out);

/*
 * RULE-SVC-232: the moves of order `id` in order (at, status, status_name, by), as a new JSON
 * array in *out, for another module's timeline (the alarm's: the caregiver's arrival and
 * check-out).  Reads only; the caller checks scope.
 */
int service_order_moves_json(struct al_db *db, struct al_arena *a, int64_t id,
    struct json_t **out);

/*
 * RULE-SVC-233: elder `elder_id`'s home service visits delivered (completed or later) whose
 * window starts in [from, to) (unix seconds), counted per item, as a new JSON array in *out
 * ({item_name, visits}), for another module's measures (a family care bed's monthly service
 * compliance, RULE-BED-082).  Reads only; the caller checks scope.
 */
int service_done_by_item_json(struct al_db *db, struct al_arena *a, int64_t elder_id,
    int64_t from, int64_t to, struct json_t **out);

/*
 * Demo (service_demo.c): a provider with two stations in the demo county
 * (凤冈县), their caregivers with skills and certificates (one expired), the
 * caregiver account fg_caregiver linked to one of them, and orders of the
 * county's elders in various states for today (none without elders).  Seeded
 * once: with a provider already there nothing is written.  `now` is the seeding time.
 * A second provider in 琊川镇 with the account fg_provider2 (`password`; RULE-SVC-110).
 * AL_OK, or an error with `e` filled.
 */
int service_seed_demo(struct al_db *db, struct al_arena *a, const char *password, int64_t now,
    struct al_errinfo *e);

/*
 * Demo of the order flow (service_flow_demo.c): the family account fg_family with `password`,
 * linked to the elder of the first completed demo order (its code waiting), and a weekly plan
 * for that elder.  After service_seed_demo; seeded once.  AL_OK, or an error with `e` filled.
 */
int service_flow_seed_demo(struct al_db *db, struct al_arena *a, const char *password, int64_t now,
    struct al_errinfo *e);

#endif
