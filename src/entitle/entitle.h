/*
 * The basic elderly-care service list (基本养老服务清单, issue 12): items per level
 * (national → province → city → county) with inheritance and raised standards, the
 * approval of a lower list's changes by the level above, dated parameters, exclusions
 * between items, example elders, and benefit records (what an elder receives).
 *
 * The rule language (src/entitle/rule*.c, facts*.c) joins this module later: rules are
 * stored here as texts with their version, never parsed or evaluated by this part.
 */
#ifndef ENTITLE_H
#define ENTITLE_H

#include "core/arena.h"
#include "core/db.h"
#include "core/err.h"
#include "core/router.h"

extern const struct al_module entitle_module;

/*
 * Demo (entitle_demo.c): the officers of the demo province and city (gz_civil at 52,
 * zy_civil at 5203, with `password`) who approve the lists below them, an approved
 * province list raising 高龄津贴 and adding one item, a county draft, and a few benefit
 * records of the demo county's elders when there are elders.  Rows already there are
 * kept.  AL_OK, or an error with `e` filled.
 */
int entitle_seed_demo(struct al_db *db, struct al_arena *a, const char *password,
    struct al_errinfo *e);

#endif
