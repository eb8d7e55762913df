/*
 * The time bank (时间银行, issue 16): schemes per region and alliances between them
 * (通存通兑), volunteers and elder members, a double-entry ledger of movements in minutes,
 * and its invariants' check.  Routes in timebank.c, rules in timebank_logic.c, SQL in
 * timebank_store.c, the one write path of the ledger in timebank_ledger.c.
 */
#ifndef TIMEBANK_H
#define TIMEBANK_H

#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/db.h"
#include "core/err.h"
#include "core/router.h"

extern const struct al_module timebank_module;

/*
 * RULE-TB-030: check every invariant of the ledger (`anlao timebank verify`).  AL_OK with a
 * summary in `msg`; AL_ECONFLICT with the first break named in `msg` (Chinese); or AL_EDB.
 * *checked: the movements read.
 */
int timebank_verify(struct al_db *db, int64_t *checked, char *msg, size_t size);

/*
 * RULE-TB-061: expire the hours due at `now` in every scheme that sets expiry_months
 * (`anlao timebank expire`; the job of POST /api/v1/timebank/expiry does the same).  `by` names
 * the actor in the transfers and audit entries.  *members / *minutes: what was expired.
 * Idempotent.  AL_OK or an error with `e` filled when it says more.
 */
int timebank_expire(struct al_db *db, int64_t now, const char *by, int64_t *members,
    int64_t *minutes, struct al_errinfo *e);

/*
 * Demo (timebank_demo.c): two schemes of the demo county (龙泉街道, 进化镇) with an accepted
 * alliance, volunteers (one a group, one an elder of the registry when there are elders),
 * service hours, a fund top-up and grant, one inter-scheme spend, open needs, and two
 * volunteers' own sign-ins (lq_volunteer, jx_volunteer, with `password`).  Skipped when a scheme
 * exists.  AL_OK, or an error with `e` filled.
 */
int timebank_seed_demo(struct al_db *db, struct al_arena *a, const char *password,
    struct al_errinfo *e);

#endif
