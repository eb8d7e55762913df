/* Private to the elder module. */
#ifndef ELDER_INT_H
#define ELDER_INT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/db.h"
#include "core/err.h"
#include "elder/elder.h"

#define ELDER_CAT_MAX 9


/* The facts categories are derived from, each with its evidence. */
struct elder_facts {
    const char *birth_date;
    const char *living_arrangement; /* NULL when unknown */
    bool left_behind;
    const char *economic_status;
    int disability_grade;           /* 0 when none */
    bool fp_special;
    int entitled_count;
    int ability_level;              /* -1 when never assessed */
    struct elder_evidence ev_birth, ev_living, ev_left_behind, ev_economic, ev_disability,
        ev_fp, ev_entitled, ev_ability;
};

struct elder_settings {
    int min_age;
    int advanced_age;
    int disabled_min_level;
    int lookup_per_hour;          /* RULE-PII-003: whole-number lookups without elder.read_pii */
    char economic_tiers[128];     /* comma-separated economic_status values */
    char special_difficulty[256]; /* comma-separated category ids */
};

struct elder_category {
    const char *id;
    struct elder_evidence ev;
};

/* ---- rules (elder_logic.c) ---- */

/* Derive the categories of one elder on `today`; returns how many were written to `out`. */
int elder_derive(const struct elder_facts *f, const struct elder_settings *s, const char *today,
    struct elder_category out[ELDER_CAT_MAX]);

/* True when any of the categories is in the special-difficulty set. */
bool elder_is_special(const struct elder_settings *s, const char *const *ids, int n);

/* Is `v` one of the allowed values?  (NULL lists end the array.) */
bool elder_enum_ok(const char *const *allowed, const char *v);

extern const char *const elder_living_values[];
extern const char *const elder_economic_values[];
extern const char *const elder_status_values[];
extern const char *const elder_category_ids[];
/* Is `v` an item of the comma-separated `list`? */
bool elder_in_list(const char *list, const char *v);
/* RULE-CAT-009: the known category ids named in the setting `list` (unknown names ignored). */
int elder_special_ids(const char *list, const char *ids[ELDER_CAT_MAX]);

/*
 * RULE-PII-001: a record or list item as a reader without elder.read_pii sees it: the
 * birth year (`birth_year`) instead of the birth date and the age, and no evidence dated
 * with the birth date.  Changes `o` in place.
 */
void elder_redact_birth(json_t *o);

/*
 * A history entry's changes as shown (RULE-PII-001/002): ID masks in the current form
 * (entries written before kept 4 more characters), phones masked, and without `pii` the
 * birth year instead of the birth date.  A new object.
 */
json_t *elder_history_view(json_t *changes, bool pii);

/*
 * RULE-PII-003: the digits of a search text made of digits, spaces and '-' only (all
 * a phone holds), or -1 for any other text.
 */
int elder_phone_digits(const char *q);

/* ---- storage (elder_store.c) ---- */

int elder_settings_load(struct al_db *db, struct elder_settings *s);

struct elder_row {
    int64_t id, version;
    const char *region_code, *status, *name;
};

struct elder_query {
    const char *scope;
    const char *q;          /* name / phone / address text */
    const char *id_hash;    /* exact ID number */
    const char *region;     /* region prefix filter */
    const char *category;
    const char *status;
    const char *born_after, *born_before; /* from the age range */
    bool pii;               /* the reader holds elder.read_pii (RULE-PII-001/003) */
    const char *special[ELDER_CAT_MAX]; /* special difficulty: any of these categories */
    int nspecial;
    int64_t limit, offset;
};

/*
 * The registry in `scope` (RULE-CAT-009): records in the registry (active),
 * the special-difficulty elders among them (any of the `n` categories
 * `special`, elder_special_ids), and per category the active elders holding
 * it, into `out`.
 */
int elder_store_overview(struct al_db *db, struct al_arena *a, const char *scope,
    const char *const *special, int n, json_t *out);
int elder_store_list(struct al_db *db, struct al_arena *a, const struct elder_query *q,
    json_t *items, int64_t *total);
int elder_store_row(struct al_db *db, struct al_arena *a, int64_t id, struct elder_row *r);
/* The record `id` as JSON; without `pii` as elder_redact_birth leaves it. */
int elder_store_get(struct al_db *db, struct al_arena *a, int64_t id, bool pii, json_t **out);
int elder_store_exists_hash(struct al_db *db, const char *id_hash, int64_t *id);
int elder_store_insert(struct al_db *db, json_t *rec, int64_t now, int64_t *id);
/*
 * Write the columns of `set` to elder `id` at `version` (-1: any).  AL_OK,
 * AL_ECONFLICT only for a stale version (no row at that version), AL_EUNPROC
 * when the schema refuses the row (constraint or trigger), AL_EDB/AL_EUNAVAIL.
 * elder_store_insert answers the same, without the version.
 */
int elder_store_update(struct al_db *db, int64_t id, int64_t version, json_t *set, int64_t now);
int elder_store_pii(struct al_db *db, struct al_arena *a, int64_t id, const char **id_enc,
    const char **phone, const char **phone2);
int elder_store_set_evidence(struct al_db *db, int64_t elder_id, const char *field,
    const struct elder_evidence *ev);
int elder_store_recompute(struct al_db *db, struct al_arena *a, int64_t elder_id,
    const struct elder_settings *s, const char *today);
int elder_store_history_add(struct al_db *db, int64_t elder_id, int64_t user_id,
    const char *username, const char *action, json_t *changes, int64_t now);
int elder_store_history(struct al_db *db, struct al_arena *a, int64_t elder_id, bool pii,
    json_t *items);
int elder_store_contacts(struct al_db *db, struct al_arena *a, int64_t elder_id, bool reveal,
    json_t *items);
int elder_store_contact_add(struct al_db *db, int64_t elder_id, const char *relation,
    const char *name, const char *phone, int64_t priority, int64_t now, int64_t *id);
int elder_store_contact_delete(struct al_db *db, int64_t elder_id, int64_t contact_id);
int elder_store_consents(struct al_db *db, struct al_arena *a, int64_t elder_id, json_t *items);
int elder_store_consent_add(struct al_db *db, int64_t elder_id, int64_t user_id,
    const char *relation, const char *scope_json, const char *granted_by, int64_t recorded_by,
    int64_t now, int64_t *id);
int elder_store_consent_revoke(struct al_db *db, int64_t elder_id, int64_t consent_id,
    int64_t by, int64_t now);
/* The active consent scope (JSON array text) linking `user_id` to `elder_id`, or AL_ENOTFOUND. */
int elder_store_consent_scope(struct al_db *db, struct al_arena *a, int64_t user_id,
    int64_t elder_id, const char **scope);
int elder_store_linked(struct al_db *db, struct al_arena *a, int64_t user_id, json_t *items);

#endif
