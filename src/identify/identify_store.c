/* The identify module's SQL: one ordered scan of the registry, then the lists written. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/csv.h"
#include "core/idcard.h"
#include "core/vec.h"
#include "core/json.h"
#include "identify/identify.h"
#include "identify/identify_int.h"
#include "region/region.h"

int
identify_store_begin_run(struct al_db *db, int64_t user_id, const char *username,
    int64_t *run_id, int *baseline)
{
    int64_t runs = 0;
    int rc = al_db_count(db, "SELECT count(*) FROM identify_runs", NULL, &runs);
    if (rc != AL_OK)
        return rc;
    *baseline = runs == 0;
    static const char sql[] = "INSERT INTO identify_runs(at, user_id, username, baseline, scanned,"
                              " recomputed, duration_ms, counts) VALUES (?, ?, ?, ?, 0, 0, 0, '{}')";
    sqlite3_stmt *st = al_db_stmt(db, sql);
    if (!st)
        return AL_EDB;
    sqlite3_bind_int64(st, 1, (int64_t)time(NULL));
    if (user_id > 0)
        sqlite3_bind_int64(st, 2, user_id);
    al_db_bind_text(st, 3, username);
    sqlite3_bind_int(st, 4, *baseline);
    rc = al_db_check(db, sqlite3_step(st));
    sqlite3_reset(st);
    *run_id = sqlite3_last_insert_rowid(al_db_handle(db));
    return rc;
}

/* One worklist entry, collected during the scan and written after it. */
struct item {
    int64_t elder_id;
    int list;
    const char *detail; /* in the run's arena, or NULL */
};

/* RULE-IDENT-004: an active record under the hash of its person key. */
struct person {
    uint64_t h;
    int64_t id;
};

/* The scan's visitor state. */
struct run {
    struct al_db *db;
    struct al_arena *a;
    bool baseline;
    struct identify_hukou *hukou; /* RULE-IDENT-003: the reference imports, newest first */
    size_t nhukou;
    sqlite3_stmt *prev;  /* identify_state in elder_id order, merged with the scan */
    int prev_rc;
    struct al_vec items;  /* struct item */
    struct al_vec states; /* struct item: snapshots to write, list = special | known << 1 */
    struct al_vec people; /* struct person */
};

/* Append `value` (of the vector's element type) or return -1 when out of memory. */
#define PUSH(vec, type, value)                                                                 \
    do {                                                                                       \
        type *e_ = al_vec_push(vec);                                                           \
        if (!e_)                                                                               \
            return -1;                                                                         \
        *e_ = (value);                                                                         \
    } while (0)

static int
push_item(struct run *r, int64_t id, int list, const char *detail)
{
    PUSH(&r->items, struct item, ((struct item){id, list, detail}));
    return 0;
}

static int
visit(void *ctx, const struct elder_scan_row *row)
{
    struct run *r = ctx;
    struct identify_prev prev = {0};
    while (r->prev_rc == SQLITE_ROW && sqlite3_column_int64(r->prev, 0) < row->id)
        r->prev_rc = sqlite3_step(r->prev);
    if (r->prev_rc == SQLITE_ROW && sqlite3_column_int64(r->prev, 0) == row->id) {
        prev.known = true;
        prev.special = sqlite3_column_int(r->prev, 1) != 0;
        prev.cats = (const char *)sqlite3_column_text(r->prev, 2);
    }
    int64_t hukou = identify_hukou_for(r->hukou, r->nhukou, row->region_code);
    unsigned lists = identify_classify(row, &prev, r->baseline, hukou);
    for (int l = 0; l < 5; l++) {
        if (!(lists & (1u << l)))
            continue;
        const char *detail = NULL;
        if (l == IDENTIFY_LIST_CHANGED)
            detail = al_arena_printf(r->a, "[\"%s\",\"%s\"]", prev.known ? prev.cats : "",
                row->cats);
        else if (l == IDENTIFY_LIST_NEW_SPECIAL)
            detail = al_arena_strdup(r->a, row->cats);
        else if (l == IDENTIFY_LIST_INACTIVE)
            detail = identify_inactive_detail(r->a, row); /* RULE-UI-001 */
        else if (l == IDENTIFY_LIST_MISSING_HUKOU)
            detail = al_arena_printf(r->a, "import:%lld", (long long)hukou);
        PUSH(&r->items, struct item, ((struct item){row->id, l, detail}));
    }
    if (identify_state_differs(row, &prev))
        PUSH(&r->states, struct item,
            ((struct item){row->id, row->special | (prev.known << 1),
                al_arena_strdup(r->a, row->cats)}));
    uint64_t h;
    if (identify_person_hash(row, &h))
        PUSH(&r->people, struct person, ((struct person){h, row->id}));
    return 0;
}

/* The record again, for the exact comparison of records whose hashes meet. */
static int
person_row(struct al_db *db, struct al_arena *a, int64_t id, struct elder_scan_row *row)
{
    static const char sql[] = "SELECT name, sex, birth_date, region_code, status FROM elders"
                              " WHERE id = ?";
    sqlite3_stmt *st = al_db_stmt(db, sql);
    if (!st)
        return AL_EDB;
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *row = (struct elder_scan_row){.id = id, .name = al_db_col_text(a, st, 0),
            .sex = al_db_col_text(a, st, 1), .birth_date = al_db_col_text(a, st, 2),
            .region_code = al_db_col_text(a, st, 3), .status = al_db_col_text(a, st, 4)};
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? AL_OK : rc == SQLITE_DONE ? AL_ENOTFOUND : al_db_check(db, rc);
}

/*
 * RULE-IDENT-004: every record that is the same person as another, naming the
 * others.  Records are chained by hash in an open-addressing table; only the
 * chains of two or more (a few thousand in a million) are read back and
 * compared exactly.
 */
static int
duplicates(struct run *r)
{
    const struct person *people = r->people.p;
    size_t npeople = r->people.n, cap = 1024;
    while (cap < 2 * npeople)
        cap *= 2;
    struct al_vec slots, nexts;
    al_vec_init(&slots, sizeof(uint32_t));
    al_vec_init(&nexts, sizeof(uint32_t));
    if (!al_vec_zeroed(&slots, cap) || !al_vec_zeroed(&nexts, npeople + 1)) {
        al_vec_fini(&slots);
        al_vec_fini(&nexts);
        return AL_EINTERNAL;
    }
    uint32_t *slot = slots.p, *next = nexts.p;
    for (size_t i = 0; i < npeople; i++) {
        size_t k = (size_t)(people[i].h ^ (people[i].h >> 29)) & (cap - 1);
        while (slot[k] && people[slot[k] - 1].h != people[i].h)
            k = (k + 1) & (cap - 1);
        next[i + 1] = slot[k]; /* chain of 1-based indexes, newest first; 0 ends it */
        slot[k] = (uint32_t)(i + 1);
    }
    int rc = AL_OK;
    for (size_t k = 0; rc == AL_OK && k < cap; k++) {
        if (!slot[k] || !next[slot[k]])
            continue; /* empty, or a hash of one record */
        size_t n = 0;
        for (uint32_t i = slot[k]; i; i = next[i])
            n++;
        struct elder_scan_row *rows = al_arena_alloc(r->a, n * sizeof(*rows));
        size_t m = 0;
        for (uint32_t i = slot[k]; rc == AL_OK && i; i = next[i])
            rc = person_row(r->db, r->a, people[i - 1].id, &rows[m++]);
        for (size_t x = 0; rc == AL_OK && x < n; x++) {
            struct al_buf b = {0};
            for (size_t y = n; y-- > 0;) { /* ascending ids */
                if (y == x || !identify_same_person(&rows[x], &rows[y]))
                    continue;
                char num[24];
                int len = snprintf(num, sizeof(num), "%s%lld", b.len ? "," : "",
                    (long long)rows[y].id);
                al_buf_add(r->a, &b, num, (size_t)len);
            }
            if (b.len && push_item(r, rows[x].id, IDENTIFY_LIST_DUPLICATES, b.p) != 0)
                rc = AL_EINTERNAL;
        }
    }
    al_vec_fini(&slots);
    al_vec_fini(&nexts);
    return rc;
}

/* The complete committed household imports (not 补录), newest first, with their regions. */
static int
hukou_imports(struct al_db *db, struct al_vec *out)
{
    static const char sql[] = "SELECT id, region_code FROM imports WHERE kind = 'hukou'"
                              " AND status = 'committed' AND partial = 0 ORDER BY id DESC";
    sqlite3_stmt *st = al_db_stmt(db, sql);
    if (!st)
        return AL_EDB;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct identify_hukou *h = al_vec_push(out);
        if (!h) {
            sqlite3_reset(st);
            return AL_EINTERNAL;
        }
        h->id = sqlite3_column_int64(st, 0);
        const char *scope = (const char *)sqlite3_column_text(st, 1);
        snprintf(h->scope, sizeof(h->scope), "%s", scope ? scope : "");
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? AL_OK : al_db_check(db, rc);
}

int
identify_store_lists(struct al_db *db, int64_t run_id, bool baseline, const char *today,
    int64_t *scanned, int64_t *recomputed, int64_t counts[5])
{
    static const char sql_prev[] =
        "SELECT elder_id, special, cats FROM identify_state ORDER BY elder_id";
    static const char sql_item[] =
        "INSERT INTO identify_items(run_id, list, elder_id, detail) VALUES (?, ?, ?, ?)";
    static const char sql_state_new[] =
        "INSERT INTO identify_state(elder_id, special, cats) VALUES (?1, ?2, ?3)";
    static const char sql_state_set[] =
        "UPDATE identify_state SET special = ?2, cats = ?3 WHERE elder_id = ?1";
    struct al_arena a;
    al_arena_init(&a, 1 << 20);
    struct run r = {.db = db, .a = &a, .baseline = baseline};
    al_vec_init(&r.items, sizeof(struct item));
    al_vec_init(&r.states, sizeof(struct item));
    al_vec_init(&r.people, sizeof(struct person));
    struct al_vec hukou;
    al_vec_init(&hukou, sizeof(struct identify_hukou));
    int rc = hukou_imports(db, &hukou);
    r.hukou = hukou.p;
    r.nhukou = identify_hukou_references(hukou.p, hukou.n);
    if (rc == AL_OK && !(r.prev = al_db_stmt(db, sql_prev)))
        rc = AL_EDB;
    if (rc == AL_OK) {
        r.prev_rc = sqlite3_step(r.prev);
        rc = elder_recompute_scan(db, today, visit, &r, scanned, recomputed);
        if (rc == AL_OK && r.prev_rc != SQLITE_ROW && r.prev_rc != SQLITE_DONE)
            rc = al_db_check(db, r.prev_rc);
        sqlite3_reset(r.prev);
    }
    if (rc == AL_OK)
        rc = duplicates(&r);
    for (int i = 0; i < 5; i++)
        counts[i] = 0;
    const struct item *items = r.items.p, *states = r.states.p;
    for (size_t i = 0; rc == AL_OK && i < r.items.n; i++) {
        sqlite3_stmt *st = al_db_stmt(db, sql_item);
        if (!st) {
            rc = AL_EDB;
            break;
        }
        sqlite3_bind_int64(st, 1, run_id);
        al_db_bind_text(st, 2, identify_list_ids[items[i].list]);
        sqlite3_bind_int64(st, 3, items[i].elder_id);
        al_db_bind_text(st, 4, items[i].detail);
        rc = al_db_check(db, sqlite3_step(st));
        sqlite3_reset(st);
        counts[items[i].list]++;
    }
    for (size_t i = 0; rc == AL_OK && i < r.states.n; i++) {
        bool known = states[i].list & 2;
        sqlite3_stmt *st = al_db_stmt(db, known ? sql_state_set : sql_state_new);
        if (!st) {
            rc = AL_EDB;
            break;
        }
        sqlite3_bind_int64(st, 1, states[i].elder_id);
        sqlite3_bind_int(st, 2, states[i].list & 1);
        al_db_bind_text(st, 3, states[i].detail);
        rc = al_db_check(db, sqlite3_step(st));
        sqlite3_reset(st);
    }
    al_vec_fini(&hukou);
    al_vec_fini(&r.items);
    al_vec_fini(&r.states);
    al_vec_fini(&r.people);
    al_arena_fini(&a);
    return rc;
}

int
identify_store_finish(struct al_db *db, int64_t run_id, int64_t scanned, int64_t recomputed,
    int64_t duration_ms, const char *counts_json)
{
    static const char sql[] = "UPDATE identify_runs SET scanned = ?, recomputed = ?,"
                              " duration_ms = ?, counts = ? WHERE id = ?";
    sqlite3_stmt *st = al_db_stmt(db, sql);
    if (!st)
        return AL_EDB;
    sqlite3_bind_int64(st, 1, scanned);
    sqlite3_bind_int64(st, 2, recomputed);
    sqlite3_bind_int64(st, 3, duration_ms);
    al_db_bind_text(st, 4, counts_json);
    sqlite3_bind_int64(st, 5, run_id);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return al_db_check(db, rc);
}

/* Does `scope` hold every elder of the registry?  (RULE-SCOPE-002) */
static int
scope_holds_registry(struct al_db *db, const char *lo, const char *hi, bool *whole)
{
    static const char sql[] = "SELECT EXISTS(SELECT 1 FROM elders WHERE region_code < ?1)"
                              " OR EXISTS(SELECT 1 FROM elders WHERE region_code >= ?2)";
    sqlite3_stmt *st = al_db_stmt(db, sql);
    if (!st)
        return AL_EDB;
    al_db_bind_text(st, 1, lo);
    al_db_bind_text(st, 2, hi);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *whole = sqlite3_column_int(st, 0) == 0;
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? AL_OK : al_db_check(db, rc);
}

/*
 * RULE-SCOPE-002: the counts of the runs in `items` (newest first) within
 * lo..hi, counted as the lists are (the items joined to their elders' current
 * region), set into each run's "counts" object.
 */
static int
scoped_counts(struct al_db *db, const char *lo, const char *hi, json_t *items)
{
    size_t n = json_array_size(items);
    if (n == 0)
        return AL_OK;
    static const char sql[] =
        "SELECT i.run_id, i.list, count(*) FROM identify_items i JOIN elders e ON e.id = i.elder_id"
        " WHERE i.run_id BETWEEN ?1 AND ?2 AND e.region_code >= ?3 AND e.region_code < ?4"
        " GROUP BY i.run_id, i.list";
    sqlite3_stmt *st = al_db_stmt(db, sql);
    if (!st)
        return AL_EDB;
    json_int_t newest = json_integer_value(json_object_get(json_array_get(items, 0), "id"));
    json_int_t oldest = json_integer_value(json_object_get(json_array_get(items, n - 1), "id"));
    sqlite3_bind_int64(st, 1, oldest);
    sqlite3_bind_int64(st, 2, newest);
    al_db_bind_text(st, 3, lo);
    al_db_bind_text(st, 4, hi);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t run = sqlite3_column_int64(st, 0);
        const char *list = (const char *)sqlite3_column_text(st, 1);
        for (size_t k = 0; list && k < n; k++) {
            json_t *o = json_array_get(items, k);
            if (json_integer_value(json_object_get(o, "id")) == run)
                json_object_set_new(json_object_get(o, "counts"), list,
                    json_integer(sqlite3_column_int64(st, 2)));
        }
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? AL_OK : al_db_check(db, rc);
}

/*
 * RULE-PII-004: the other records of a suspected duplicate ("12,34") that are in the
 * scope ?3..?4.  A duplicate is named only to a reader who can open it; an item whose
 * others are all outside the scope is not in that reader's list (nor its count).
 */
#define DUP_IN_SCOPE                                                                           \
    " FROM json_each('[' || i.detail || ']') j JOIN elders o ON o.id = j.value"              \
    " WHERE o.region_code >= ?3 AND o.region_code < ?4"
#define DUP_VISIBLE " AND (i.list != 'duplicates' OR EXISTS (SELECT 1" DUP_IN_SCOPE "))"

int
identify_store_runs(struct al_db *db, struct al_arena *a, const char *scope, int64_t only,
    json_t *items)
{
    static const char sql[] = "SELECT r.id, r.at, r.username, r.baseline, r.scanned,"
                              " r.recomputed, r.duration_ms, r.counts, u.region_code"
                              " FROM identify_runs r LEFT JOIN users u ON u.id = r.user_id"
                              " WHERE ?1 = 0 OR r.id = ?1 ORDER BY r.id DESC LIMIT 50";
    char lo[16], hi[16];
    region_scope_bounds(scope, lo, hi);
    bool whole = false;
    int rc = scope_holds_registry(db, lo, hi, &whole);
    if (rc != AL_OK)
        return rc;
    sqlite3_stmt *st = al_db_stmt(db, sql);
    if (!st)
        return AL_EDB;
    sqlite3_bind_int64(st, 1, only);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        json_t *counts = whole ? json_loads((const char *)sqlite3_column_text(st, 7), 0, NULL)
                               : NULL;
        if (!counts) { /* filled in by scoped_counts: lists without an item stay 0 */
            counts = json_object();
            for (int i = 0; i < 5; i++)
                json_object_set_new(counts, identify_list_ids[i], json_integer(0));
        }
        /* RULE-SCOPE-002: the runner is named to those who could see them as a user. */
        const char *runner = (const char *)sqlite3_column_text(st, 8);
        bool named = whole || (runner && region_in_scope(scope, runner));
        json_t *o = json_pack("{s:I, s:s, s:s?, s:b, s:o}", "id",
            (json_int_t)sqlite3_column_int64(st, 0), "at",
            al_json_time(a, sqlite3_column_int64(st, 1)), "username",
            named ? (const char *)sqlite3_column_text(st, 2) : NULL, "baseline",
            sqlite3_column_int(st, 3), "counts", counts);
        /* Figures of the whole registry only to a caller whose region holds all of it. */
        json_object_set_new(o, "scanned", whole ? json_integer(sqlite3_column_int64(st, 4))
                                                : json_null());
        json_object_set_new(o, "recomputed", whole ? json_integer(sqlite3_column_int64(st, 5))
                                                   : json_null());
        json_object_set_new(o, "duration_ms", whole ? json_integer(sqlite3_column_int64(st, 6))
                                                    : json_null());
        json_array_append_new(items, o);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return al_db_check(db, rc);
    return whole ? AL_OK : scoped_counts(db, lo, hi, items);
}

int
identify_store_items(struct al_db *db, int64_t run_id, const char *list, const char *scope,
    int64_t limit, int64_t offset, identify_item_fn fn, void *ctx, int64_t *total)
{
    static const char sql_count[] =
        "SELECT count(*) FROM identify_items i JOIN elders e ON e.id = i.elder_id"
        " WHERE i.run_id = ?1 AND i.list = ?2 AND e.region_code >= ?3 AND e.region_code < ?4"
        DUP_VISIBLE;
    static const char sql_page[] =
        "SELECT e.id, e.name, e.sex, e.birth_date, e.id_masked, e.phone, e.region_code, g.name,"
        " e.address, e.status, CASE WHEN i.list = 'duplicates' THEN (SELECT group_concat(id)"
        "  FROM (SELECT o.id" DUP_IN_SCOPE " ORDER BY o.id)) ELSE i.detail END"
        " FROM identify_items i JOIN elders e ON e.id = i.elder_id"
        " LEFT JOIN regions g ON g.code = e.region_code"
        " WHERE i.run_id = ?1 AND i.list = ?2 AND e.region_code >= ?3 AND e.region_code < ?4"
        DUP_VISIBLE " ORDER BY e.region_code, e.id LIMIT ?5 OFFSET ?6";
    char lo[16], hi[16];
    region_scope_bounds(scope, lo, hi);
    for (int pass = !total; pass < (fn ? 2 : 1); pass++) {
        sqlite3_stmt *st = al_db_stmt(db, pass ? sql_page : sql_count);
        if (!st)
            return AL_EDB;
        sqlite3_bind_int64(st, 1, run_id);
        al_db_bind_text(st, 2, list);
        al_db_bind_text(st, 3, lo);
        al_db_bind_text(st, 4, hi);
        if (pass) {
            sqlite3_bind_int64(st, 5, limit);
            sqlite3_bind_int64(st, 6, offset);
        }
        int rc, stop = 0;
        while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
            if (!pass) {
                *total = sqlite3_column_int64(st, 0);
                continue;
            }
            const char *v[IDENTIFY_ITEM_COLS];
            for (int i = 0; i < IDENTIFY_ITEM_COLS; i++)
                v[i] = (const char *)sqlite3_column_text(st, i);
            char phone[64];
            if (v[IDENTIFY_ITEM_PHONE]) { /* phones leave masked */
                al_phone_mask(v[IDENTIFY_ITEM_PHONE], phone, sizeof(phone));
                v[IDENTIFY_ITEM_PHONE] = phone;
            }
            stop = fn(ctx, v);
        }
        sqlite3_reset(st);
        if (!stop && rc != SQLITE_DONE)
            return al_db_check(db, rc);
    }
    return AL_OK;
}
