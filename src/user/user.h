/*
 * Staff and resident accounts: listing, creation and changes by officers and
 * admins, within their region.
 */
#ifndef USER_H
#define USER_H

#include <jansson.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/db.h"
#include "core/err.h"
#include "core/router.h"

extern const struct al_module user_module;

/* The User object of docs/api-contract.md for `id`.  AL_ENOTFOUND when missing. */
int user_get_json(struct al_db *db, struct al_arena *a, int64_t id, json_t **out);

/* Input for creating a user (strings owned by the caller). */
struct user_new {
    const char *username, *display_name, *phone, *role, *region_code;
    const char *password;          /* NULL: generate one */
    int must_change_password;      /* -1: must change (RULE-AUTH-001: generated or set by
                                      someone else); 0 only for a password its owner chose */
};

/*
 * Create a user without a request (CLI, first admin, demo seed), audited as
 * `actor`.  Validates like the API.  On success *id is set and, when the
 * password was generated, it is copied to `generated` (13 bytes).
 * Returns AL_OK, AL_EINVAL / AL_ECONFLICT with `e` filled, or AL_EDB.
 */
int user_create_direct(struct al_db *db, struct al_arena *a, const struct user_new *in,
    const char *actor, int64_t *id, char generated[13], struct al_errinfo *e);

/*
 * Demo county (user_demo.c): the nine demo accounts of 凤冈县 (civil officer,
 * township officers, helper, three assessors, provider, caregiver) with
 * `password`, audited as "seed"; accounts already there are kept.  AL_OK, or
 * the first failure of user_create_direct() with `e` filled.
 */
int user_seed_demo(struct al_db *db, struct al_arena *a, const char *password,
    struct al_errinfo *e);

#endif
