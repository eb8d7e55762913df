/*
 * Administrative divisions (statistical division codes, 2/4/6/9/12 digits)
 * and region scope.  A scope is a code prefix: "" is the whole country,
 * "520327" a county.  Every query on personal data is limited to the caller's
 * scope; records outside it answer 404 as if they did not exist.
 */
#ifndef REGION_H
#define REGION_H

#include <stdbool.h>

#include "core/arena.h"
#include "core/db.h"
#include "core/router.h"

extern const struct al_module region_module;

/* Level of a code from its length: 1 province … 5 village; 0 when not a code. */
int region_level(const char *code);

/* True when `code` lies inside `scope` (prefix match; "" contains everything). */
bool region_in_scope(const char *scope, const char *code);

/*
 * Bounds for an indexed range query over a scope: rows with
 * lo <= region_code < hi are inside it.  `lo` and `hi` need 16 bytes.  An empty
 * scope is the whole country; anything longer than a region code is an empty range.
 */
void region_scope_bounds(const char *scope, char *lo, char *hi);

struct al_params;
/*
 * The bounds of `scope` added to a query's parameters (core/dbq.h) as two
 * texts in the arena, lo then hi, for "col >= ?lo AND col < ?hi"; a NULL
 * scope adds two NULLs (an optional region filter).  Returns lo's mark.
 */
const char *region_params(struct al_params *p, const char *scope);

/*
 * Name of an existing region (copied into `a`), or NULL when the code is not
 * in the table.  "" gives "全国".
 */
const char *region_name(struct al_db *db, struct al_arena *a, const char *code);

/*
 * Load the embedded division tables (data/regions/ CSV files) into an empty
 * regions table, in one transaction.  AL_OK (also when already loaded) or AL_EDB.
 */
int region_load_embedded(struct al_db *db);

#endif
