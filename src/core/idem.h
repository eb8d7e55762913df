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

#endif
