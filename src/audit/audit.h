/*
 * The audit trail: append-only, hash-chained.  Every write and every
 * sensitive read records who, when, what, where and the outcome, in the same
 * transaction as the write it describes.
 */
#ifndef AUDIT_H
#define AUDIT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/db.h"
#include "core/router.h"

struct al_req;

extern const struct al_module audit_module;

struct audit_entry {
    const char *action;      /* "user.create" */
    const char *target_type; /* "user", or NULL */
    const char *target_id;   /* "42", or NULL */
    const char *region_code; /* region of the target (for scoped reading), or NULL */
    const char *outcome;     /* "success", "failure" or "denied" */
    json_t *detail;          /* extra facts, never secrets; may be NULL */
    int64_t at;              /* when (unix seconds); 0: a request's r->now, else the clock's */
};

/*
 * Append `e` on behalf of the request's caller (user, client address).  Runs
 * inside the caller's transaction when one is open, otherwise in its own.
 * Returns AL_OK or AL_EDB; on AL_EDB the caller must roll back its write.
 */
int audit_append(struct al_req *r, const struct audit_entry *e);

/*
 * Same for work without a request (CLI): `username` names the actor, `user_id` 0 for none,
 * `client_ip` may be NULL.  `e` and its detail stay the caller's (the detail is serialised,
 * not taken).  Inside the caller's transaction when one is open (al_db_in_tx), otherwise in
 * its own.  AL_OK or an error of the closed set (logged); on error the caller must roll back.
 */
int audit_append_as(struct al_db *db, int64_t user_id, const char *username,
    const char *client_ip, const struct audit_entry *e);

/*
 * How many entries `action` user `user_id` wrote at or after `since` (unix seconds)
 * into *n: for limits on sensitive reads (RULE-PII-003).  AL_OK or AL_EDB.
 */
int audit_count_recent(struct al_db *db, int64_t user_id, const char *action, int64_t since,
    int64_t *n);

/*
 * Check the whole chain.  Returns AL_OK when intact; otherwise AL_ECONFLICT
 * with the first bad entry's id in *bad_id and a Chinese explanation in
 * `msg`.  *count receives the number of entries checked.
 */
int audit_verify(struct al_db *db, int64_t *count, int64_t *bad_id, char *msg, size_t msg_size);

/* Hash of one entry (pure; exposed for tests).  `fields` are the 11 columns after
 * prev_hash in table order as text (NULL allowed). */
void audit_hash(const char *prev_hash, const char *const fields[11], char out[65]);

/*
 * RULE-AUDIT-001: `s` as stored and hashed: control characters (which could
 * pass for the hash's field separators) become '?'.  `s` itself when clean,
 * else a copy in `a`; NULL stays NULL.
 */
const char *audit_clean(struct al_arena *a, const char *s);
bool audit_needs_clean(const char *s);

#endif
