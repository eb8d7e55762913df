/*
 * Private to the assess module: the scale and its rules (assess_logic.c, pure:
 * no I/O, no clock), and the store (assess_store.c, its SQL only: one text for
 * SQLite and PostgreSQL).
 *
 * Conventions of the store functions below, unless a contract says otherwise:
 * - they return AL_OK or an error of the closed set: AL_ENOTFOUND where a row
 *   is asked for by id, AL_ECONFLICT for a constraint (a duplicate) or a stale
 *   version, AL_EUNAVAIL when another writer holds the lock past the busy
 *   timeout, AL_EDB for anything else (logged by core/db);
 * - they run inside the caller's transaction when there is one and never
 *   begin, commit or roll back; on failure the caller rolls back, so nothing
 *   of a failed write remains;
 * - `now` (unix seconds) and `today` (YYYY-MM-DD, China Standard Time) come
 *   from the caller, read once per request; the store never reads the clock
 *   (except assess_legacy_record in assess.h, for imports);
 * - texts returned through pointers are copies in the arena `a`; JSON added
 *   to the caller's array or returned through `json_t **` is the caller's
 *   reference; JSON passed in is only read.
 */
#ifndef ASSESS_INT_H
#define ASSESS_INT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/db.h"
#include "core/fields.h"

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
/* fall, choking, self_harm, wandering, other */
extern const char *const assess_risk_keys[ASSESS_RISKS];
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

/* Level 0–4 from the total 0–90 alone (RULE-ASSESS-002). */
int assess_level_of_total(int total);

/*
 * Fill `out` (all of it) with the domain scores, total, preliminary and final
 * levels and the ids of the rules applied (RULE-ASSESS-002..007; in a coma the
 * level is set directly, RULE-ASSESS-003).  Items must already be in range.
 */
void assess_compute(const struct assess_input *in, const struct assess_settings *s,
    struct assess_result *out);

/*
 * Classify one ICD-10 code or range ("F03", "F03.9", "F00-F03"): AL_OK, with
 * *dementia (F00–F03) or *mental (F04–F99) set true when the code or range
 * reaches them (never set false: flags add up over a list), or AL_EINVAL when
 * it is not a code or range (the flags untouched).
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
struct assess_need {
    const char *key, *name;
    const char *options[8];
    int n;
};

extern const struct assess_options assess_item_options[ASSESS_ITEMS];
/* True when the wording of option `score` of item `item` (0-based) differs between the sources. */
bool assess_option_uncertain(int item, int score);
extern const struct assess_choice assess_reasons[ASSESS_REASONS];
extern const char *const assess_risk_names[ASSESS_RISKS];
extern const struct assess_choice assess_diseases[ASSESS_DISEASES];
/* The health items (RULE-FIELD-002): ENUMs of AL_F_EXACT, special_care AL_F_MANY; {0} ends. */
extern const struct al_field assess_health_fields[ASSESS_HEALTH + 1];
extern const struct assess_need assess_needs[ASSESS_NEEDS];
extern const char *const assess_legacy_level_names[4];

/* ---- the workflow (assess_logic.c) ---- */

enum assess_step {
    ASSESS_STEP_SAVE,
    ASSESS_STEP_SIGN,
    ASSESS_STEP_SUBMIT,
    ASSESS_STEP_APPROVE,
    ASSESS_STEP_RETURN,
    ASSESS_STEP_PUBLISH,
    ASSESS_STEP_DISPUTE,
    ASSESS_STEP_SUPERSEDE,
};

/*
 * RULE-ASSESS-010: the status after `step` from `status` (a static string), or
 * NULL when `status` does not allow the step.
 */
const char *assess_next_status(const char *status, enum assess_step step);
/* The Chinese name of a status (static), or `status` itself when it is not one of the six. */
const char *assess_status_name(const char *status);
/* True when `status` (NULL allowed) is one of the six statuses. */
bool assess_status_valid(const char *status);
/* RULE-ASSESS-021: only an elder in the registry (status active) is assessed; NULL is not. */
bool assess_elder_assessable(const char *elder_status);
/* 在册, 迁出, 死亡, 注销 (static); an unknown status as it is, NULL as "". */
const char *assess_elder_status_name(const char *elder_status);
/* RULE-ASSESS-018: published, disputed or superseded (what level-only readers see). */
bool assess_is_result(const char *status);

/* True when `s` (NULL allowed) is a real date written YYYY-MM-DD. */
bool assess_date_ok(const char *s);
/*
 * `date` plus `days` (negative: earlier) into `out` as YYYY-MM-DD.  False, with
 * `out` untouched, when `date` is not a date or the result leaves years 0–9999.
 */
bool assess_date_add_days(const char *date, long days, char out[11]);
/*
 * RULE-ASSESS-012: the last day of validity, `months` after `assessed_on` (the
 * month's last day when that day does not exist), into `out`.  False, with
 * `out` untouched, when `assessed_on` is not a date or `months` < 1.
 */
bool assess_valid_until(const char *assessed_on, int months, char out[11]);

enum assess_due { ASSESS_DUE_NONE, ASSESS_DUE_SOON, ASSESS_DUE_EXPIRED };
/*
 * RULE-ASSESS-013: ASSESS_DUE_EXPIRED once `today` is after `valid_until`,
 * ASSESS_DUE_SOON when it ends within `window` days, else ASSESS_DUE_NONE
 * (also when either is not a date; *days then untouched).  Days left into
 * *days (negative once expired).
 */
enum assess_due assess_due_state(const char *valid_until, const char *today, int window,
    long *days);
/* RULE-ASSESS-011: true when `expires_on` (NULL allowed) is a date not before `today`. */
bool assess_qualified(const char *expires_on, const char *today);

/* Chinese explanation (static) of a rule id that set or changed a level; the id when unknown. */
const char *assess_rule_text(const char *rule_id);

/* ---- storage (assess_store.c): the conventions at the top of this file apply ---- */

/*
 * The assess.* settings into `s`, starting from the defaults (coma level 4, no
 * stacking, 12 months, 2 assessors); a stored value out of its range keeps the
 * default.  AL_OK or the read's error (`s` then holds defaults and what was read).
 */
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
/*
 * Insert `rec` as a draft (version 1, created and updated at `now`); its id
 * into *id (0 on failure).  AL_ECONFLICT when a reference does not exist.
 */
int assess_store_insert(struct al_db *db, const struct assess_record *rec, int64_t now,
    int64_t *id);
/*
 * Replace a draft's form with `rec` (the version goes up by one).  *changed
 * false when the form was already exactly this (nothing written, AL_OK).
 * AL_ECONFLICT when `version` is stale, the draft is gone or no longer a draft.
 */
int assess_store_update_form(struct al_db *db, int64_t id, int64_t version,
    const struct assess_record *rec, int64_t now, bool *changed);

/* What the handlers check before a step. */
struct assess_row {
    int64_t id, elder_id, version, created_by, supersedes_id, request_id; /* 0: none */
    const char *region_code, *status, *reason, *assessed_on;
    int final_level;   /* -1 unknown */
    bool complete;     /* every item answered, or coma */
    bool coma;
    json_t *form_json; /* stored form texts (items, diagnoses, …) for a partial PATCH */
};
/*
 * Assessment `id` into `row` (texts in `a`; row->form_json is the caller's
 * reference, the stored texts as strings, JSON null for SQL NULL).
 * AL_ENOTFOUND when there is none (`row` untouched).
 */
int assess_store_row(struct al_db *db, struct al_arena *a, int64_t id, struct assess_row *row);

struct assess_status_extra {
    const char *review_note, *valid_until, *disputed_reason; /* NULL: kept as they are */
    bool published;                                          /* published_at = now */
};
/*
 * Move assessment `id` to `status` with the extras of `x` (NULL: none); the
 * version goes up by one.  `version` -1 skips the version check.
 * AL_ECONFLICT when `version` is stale or the assessment does not exist.
 */
int assess_store_set_status(struct al_db *db, int64_t id, int64_t version, const char *status,
    const struct assess_status_extra *x, int64_t now);
/* Append an event to assessment `id`'s history (user_id 0: none, e.g. the demo seed). */
int assess_store_event(struct al_db *db, int64_t id, const char *action, int64_t user_id,
    const char *username, const char *note, int64_t now);

/*
 * The assessor qualification of `user_id`: certificate number and last valid
 * day (texts in `a`), both NULL and AL_ENOTFOUND when none is registered.
 */
int assess_store_qualification(struct al_db *db, struct al_arena *a, int64_t user_id,
    const char **certificate_no, const char **expires_on);
/* Register or replace the qualification of `user_id` (`organisation` may be NULL). */
int assess_store_qualify(struct al_db *db, int64_t user_id, const char *certificate_no,
    const char *organisation, const char *expires_on, int64_t by, int64_t now);
/*
 * The active users in `scope` whose role may assess (assess.create, not the
 * admin), with their qualification and whether it is valid on `today`, appended
 * to `items` (on failure `items` may hold the rows read before it).
 */
int assess_store_assessors(struct al_db *db, const char *scope, const char *today,
    json_t *items);
/* Record `user_id`'s signature of assessment `id`: AL_ECONFLICT when they signed already. */
int assess_store_sign(struct al_db *db, int64_t id, int64_t user_id, const char *certificate_no,
    int64_t now);
/* How many signed assessment `id` into *count, and whether `user_id` is one of them. */
int assess_store_signed(struct al_db *db, int64_t id, int64_t user_id, int *count, bool *by_user);
/* Void every signature of assessment `id` (RULE-ASSESS-011: a change voids them). */
int assess_store_clear_signatures(struct al_db *db, int64_t id);

/*
 * RULE-ASSESS-019: the elder's published or disputed result (other than `id`)
 * assessed after `assessed_on`, if any: its id and date (in `a`) into *later_id
 * and *later_on, 0 and NULL when none (still AL_OK).
 */
int assess_store_later_result(struct al_db *db, struct al_arena *a, int64_t elder_id, int64_t id,
    const char *assessed_on, int64_t *later_id, const char **later_on);

/*
 * The elder's published or disputed results other than `keep_id` become
 * superseded (version up by one), each with a "supersede" event naming
 * `keep_id`.  AL_OK also when there are none.
 */
int assess_store_supersede(struct al_db *db, int64_t elder_id, int64_t keep_id, int64_t user_id,
    const char *username, int64_t now);

struct assess_request {
    int64_t elder_id, disputed_id, user_id; /* 0: none */
    const char *region_code, *reason, *source, *note;
};
/* Open a request for an assessment; its id into *id (0 on failure). */
int assess_store_request_create(struct al_db *db, const struct assess_request *q, int64_t now,
    int64_t *id);
/*
 * Request `id` into `q` (texts in `a`; user_id and note not read) and its
 * status ("open" or "done") into *status.  AL_ENOTFOUND when there is none.
 */
int assess_store_request_get(struct al_db *db, struct al_arena *a, int64_t id,
    struct assess_request *q, const char **status);
/* Mark an open request done by `assessment_id`; a request already done stays as it was (AL_OK). */
int assess_store_request_done(struct al_db *db, int64_t request_id, int64_t assessment_id,
    int64_t now);
/*
 * Requests in `scope` (status NULL: all; open ones first, newest first, 500 at
 * most) appended to `items`; `active_only`: of elders still in the registry.
 * Times are rendered in `a`.  On failure `items` may hold the rows read before it.
 */
struct al_stmt *assess_store_requests_stmt(struct al_db *db, const char *scope,
    const char *status, bool active_only); /* its statement, bound (columns ASSESS_RQ_*) */
enum { ASSESS_RQ_ID, ASSESS_RQ_ELDER_ID, ASSESS_RQ_ELDER_NAME, ASSESS_RQ_REGION,
    ASSESS_RQ_REGION_NAME, ASSESS_RQ_REASON, ASSESS_RQ_SOURCE, ASSESS_RQ_NOTE };
int assess_store_requests(struct al_db *db, struct al_arena *a, const char *scope,
    const char *status, bool active_only, json_t *items);

/*
 * Assessment `id` as JSON into *out (the caller's reference); `full` adds its
 * scores, signatures and history, else the level only (RULE-ASSESS-018).
 * AL_OK, AL_ENOTFOUND, or the error of the first failing query with *out
 * NULL: never a partial record.
 */
int assess_store_get_json(struct al_db *db, struct al_arena *a, int64_t id, bool full,
    json_t **out);
/*
 * The elder's assessments (newest first) with the legacy results merged in by
 * date, appended to `out` only when every query succeeded.  Not `full`
 * (level-only readers): results only, in the level-only shape.
 */
int assess_store_history(struct al_db *db, struct al_arena *a, int64_t elder_id, bool full,
    json_t *out);

struct assess_filter {
    const char *scope, *status, *reason, *region; /* NULL: no filter (scope "" is the country) */
    const char *q; /* part of the elder's name, or NULL */
    int64_t limit, offset;
    bool results_only; /* RULE-ASSESS-018: published, disputed, superseded only */
};
/*
 * One page of the assessments `f` selects (newest first, level-only shape)
 * appended to `items`, and the count of all it selects into *total (the same
 * WHERE, so the total is scoped like the list).
 */
int assess_store_list(struct al_db *db, struct al_arena *a, const struct assess_filter *f,
    json_t *items, int64_t *total);
/*
 * RULE-DB-101: one page of the export of the assessments `f` selects (limit
 * and offset unused), newest first: `limit` rows with an id below `after`
 * (NULL: the newest), a bound statement (NULL: it could not be prepared) of
 * the record columns ASSESS_X_* below.
 */
enum { ASSESS_X_ID = 0, ASSESS_X_ELDER_NAME = 2, ASSESS_X_STATUS = 6, ASSESS_X_ASSESSED_ON = 15,
    ASSESS_X_FINAL_LEVEL = 19, ASSESS_X_VALID_UNTIL = 22 };
struct al_stmt *assess_store_export_page(struct al_db *db, struct al_arena *a,
    const struct assess_filter *f, const char *after, int64_t limit);
/*
 * RULE-ASSESS-013: the published results in `scope`, of elders still in the
 * registry, expired or ending within `window` days of `today`, appended to
 * `items` (soonest first).  AL_EINVAL when `today` is not a date.
 */
struct al_stmt *assess_store_due_stmt(struct al_db *db, const char *scope, const char *today,
    int window); /* its statement, bound (columns ASSESS_DX_*; NULL: not a date or AL_EDB) */
enum { ASSESS_DX_ID, ASSESS_DX_ELDER_ID, ASSESS_DX_ELDER_NAME, ASSESS_DX_REGION,
    ASSESS_DX_REGION_NAME, ASSESS_DX_FINAL_LEVEL, ASSESS_DX_ASSESSED_ON,
    ASSESS_DX_VALID_UNTIL };
int assess_store_due(struct al_db *db, const char *scope, const char *today, int window,
    json_t *items);

struct assess_legacy {
    int64_t elder_id, user_id; /* user_id 0: none (an import) */
    const char *region_code, *assessed_on, *reference;
    int level, adl_score; /* adl_score -1: not given */
};
/*
 * RULE-ASSESS-017: record a result of the older standard; its id into *id, or
 * 0 when the same one (elder, date, level) was recorded before (AL_OK then,
 * nothing written).
 */
int assess_store_legacy_insert(struct al_db *db, const struct assess_legacy *l, int64_t now,
    int64_t *id);
/*
 * User `id`'s region (in `a`) and whether their role may assess (holds
 * assess.create and is not the admin).  AL_ENOTFOUND when there is no such user.
 */
int assess_store_user(struct al_db *db, struct al_arena *a, int64_t id, const char **region,
    bool *assessor);
/*
 * The needs assessed in the elder's latest published or disputed result, as
 * {assessment_id, assessed_on, needs} into *out (the caller's reference).
 * AL_ENOTFOUND when the elder has none.
 */
int assess_store_needs(struct al_db *db, int64_t elder_id, json_t **out);

#endif
