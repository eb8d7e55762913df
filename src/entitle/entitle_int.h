/* Private to the entitle module. */
#ifndef ENTITLE_INT_H
#define ENTITLE_INT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/db.h"
#include "core/err.h"
#include "core/fields.h"

/* ---- rules (entitle_logic.c): pure ---- */

/* The list levels: '' national, 2 digits province, 4 city, 6 county (RULE-ENT-010). */
enum entitle_level { ENT_NATIONAL = 0, ENT_PROVINCE, ENT_CITY, ENT_COUNTY, ENT_LEVELS };

/*
 * The list level of region code `code` ("" → ENT_NATIONAL … 6 digits → ENT_COUNTY), or -1
 * when the code keys no list (a township, a village, not a code).
 */
int entitle_level_of(const char *code);
/*
 * The region of the list a user of region `scope` works on: `scope` itself for a list
 * level, else -1 (a township officer has no list of their own).  Copies the code into
 * `out` (13 bytes).
 */
int entitle_own_list(const char *scope, char out[13]);
/*
 * The chain of lists from the national one down to `code`'s list: chain[i] (13 bytes each)
 * for i < *n.  A township or village code ends at its county.  AL_OK, or AL_EINVAL when
 * `code` is not a region code of 0, 2, 4, 6, 9 or 12 digits.
 */
int entitle_chain(const char *code, char chain[ENT_LEVELS][13], int *n);
/* The list that approves `code`'s changes: its parent level; the national list its own. */
void entitle_approver_of(const char *code, char out[13]);

enum entitle_std_kind { ENT_STD_AMOUNT = 1, ENT_STD_FREQUENCY, ENT_STD_TEXT };

/* A standard: an amount in fen per period, a number of times per period, or words. */
struct entitle_std {
    int kind;            /* enum entitle_std_kind */
    int64_t amount_fen;  /* ENT_STD_AMOUNT */
    int64_t times;       /* ENT_STD_FREQUENCY */
    const char *period;  /* day, week, month, quarter, year, once (amount and frequency) */
    const char *text;    /* words (ENT_STD_TEXT), or a remark beside the figure */
};

/* The standard held by an item object (standard_kind, amount_fen, times, period, standard_text). */
struct entitle_std entitle_std_of(const json_t *item);
/*
 * RULE-ENT-012: compare standard `a` with `b` into *cmp (<0 lower, 0 equal, >0 higher).
 * Figures of different periods compare per year (day ×365, week ×52, month ×12,
 * quarter ×4); a one-off only with a one-off.  AL_OK, or AL_EINVAL when they cannot be
 * compared (different kinds, words, once against a period) with the reason in `why`.
 */
int entitle_std_cmp(const struct entitle_std *a, const struct entitle_std *b, int *cmp,
    const char **why);
/* "每月 50.00 元", "每月 4 次", or the words, in `a`. */
const char *entitle_std_text(struct al_arena *a, const struct entitle_std *s);
/*
 * RULE-ENT-002: funding shares (national, province, city, county, percent) each within
 * 0..100 and summing to 100.  AL_OK, or AL_EINVAL with `e` naming the field.
 */
int entitle_fund_check(const int64_t pct[4], struct al_errinfo *e);
/*
 * RULE-ENT-011, -013, -015: the effective list of `viewed` from `entries` (item objects of
 * approved changes, ordered by level from the national one, then by list version), at
 * `date` ("YYYY-MM-DD", or NULL for every item whatever its own dates).  For each level
 * and key the last entry counts; an "add" makes an item, a "raise" of a lower level sets
 * a higher standard (a raise not above the standard already applying is kept in
 * `superseded`).  Each item of the result gets origin_region, standard_region,
 * inherited, raised, upper_standard (the standard below the raise) and standard_text.
 * A new array (new references).
 */
json_t *entitle_merge(struct al_arena *a, const json_t *entries, const char *viewed,
    const char *date);
/*
 * RULE-ENT-020: the value of parameter `name` at `date` among `params` (objects with
 * region_code, name, value, valid_from): of the values dated on or before `date`, the
 * deepest list's latest.  A borrowed reference into `params`, or NULL when none applies.
 */
const json_t *entitle_param_at(const json_t *params, const char *name, const char *date);
/*
 * RULE-ENT-003: the standard in `set` is whole: an amount (amount_fen) or a frequency
 * (times) with its period, or words (standard_text).  AL_OK, or AL_EINVAL naming the field.
 */
int entitle_std_check(const json_t *set, struct al_errinfo *e);
/* An item key: 2..40 of a-z, 0-9 and '_', starting with a letter (RULE-ENT-001). */
bool entitle_key_ok(const char *key);

/* The fields of an item of a list (RULE-ENT-001..004). */
extern const struct al_field entitle_item_fields[];
/* Which fields a raise of an inherited item may carry (RULE-ENT-011). */
bool entitle_raise_field(const char *key);


/* ---- the rule language joined to the catalogue (RULE-ENT-040..049), pure ---- */

struct rule;
struct rule_error;
struct rule_facts;

/*
 * RULE-ENT-040: compile `text` for the list of `region` at `date`.  Parameters resolve through
 * `params` (objects with region_code, name, value, valid_from, legal_ref: the chain's dated
 * values, entitle_param_at picks the most local list's latest on or before the date); an item
 * after 已享受 resolves by name or item_key among `items` (the effective list: bit = index).
 * AL_OK with *out (in `a`), or AL_EINVAL with `err` filled.
 */
int entitle_rule_compile(struct al_arena *a, const char *text, const char *region,
    const char *date, const json_t *params, const json_t *items, struct rule **out,
    struct rule_error *err);
/*
 * RULE-ENT-043: append the elder described by example `facts` (the elders record's field
 * names: birth_date, region_code, hukou_region_code, sex, economic_status, disability_grade,
 * ability_level, living_arrangement, categories [ids], and receiving [item keys of `items`])
 * as a row of `f` (facts_init'ed with json_array_size(items) item bits).  AL_OK, or AL_EINVAL
 * with *bad naming the field that does not read.
 */
int entitle_example_facts(const json_t *facts, const json_t *items, struct rule_facts *f,
    const char **bad);
/*
 * RULE-ENT-044: run example `ex` ({facts, on_date, expected}) against rule `text` of list
 * `region`: the rule is compiled at the example's date.  *got is the answer; AL_OK, or
 * AL_EINVAL with `err` filled (the rule does not compile at that date, or the facts do not
 * read: column 0 and the field in the message).
 */
int entitle_example_run(struct al_arena *a, const char *text, const char *region,
    const json_t *ex, const json_t *params, const json_t *items, bool *got,
    struct rule_error *err);
/* "符合" / "不符合" */
const char *entitle_answer(bool eligible);

/*
 * ---- storage (entitle_store.c) ----
 *
 * On SQLite and PostgreSQL alike.  Returns are in the closed set: AL_OK, AL_ENOTFOUND where a
 * row is looked up, AL_ECONFLICT for a constraint or a stale version, AL_EUNAVAIL when another
 * writer holds the lock, else AL_EDB (logged).  JSON values are new references (from the
 * request arena while one is installed).  None opens a transaction.
 */

/*
 * The item rows of approved changes of the lists in `chain` (n of them, national first),
 * ordered by level then list version, appended to `out`: those with effective_from <= `date`
 * (NULL: all), and for the last list of the chain only versions <= `upto` (0: all).
 */
int entitle_store_entries(struct al_db *db, char chain[][13], int n, const char *date,
    int64_t upto, json_t *out);

struct entitle_change {
    int64_t id, list_version, version;
    const char *region_code, *status, *effective_from;
};
/* The change `id` into *c (texts in `a`).  AL_OK, AL_ENOTFOUND or an error. */
int entitle_store_change(struct al_db *db, struct al_arena *a, int64_t id,
    struct entitle_change *c);
/* The change `id` as an object with its items into *out.  AL_OK, AL_ENOTFOUND or an error. */
int entitle_store_change_json(struct al_db *db, int64_t id, json_t **out);
/*
 * Changes of the lists whose region is in `regions` (n of them), with status `status`
 * (NULL: any), newest first, appended to `items`.
 */
int entitle_store_changes(struct al_db *db, const char *const *regions, int n,
    const char *status, json_t *items);
/* A draft change of list `region`; its id into *id. */
int entitle_store_change_new(struct al_db *db, const char *region, const char *note,
    const char *effective_from, const char *by, int64_t now, int64_t *id);
/*
 * Move change `id` from one of `from` (a NULL-ended list of states) to `to` if its version
 * is still `version`: "submitted" records who and when, "approved" takes the list's next
 * version, "returned" records the reason, "draft" none.  AL_ECONFLICT when the state or
 * version moved on.
 */
int entitle_store_change_move(struct al_db *db, int64_t id, int64_t version,
    const char *const *from, const char *to, const char *by, const char *reason, int64_t now);
/* Put `item` (columns as keys) as key `key` of change `id` (replacing its earlier entry). */
int entitle_store_item_put(struct al_db *db, int64_t change_id, const char *region,
    const char *key, const json_t *item);
/* Remove key `key` from change `id`; AL_ENOTFOUND when it has none. */
int entitle_store_item_del(struct al_db *db, int64_t change_id, const char *key);
/* How many items change `id` holds. */
int entitle_store_item_count(struct al_db *db, int64_t change_id, int64_t *n);
/* The highest rule version of `key` on the lists of `chain` (0 when none) and its latest text. */
int entitle_store_rule_last(struct al_db *db, struct al_arena *a, char chain[][13], int n,
    const char *key, int64_t *version, const char **text);
/*
 * Mark the latest approved entry of `key` on list `region` checked (已核对) by `by`.
 * AL_ENOTFOUND when the list has no own entry for it.
 */
int entitle_store_item_check(struct al_db *db, const char *region, const char *key,
    const char *by, int64_t now);
/* The approved versions of list `region`, newest first, appended to `items`. */
int entitle_store_versions(struct al_db *db, const char *region, json_t *items);
/* The effective date of version `version` of list `region` into *date (in `a`). */
int entitle_store_version_date(struct al_db *db, struct al_arena *a, const char *region,
    int64_t version, const char **date);

/* Submitted changes of the lists one level below `scope` ('' also its own), oldest first. */
int entitle_store_queue(struct al_db *db, const char *scope, json_t *items);

/* Parameters of the lists of `chain`, every dated value, ordered by name, level, date. */
int entitle_store_params(struct al_db *db, char chain[][13], int n, json_t *out);
int entitle_store_param_add(struct al_db *db, const char *region, const char *name,
    int64_t value, const char *unit, const char *valid_from, const char *legal_ref,
    const char *by, int64_t now, int64_t *id);

/* Exclusions of the lists of `chain`, appended to `out`. */
int entitle_store_exclusions(struct al_db *db, char chain[][13], int n, json_t *out);
int entitle_store_exclusion_add(struct al_db *db, const char *region, const char *a_key,
    const char *b_key, const char *reason, const char *legal_ref, const char *by, int64_t now,
    int64_t *id);
/* The list region of exclusion `id` into *region (in `a`). */
int entitle_store_exclusion_region(struct al_db *db, struct al_arena *a, int64_t id,
    const char **region);
int entitle_store_exclusion_del(struct al_db *db, int64_t id);

/* Example elders of `key` on the lists of `chain`, appended to `out`. */
int entitle_store_examples(struct al_db *db, char chain[][13], int n, const char *key,
    json_t *out);
int entitle_store_example_add(struct al_db *db, const char *region, const char *key,
    const char *label, const char *facts, const char *on_date, int expected, const char *by,
    int64_t now, int64_t *id);

/* Benefit records of elder `elder_id`, newest first, appended to `out`. */
int entitle_store_benefits(struct al_db *db, int64_t elder_id, json_t *out);
/* RULE-SVC-202: elder `elder_id`'s settled draws (entitle_usage.c), newest first, at most 200. */
int entitle_usage_json(struct al_db *db, struct al_arena *a, int64_t elder_id, json_t *out);
int entitle_store_benefit_add(struct al_db *db, int64_t elder_id, const char *region,
    const char *key, const char *from, const char *until, const char *source, const char *note,
    const char *by, int64_t now, int64_t *id);
struct entitle_benefit {
    int64_t id, elder_id;
    const char *region_code, *item_key, *from_date, *until_date, *ended_by;
};
int entitle_store_benefit(struct al_db *db, struct al_arena *a, int64_t id,
    struct entitle_benefit *b);
/* End benefit `id` on `until` unless it was ended already (AL_ECONFLICT then). */
int entitle_store_benefit_end(struct al_db *db, int64_t id, const char *until, const char *by,
    int64_t now);
/* RULE-ENT-072: the record a roll made for this elder, item and start date: AL_OK with *id and
 * *until (NULL when open, in `a`), or AL_ENOTFOUND. */
int entitle_store_benefit_imported(struct al_db *db, struct al_arena *a, int64_t elder_id,
    const char *key, const char *from, int64_t *id, const char **until);
/* A roll's new end date (NULL: open) for record `id`. */
int entitle_store_benefit_until(struct al_db *db, int64_t id, const char *until);

/* RULE-ENT-045: the list regions under `prefix` (itself included when it has any change) that
 * have an approved version, appended to `out` as strings (shortest first). */
int entitle_store_list_regions(struct al_db *db, const char *prefix, json_t *out);
/* RULE-ENT-050: the item keys elder `elder_id` receives on `date` (benefit records whose
 * period holds the date), appended to `out` as strings. */
int entitle_store_receiving(struct al_db *db, int64_t elder_id, const char *date, json_t *out);

/* ---- entitlement runs and worklists (entitle_run.c, entitle_run_store.c; RULE-ENT-060..069) ---- */

struct al_copy;
struct al_row_ctx;

/* The worklists of a run, in this order: todo 待落实, review 需核查, dup 重复享受, gained 新增符合,
 * lost 不再符合. */
#define ENTRUN_LISTS 5
extern const char *const entrun_list_ids[ENTRUN_LISTS];
extern const char *const entrun_list_names[ENTRUN_LISTS];
/* The index of list id `id`, or -1. */
int entrun_list_index(const char *id);

/*
 * RULE-ENT-061: a set of items as text: `words` 64-bit words, each as 16 lowercase hex digits,
 * word 0 (items 0..63, item 0 the lowest bit) first.  `out` holds ENTITLE_BITS_TEXT bytes.
 */
#define ENTITLE_BITS_TEXT 65
void entitle_bits_format(const uint64_t *bits, int words, char *out);
/* Read such a text into `bits` (max words, the rest zeroed): AL_OK, or AL_EINVAL when the text
 * is not whole words of hex digits or longer than max. */
int entitle_bits_parse(const char *s, uint64_t *bits, int max);

struct entrun_counts {
    int64_t baseline, elders, evaluations, gained, lost, todo, review, dup;
};

/* The distinct county codes (6 digits) of the active elders under `prefix`, appended as strings. */
int entrun_store_counties(struct al_db *db, const char *prefix, json_t *out);
/* A new run (status running) into *id. */
int entrun_store_start(struct al_db *db, const char *region, const char *date, const char *by,
    int64_t now, int64_t *id);
/* The run's final status, counts, items skipped (JSON text) and wall time. */
int entrun_store_finish(struct al_db *db, int64_t id, const char *status,
    const struct entrun_counts *c, const char *skipped, int64_t duration_ms);
/* Each (elder, item key) received on `date` by an active elder whose residence is LIKE `like`. */
int entrun_store_receiving(struct al_db *db, const char *like, const char *date,
    void (*fn)(void *ctx, int64_t elder_id, const char *item_key), void *ctx);
/* Each elder whose stored set (RULE-ENT-061) lies under `like`: the run that wrote it and the
 * bits (entitle_bits_format) over that run's items for the county. */
int entrun_store_prev(struct al_db *db, const char *like,
    void (*fn)(void *ctx, int64_t elder_id, int64_t run_id, const char *bits), void *ctx);
/* The items of county list `list` of every run that wrote a stored set under `like`, into
 * object `out` (run id as text → items array). */
int entrun_store_prev_runs(struct al_db *db, const char *like, const char *list, json_t *out);
/* The items (JSON text) run `run_id` evaluated for county list `list`. */
int entrun_store_list_put(struct al_db *db, int64_t run_id, const char *list, const char *items);
/* Set an elder's current entitled set. */
int entrun_store_state_put(struct al_db *db, int64_t elder_id, const char *region,
    const char *list, const char *entitled, int64_t run_id);
/* Bulk loads (core/db.h al_copy) of worklist rows and of changes, inside a transaction. */
int entrun_store_work_begin(struct al_db *db, struct al_copy **cp);
int entrun_store_diffs_begin(struct al_db *db, struct al_copy **cp);
/* Runs visible from `scope` (RULE-ENT-065), newest first, paged. */
int entrun_store_runs(struct al_db *db, struct al_arena *a, const char *scope, int64_t limit,
    int64_t offset, json_t *items, int64_t *total);
/* Run `id` as an object into *out.  AL_ENOTFOUND when none. */
int entrun_store_run(struct al_db *db, struct al_arena *a, int64_t id, json_t **out);
/* The items of each county list of run `run_id` into object `out` (list region → array). */
int entrun_store_lists(struct al_db *db, int64_t run_id, json_t *out);
/*
 * A page of worklist `list` of run `run_id` within `scope`, each row through `row` (columns:
 * elder_id, name, sex, birth_date, id_masked, phone, region_code, region name, address, status,
 * then the five lists' keys).  Ordered by region and elder.
 */
int entrun_store_work(struct al_db *db, struct al_arena *a, int64_t run_id, int list,
    const char *scope, int64_t limit, int64_t offset,
    json_t *(*row)(const struct al_row_ctx *c, struct al_stmt *st), const void *user,
    json_t *items, int64_t *total);
/* Every row of that list, in order, to `fn` (non-zero stops: AL_EINTERNAL). */
int entrun_store_work_each(struct al_db *db, struct al_arena *a, int64_t run_id, int list,
    const char *scope, int (*fn)(void *ctx, struct al_stmt *st), void *ctx);
/* The recorded changes of elder `elder_id`'s set, newest run first, appended to `out`. */
int entrun_store_diffs(struct al_db *db, int64_t elder_id, json_t *out);

#endif
