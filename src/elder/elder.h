/*
 * The elder registry (一人一档): every older resident of the region, their
 * contacts, family consents, derived categories with evidence, and history.
 */
#ifndef ELDER_H
#define ELDER_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/db.h"
#include "core/router.h"

extern const struct al_module elder_module;

/* ---- for other modules (imports, assessments) ---- */


/* Where a fact came from: shown as the evidence of the categories it implies. */
struct elder_evidence {
    const char *source;     /* "record", "id_number", "import:roll", "assessment" */
    const char *source_ref; /* "user:fg_civil", "import:12", "assessment:5" */
    const char *date;       /* YYYY-MM-DD */
};

/* What other modules may know of one record when they reconcile data with it. */
struct elder_state {
    int64_t id, version;
    const char *name, *address, *region_code, *hukou_region_code, *household_no;
    int household_size;
    const char *economic_status, *economic_source; /* source of the economic status */
    const char *disability_type;
    int disability_grade;
    const char *status, *status_date, *status_reason;
    const char *pension_type;
    int64_t pension_amount_fen; /* -1 none */
};

/*
 * Find the record of an 18-character ID number (keyed-hash lookup).
 * AL_OK, AL_ENOTFOUND or AL_EDB.
 */
int elder_find_by_number(struct al_db *db, struct al_arena *a, const char *number,
    struct elder_state *out);
/*
 * RULE-DB-083: elder_find_by_number for `n` valid numbers in one statement
 * (where a lookup is a round trip to the server, an import looks the people
 * of its next rows up together).  Each record found goes to out[k] (texts in
 * `a`) with the index of its number in which[k]; *found says how many (a
 * number repeated is found once).  AL_OK or AL_EDB/AL_EUNAVAIL.
 */
int elder_find_many(struct al_db *db, struct al_arena *a, const char (*numbers)[19], int n,
    struct elder_state *out, int *which, int *found);

/*
 * Write `set` (column → value; for a new record it must hold name, region_code,
 * address and "id_number") to record `id` (0: create), inside the caller's
 * transaction: encrypts the ID number, records `ev` as the evidence of the
 * facts written, adds a history entry by `actor` and recomputes the
 * categories.  `now` is the time of the write (a request's r->now), its date
 * in China the day the categories follow.  *new_id receives the id of a
 * created record.
 */
int elder_apply(struct al_db *db, struct al_arena *a, int64_t id, json_t *set,
    const struct elder_evidence *ev, int64_t user_id, const char *actor, const char *action,
    int64_t now, int64_t *new_id);

/*
 * `elder.min_age` as the registry applies it (its one default: 60), into *out.
 * AL_OK, or AL_EDB/AL_EUNAVAIL when the settings cannot be read.
 */
int elder_min_age(struct al_db *db, int *out);

/*
 * Bulk writes for imports: elder_apply with the settings read once, and the
 * search index rebuilt in one pass at the end instead of row by row once the
 * import has created many records (sql/007_search_index.sql).  All inside the
 * caller's transaction: begin after BEGIN, end before COMMIT.
 */
struct elder_bulk;
/* `a` holds the bulk's state until elder_bulk_end: not reset in between.  `now`: the
 * import's time (RULE-DB-102), of every row, history entry and "today" it writes. */
int elder_bulk_begin(struct al_db *db, struct al_arena *a, int64_t now, struct elder_bulk **out);
/*
 * elder_apply within the bulk.  `cur` (NULL for a new record) is the record as
 * elder_find_by_number read it in this transaction: history takes the old
 * values from it instead of reading the row again.  On PostgreSQL the writes
 * are gathered and applied a chunk at a time (RULE-DB-081), the last chunk by
 * elder_bulk_end: a refused row may be reported by a later call, and *new_id
 * (may be NULL) is set when the chunk is written — it must stay valid until
 * elder_bulk_end returns (0 until then).
 */
int elder_bulk_apply(struct elder_bulk *b, struct al_arena *a, int64_t id, json_t *set,
    const struct elder_evidence *ev, int64_t user_id, const char *actor, const char *action,
    const struct elder_state *cur, int64_t *new_id);
/* Records in the registry when the bulk began (0: every row of a new import is new). */
int64_t elder_bulk_existing(const struct elder_bulk *b);
/*
 * Mark record `id`, unchanged by household import `import_id`, as seen in it
 * (last_hukou_import, which the identification of records missing from the
 * household registry reads): no version, no history — the mark is not a fact.
 * A changed record gets the mark with its change (last_hukou_import in the
 * set).  AL_OK or a database error.
 */
int elder_bulk_seen(struct elder_bulk *b, int64_t id, int64_t import_id);
/*
 * Write what is still gathered (PostgreSQL), rebuild the search index and the
 * indexes if they were deferred (SQLite), and after a large import settle the
 * search indexes and statistics (RULE-DB-082).  Pass the loop's rc: with an
 * error only what the bulk holds is released.  Call it on every path.
 */
int elder_bulk_end(struct elder_bulk *b, int rc);

/*
 * The residence region of elder `id` and, when `status` is not NULL, the
 * record status (active, moved_out, deceased, cancelled), copied into `a`.
 * AL_OK, AL_ENOTFOUND or AL_EDB.
 */
int elder_region_of(struct al_db *db, struct al_arena *a, int64_t id, const char **region,
    const char **status);

/* Where an elder lives, for services at home (issue 13).  Texts in the arena. */
struct elder_home {
    const char *region_code, *status, *name, *address, *id_masked;
    double lat, lng;
    bool has_geo; /* lat and lng are known */
};

/*
 * A family or elder account's link to an elder (issue 13's family page): the scope of the
 * active consent linking `user_id` to `elder_id` (a JSON array text in `a`: basic, health,
 * services, location).  AL_OK, AL_ENOTFOUND (no active consent) or AL_EDB.
 */
int elder_linked_scope(struct al_db *db, struct al_arena *a, int64_t user_id, int64_t elder_id,
    const char **scope_json);
/*
 * The elders linked to `user_id` by an active consent whose scope holds `scope_item`
 * ("services" …): ids in *ids (in `a`, at most 50, oldest consent first), their number in *n.
 */
int elder_linked_ids(struct al_db *db, struct al_arena *a, int64_t user_id,
    const char *scope_item, int64_t **ids, size_t *n);
/* Record such a consent (demo seeds; caller's transaction).  AL_OK or an error. */
int elder_link_grant(struct al_db *db, int64_t elder_id, int64_t user_id, const char *relation,
    const char *scope_json, const char *granted_by, int64_t recorded_by, int64_t now);
/* The home of elder `id`.  AL_OK, AL_ENOTFOUND or AL_EDB. */
int elder_home_of(struct al_db *db, struct al_arena *a, int64_t id, struct elder_home *out);
/*
 * What another module may know of one elder of the registry (the time bank's age gates,
 * issue 16; the meal counter's diner, issue 17): name, residence region, record status and
 * the date it took effect (NULL while active), birth date, sex, living arrangement (NULL
 * when not recorded), economic status, the category ids (sorted, comma-separated, "" for
 * none) and whether the elder is in special difficulty (RULE-CAT-009, the setting's
 * categories).  Texts copied into `a`.  AL_OK, AL_ENOTFOUND or AL_EDB.
 */
struct elder_brief {
    int64_t id;
    const char *name, *region_code, *status, *birth_date, *living;
    bool special;
    const char *status_date, *sex, *economic_status, *categories;
};
int elder_brief_get(struct al_db *db, struct al_arena *a, int64_t id, struct elder_brief *out);

/*
 * RULE-ALARM-068: the card an alarm operator reads first (a new object in *out): living
 * arrangement, disability type and grade, ability level, the second phone masked, the
 * categories in Chinese, whether in special difficulty, and the emergency contacts in the order
 * to call them (relation, name, phone masked).  Reads only; the caller checks scope.  AL_OK,
 * AL_ENOTFOUND or a database error.
 */
int elder_card_json(struct al_db *db, struct al_arena *a, int64_t id, json_t **out);

/*
 * Active elders of the registry (在册) in `scope` (a code prefix) into *n, counted like the
 * elder list (RULE-SCOPE-002).  AL_OK or AL_EDB.
 */
int elder_count_active(struct al_db *db, const char *scope, int64_t *n);

/* What the category scan tells its visitor about one elder (valid during the call only). */
struct elder_scan_row {
    int64_t id;
    const char *name, *sex, *birth_date, *region_code, *status, *status_date, *economic_status;
    int64_t last_hukou_import; /* 0 when never seen in a household import */
    const char *cats;          /* category ids after the recompute, sorted, comma-separated */
    bool special;              /* one of them is in the special-difficulty set */
};
typedef int (*elder_scan_fn)(void *ctx, const struct elder_scan_row *row);

/*
 * Recompute every elder's categories on `today` (settings and ages change) in
 * one ordered scan of the records and their categories, calling `fn` for each
 * elder in id order; then rewrite the categories of the records whose set
 * changed (a run over an unchanged registry writes nothing).  Counts in
 * *scanned / *changed.  Runs inside the caller's transaction.  `fn` must not
 * write to elders or elder_categories; a non-zero return stops the scan.
 */
int elder_recompute_scan(struct al_db *db, const char *today,
    elder_scan_fn fn, void *ctx, int64_t *scanned, int64_t *changed);

/* The Chinese label of a record field ("region_code" → 居住地区划), or NULL when unknown. */
const char *elder_field_label(const char *key);

/* Chinese name of a category id (高龄, 独居 …), or NULL when unknown. */
const char *elder_category_name(const char *id);

/* Chinese name of a record's status (active → 在册, moved_out → 迁出, deceased → 死亡,
 * cancelled → 注销); an unknown status as it is. */
const char *elder_status_name(const char *status);

#endif
