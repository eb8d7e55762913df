/*
 * Identity: sign-in, sessions, CSRF, API tokens, throttling, permissions.
 */
#ifndef AUTH_H
#define AUTH_H

#include <stdbool.h>
#include <stdint.h>

#include "core/db.h"
#include "core/err.h"
#include "core/router.h"

struct al_req;

extern const struct al_module auth_module;

/*
 * Identify the caller from the session cookie or the bearer token and set
 * r->who.  Returns AL_OK (r->who set), or AL_EAUTH with a Chinese message
 * (no credentials, unknown, expired or revoked).
 */
int auth_authenticate(struct al_req *r);

/*
 * True when these Authorization and Cookie header values (either may be NULL) carry a valid
 * session or API token of an active user — what the body gate asks before it lets a large
 * upload in (RULE-HTTP-001; the route's permission is checked later, as for any request).
 * Uses `a` for scratch; writes nothing.
 */
bool auth_signed_in(struct al_db *db, struct al_arena *a, const char *authorization,
    const char *cookie);

/*
 * True when `role` holds `permission`; false when not, and on a storage error (logged).  On
 * a worker thread whose request was identified on `db`, the role's set comes from the
 * thread's cache, valid for the roles version read with the session (RULE-AUTH-009).
 */
bool auth_role_has(struct al_db *db, const char *role, const char *permission);

/* For session callers: check X-CSRF-Token against the session.  AL_OK or AL_ECSRF. */
int auth_check_csrf(struct al_req *r);

/*
 * Password rule (等保 complexity, RULE-AUTH-001): 8 to 128 characters with at
 * least one letter and one digit.  Returns NULL when acceptable, else the
 * Chinese reason.
 */
const char *auth_password_problem(const char *password);

/* Hash a password for storage (argon2id).  AL_OK or AL_EINTERNAL. */
int auth_hash_password(const char *password, char *out, size_t out_size);

/* Revoke every session of `user_id` (inside the caller's transaction). */
int auth_revoke_sessions(struct al_db *db, int64_t user_id, int64_t now);

/*
 * Revoke every session and every API token of `user_id` (inside the caller's transaction):
 * what a password change does, whoever makes it (RULE-AUTH-002).
 */
int auth_revoke_credentials(struct al_db *db, int64_t user_id, int64_t now);

/*
 * Check the caller's own current password before a change of it, under the sign-in
 * throttles (RULE-AUTH-003, RULE-AUTH-004): a blocked address or a locked account answers
 * AL_ETHROTTLE; a wrong password counts as a failed sign-in (account and address), is audited
 * as `auth.password_failed` and answers AL_EINVAL naming `field` (or AL_ETHROTTLE once it
 * locks).  Returns AL_OK when right, else the error with r->err filled; AL_EDB on storage
 * failure.  Opens and commits its own transaction on failure, none on success.
 */
int auth_check_own_password(struct al_req *r, const char *password, const char *field);

/*
 * The permissions of `role`, ordered by id, appended to the JSON array `out` (new references
 * owned by `out`; from the role cache when valid, RULE-AUTH-009).  AL_OK or an error (`out`
 * may then hold part of the list).
 */
struct json_t;
int auth_role_permissions(struct al_db *db, const char *role, struct json_t *out);

#endif
