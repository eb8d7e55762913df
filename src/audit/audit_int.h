/* Private to the audit module. */
#ifndef AUDIT_INT_H
#define AUDIT_INT_H

#include <jansson.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/db.h"

struct audit_filter {
    const char *scope; /* caller's region prefix */
    const char *username, *action, *outcome, *target_type, *target_id;
    int64_t from, to;  /* unix seconds, 0 = open */
    int64_t limit, offset;
};

/* Matching entries, newest first, appended to `items`; *total counts all matches. */
int audit_store_list(struct al_db *db, struct al_arena *a, const struct audit_filter *f,
    json_t *items, int64_t *total);

#endif
