/* The identify module's SQL: one ordered scan of the registry, then the lists written. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/csv.h"
#include "core/dbq.h"
#include "core/idcard.h"
#include "core/vec.h"
#include "core/json.h"
#include "identify/identify.h"
#include "identify/identify_int.h"
#include "region/region.h"

int
identify_store_begin_run(struct al_db *db, int64_t now, int64_t user_id, const char *username,
    int64_t *run_id, int *baseline)
{
    static const char sql_runs[] = "SELECT count(*) FROM identify_runs";
    static const char sql[] = "INSERT INTO identify_runs(at, user_id, username, baseline, scanned,"
                              " recomputed, duration_ms, counts) VALUES (?, ?, ?, ?, 0, 0, 0, '{}')"
                              " RETURNING id";
    int64_t runs = 0;
    int rc = al_stmt_int64(al_db_sql(db, sql_runs), &runs);
    if (rc != AL_OK)
        return rc;
    *baseline = runs == 0;
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_bind_int(st, 1, now);
    if (user_id > 0)
        al_stmt_bind_int(st, 2, user_id);
    al_stmt_bind_text(st, 3, username);
    al_stmt_bind_int(st, 4, *baseline);
    return al_stmt_int64(st, run_id);
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
    struct al_keyset prev; /* identify_state in elder_id order, merged with the scan */
    int prev_rc;
    struct al_vec items;  /* struct item */
    struct al_vec states; /* struct item: snapshots to write (new or changed), list = special */
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
    while (r->prev_rc == AL_ROW && al_stmt_int(r->prev.st, 0) < row->id)
        r->prev_rc = al_keyset_step(&r->prev);
    if (r->prev_rc == AL_ROW && al_stmt_int(r->prev.st, 0) == row->id) {
        prev.known = true;
        prev.special = al_stmt_int(r->prev.st, 1) != 0;
        prev.cats = al_stmt_text(r->prev.st, 2);
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
            ((struct item){row->id, row->special, al_arena_strdup(r->a, row->cats)}));
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
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_bind_int(st, 1, id);
    int rc = al_stmt_one(st);
    if (rc == AL_OK) {
        *row = (struct elder_scan_row){.id = id, .name = al_stmt_dup(a, st, 0),
            .sex = al_stmt_dup(a, st, 1), .birth_date = al_stmt_dup(a, st, 2),
            .region_code = al_stmt_dup(a, st, 3), .status = al_stmt_dup(a, st, 4)};
        al_stmt_reset(st);
    }
    return rc;
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
    struct al_stmt *st = al_db_sql(db, sql);
    int rc;
    while ((rc = al_stmt_step(st)) == AL_ROW) {
        struct identify_hukou *h = al_vec_push(out);
        if (!h) {
            al_stmt_reset(st);
            return AL_EINTERNAL;
        }
        h->id = al_stmt_int(st, 0);
        const char *scope = al_stmt_text(st, 1);
        snprintf(h->scope, sizeof(h->scope), "%s", scope ? scope : "");
    }
    return rc;
}

/*
 * The lists and snapshots are written after the scan in multi-row statements
 * of up to WRITE_BATCH rows, one text both engines accept ("INSERT … VALUES
 * (…), (…) …").  On PostgreSQL a statement per row would be a round trip per
 * row (a first run over a million records writes a million snapshots); on
 * SQLite the batch costs nothing more than the row-at-a-time insert.
 */
#define WRITE_BATCH 256 /* RULE-DB-001 */

/* Binds the `i`th row's columns from parameter `p` on. */
typedef void (*bind_row_fn)(struct al_stmt *st, int p, const struct item *row, int64_t run_id);

static void
bind_item(struct al_stmt *st, int p, const struct item *it, int64_t run_id)
{
    al_stmt_bind_int(st, p, run_id);
    al_stmt_bind_text(st, p + 1, identify_list_ids[it->list]);
    al_stmt_bind_int(st, p + 2, it->elder_id);
    al_stmt_bind_text(st, p + 3, it->detail);
}

/* A snapshot: list = special, detail = the categories. */
static void
bind_state(struct al_stmt *st, int p, const struct item *it, int64_t run_id)
{
    (void)run_id;
    al_stmt_bind_int(st, p, it->elder_id);
    al_stmt_bind_int(st, p + 1, it->list);
    al_stmt_bind_text(st, p + 2, it->detail);
}

/*
 * Write `n` rows with `head` + tuples of `ncols` numbered placeholders + `tail`,
 * WRITE_BATCH rows per statement.  The placeholders are numbered (?N): the text
 * then keeps its length when translated for PostgreSQL.  AL_OK or the first error.
 */
static int
write_rows(struct al_db *db, struct al_arena *a, const char *head, int ncols, const char *tail,
    const struct item *rows, size_t n, bind_row_fn bind, int64_t run_id)
{
    size_t hlen = strlen(head), xlen = strlen(tail);
    size_t cap = hlen + (size_t)WRITE_BATCH * (size_t)ncols * 8 + xlen + 1;
    char *sql = al_arena_alloc(a, cap); /* the run's arena, freed with it */
    int rc = AL_OK;
    for (size_t off = 0; rc == AL_OK && off < n; off += WRITE_BATCH) {
        size_t k = n - off < WRITE_BATCH ? n - off : WRITE_BATCH;
        size_t w = hlen;
        memcpy(sql, head, hlen);
        for (size_t i = 0; i < k; i++)
            for (int c = 0; c < ncols; c++)
                w += (size_t)snprintf(sql + w, cap - w, "%s?%zu%s", c ? "," : i ? ",(" : "(",
                    i * (size_t)ncols + (size_t)c + 1, c == ncols - 1 ? ")" : "");
        memcpy(sql + w, tail, xlen + 1);
        struct al_stmt *st = al_db_sql_text(db, sql);
        for (size_t i = 0; i < k; i++)
            bind(st, 1 + (int)i * ncols, &rows[off + i], run_id);
        rc = al_stmt_run(st);
    }
    return rc;
}

int
identify_store_lists(struct al_db *db, int64_t run_id, bool baseline, const char *today,
    int64_t *scanned, int64_t *recomputed, int64_t counts[5])
{
    static const char sql_prev[] = /* RULE-DB-135: a page at a time */
        "SELECT elder_id, special, cats FROM identify_state WHERE elder_id > ?1"
        " ORDER BY elder_id LIMIT ?2";
    struct al_arena a;
    al_arena_init(&a, 1 << 20);
    struct run r = {.db = db, .a = &a, .baseline = baseline, .prev = {.db = db, .sql = sql_prev}};
    al_vec_init(&r.items, sizeof(struct item));
    al_vec_init(&r.states, sizeof(struct item));
    al_vec_init(&r.people, sizeof(struct person));
    struct al_vec hukou;
    al_vec_init(&hukou, sizeof(struct identify_hukou));
    int rc = hukou_imports(db, &hukou);
    r.hukou = hukou.p;
    r.nhukou = identify_hukou_references(hukou.p, hukou.n);
    if (rc == AL_OK) {
        r.prev_rc = al_keyset_step(&r.prev);
        rc = elder_recompute_scan(db, today, visit, &r, scanned, recomputed);
        if (rc == AL_OK && r.prev_rc != AL_ROW && r.prev_rc != AL_OK)
            rc = r.prev_rc;
        al_keyset_reset(&r.prev);
    }
    if (rc == AL_OK)
        rc = duplicates(&r);
    for (int i = 0; i < 5; i++)
        counts[i] = 0;
    const struct item *items = r.items.p;
    for (size_t i = 0; i < r.items.n; i++)
        counts[items[i].list]++;
    if (rc == AL_OK)
        rc = write_rows(db, &a, "INSERT INTO identify_items(run_id, list, elder_id, detail) VALUES ",
            4, "", items, r.items.n, bind_item, run_id);
    /* One upsert for new and changed snapshots: the elder_id is unique within a run. */
    if (rc == AL_OK)
        rc = write_rows(db, &a, "INSERT INTO identify_state(elder_id, special, cats) VALUES ", 3,
            " ON CONFLICT (elder_id) DO UPDATE SET special = excluded.special,"
            " cats = excluded.cats",
            r.states.p, r.states.n, bind_state, run_id);
    al_vec_fini(&hukou);
    al_vec_fini(&r.items);
    al_vec_fini(&r.states);
    al_vec_fini(&r.people);
    al_arena_fini(&a);
    return rc;
}

int
identify_store_list_elders(struct al_db *db, int64_t run_id, const char *list, struct al_vec *ids)
{
    static const char sql[] =
        "SELECT elder_id FROM identify_items WHERE run_id = ?1 AND list = ?2 ORDER BY elder_id";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_I(run_id), AL_T(list));
    int rc;
    while ((rc = al_stmt_step(st)) == AL_ROW) {
        int64_t *p = al_vec_push(ids);
        if (!p) {
            al_stmt_reset(st);
            return AL_EINTERNAL;
        }
        *p = al_stmt_int(st, 0);
    }
    return rc;
}

int
identify_store_finish(struct al_db *db, int64_t run_id, int64_t scanned, int64_t recomputed,
    int64_t duration_ms, const char *counts_json)
{
    static const char sql[] = "UPDATE identify_runs SET scanned = ?, recomputed = ?,"
                              " duration_ms = ?, counts = ? WHERE id = ?";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_I(scanned), AL_I(recomputed), AL_I(duration_ms), AL_T(counts_json),
        AL_I(run_id));
    return al_stmt_run(st);
}

/* Does `scope` hold every elder of the registry?  (RULE-SCOPE-002) */
static int
scope_holds_registry(struct al_db *db, const char *lo, const char *hi, bool *whole)
{
    static const char sql[] = "SELECT EXISTS(SELECT 1 FROM elders WHERE region_code < ?1)"
                              " OR EXISTS(SELECT 1 FROM elders WHERE region_code >= ?2)";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_T(lo), AL_T(hi));
    int64_t outside = 0;
    int rc = al_stmt_int64(st, &outside); /* a boolean on PostgreSQL: t/f read as 1/0 */
    *whole = outside == 0;
    return rc;
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
    struct al_stmt *st = al_db_sql(db, sql);
    json_int_t newest = json_integer_value(json_object_get(json_array_get(items, 0), "id"));
    json_int_t oldest = json_integer_value(json_object_get(json_array_get(items, n - 1), "id"));
    al_stmt_bind_int(st, 1, oldest);
    al_stmt_bind_int(st, 2, newest);
    al_stmt_bind_text(st, 3, lo);
    al_stmt_bind_text(st, 4, hi);
    int rc;
    while ((rc = al_stmt_step(st)) == AL_ROW) {
        int64_t run = al_stmt_int(st, 0);
        const char *list = al_stmt_text(st, 1);
        for (size_t k = 0; list && k < n; k++) {
            json_t *o = json_array_get(items, k);
            if (json_integer_value(json_object_get(o, "id")) == run)
                json_object_set_new(json_object_get(o, "counts"), list,
                    json_integer(al_stmt_int(st, 2)));
        }
    }
    return rc;
}

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
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_bind_int(st, 1, only);
    while ((rc = al_stmt_step(st)) == AL_ROW) {
        json_t *counts = whole ? json_loads(al_stmt_text(st, 7), 0, NULL) : NULL;
        if (!counts) { /* filled in by scoped_counts: lists without an item stay 0 */
            counts = json_object();
            for (int i = 0; i < 5; i++)
                json_object_set_new(counts, identify_list_ids[i], json_integer(0));
        }
        /* RULE-SCOPE-002: the runner is named to those who could see them as a user. */
        const char *runner = al_stmt_text(st, 8);
        bool named = whole || (runner && region_in_scope(scope, runner));
        json_t *o = json_pack("{s:I, s:s, s:s?, s:b, s:o}", "id", (json_int_t)al_stmt_int(st, 0),
            "at", al_json_time(a, al_stmt_int(st, 1)), "username",
            named ? al_stmt_text(st, 2) : NULL, "baseline", (int)al_stmt_int(st, 3), "counts",
            counts);
        /* Figures of the whole registry only to a caller whose region holds all of it. */
        json_object_set_new(o, "scanned", whole ? json_integer(al_stmt_int(st, 4)) : json_null());
        json_object_set_new(o, "recomputed",
            whole ? json_integer(al_stmt_int(st, 5)) : json_null());
        json_object_set_new(o, "duration_ms",
            whole ? json_integer(al_stmt_int(st, 6)) : json_null());
        json_array_append_new(items, o);
    }
    if (rc != AL_OK)
        return rc;
    return whole ? AL_OK : scoped_counts(db, lo, hi, items);
}

/*
 * ---- Where the dialects differ: a duplicate's other records ----------------
 * RULE-DB-001
 *
 * RULE-PII-004: the detail of a suspected duplicate is the other records' ids
 * ("12,34"); only those in the scope ?3..?4 are named, and an item whose others
 * are all outside it is not in that reader's list (nor its count).  SQLite
 * reads the ids as a JSON array (json_each) and joins them with group_concat;
 * PostgreSQL splits them with string_to_array/unnest (only for the duplicates
 * list: other details are not numbers) and joins them with string_agg.
 * Everything else in the two statements is the same text.
 */
#define DUP_SCOPE " WHERE o.region_code >= ?3 AND o.region_code < ?4"
#define DUP_FROM_SQLITE " FROM json_each('[' || i.detail || ']') j JOIN elders o ON o.id = j.value"
#define DUP_FROM_PG                                                                            \
    " FROM unnest(string_to_array(CASE WHEN i.list = 'duplicates' THEN i.detail END, ',')"      \
    "::bigint[]) j(value) JOIN elders o ON o.id = j.value"
#define DUP_OTHERS_SQLITE                                                                      \
    "(SELECT group_concat(id) FROM (SELECT o.id" DUP_FROM_SQLITE DUP_SCOPE " ORDER BY o.id))"
#define DUP_OTHERS_PG "(SELECT string_agg(o.id::text, ',' ORDER BY o.id)" DUP_FROM_PG DUP_SCOPE ")"
#define DUP_VISIBLE(from) " AND (i.list != 'duplicates' OR EXISTS (SELECT 1" from DUP_SCOPE "))"

#define ITEMS_FROM " FROM identify_items i JOIN elders e ON e.id = i.elder_id"
#define ITEMS_WHERE                                                                            \
    " WHERE i.run_id = ?1 AND i.list = ?2 AND e.region_code >= ?3 AND e.region_code < ?4"
#define ITEMS_COUNT(from) "SELECT count(*)" ITEMS_FROM ITEMS_WHERE DUP_VISIBLE(from)
#define ITEMS_PAGE(from, others)                                                               \
    "SELECT e.id, e.name, e.sex, e.birth_date, e.id_masked, e.phone, e.region_code, g.name,"   \
    " e.address, e.status, CASE WHEN i.list = 'duplicates' THEN " others " ELSE i.detail END"  \
    ITEMS_FROM " LEFT JOIN regions g ON g.code = e.region_code" ITEMS_WHERE DUP_VISIBLE(from)     \
    " ORDER BY e.region_code, e.id LIMIT ?5 OFFSET ?6"

/* RULE-DB-101: an export's page after the key (region, id) of the last row read. */
#define ITEMS_EXPORT(from, others, after)                                                      \
    "SELECT e.id, e.name, e.sex, e.birth_date, e.id_masked, e.phone, e.region_code, g.name,"   \
    " e.address, e.status, CASE WHEN i.list = 'duplicates' THEN " others " ELSE i.detail END," \
    " e.region_code, e.id" ITEMS_FROM " LEFT JOIN regions g ON g.code = e.region_code"         \
    ITEMS_WHERE DUP_VISIBLE(from) after " ORDER BY e.region_code, e.id LIMIT ?5"
#define AFTER_KEY " AND (e.region_code, e.id) > (?6, ?7)"
static const char *const sql_items_export[2][2] = { /* [pg][after] */
    {ITEMS_EXPORT(DUP_FROM_SQLITE, DUP_OTHERS_SQLITE, ""),
        ITEMS_EXPORT(DUP_FROM_SQLITE, DUP_OTHERS_SQLITE, AFTER_KEY)},
    {ITEMS_EXPORT(DUP_FROM_PG, DUP_OTHERS_PG, ""), ITEMS_EXPORT(DUP_FROM_PG, DUP_OTHERS_PG,
                                                      AFTER_KEY)}};

struct al_stmt *
identify_store_export_page(struct al_db *db, int64_t run_id, const char *list, const char *scope,
    const char *const *after, int64_t limit)
{
    char lo[16], hi[16];
    region_scope_bounds(scope, lo, hi);
    struct al_stmt *st = al_db_sql(db, sql_items_export[al_db_is_pg(db)][after != NULL]);
    if (!st)
        return NULL;
    al_stmt_binds(st, AL_I(run_id), AL_T(list), AL_T(lo), AL_T(hi), AL_I(limit));
    if (after) {
        al_stmt_bind_text(st, 6, after[0]);
        al_stmt_bind_int(st, 7, after[1] ? strtoll(after[1], NULL, 10) : 0);
    }
    return st;
}

static const char sql_items_count_sqlite[] = ITEMS_COUNT(DUP_FROM_SQLITE);
static const char sql_items_page_sqlite[] = ITEMS_PAGE(DUP_FROM_SQLITE, DUP_OTHERS_SQLITE);
static const char sql_items_count_pg[] = ITEMS_COUNT(DUP_FROM_PG);
static const char sql_items_page_pg[] = ITEMS_PAGE(DUP_FROM_PG, DUP_OTHERS_PG);

int
identify_store_items(struct al_db *db, int64_t run_id, const char *list, const char *scope,
    int64_t limit, int64_t offset, identify_item_fn fn, void *ctx, int64_t *total)
{
    bool pg = al_db_is_pg(db);
    char lo[16], hi[16];
    region_scope_bounds(scope, lo, hi);
    for (int pass = !total; pass < (fn ? 2 : 1); pass++) {
        struct al_stmt *st = al_db_sql(db, pass ? (pg ? sql_items_page_pg : sql_items_page_sqlite)
                                                : (pg ? sql_items_count_pg
                                                      : sql_items_count_sqlite));
        al_stmt_bind_int(st, 1, run_id);
        al_stmt_bind_text(st, 2, list);
        al_stmt_bind_text(st, 3, lo);
        al_stmt_bind_text(st, 4, hi);
        if (pass) {
            al_stmt_bind_int(st, 5, limit < 0 ? INT64_MAX : limit); /* all: no LIMIT -1 in PG */
            al_stmt_bind_int(st, 6, offset);
        }
        int rc, stop = 0;
        while (!stop && (rc = al_stmt_step(st)) == AL_ROW) {
            if (!pass) {
                *total = al_stmt_int(st, 0);
                continue;
            }
            const char *v[IDENTIFY_ITEM_COLS];
            for (int i = 0; i < IDENTIFY_ITEM_COLS; i++)
                v[i] = al_stmt_text(st, i);
            char phone[64];
            if (v[IDENTIFY_ITEM_PHONE]) { /* phones leave masked */
                al_phone_mask(v[IDENTIFY_ITEM_PHONE], phone, sizeof(phone));
                v[IDENTIFY_ITEM_PHONE] = phone;
            }
            stop = fn(ctx, v);
        }
        if (stop)
            al_stmt_reset(st);
        else if (rc != AL_OK)
            return rc;
    }
    return AL_OK;
}
