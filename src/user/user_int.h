/* Private to the user module. */
#ifndef USER_INT_H
#define USER_INT_H

#include <stdbool.h>

#include "core/db.h"
#include "core/fields.h"
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
/* NULL when `username` is acceptable (RULE-USER-001), else the Chinese reason (static).  Pure. */
const char *user_username_problem(const char *username);

/*
 * The bodies of POST /users and PATCH /users/:id as field tables (core/fields.h, RULE-FIELD-001):
 * read with al_fields_read into an object keyed by member.  What needs the database (the role
 * exists, the region exists) and the rules across members stay with the handlers.
 */
extern const struct al_field user_new_fields[];
extern const struct al_field user_patch_fields[];

/*
 * ---- storage (user_store.c) ----
 *
 * On SQLite and PostgreSQL alike.  Returns are in the closed set: AL_OK, AL_ENOTFOUND where a
 * row is looked up, AL_ECONFLICT for a constraint or a stale version, AL_EUNAVAIL when another
 * writer holds the lock, else AL_EDB (logged).  Texts read are copies in `a`.  None opens a
 * transaction.
 */

/*
 * The users matching `f` within its scope, ordered by id, page f->limit/f->offset appended
 * to `items` as User objects (new references owned by `items`); *total counts every match.
 * AL_OK or an error (`items` may then hold part of the page).
 */
int user_store_list(struct al_db *db, struct al_arena *a, const struct user_filter *f,
    json_t *items, int64_t *total);
/*
 * RULE-DB-101: one page of the export of the users matching `f` (limit and
 * offset unused), by id: `limit` rows after the id `after` (NULL: the first),
 * a bound statement (NULL: it could not be prepared) of the columns
 * USER_X_* below.
 */
enum { USER_X_ID, USER_X_USERNAME, USER_X_DISPLAY_NAME, USER_X_PHONE, USER_X_ROLE,
    USER_X_ROLE_NAME, USER_X_REGION, USER_X_REGION_NAME, USER_X_STATUS };
struct al_stmt *user_store_export_page(struct al_db *db, struct al_arena *a,
    const struct user_filter *f, const char *after, int64_t limit);
/* The row of user `id` into *u.  AL_OK, AL_ENOTFOUND or an error (*u untouched). */
int user_store_get_row(struct al_db *db, struct al_arena *a, int64_t id, struct user_row *u);
/*
 * A new user from `in` with password hash `hash`, created at `now`; its id into *id (untouched
 * on failure).  AL_OK, AL_ECONFLICT (the name taken, case-insensitively; an unknown role) or
 * an error.
 */
int user_store_insert(struct al_db *db, const struct user_new *in, const char *hash,
    int must_change, int64_t now, int64_t *id);
/* True when role `role` exists; false when not and on a storage error. */
bool user_store_role_exists(struct al_db *db, const char *role);
/*
 * True when every permission of `role` is also held by `holder_role`; false when not and on
 * a storage error.
 */
bool user_store_role_within(struct al_db *db, const char *role, const char *holder_role);

struct user_patch {
    const char *display_name, *phone, *role, *region_code, *status, *password_hash;
    int must_change_password; /* -1 leave */
};
/*
 * Apply `p` to user `id` if its version is still `version` (NULL fields left, phone "" cleared;
 * a new password hash clears the lock counters); bumps the version, updated_at := `now`.
 * AL_OK, AL_ECONFLICT (stale version, unknown id, or a constraint) or an error.
 */
int user_store_update(struct al_db *db, int64_t id, int64_t version, const struct user_patch *p,
    int64_t now);

#endif
