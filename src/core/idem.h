/*
 * Idempotency keys (RULE-SVC-050..052): a write the client may send more than
 * once (a record made offline and synced late, a retry after a lost answer)
 * carries a key; the first time it is done and its answer kept with the key,
 * every later time with the same key and the same body the kept answer is
 * given again and nothing is written.  No domain knowledge: a `scope` names
 * the kind of write ("service.checkin"), keys belong to one user.
 *
 * Use, inside the write's transaction:
 *
 *     al_idem_key_check(key, &r->err);                       // the header's form
 *     al_crypto_sha256_hex(r->body, r->body_len, hash);
 *     rc = al_idem_find(db, a, "x.y", uid, key, hash, &status, &resp);
 *     // AL_OK: replay status/resp; AL_ECONFLICT: key reused for another body
 *     // AL_ENOTFOUND: do the write, then al_idem_save(...) before the commit
 *
 * Table idem_keys (sql/041_idem.sql).
 */
#ifndef AL_IDEM_H
#define AL_IDEM_H

#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/db.h"
#include "core/err.h"

/* The request header that carries the key. */
#define AL_IDEM_HEADER "Idempotency-Key"

/*
 * RULE-SVC-050: a key is 8 to 64 characters of A–Z a–z 0–9 - _ . :
 * AL_OK, or AL_EINVAL with `e` naming the header.
 */
int al_idem_key_check(const char *key, struct al_errinfo *e);

/*
 * Look up (`scope`, `user_id`, `key`).  AL_ENOTFOUND: never used.  AL_OK: done
 * before with the same request hash: *status and *response (JSON text, in `a`)
 * are the first answer.  AL_ECONFLICT (RULE-SVC-051): the key was used with
 * another request.  Or a database error.
 */
int al_idem_find(struct al_db *db, struct al_arena *a, const char *scope, int64_t user_id,
    const char *key, const char *request_hash, int *status, const char **response);

/*
 * Keep the answer of a write done under `key`, in the caller's transaction (so
 * the key and the write commit or roll back together).  AL_OK, AL_ECONFLICT
 * when the key was taken meanwhile (RULE-SVC-052: roll back, then find again),
 * or a database error.
 */
int al_idem_save(struct al_db *db, const char *scope, int64_t user_id, const char *key,
    const char *request_hash, int status, const char *response, int64_t now);

/*
 * ---- A request's idempotent write (idem_req.c) --------------------------------
 * The three steps every keyed write takes, around its own transaction:
 *
 *     struct al_idem_req x;
 *     if ((rc = al_idem_req_begin(r, "x.y", NULL, "该幂等键已用于另一条记录", &x)) != AL_OK ||
 *         x.replayed)
 *         return rc;                       // a bad key, a 409, or the first answer again
 *     ... checks, al_db_begin, the write ...
 *     rc = al_idem_req_keep(r, &x, 201, answer, rc);   // before the commit
 *     if ((rc = al_idem_req_end(r, &x, rc)) != AL_OK || x.replayed)
 *         return rc;                       // commit or roll back; a race's winner answered
 *     return al_reply(r, 201, answer);
 */
struct al_req;
struct json_t;

struct al_idem_req {
    const char *scope, *key; /* key NULL: the request carries none and nothing is kept */
    char hash[65];           /* of the request's body */
    bool replayed;           /* answered with the kept answer: the handler returns */
    bool mark_replayed;      /* al_idem_req_begin_body: a replay is 200 with "replayed": true */
};

/*
 * RULE-SVC-050..051: the request's Idempotency-Key (its form checked: 400 naming the header),
 * `prefix` (may be NULL) joined before it (a key per order), and the body's hash; a key done
 * before with the same body is answered again (its status and body, header
 * Idempotent-Replayed: true) and x->replayed set; one used with another body is 409 naming the
 * header with the message `conflict`.  AL_OK, or the error with r->err filled.
 */
int al_idem_req_begin(struct al_req *r, const char *scope, const char *prefix,
    const char *conflict, struct al_idem_req *x);
/*
 * RULE-MEAL-021: al_idem_req_begin for a key the body carries (`key`, its form checked by the
 * caller), the hash taken over `body` in a canonical form (keys sorted, compact: a resend that
 * orders its fields differently is the same request).  A replay answers 200 with the kept
 * answer's "replayed" set to true; a key used with another body is 409 naming `field`.
 */
int al_idem_req_begin_body(struct al_req *r, const char *scope, const char *key,
    const struct json_t *body, const char *field, const char *conflict, struct al_idem_req *x);
/* Keep `answer` (given `status`) under the key when `rc` is AL_OK, in the write's
 * transaction; nothing without a key.  Returns `rc` or the saving's error. */
int al_idem_req_keep(struct al_req *r, struct al_idem_req *x, int status,
    const struct json_t *answer, int rc);
/* RULE-SVC-052: end the transaction by `rc` (al_db_end); when the key was taken meanwhile by
 * the same request on another connection, that answer is given (x->replayed).  AL_OK or the
 * error. */
int al_idem_req_end(struct al_req *r, struct al_idem_req *x, int rc);

#endif
