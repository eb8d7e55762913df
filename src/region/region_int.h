/* Private to the region module. */
#ifndef REGION_INT_H
#define REGION_INT_H

#include <jansson.h>

#include "core/arena.h"
#include "core/db.h"

/* Children of `parent` ("" → provinces) as JSON items; `only_prefix_of` keeps
 * the one child that is a prefix of it (for ancestors of the caller's scope). */
int region_store_children(struct al_db *db, const char *parent, const char *only_prefix_of,
    json_t *items);

/* One region as JSON {code,name,level,has_children}; AL_ENOTFOUND when missing. */
int region_store_get(struct al_db *db, const char *code, json_t **out);

#endif
