/* Private to the auth module. */
#ifndef AUTH_INT_H
#define AUTH_INT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "core/arena.h"
#include "core/db.h"

/* ---- rules (auth_logic.c) ---- */

struct auth_ip_state {
    int failures;
    int64_t window_start;
    int64_t blocked_until;
};

/*
 * True when a session last seen at `last_seen` (unix seconds) and ending at `expires_at` is
 * over at `now`: idle for `idle_s` or more, or past its absolute end (RULE-AUTH-002).  Pure.
 */
bool auth_session_expired(int64_t now, int64_t last_seen, int64_t expires_at, int idle_s);
/* How many seconds may pass before last-seen is written again (a fraction of `idle_s`).  Pure. */
int64_t auth_touch_interval(int idle_s);
/*
 * The account's counters after one more failed password at `now` (RULE-AUTH-003): writes
 * *failures_after and *locked_until (0 = not locked).  Pure; never fails.
 */
void auth_account_failure(int64_t now, int failures_before, int max_failures, int lock_s,
    int *failures_after, int64_t *locked_until);
/* The address's throttle state after one more failure at `now` (RULE-AUTH-004), into *after.  Pure. */
void auth_ip_failure(int64_t now, const struct auth_ip_state *before, int max_failures,
    int window_s, struct auth_ip_state *after);
/* `seconds` as a Chinese wait ("3 分钟"), NUL-terminated in `out` (truncated to `size`).  Pure. */
void auth_retry_text(int seconds, char *out, size_t size);

/*
 * ---- storage (auth_store.c) ----
 *
 * Every function takes the caller's connection and works on SQLite and PostgreSQL alike.
 * Returns are in the closed set: AL_OK, AL_ENOTFOUND where a row is looked up, AL_ECONFLICT
 * for a constraint, AL_EUNAVAIL when another writer holds the lock, else AL_EDB (logged).
 * Texts read into structs are copies in `a` (the caller's arena, usually the request's); the
 * functions write nothing on failure except where said.  None opens a transaction.
 */

struct auth_user {
    int64_t id;
    const char *username, *display_name, *role, *region_code, *status, *password_hash;
    bool must_change_password;
    int failed_logins;
    int64_t locked_until;
};

/* A session or API token with its user, as one signed-in request reads it (one statement). */
struct auth_session_row {
    int64_t id, user_id, last_seen_at, expires_at;
    const char *csrf_token, *username, *display_name, *role, *region_code, *status;
    bool must_change_password;
    /* the rest of the Me object, read in the same statement (issue 10) */
    const char *phone, *role_name, *region_name, *prefs;
    int64_t created_at, updated_at, version;
    const char *roles_version; /* settings 'auth.roles_version', NULL when missing */
};

/* The user named `username`, case-insensitively, into *u.  AL_OK, AL_ENOTFOUND or an error. */
int auth_store_user_by_name(struct al_db *db, struct al_arena *a, const char *username,
    struct auth_user *u);
/* The user `id` into *u.  AL_OK, AL_ENOTFOUND or an error. */
int auth_store_user_by_id(struct al_db *db, struct al_arena *a, int64_t id, struct auth_user *u);
/*
 * The lock counters of `user_id` as they are now (read inside the caller's transaction) into
 * *failures and *locked_until.  AL_OK, AL_ENOTFOUND or an error (outputs untouched).
 */
int auth_store_failures_get(struct al_db *db, int64_t user_id, int *failures, int64_t *locked_until);
/* Set the lock counters of `user_id`.  AL_OK (also when no such user) or an error. */
int auth_store_set_failures(struct al_db *db, int64_t user_id, int failures, int64_t locked_until);
/* The throttle state of address `ip` into *s (all zero when none is kept).  AL_OK or an error. */
int auth_store_ip_get(struct al_db *db, const char *ip, struct auth_ip_state *s);
/* Keep `s` as the throttle state of `ip` (insert or replace).  AL_OK or an error. */
int auth_store_ip_put(struct al_db *db, const char *ip, const struct auth_ip_state *s);
/*
 * A new session of `user_id` (only the hash of its cookie is stored) seen at `now`, ending at
 * `expires_at`; its id into *id (untouched on failure).  AL_OK, AL_ECONFLICT (same hash) or
 * an error.
 */
int auth_store_session_create(struct al_db *db, int64_t user_id, const char *token_hash,
    const char *csrf, int64_t now, int64_t expires_at, int64_t *id);
/*
 * The unrevoked session whose cookie hashes to `token_hash`, with its user, into *s (texts in
 * `a`).  Expiry and the user's status are the caller's to judge.  AL_OK, AL_ENOTFOUND or an
 * error.
 */
int auth_store_session_find(struct al_db *db, struct al_arena *a, const char *token_hash,
    struct auth_session_row *s);
/* Last-seen of session `id` := `now`.  AL_OK (also when no such session) or an error. */
int auth_store_session_touch(struct al_db *db, int64_t id, int64_t now);
/* Revoke session `id` at `now` (a revoked one stays as it was).  AL_OK or an error. */
int auth_store_session_revoke(struct al_db *db, int64_t id, int64_t now);
/*
 * The unrevoked API token hashing to `token_hash`, with its user, into *s as a session row
 * (csrf_token NULL, last_seen_at = last use or 0, expires_at = INT64_MAX).  AL_OK,
 * AL_ENOTFOUND or an error.
 */
int auth_store_token_find(struct al_db *db, struct al_arena *a, const char *token_hash,
    struct auth_session_row *s);
/*
 * User `user_id` as the caller part of a session row (id, csrf_token, last_seen_at and
 * expires_at 0/NULL) into *s.  AL_OK, AL_ENOTFOUND or an error.
 */
int auth_store_caller_by_id(struct al_db *db, struct al_arena *a, int64_t user_id,
    struct auth_session_row *s);
/* Last use of token `id` := `now`.  AL_OK or an error. */
int auth_store_token_touch(struct al_db *db, int64_t id, int64_t now);
/*
 * A new API token `name` of `user_id` (its hash only) created at `now`; its id into *id.
 * AL_OK, AL_ECONFLICT or an error.
 */
int auth_store_token_create(struct al_db *db, int64_t user_id, const char *name,
    const char *token_hash, int64_t now, int64_t *id);
/*
 * The tokens of `user_id`, newest first, appended to `items` as {id, name, created_at,
 * last_used_at, revoked} (new references owned by `items`).  AL_OK or an error (`items` may
 * then hold part of the list).
 */
int auth_store_token_list(struct al_db *db, struct al_arena *a, int64_t user_id, json_t *items);
/*
 * Revoke token `id` of `user_id` at `now`.  AL_OK, AL_ENOTFOUND (not the user's, unknown or
 * already revoked) or an error.
 */
int auth_store_token_revoke(struct al_db *db, int64_t user_id, int64_t id, int64_t now);
/*
 * New password hash of `user_id`: clears must_change_password, bumps the version.  AL_OK or
 * an error.
 */
int auth_store_set_password(struct al_db *db, int64_t user_id, const char *hash, int64_t now);
/*
 * The caller's own changes: a NULL argument leaves the field, phone "" clears it; bumps the
 * version.  AL_OK or an error.
 */
int auth_store_update_me(struct al_db *db, int64_t user_id, const char *display_name,
    const char *phone, const char *prefs_json, int64_t now);
/*
 * The Me object (User + permissions + prefs) of `user_id` into *out, a new reference the
 * caller owns (one statement, permissions from the role cache).  AL_OK, AL_ENOTFOUND or an
 * error (*out untouched).
 */
int auth_store_me(struct al_db *db, struct al_arena *a, int64_t user_id, json_t **out);
/*
 * The Me object built from a session row already read (no user read; the permissions come
 * from the role cache).  *out is a new reference the caller owns.  AL_OK or an error from
 * reading the permissions (*out untouched).
 */
int auth_me_json(struct al_db *db, const struct auth_session_row *s, struct al_arena *a,
    json_t **out);

/*
 * RULE-AUTH-009: the roles version a request read with its session on `db` (NULL when the
 * setting is missing: the role cache is then off for this thread).  A version other than the
 * one the thread's cache was filled at empties it.  Never fails (without memory the cache
 * stays off).
 */
void auth_roles_seen(struct al_db *db, const char *version);
/*
 * Bump the roles version: to be called (in the same transaction) by whatever changes roles
 * or role_permissions, so every worker of every server drops its cached sets before its next
 * permission check.  AL_OK or an error.
 */
int auth_store_roles_changed(struct al_db *db);

#endif
