/* Private to the user module. */
#ifndef USER_INT_H
#define USER_INT_H

#include <stdbool.h>

#include "core/db.h"
#include "user/user.h"

struct user_filter {
    const char *scope, *q, *role, *region, *status;
    int64_t limit, offset;
};

struct user_row {
    int64_t id, version;
    const char *username, *role, *region_code, *status;
};

/* ---- rules (user_logic.c) ---- */
const char *user_username_problem(const char *username);

/* ---- storage (user_store.c) ---- */
int user_store_list(struct al_db *db, struct al_arena *a, const struct user_filter *f,
    json_t *items, int64_t *total);
int user_store_get_row(struct al_db *db, struct al_arena *a, int64_t id, struct user_row *u);
int user_store_insert(struct al_db *db, const struct user_new *in, const char *hash,
    int must_change, int64_t now, int64_t *id);
bool user_store_role_exists(struct al_db *db, const char *role);
/* True when every permission of `role` is also held by `holder_role`. */
bool user_store_role_within(struct al_db *db, const char *role, const char *holder_role);

struct user_patch {
    const char *display_name, *phone, *role, *region_code, *status, *password_hash;
    int must_change_password; /* -1 leave */
};
int user_store_update(struct al_db *db, int64_t id, int64_t version, const struct user_patch *p,
    int64_t now);

#endif
