/* Private to the identify module. */
#ifndef IDENTIFY_INT_H
#define IDENTIFY_INT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/db.h"
#include "core/vec.h"
#include "elder/elder.h"

/* ---- rules (identify_logic.c) ---- */

/* Index of a list id, or -1. */
int identify_list_index(const char *id);
const char *identify_list_name(int index);

enum {
    IDENTIFY_LIST_NEW_SPECIAL,
    IDENTIFY_LIST_INACTIVE,
    IDENTIFY_LIST_MISSING_HUKOU,
    IDENTIFY_LIST_DUPLICATES,
    IDENTIFY_LIST_CHANGED,
};

/*
 * The 说明 of an item of list `list` in Chinese, from its stored detail
 * (category ids, ["old","new"], "deceased 2025-12-19", "import:6", "12,34").
 */
const char *identify_detail_text(struct al_arena *a, int list, const char *detail);

/*
 * RULE-UI-001: the stored detail of an item of 死亡或迁出仍在享受服务:
 * "<status> <date>|<roll>|<categories>" (the roll: economic_status unless
 * general; the categories when special), in `a`.
 */
const char *identify_inactive_detail(struct al_arena *a, const struct elder_scan_row *row);
/* `what` followed by "；仍在享受：…" read from "|<roll>|<categories>" (`tail` NULL: `what`). */
const char *identify_still_text(struct al_arena *a, const char *what, const char *tail);
/* 在册, 迁出, 死亡, 注销 for an elder status (the status itself when unknown). */
const char *identify_status_name(const char *status);

/* An elder as the last run left them (`known` false: not seen before). */
struct identify_prev {
    bool known;
    bool special;
    const char *cats;
};

/*
 * The lists one elder belongs to in this run (bit 1 << LIST_*), all but the
 * duplicates, which need every elder (RULE-IDENT-001, -002, -003, -005).
 * `last_hukou` is the household import the elder is checked against
 * (identify_hukou_for; 0: none): missing when not seen in it or a later one.
 */
unsigned identify_classify(const struct elder_scan_row *row, const struct identify_prev *prev,
    bool baseline, int64_t last_hukou);

/* A committed household import and the region it covered ("" the whole registry). */
struct identify_hukou {
    int64_t id;
    char scope[16];
};
/*
 * RULE-IDENT-003: of the committed household imports `v` (newest first), keep
 * those no newer import covering their region shadows; returns how many.
 */
size_t identify_hukou_references(struct identify_hukou *v, size_t n);
/* The newest of `v` (as kept above) covering `region`, or 0. */
int64_t identify_hukou_for(const struct identify_hukou *v, size_t n, const char *region);

/* Does the snapshot of this elder need writing? */
bool identify_state_differs(const struct elder_scan_row *row, const struct identify_prev *prev);

/*
 * RULE-IDENT-004: the same person twice is the same name, sex, birth date and
 * county.  identify_person_hash gives records that may be the same person the
 * same 64-bit hash (false for records that are not compared: not active);
 * identify_same_person decides exactly.
 */
bool identify_person_hash(const struct elder_scan_row *row, uint64_t *h);
bool identify_same_person(const struct elder_scan_row *a, const struct elder_scan_row *b);

/* ---- storage (identify_store.c) ---- */

int identify_store_begin_run(struct al_db *db, int64_t now, int64_t user_id, const char *username,
    int64_t *run_id, int *baseline);
/* The scan and the lists of run `run_id`: counts per list in counts[LIST_*]. */
int identify_store_lists(struct al_db *db, int64_t run_id, bool baseline, const char *today,
    int64_t *scanned, int64_t *recomputed, int64_t counts[5]);
/* The elders of list `list` of run `run_id` into `ids` (int64_t elements, ascending). */
int identify_store_list_elders(struct al_db *db, int64_t run_id, const char *list,
    struct al_vec *ids);
int identify_store_finish(struct al_db *db, int64_t run_id, int64_t scanned, int64_t recomputed,
    int64_t duration_ms, const char *counts_json);
/*
 * The latest 50 runs (`only` > 0: that run alone), newest first, as seen
 * from `scope` (RULE-SCOPE-002):
 * counts of the lists within it, the runner named only when inside it, the
 * registry-wide figures (scanned, recomputed, duration) null unless the scope
 * holds the whole registry.  Appended to `items`; AL_OK or AL_EDB.
 */
int identify_store_runs(struct al_db *db, struct al_arena *a, const char *scope, int64_t only,
    json_t *items);
/* The columns of a list item, in this order (the phone masked). */
enum {
    IDENTIFY_ITEM_ID,
    IDENTIFY_ITEM_NAME,
    IDENTIFY_ITEM_SEX,
    IDENTIFY_ITEM_BIRTH,
    IDENTIFY_ITEM_ID_MASKED,
    IDENTIFY_ITEM_PHONE,
    IDENTIFY_ITEM_REGION,
    IDENTIFY_ITEM_REGION_NAME,
    IDENTIFY_ITEM_ADDRESS,
    IDENTIFY_ITEM_STATUS,
    IDENTIFY_ITEM_DETAIL,
    IDENTIFY_ITEM_COLS,
};
/* One item: `v` its columns as text (NULL for none), valid during the call; nonzero stops. */
typedef int (*identify_item_fn)(void *ctx, const char *const v[IDENTIFY_ITEM_COLS]);
/*
 * Items of one list within a scope, in region order, one at a time to `fn`;
 * with limit < 0 all of them (an export: never held in memory together).
 * *total (when not NULL) receives the count of the whole list; `fn` NULL: only that.
 */
int identify_store_items(struct al_db *db, int64_t run_id, const char *list, const char *scope,
    int64_t limit, int64_t offset, identify_item_fn fn, void *ctx, int64_t *total);
/*
 * RULE-DB-101: one page of the export of a list within a scope, in region
 * order: `limit` items after the key `after` (its region code and id, the
 * columns IDENTIFY_ITEM_KEY and the one after; NULL: the first page), a bound
 * statement of the columns IDENTIFY_ITEM_* (the phone as stored: mask it)
 * and the key; NULL when it cannot be prepared.
 */
#define IDENTIFY_ITEM_KEY IDENTIFY_ITEM_COLS
struct al_stmt *identify_store_export_page(struct al_db *db, int64_t run_id, const char *list,
    const char *scope, const char *const *after, int64_t limit);

#endif
