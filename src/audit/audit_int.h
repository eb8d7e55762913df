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

/*
 * The entries matching `f` (NULL fields match all; the username case-insensitively, RULE-AUTH-010;
 * an action also matches its sub-actions "a.b"), newest first, page f->limit/f->offset appended
 * to `items` as objects (new references owned by `items`, times in `a`); *total counts all
 * matches.  AL_OK or an error of the closed set (AL_EDB logged; `items` may then hold part of
 * the page).  On SQLite and PostgreSQL alike.
 */
int audit_store_list(struct al_db *db, struct al_arena *a, const struct audit_filter *f,
    json_t *items, int64_t *total);

#endif
