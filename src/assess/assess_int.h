/* Private to the assess module. */
#ifndef ASSESS_INT_H
#define ASSESS_INT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/db.h"

#define ASSESS_ITEMS 26
#define ASSESS_DOMAINS 4
#define ASSESS_RISKS 5

struct assess_item {
    const char *code; /* "B.2.4" */
    const char *name; /* "上下楼梯" */
    int max;
    int domain;       /* 0..3 */
};

extern const struct assess_item assess_items[ASSESS_ITEMS];
extern const char *const assess_domain_names[ASSESS_DOMAINS];
extern const char *const assess_risk_keys[ASSESS_RISKS]; /* fall, choking, self_harm, wandering, other */
extern const char *const assess_level_names[5];

struct assess_settings {
    int coma_level;      /* RULE-ASSESS-003, default 4 */
    bool adjust_stack;   /* RULE-ASSESS-006: may the two +1 rules add up?  default false */
    int validity_months; /* RULE-ASSESS-012, default 12 */
    int assessors;       /* RULE-ASSESS-011: signatures required, default 2 */
};

struct assess_input {
    int items[ASSESS_ITEMS];
    bool coma;
    bool dementia;        /* a diagnosis in F00–F03 */
    bool mental_disorder; /* a diagnosis in F04–F99 */
    int risk_events[ASSESS_RISKS];
};

struct assess_result {
    int domain[ASSESS_DOMAINS];
    int total;
    int preliminary;
    int final;
    const char *rules[6]; /* ids of the rules that set or changed the level */
    int nrules;
};

/* Level from the total alone (RULE-ASSESS-002). */
int assess_level_of_total(int total);

/* Compute domains, total and levels.  Items must already be in range. */
void assess_compute(const struct assess_input *in, const struct assess_settings *s,
    struct assess_result *out);

/*
 * Classify one ICD-10 code or range ("F03", "F03.9", "F00-F03").  Returns 0
 * and sets the flags, or -1 when it is not a code.
 */
int assess_icd10(const char *code, bool *dementia, bool *mental);

/* ---- the form (assess_logic.c) ---- */

#define ASSESS_REASONS 5
#define ASSESS_DISEASES 10
#define ASSESS_HEALTH 5
#define ASSESS_NEEDS 7

struct assess_option {
    int score;
    const char *text;
};
struct assess_options {
    const char *hint;                 /* what the item assesses */
    struct assess_option options[5];  /* best first; unused entries have text NULL */
};
struct assess_choice {
    const char *id, *name;
};
struct assess_health {
    const char *key, *name;
    const char *values[8];
    int n;
};
struct assess_need {
    const char *key, *name;
    const char *options[8];
    int n;
};

extern const struct assess_options assess_item_options[ASSESS_ITEMS];
/* Is the wording of this option uncertain (it differs between the sources)? */
bool assess_option_uncertain(int item, int score);
extern const struct assess_choice assess_reasons[ASSESS_REASONS];
extern const char *const assess_risk_names[ASSESS_RISKS];
extern const struct assess_choice assess_diseases[ASSESS_DISEASES];
extern const struct assess_health assess_health_items[ASSESS_HEALTH];
extern const struct assess_need assess_needs[ASSESS_NEEDS];
extern const char *const assess_legacy_level_names[4];

/* ---- the workflow (assess_logic.c) ---- */

enum assess_step {
    STEP_SAVE,
    STEP_SIGN,
    STEP_SUBMIT,
    STEP_APPROVE,
    STEP_RETURN,
    STEP_PUBLISH,
    STEP_DISPUTE,
    STEP_SUPERSEDE,
};

/* RULE-ASSESS-010: the status after `step`, or NULL when `status` does not allow it. */
const char *assess_next_status(const char *status, enum assess_step step);
const char *assess_status_name(const char *status);
bool assess_status_valid(const char *status); /* one of the six statuses */
/* RULE-ASSESS-021: only an elder in the registry (status active) is assessed. */
bool assess_elder_assessable(const char *elder_status);
const char *assess_elder_status_name(const char *elder_status); /* 在册, 迁出, 死亡, 注销 */
/* RULE-ASSESS-018: published, disputed or superseded (what level-only readers see). */
bool assess_is_result(const char *status);

bool assess_date_ok(const char *s); /* a real YYYY-MM-DD date */
/* RULE-ASSESS-012 */
bool assess_valid_until(const char *assessed_on, int months, char out[11]);

enum assess_due { DUE_NONE, DUE_SOON, DUE_EXPIRED };
/* RULE-ASSESS-013 */
enum assess_due assess_due_state(const char *valid_until, const char *today, int window,
    long *days);
/* RULE-ASSESS-011 */
bool assess_qualified(const char *expires_on, const char *today);

/* Chinese explanation of a rule id that set or changed a level. */
const char *assess_rule_text(const char *rule_id);

/* ---- storage (assess_store.c) ---- */

int assess_settings_load(struct al_db *db, struct assess_settings *s);

/* The form of an assessment as written (JSON values belong to the caller). */
struct assess_record {
    int64_t elder_id, user_id, request_id, supersedes_id;
    const char *region_code, *reason, *organisation, *place, *assessed_on;
    json_t *items, *diagnoses, *risks, *health, *needs; /* NULL: stored as empty/none */
    bool coma;
    bool computed; /* all items answered (or coma): `result` holds the levels */
    struct assess_result result;
};
int assess_store_insert(struct al_db *db, const struct assess_record *rec, int64_t now,
    int64_t *id);
/*
 * A draft's form: AL_ECONFLICT on a stale version or when it is no longer a
 * draft.  *changed false when the form was already exactly this (nothing written).
 */
int assess_store_update_form(struct al_db *db, int64_t id, int64_t version,
    const struct assess_record *rec, int64_t now, bool *changed);

/* What the handlers check before a step. */
struct assess_row {
    int64_t id, elder_id, version, created_by, supersedes_id, request_id;
    const char *region_code, *status, *reason, *assessed_on;
    int final_level;  /* -1 unknown */
    bool complete;    /* every item answered, or coma */
    bool coma;
    json_t *form_json; /* stored form texts (items, diagnoses, …) for a partial PATCH */
};
int assess_store_row(struct al_db *db, struct al_arena *a, int64_t id, struct assess_row *row);

struct assess_status_extra {
    const char *review_note, *valid_until, *disputed_reason;
    bool published;
};
/* Move to `status` (version -1: unchecked).  AL_ECONFLICT on a stale version. */
int assess_store_set_status(struct al_db *db, int64_t id, int64_t version, const char *status,
    const struct assess_status_extra *x, int64_t now);
int assess_store_event(struct al_db *db, int64_t id, const char *action, int64_t user_id,
    const char *username, const char *note, int64_t now);

int assess_store_qualification(struct al_db *db, struct al_arena *a, int64_t user_id,
    const char **certificate_no, const char **expires_on);
int assess_store_qualify(struct al_db *db, int64_t user_id, const char *certificate_no,
    const char *organisation, const char *expires_on, int64_t by, int64_t now);
int assess_store_assessors(struct al_db *db, struct al_arena *a, const char *scope,
    const char *today, json_t *items);
int assess_store_sign(struct al_db *db, int64_t id, int64_t user_id, const char *certificate_no,
    int64_t now);
int assess_store_signed(struct al_db *db, int64_t id, int64_t user_id, int *count, bool *by_user);
int assess_store_signed_by(struct al_db *db, int64_t id, int64_t user_id, bool *signed_it);
int assess_store_clear_signatures(struct al_db *db, int64_t id);

/*
 * RULE-ASSESS-019: the elder's published or disputed result (other than `id`)
 * assessed after `assessed_on`, if any (*later_id 0 when none; *later_on in `a`).
 */
int assess_store_later_result(struct al_db *db, struct al_arena *a, int64_t elder_id, int64_t id,
    const char *assessed_on, int64_t *later_id, const char **later_on);

/* Earlier published or disputed results of the elder become superseded. */
int assess_store_supersede(struct al_db *db, int64_t elder_id, int64_t keep_id, int64_t user_id,
    const char *username, int64_t now);

struct assess_request {
    int64_t elder_id, disputed_id, user_id;
    const char *region_code, *reason, *source, *note;
};
int assess_store_request_create(struct al_db *db, const struct assess_request *q, int64_t now,
    int64_t *id);
int assess_store_request_get(struct al_db *db, struct al_arena *a, int64_t id,
    struct assess_request *q, const char **status);
int assess_store_request_done(struct al_db *db, int64_t request_id, int64_t assessment_id,
    int64_t now);
/* Requests in scope (status NULL: all); `active_only`: of elders still in the registry. */
int assess_store_requests(struct al_db *db, struct al_arena *a, const char *scope,
    const char *status, bool active_only, json_t *items);

int assess_store_get_json(struct al_db *db, struct al_arena *a, int64_t id, bool full,
    json_t **out);
/*
 * The elder's assessments (newest first) with the legacy results merged in by
 * date.  Not `full` (level-only readers): results only, in the level-only shape.
 */
int assess_store_history(struct al_db *db, struct al_arena *a, int64_t elder_id, bool full,
    json_t *out);

struct assess_filter {
    const char *scope, *status, *reason, *region;
    const char *q; /* part of the elder's name, or NULL */
    int64_t limit, offset;
    bool results_only; /* RULE-ASSESS-018: published, disputed, superseded only */
};
int assess_store_list(struct al_db *db, struct al_arena *a, const struct assess_filter *f,
    json_t *items, int64_t *total);
int assess_store_due(struct al_db *db, struct al_arena *a, const char *scope, const char *today,
    int window, json_t *items);

struct assess_legacy {
    int64_t elder_id, user_id;
    const char *region_code, *assessed_on, *reference;
    int level, adl_score; /* adl_score -1: not given */
};
int assess_store_legacy_insert(struct al_db *db, const struct assess_legacy *l, int64_t now,
    int64_t *id);
/* A user's region and whether their role may assess (holds assess.create). */
int assess_store_user(struct al_db *db, struct al_arena *a, int64_t id, const char **region,
    bool *assessor);
int assess_store_needs(struct al_db *db, struct al_arena *a, int64_t elder_id, json_t **out);

#endif
