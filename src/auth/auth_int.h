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

bool auth_session_expired(int64_t now, int64_t last_seen, int64_t expires_at, int idle_s);
int64_t auth_touch_interval(int idle_s);
void auth_account_failure(int64_t now, int failures_before, int max_failures, int lock_s,
    int *failures_after, int64_t *locked_until);
void auth_ip_failure(int64_t now, const struct auth_ip_state *before, int max_failures,
    int window_s, struct auth_ip_state *after);
void auth_retry_text(int seconds, char *out, size_t size);

/* ---- storage (auth_store.c) ---- */

struct auth_user {
    int64_t id;
    const char *username, *display_name, *role, *region_code, *status, *password_hash;
    bool must_change_password;
    int failed_logins;
    int64_t locked_until;
};

struct auth_session_row {
    int64_t id, user_id, last_seen_at, expires_at;
    const char *csrf_token, *username, *display_name, *role, *region_code, *status;
    bool must_change_password;
};

int auth_store_user_by_name(struct al_db *db, struct al_arena *a, const char *username,
    struct auth_user *u);
int auth_store_user_by_id(struct al_db *db, struct al_arena *a, int64_t id, struct auth_user *u);
int auth_store_failures_get(struct al_db *db, int64_t user_id, int *failures, int64_t *locked_until);
int auth_store_set_failures(struct al_db *db, int64_t user_id, int failures, int64_t locked_until);
int auth_store_ip_get(struct al_db *db, const char *ip, struct auth_ip_state *s);
int auth_store_ip_put(struct al_db *db, const char *ip, const struct auth_ip_state *s);
int auth_store_session_create(struct al_db *db, int64_t user_id, const char *token_hash,
    const char *csrf, int64_t now, int64_t expires_at, int64_t *id);
int auth_store_session_find(struct al_db *db, struct al_arena *a, const char *token_hash,
    struct auth_session_row *s);
int auth_store_session_touch(struct al_db *db, int64_t id, int64_t now);
int auth_store_session_revoke(struct al_db *db, int64_t id, int64_t now);
int auth_store_token_find(struct al_db *db, struct al_arena *a, const char *token_hash,
    struct auth_session_row *s);
int auth_store_token_touch(struct al_db *db, int64_t id, int64_t now);
int auth_store_token_create(struct al_db *db, int64_t user_id, const char *name,
    const char *token_hash, int64_t now, int64_t *id);
int auth_store_token_list(struct al_db *db, struct al_arena *a, int64_t user_id, json_t *items);
int auth_store_token_revoke(struct al_db *db, int64_t user_id, int64_t id, int64_t now);
int auth_store_set_password(struct al_db *db, int64_t user_id, const char *hash, int64_t now);
int auth_store_update_me(struct al_db *db, int64_t user_id, const char *display_name,
    const char *phone, const char *prefs_json, int64_t now);
/* The caller as the Me object (User + permissions + prefs). */
int auth_store_me(struct al_db *db, struct al_arena *a, int64_t user_id, json_t **out);

#endif
