/*
 * The elder module's SQL, for SQLite and PostgreSQL through core/db.h's
 * engine-neutral statements.  Where the dialects differ, both texts stand side
 * by side in `sqlite_sql` / `pg_sql` below, chosen by al_db_is_pg.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/crypto.h"
#include "core/dbq.h"
#include "core/idcard.h"
#include "core/json.h"
#include "core/log.h"
#include "core/vec.h"
#include "elder/elder.h"
#include "elder/elder_int.h"
#include "region/region.h"

/* ---- the two dialects ---- */

#define ELDER_COLS(cats)                                                                       \
    "e.id, e.name, e.sex, e.birth_date, e.id_masked, e.phone, e.region_code, g.name,"          \
    " e.address, e.status, e.version,"                                                         \
    " (SELECT " cats " FROM elder_categories c WHERE c.elder_id = e.id)"
#define ELDER_FROM " FROM elders e LEFT JOIN regions g ON g.code = e.region_code"
#define GET_SQL(cats)                                                                          \
    "SELECT " ELDER_COLS(cats) ", e.hukou_region_code, e.phone2, e.lat, e.lng,"               \
    " e.living_arrangement, e.left_behind, e.economic_status, e.disability_type,"              \
    " e.disability_grade, e.fp_special, e.entitled_groups, e.ability_level, e.status_date,"    \
    " e.status_reason, e.created_at, e.updated_at" ELDER_FROM " WHERE e.id = ?"
#define LINKED_SQL(cats)                                                                       \
    "SELECT " ELDER_COLS(cats) ELDER_FROM " WHERE e.id IN (SELECT k.elder_id FROM"            \
    " elder_consents k WHERE k.user_id = ? AND k.revoked_at IS NULL) ORDER BY e.id"
#define ACTIVE_SQL(hint)                                                                       \
    "SELECT count(*) FROM elders" hint " WHERE status = 'active' AND region_code >= ?1"         \
    " AND region_code < ?2"

/*
 * Where SQLite and PostgreSQL differ, in one place:
 *  - a record's categories as one text: group_concat (SQLite 3.40 has no string_agg);
 *  - the search by a text of 3+ characters: the FTS5 trigram index (MATCH of one quoted
 *    phrase) on SQLite, pg_trgm's indexes under LIKE on the same three texts on PostgreSQL
 *    (sql/pg/000_baseline.sql); ?K is the phrase or the LIKE pattern (search_key);
 *  - names containing 1–2 characters: the same text on both, the rows of that gram in
 *    elder_name_grams (RULE-UI-007, sql/026 and its twin sql/pg/026);
 *  - SQLite's planner hints (INDEXED BY; CROSS JOIN: the rows of a name gram drive, not a
 *    scan of the region index); PostgreSQL chooses alone;
 *  - bulk imports: SQLite drops the secondary indexes and the FTS index and rebuilds them
 *    once (elder_store_defer_indexes); PostgreSQL keeps its indexes and writes a chunk of
 *    rows at a time (elder_store_batch_write, RULE-DB-081), then settles its trigram
 *    indexes and statistics (elder_store_bulk_settle, RULE-DB-082);
 *  - the id of a new record: INSERT … RETURNING id on PostgreSQL; on SQLite the INSERT alone,
 *    then last_insert_rowid() (SQLite's RETURNING opens a temporary table per row: measured,
 *    a tenth more time for a million-row import).
 */
/* RULE-UI-007: names containing the 1–2 characters of ?1 (every character and pair is a gram). */
#define NAME_GRAM "n.gram = ?1"

struct dialect {
    const char *cols, *get, *linked, *active;
    const char *by_text; /* ?1: search_key */
    const char *by_name; /* ?1: the text (1–2 characters) */
    const char *from_age, *from_status;
    const char *from_region; /* the region index (an export by age without the birth date) */
    const char *from_name; /* RULE-UI-007: the grams drive, the records joined by id */
    const char *returning, *last_id; /* the new record's id: one or the other */
};
static const struct dialect sqlite_sql = {
    .cols = ELDER_COLS("group_concat(category)"),
    .get = GET_SQL("group_concat(category)"),
    .linked = LINKED_SQL("group_concat(category)"),
    .active = ACTIVE_SQL(" INDEXED BY elders_status"),
    .by_text = "e.id IN (SELECT rowid FROM elders_fts WHERE elders_fts MATCH ?1)",
    .by_name = NAME_GRAM,
    .from_age = " FROM elders e INDEXED BY elders_birth",
    .from_status = " FROM elders e INDEXED BY elders_status",
    .from_region = " FROM elders e INDEXED BY elders_region",
    .from_name = " FROM elder_name_grams n CROSS JOIN elders e ON e.id = n.elder_id",
    .returning = "",
    .last_id = "SELECT last_insert_rowid()",
};
static const struct dialect pg_sql = {
    .cols = ELDER_COLS("string_agg(category, ',' ORDER BY category)"),
    .get = GET_SQL("string_agg(category, ',' ORDER BY category)"),
    .linked = LINKED_SQL("string_agg(category, ',' ORDER BY category)"),
    .active = ACTIVE_SQL(""),
    .by_text = "(e.name LIKE ?1 OR (coalesce(e.phone, '') || ' ' || coalesce(e.phone2, ''))"
               " LIKE ?1 OR e.address LIKE ?1)",
    .by_name = NAME_GRAM,
    .from_age = " FROM elders e",
    .from_status = " FROM elders e",
    .from_region = " FROM elders e",
    .from_name = " FROM elder_name_grams n JOIN elders e ON e.id = n.elder_id",
    .returning = " RETURNING id",
    .last_id = NULL,
};

static const struct dialect *
dialect(struct al_db *db)
{
    return al_db_is_pg(db) ? &pg_sql : &sqlite_sql;
}

/* The key of a text search in the dialect's form: an FTS phrase or a LIKE pattern. */
static const char *
search_key(struct al_db *db, struct al_arena *a, const char *q)
{
    size_t n = strlen(q);
    char *p = al_arena_alloc(a, 2 * n + 3), *o = p;
    if (al_db_is_pg(db)) { /* %text% with \, % and _ escaped (LIKE's default escape) */
        *o++ = '%';
        for (const char *s = q; *s; s++) {
            if (*s == '\\' || *s == '%' || *s == '_')
                *o++ = '\\';
            *o++ = *s;
        }
        *o++ = '%';
    } else { /* one phrase: quotes doubled so the text is never FTS syntax */
        *o++ = '"';
        for (const char *s = q; *s; s++) {
            if (*s == '"')
                *o++ = '"';
            *o++ = *s;
        }
        *o++ = '"';
    }
    *o = '\0';
    return p;
}

int
elder_settings_load(struct al_db *db, struct elder_settings *s)
{
    static const char sql[] = "SELECT key, value FROM settings WHERE key LIKE 'elder.%'";
    *s = (struct elder_settings){.min_age = 60, .advanced_age = 80, .disabled_min_level = 1,
        .lookup_per_hour = 60};
    snprintf(s->economic_tiers, sizeof(s->economic_tiers), "tekun,dibao,dibao_edge,low_income");
    snprintf(s->special_difficulty, sizeof(s->special_difficulty),
        "advanced_age,living_alone,empty_nest,left_behind,disabled,severe_disability,fp_special,"
        "economic_difficulty,entitled");
    struct al_stmt *st = al_db_sql(db, sql);
    if (!st)
        return AL_EDB;
    int rc;
    while ((rc = al_stmt_step(st)) == AL_ROW) {
        const char *k = al_stmt_text(st, 0), *v = al_stmt_text(st, 1);
        if (!v)
            continue;
        if (strcmp(k, "elder.min_age") == 0)
            s->min_age = atoi(v);
        else if (strcmp(k, "elder.advanced_age") == 0)
            s->advanced_age = atoi(v);
        else if (strcmp(k, "elder.disabled_min_level") == 0)
            s->disabled_min_level = atoi(v);
        else if (strcmp(k, "elder.lookup_per_hour") == 0)
            s->lookup_per_hour = atoi(v);
        else if (strcmp(k, "elder.economic_tiers") == 0)
            snprintf(s->economic_tiers, sizeof(s->economic_tiers), "%s", v);
        else if (strcmp(k, "elder.special_difficulty") == 0)
            snprintf(s->special_difficulty, sizeof(s->special_difficulty), "%s", v);
    }
    return rc;
}

int
elder_min_age(struct al_db *db, int *out)
{
    struct elder_settings s;
    int rc = elder_settings_load(db, &s);
    *out = s.min_age;
    return rc;
}

/* ---- reading ---- */

/* The cached statement `sql` with its first parameter bound to `id`; NULL: AL_EDB. */
static struct al_stmt *
by_id(struct al_db *db, const char *sql, int64_t id)
{
    struct al_stmt *st = al_db_sql(db, sql);
    if (st)
        al_stmt_bind_int(st, 1, id);
    return st;
}

/* The `n` text columns of the row of `sql` for `id`, copied into `a`: AL_OK or AL_ENOTFOUND. */
static int
texts_by_id(struct al_db *db, struct al_arena *a, const char *sql, int64_t id,
    const char **const *out, int n)
{
    struct al_stmt *st = by_id(db, sql, id);
    int rc = st ? al_stmt_one(st) : AL_EDB;
    for (int i = 0; rc == AL_OK && i < n; i++)
        *out[i] = al_stmt_dup(a, st, i);
    if (rc == AL_OK)
        al_stmt_reset(st);
    return rc;
}

static json_t *
text_or_null(struct al_stmt *st, int col)
{
    const char *s = al_stmt_text(st, col);
    return s ? json_string(s) : json_null();
}

static json_t *
birth_year(const struct al_row_ctx *c, struct al_stmt *st, int col)
{
    (void)c;
    const char *birth = al_stmt_text(st, col);
    return json_integer(birth ? atoi(birth) : 0);
}

/* The age on the day in c->user (a "YYYY-MM-DD" text). */
static json_t *
age(const struct al_row_ctx *c, struct al_stmt *st, int col)
{
    const char *birth = al_stmt_text(st, col);
    return json_integer(birth ? al_age_on(birth, c->user) : 0);
}

/* A record's categories as one text "a,b" → ["a", "b"]. */
static json_t *
categories(const struct al_row_ctx *c, struct al_stmt *st, int col)
{
    (void)c;
    json_t *cats = json_array();
    const char *cs = al_stmt_text(st, col);
    for (const char *p = cs; p && *p;) {
        const char *e = strchr(p, ',');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        json_array_append_new(cats, json_stringn(p, n));
        p = e ? e + 1 : p + n;
    }
    return cats;
}

/* A record in a list, from a row of the dialect's cols (ELDER_COLS); al_row_ctx.user: today. */
static const struct al_col item_cols[] = {AL_COL(0, "id", AL_COL_INT),
    AL_COL(1, "name", AL_COL_TEXT), AL_COL(2, "sex", AL_COL_TEXT),
    AL_COL(3, "birth_date", AL_COL_TEXT), AL_COLF(3, "birth_year", birth_year),
    AL_COLF(3, "age", age), AL_COL(4, "id_number_masked", AL_COL_TEXT),
    AL_COLF(5, "phone_masked", al_col_phone_masked), AL_COL(6, "region_code", AL_COL_TEXT),
    AL_COL(7, "region_name", AL_COL_TEXT), AL_COL(8, "address", AL_COL_TEXT),
    AL_COL(9, "status", AL_COL_TEXT), AL_COL(10, "version", AL_COL_INT),
    AL_COLF(11, "categories", categories), AL_COL_END};

/* The list rows: birth dates redacted without elder.read_pii (RULE-PII-001). */
struct item_ctx {
    const char *today;
    bool pii;
    int64_t *gen; /* RULE-DB-133: the list generation the page's statement saw, or NULL */
};

/* The column after item_cols that carries the list generation on PostgreSQL (RULE-DB-133). */
#define ITEM_GEN_COL 12

static json_t *
list_row(const struct al_row_ctx *c, struct al_stmt *st)
{
    const struct item_ctx *x = c->user;
    json_t *o = al_row_json(&(struct al_row_ctx){.a = c->a, .user = x->today}, st, item_cols);
    if (!x->pii)
        elder_redact_birth(o);
    if (x->gen)
        *x->gen = al_stmt_int(st, ITEM_GEN_COL);
    return o;
}

/*
 * One statement per mode, so each can use its own index: the region range
 * (browse), the keyed ID hash (exact), the text search (3+ characters), the
 * name grams (1–2 characters: names containing them), and without a
 * search text the index of the most selective filter: category (category,
 * region), age (birth date, region) or status (status, region).  The filters
 * a request does not use are left out of the text (statements cached by
 * text), so that counting reads an index alone where it can, and each mode
 * pages in the order of its index: no sort of every match for a page.
 */
enum list_mode { BROWSE, BY_ID, BY_TEXT, BY_NAME, BY_CATEGORY, BY_SPECIAL, BY_AGE, BY_STATUS };

static const char *const mode_order[] = {
    [BROWSE] = " ORDER BY e.region_code, e.id",
    [BY_ID] = " ORDER BY e.id",
    [BY_TEXT] = " ORDER BY e.id",
    [BY_NAME] = " ORDER BY n.region_code, n.elder_id",
    [BY_CATEGORY] = " ORDER BY k.region_code, k.elder_id",
    [BY_AGE] = " ORDER BY e.birth_date, e.region_code, e.status, e.id",
    [BY_SPECIAL] = " ORDER BY e.region_code, e.id",
    [BY_STATUS] = " ORDER BY e.region_code, e.id",
};

static enum list_mode
list_mode(const struct elder_query *q)
{
    if (q->id_hash)
        return BY_ID;
    if (q->q && *q->q)
        return al_utf8_len(q->q, strlen(q->q)) >= 3 ? BY_TEXT : BY_NAME;
    if (q->category)
        return BY_CATEGORY;
    if (q->nspecial)
        return BY_SPECIAL;
    if (q->born_after || q->born_before)
        return BY_AGE;
    return q->status ? BY_STATUS : BROWSE;
}

/*
 * The parameters of a list statement, numbered in the order they are first
 * used: PostgreSQL must see every number from 1 to the last in the text.
 */
struct params {
    struct {
        const char *text;
        int64_t n;
        bool is_int;
    } v[24];
    int count;
};

static const char *
param(struct al_arena *a, struct params *p, const char *text)
{
    if (p->count == (int)(sizeof(p->v) / sizeof(p->v[0])))
        return "NULL"; /* never: a query has at most 9 + ELDER_CAT_MAX parameters */
    p->v[p->count].text = text;
    p->v[p->count].is_int = false;
    return al_arena_printf(a, "?%d", ++p->count);
}

static const char *
param_int(struct al_arena *a, struct params *p, int64_t n)
{
    const char *m = param(a, p, NULL);
    p->v[p->count - 1].n = n;
    p->v[p->count - 1].is_int = true;
    return m;
}

static void
bind_params(struct al_stmt *st, const struct params *p)
{
    for (int i = 0; i < p->count; i++)
        if (p->v[i].is_int)
            al_stmt_bind_int(st, i + 1, p->v[i].n);
        else
            al_stmt_bind_text(st, i + 1, p->v[i].text);
}

/* bind_params as al_db_count_memo calls it. */
static void
binder(struct al_stmt *st, const void *ctx)
{
    bind_params(st, ctx);
}

/* A statement's text and its parameters as one string (the key of a remembered count). */
static const char *
params_key(struct al_arena *a, const char *sql, const struct params *p)
{
    const char *k = sql;
    for (int i = 0; i < p->count; i++)
        k = p->v[i].is_int ? al_arena_printf(a, "%s\x1f%lld", k, (long long)p->v[i].n)
                           : al_arena_printf(a, "%s\x1f%s", k, p->v[i].text ? p->v[i].text : "\x1e");
    return k;
}

/* " IN (?a, ?b …)" for the `n` ids (the special-difficulty categories). */
static const char *
in_marks(struct al_arena *a, struct params *p, const char *const *ids, int n)
{
    const char *m = "";
    for (int i = 0; i < n; i++)
        m = al_arena_printf(a, "%s%s%s", m, i ? ", " : "", param(a, p, ids[i]));
    return al_arena_printf(a, " IN (%s)", m);
}

/*
 * The count (`page` false) or page statement of a list query, its parameters in `p`.
 * RULE-PII-003: without elder.read_pii a text of digits, spaces and '-' (all a phone
 * holds) finds a phone only when it is the whole number; it still finds names and
 * addresses containing it.  The text search then also matches phones containing it,
 * and the phone filter keeps the rows that match otherwise than by a part of a phone
 * (the text holds no LIKE wildcard).
 */
/*
 * RULE-DB-101: an export reads the list a page at a time after the last row's
 * key, the columns of the mode's order (so each page walks its index from
 * where the last stopped, no OFFSET): `after` NULL for the first page, else
 * the key's texts (the id last, an integer).
 */
struct keyset {
    const char *const *after;
    int64_t limit;
};

/*
 * RULE-PII-001: without the birth date, no order that ranks people by it: the
 * list by year of birth, and its export (RULE-DB-101) in the region index's
 * order, which a page can resume without sorting every match again (no index
 * holds the year).
 */
static const char *
list_order(enum list_mode mode, const struct elder_query *q, bool export)
{
    if (mode == BY_AGE && !q->pii)
        return export ? " ORDER BY e.region_code, e.id"
                      : " ORDER BY substr(e.birth_date, 1, 4), e.region_code, e.status, e.id";
    return mode_order[mode];
}

/* The key of `order` (" ORDER BY a, b") as "a, b", and the number of its columns in *n. */
static const char *
order_key(const char *order, int *n)
{
    const char *k = order + strlen(" ORDER BY ");
    int depth = 0;
    *n = 1;
    for (const char *c = k; *c; c++) {
        depth += (*c == '(') - (*c == ')');
        *n += *c == ',' && depth == 0;
    }
    return k;
}

static const char *
list_sql(struct al_db *db, struct al_arena *a, enum list_mode mode, const struct elder_query *q,
    const char *lo, const char *hi, bool page, const struct keyset *ks, struct params *p)
{
    const struct dialect *d = dialect(db);
    bool by_cat = mode == BY_CATEGORY, by_special = mode == BY_SPECIAL, by_name = mode == BY_NAME;
    /* Where region, status and birth date are read: the category or gram row when there is one. */
    const char *t = by_cat || (by_special && !page) ? "k" : by_name ? "n" : "e";
    const char *from = by_cat ? " FROM elder_categories k JOIN elders e ON e.id = k.elder_id"
                       : mode == BY_AGE && ks && !q->pii ? d->from_region
                       : mode == BY_AGE ? d->from_age
                       : mode == BY_STATUS ? d->from_status
                       : mode == BY_NAME   ? d->from_name : " FROM elders e";
    /* The search key is always ?1 (and its bound ?2): the dialect texts name them. */
    const char *where = "1 = 1", *head;
    if (mode == BY_ID) {
        where = al_arena_printf(a, "e.id_hash = %s", param(a, p, q->id_hash));
    } else if (mode == BY_TEXT) {
        param(a, p, search_key(db, a, q->q));
        where = d->by_text;
    } else if (mode == BY_NAME) {
        param(a, p, q->q);
        where = d->by_name;
    }
    const char *cat = q->category ? param(a, p, q->category) : NULL;
    if (by_cat)
        where = al_arena_printf(a, "k.category = %s", cat);
    /* The count of a category or special-difficulty list reads the category index alone
     * (region, status and birth date are copied there; an elder counted once). */
    const char *order = list_order(mode, q, ks != NULL);
    int nkey = 0;
    const char *key = order_key(order, &nkey);
    if (page)
        head = al_arena_printf(a, "SELECT %s%s%s%s%s LEFT JOIN regions g ON g.code = e.region_code"
                                  " WHERE %s", d->cols, ks ? ", " : "", ks ? key : "",
            !ks && al_db_is_pg(db) ? ", " AL_DB_LIST_GEN : "", from, where);
    else if (by_special)
        head = al_arena_printf(a, "SELECT count(DISTINCT k.elder_id) FROM elder_categories k"
                                  " WHERE k.category%s", in_marks(a, p, q->special, q->nspecial));
    else if (by_cat)
        head = al_arena_printf(a, "SELECT count(*) FROM elder_categories k WHERE %s", where);
    else if (by_name && !q->category && !q->nspecial) /* the gram rows alone */
        head = al_arena_printf(a, "SELECT count(*) FROM elder_name_grams n WHERE %s", where);
    else
        head = al_arena_printf(a, "SELECT count(*)%s WHERE %s", from, where);
    const char *special = !q->nspecial || (by_special && !page) ? ""
        : al_arena_printf(a, " AND EXISTS (SELECT 1 FROM elder_categories s WHERE s.elder_id = %s"
                             " AND s.category%s)", by_cat ? "k.elder_id" : "e.id",
              in_marks(a, p, q->special, q->nspecial));
    const char *phone = "";
    if (mode == BY_TEXT && !q->pii && elder_phone_digits(q->q) >= 0) {
        const char *whole = param(a, p, q->q);
        const char *part = param(a, p, al_arena_printf(a, "%%%s%%", q->q));
        phone = al_arena_printf(a, " AND (e.phone = %1$s OR e.phone2 = %1$s OR e.name LIKE %2$s"
                                   " OR e.address LIKE %2$s)", whole, part);
    }
    const char *rlo = param(a, p, lo), *rhi = param(a, p, hi);
    const char *tail = "";
    if (page && ks) { /* RULE-DB-101: the rows after the last key, in key order */
        const char *after = "";
        for (int i = 0; ks->after && i < nkey; i++)
            after = al_arena_printf(a, "%s%s%s", after, i ? ", " : "",
                i == nkey - 1 ? param_int(a, p, atoll(ks->after[i] ? ks->after[i] : "0"))
                              : param(a, p, ks->after[i] ? ks->after[i] : ""));
        const char *cond = !ks->after ? ""
            : nkey == 1 ? al_arena_printf(a, " AND %s > %s", key, after)
                        : al_arena_printf(a, " AND (%s) > (%s)", key, after);
        tail = al_arena_printf(a, "%s%s LIMIT %s", cond, order, param_int(a, p, ks->limit));
    } else if (page) {
        const char *lim = param_int(a, p, q->limit);
        tail = al_arena_printf(a, "%s LIMIT %s OFFSET %s", order, lim, param_int(a, p, q->offset));
    }
    return al_arena_printf(a, "%s AND %s.region_code >= %s AND %s.region_code < %s%s%s%s%s%s%s%s",
        head, t, rlo, t, rhi, phone,
        q->category && !by_cat ? al_arena_printf(a, " AND EXISTS (SELECT 1 FROM elder_categories c"
                                                    " WHERE c.elder_id = e.id AND c.category = %s)",
                                     cat) : "",
        special, q->status ? al_arena_printf(a, " AND %s.status = %s", t, param(a, p, q->status)) : "",
        q->born_after ? al_arena_printf(a, " AND %s.birth_date > %s", t, param(a, p, q->born_after))
                      : "",
        q->born_before ? al_arena_printf(a, " AND %s.birth_date <= %s", t,
                             param(a, p, q->born_before)) : "",
        tail);
}

int
elder_store_overview(struct al_db *db, struct al_arena *a, const char *scope,
    const char *const *special, int n, json_t *out)
{
    static const char sql_cat[] = "SELECT count(*) FROM elder_categories WHERE category = ?3"
                                  " AND region_code >= ?1 AND region_code < ?2"
                                  " AND status = 'active'";
    char lo[16], hi[16];
    region_scope_bounds(scope, lo, hi);
    struct params p = {.count = 0};
    param(a, &p, lo);
    param(a, &p, hi);
    const char *sql_special = al_arena_printf(a, "SELECT count(DISTINCT elder_id) FROM"
        " elder_categories WHERE category%s AND region_code >= ?1 AND region_code < ?2"
        " AND status = 'active'", in_marks(a, &p, special, n));
    int64_t v = 0;
    struct al_stmt *st = al_db_sql(db, dialect(db)->active);
    if (st) {
        al_stmt_bind_text(st, 1, lo);
        al_stmt_bind_text(st, 2, hi);
    }
    int rc = st ? al_stmt_int64(st, &v) : AL_EDB;
    json_object_set_new(out, "active", json_integer(v));
    v = 0;
    if (rc == AL_OK && n) {
        st = al_db_sql_text(db, sql_special);
        if (st)
            bind_params(st, &p);
        rc = st ? al_stmt_int64(st, &v) : AL_EDB;
    }
    json_object_set_new(out, "special_difficulty", json_integer(v));
    json_t *cats = json_object();
    json_object_set_new(out, "categories", cats);
    for (int i = 0; rc == AL_OK && elder_category_ids[i]; i++) {
        if (!(st = al_db_sql(db, sql_cat)))
            return AL_EDB;
        al_stmt_binds(st, AL_T(lo), AL_T(hi), AL_T(elder_category_ids[i]));
        rc = al_stmt_int64(st, &v);
        json_object_set_new(cats, elder_category_ids[i], json_integer(v));
    }
    return rc;
}

/*
 * One region range, the caller's scope narrowed by the region filter: with two, the
 * planner may walk the wider one.
 */
static void
list_bounds(const struct elder_query *q, char lo[16], char hi[16])
{
    char rlo[16], rhi[16];
    region_scope_bounds(q->scope, lo, hi);
    if (q->region) {
        region_scope_bounds(q->region, rlo, rhi);
        if (strcmp(rlo, lo) > 0)
            memcpy(lo, rlo, 16);
        if (strcmp(rhi, hi) < 0)
            memcpy(hi, rhi, 16);
    }
}

int
elder_store_export_keys(const struct elder_query *q)
{
    int n;
    order_key(list_order(list_mode(q), q, true), &n);
    return n;
}

struct al_stmt *
elder_store_export_page(struct al_db *db, struct al_arena *a, const struct elder_query *q,
    const char *const *after, int64_t limit)
{
    enum list_mode mode = list_mode(q);
    char lo[16], hi[16];
    list_bounds(q, lo, hi);
    struct params p = {.count = 0};
    struct keyset ks = {.after = after, .limit = limit};
    struct al_stmt *st = al_db_sql_text(db, list_sql(db, a, mode, q, lo, hi, true, &ks, &p));
    if (st)
        bind_params(st, &p);
    return st;
}

int
elder_store_list(struct al_db *db, struct al_arena *a, const struct elder_query *q,
    json_t *items, int64_t *total)
{
    enum list_mode mode = list_mode(q);
    char lo[16], hi[16], today[11];
    list_bounds(q, lo, hi);
    if (q->today)
        snprintf(today, sizeof(today), "%s", q->today);
    else
        al_today_cst(today);
    *total = 0;
    /* The page first: the count may be remembered from an earlier request on the same data
     * (RULE-DB-130, RULE-DB-140), as the page's statement saw it. */
    struct params p = {.count = 0};
    struct al_stmt *st = al_db_sql_text(db, list_sql(db, a, mode, q, lo, hi, true, NULL, &p));
    if (!st)
        return AL_EDB;
    bind_params(st, &p);
    int64_t gen = -1; /* RULE-DB-133: read with the page on PostgreSQL, one round trip less */
    int rc = al_db_rows(st, a, &(struct al_rows){.row = list_row,
        .user = &(struct item_ctx){today, q->pii, al_db_is_pg(db) ? &gen : NULL}}, items);
    if (rc != AL_OK)
        return rc;
    p = (struct params){.count = 0};
    const char *sql = list_sql(db, a, mode, q, lo, hi, false, NULL, &p);
    return al_db_count_memo_at(db, a, sql, params_key(a, sql, &p), binder, &p, gen, total);
}

int
elder_store_row(struct al_db *db, struct al_arena *a, int64_t id, struct elder_row *r)
{
    static const char sql[] = "SELECT id, version, region_code, status, name FROM elders"
                              " WHERE id = ?";
    struct al_stmt *st = by_id(db, sql, id);
    int rc = st ? al_stmt_one(st) : AL_EDB;
    if (rc == AL_OK) {
        r->id = al_stmt_int(st, 0);
        r->version = al_stmt_int(st, 1);
        r->region_code = al_stmt_dup(a, st, 2);
        r->status = al_stmt_dup(a, st, 3);
        r->name = al_stmt_dup(a, st, 4);
        al_stmt_reset(st);
    }
    return rc;
}

/* The categories of `id` with their evidence, into `out`. */
static int
category_evidence(struct al_db *db, int64_t id, json_t *out)
{
    static const char sql[] = "SELECT category, source, source_ref, evidence_date"
                              " FROM elder_categories WHERE elder_id = ? ORDER BY category";
    struct al_stmt *st = by_id(db, sql, id);
    if (!st)
        return AL_EDB;
    int rc;
    while ((rc = al_stmt_step(st)) == AL_ROW) {
        const char *cat = al_stmt_text(st, 0);
        const char *name = elder_category_name(cat);
        json_t *c = json_pack("{s:s, s:s, s:o, s:o, s:o}", "category", cat, "name",
            name ? name : cat, "source", text_or_null(st, 1), "source_ref", text_or_null(st, 2),
            "evidence_date", text_or_null(st, 3));
        json_array_append_new(out, c);
    }
    return rc;
}

static json_t *
array_or_empty(const struct al_row_ctx *c, struct al_stmt *st, int col)
{
    (void)c;
    const char *g = al_stmt_text(st, col);
    json_t *v = g ? json_loads(g, 0, NULL) : NULL;
    if (json_is_array(v))
        return v;
    json_decref(v);
    return json_array();
}

/* The rest of a record (GET_SQL's columns after ELDER_COLS). */
static const struct al_col detail_cols[] = {AL_COL(12, "hukou_region_code", AL_COL_TEXT),
    AL_COLF(13, "phone2_masked", al_col_phone_masked), AL_COL(14, "lat", AL_COL_DOUBLE),
    AL_COL(15, "lng", AL_COL_DOUBLE), AL_COL(16, "living_arrangement", AL_COL_TEXT),
    AL_COL(17, "left_behind", AL_COL_BOOL), AL_COL(18, "economic_status", AL_COL_TEXT),
    AL_COL(19, "disability_type", AL_COL_TEXT), AL_COL(20, "disability_grade", AL_COL_INT),
    AL_COL(21, "fp_special", AL_COL_BOOL), AL_COLF(22, "entitled_groups", array_or_empty),
    AL_COL(23, "ability_level", AL_COL_INT), AL_COL(24, "status_date", AL_COL_TEXT),
    AL_COL(25, "status_reason", AL_COL_TEXT), AL_COL(26, "created_at", AL_COL_TIME),
    AL_COL(27, "updated_at", AL_COL_TIME), AL_COL_END};

int
elder_store_get(struct al_db *db, struct al_arena *a, int64_t id, bool pii, const char *today,
    json_t **out)
{
    struct al_stmt *st = by_id(db, dialect(db)->get, id);
    int rc = st ? al_stmt_one(st) : AL_EDB;
    if (rc != AL_OK)
        return rc;
    char clock[11];
    if (!today)
        al_today_cst(clock);
    struct al_row_ctx c = {.a = a, .user = today ? today : clock};
    json_t *o = al_row_into(al_row_json(&c, st, item_cols), &c, st, detail_cols);
    al_stmt_reset(st);
    json_t *ev = json_array();
    json_object_set_new(o, "category_evidence", ev);
    if ((rc = category_evidence(db, id, ev)) != AL_OK) {
        json_decref(o);
        return rc;
    }
    if (!pii)
        elder_redact_birth(o);
    *out = o;
    return AL_OK;
}

int
elder_store_exists_hash(struct al_db *db, const char *id_hash, int64_t *id)
{
    static const char sql[] = "SELECT id FROM elders WHERE id_hash = ?";
    struct al_stmt *st = al_db_sql(db, sql);
    if (!st)
        return AL_EDB;
    al_stmt_bind_text(st, 1, id_hash);
    return al_stmt_int64(st, id);
}

int
elder_store_pii(struct al_db *db, struct al_arena *a, int64_t id, const char **id_enc,
    const char **phone, const char **phone2)
{
    static const char sql[] = "SELECT id_enc, phone, phone2 FROM elders WHERE id = ?";
    return texts_by_id(db, a, sql, id, (const char **const[]){id_enc, phone, phone2}, 3);
}

int
elder_store_count(struct al_db *db, int64_t *n)
{
    static const char sql[] = "SELECT count(*) FROM elders";
    struct al_stmt *st = al_db_sql(db, sql);
    return st ? al_stmt_int64(st, n) : AL_EDB;
}

/* ---- writing ---- */

/* The column names of `set`, each checked against elder_fields (never SQL from elsewhere). */
static int
set_columns(json_t *set, const char **cols, int max, int *n)
{
    const char *k;
    json_t *v;
    *n = 0;
    json_object_foreach(set, k, v)
    {
        if (!elder_column(k) || *n == max) {
            al_error("elder store: %s is not a writable column", k);
            return AL_EINTERNAL;
        }
        cols[(*n)++] = k;
    }
    return AL_OK;
}

int
elder_store_columns(struct al_db *db, struct al_arena *a, int64_t id, json_t *set, json_t *out)
{
    const char *cols[48];
    int n;
    int rc = set_columns(set, cols, 48, &n);
    if (rc != AL_OK || n == 0)
        return rc;
    const char *sql = "SELECT ";
    for (int i = 0; i < n; i++)
        sql = al_arena_printf(a, "%s%s%s", sql, i ? ", " : "", cols[i]);
    sql = al_arena_printf(a, "%s FROM elders WHERE id = ?", sql);
    struct al_stmt *st = al_db_sql_text(db, sql);
    if (!st)
        return AL_EDB;
    al_stmt_bind_int(st, 1, id);
    if ((rc = al_stmt_one(st)) != AL_OK)
        return rc;
    for (int i = 0; i < n; i++)
        json_object_set_new(out, cols[i], text_or_null(st, i));
    al_stmt_reset(st);
    return AL_OK;
}

/* A row the schema refuses (check, unique, trigger) is not a stale version. */
static int
refused(int rc)
{
    return rc == AL_ECONFLICT ? AL_EUNPROC : rc;
}

/*
 * "INSERT INTO elders(cols…, created_at, updated_at) VALUES (?…)" + `returning` or
 * "UPDATE elders SET col = ?, …, updated_at = ?, version = version + 1 WHERE id = ?"
 * for the `n` columns, into `buf` (the import writes a million rows: no arena
 * printf per column).
 */
static const char *
write_sql(char *buf, size_t size, const char *const *cols, int n, bool insert, bool versioned,
    const char *returning)
{
    size_t len = 0;
#define PUT(s)                                                                                 \
    do {                                                                                       \
        size_t l_ = strlen(s);                                                                 \
        if (len + l_ >= size)                                                                  \
            return NULL;                                                                       \
        memcpy(buf + len, s, l_);                                                              \
        len += l_;                                                                             \
    } while (0)
    PUT(insert ? "INSERT INTO elders(" : "UPDATE elders SET ");
    for (int i = 0; i < n; i++) {
        PUT(cols[i]);
        PUT(insert ? ", " : " = ?, ");
    }
    if (insert) {
        PUT("created_at, updated_at) VALUES (");
        for (int i = 0; i < n; i++)
            PUT("?, ");
        PUT("?, ?)");
        PUT(returning);
    } else {
        PUT("updated_at = ?, version = version + 1 WHERE id = ?");
        if (versioned)
            PUT(" AND version = ?");
    }
#undef PUT
    buf[len] = '\0';
    return buf;
}

int
elder_store_insert(struct al_db *db, struct al_arena *a, json_t *set, int64_t now, int64_t *id)
{
    (void)a;
    const char *cols[48];
    char sql[2048];
    int n;
    int rc = set_columns(set, cols, 48, &n);
    if (rc != AL_OK)
        return rc;
    const struct dialect *d = dialect(db);
    const char *text = write_sql(sql, sizeof(sql), cols, n, true, false, d->returning);
    struct al_stmt *st = text ? al_db_sql_text(db, text) : NULL;
    if (!st)
        return AL_EDB;
    for (int i = 0; i < n; i++)
        al_stmt_bind_jsonv(st, i + 1, json_object_get(set, cols[i]));
    al_stmt_bind_int(st, n + 1, now);
    al_stmt_bind_int(st, n + 2, now);
    if (!d->last_id)
        return refused(al_stmt_int64(st, id));
    if ((rc = refused(al_stmt_run(st))) != AL_OK)
        return rc;
    return (st = al_db_sql(db, d->last_id)) ? al_stmt_int64(st, id) : AL_EDB;
}

int
elder_store_update(struct al_db *db, struct al_arena *a, int64_t id, int64_t version, json_t *set,
    int64_t now)
{
    (void)a;
    const char *cols[48];
    char sql[2048];
    int n;
    int rc = set_columns(set, cols, 48, &n);
    if (rc != AL_OK)
        return rc;
    const char *text = write_sql(sql, sizeof(sql), cols, n, false, version >= 0, "");
    struct al_stmt *st = text ? al_db_sql_text(db, text) : NULL;
    if (!st)
        return AL_EDB;
    for (int i = 0; i < n; i++)
        al_stmt_bind_jsonv(st, i + 1, json_object_get(set, cols[i]));
    al_stmt_bind_int(st, n + 1, now);
    al_stmt_bind_int(st, n + 2, id);
    if (version >= 0)
        al_stmt_bind_int(st, n + 3, version);
    if ((rc = refused(al_stmt_run(st))) != AL_OK)
        return rc;
    return al_db_changes(db) == 0 ? AL_ECONFLICT : AL_OK;
}

int
elder_store_set_evidence(struct al_db *db, int64_t elder_id, const char *field,
    const struct elder_evidence *ev)
{
    static const char sql[] =
        "INSERT INTO elder_field_sources(elder_id, field, source, source_ref, evidence_date)"
        " VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT(elder_id, field) DO UPDATE SET"
        " source = excluded.source, source_ref = excluded.source_ref,"
        " evidence_date = excluded.evidence_date";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_I(elder_id), AL_T(field), AL_T(ev->source), AL_T(ev->source_ref),
        AL_T(ev->date));
    return al_stmt_run(st);
}

/* The facts of one row of sql_facts / the scan, from column `c` on. */
static void
read_facts(struct al_stmt *st, int c, struct elder_facts *f)
{
    f->living_arrangement = al_stmt_text(st, c);
    f->left_behind = al_stmt_int(st, c + 1) != 0;
    f->economic_status = al_stmt_text(st, c + 2);
    f->disability_grade = (int)al_stmt_int(st, c + 3);
    f->fp_special = al_stmt_int(st, c + 4) != 0;
    f->entitled_count = (int)al_stmt_int(st, c + 5);
    f->ability_level = (int)al_stmt_int(st, c + 6);
}

#define FACT_COLS                                                                              \
    "living_arrangement, left_behind, economic_status, coalesce(disability_grade, 0),"        \
    " fp_special, CASE WHEN entitled_groups = '[]' THEN 0 ELSE 1 END,"                         \
    " coalesce(ability_level, -1)"

/* Before the evidence is read: the record itself for every fact, the ID number for the birth. */
static void
facts_default_evidence(struct elder_facts *f)
{
    struct elder_evidence rec = {"record", NULL, NULL};
    f->ev_living = f->ev_left_behind = f->ev_economic = f->ev_disability = f->ev_fp =
        f->ev_entitled = f->ev_ability = rec;
    f->ev_birth = (struct elder_evidence){"id_number", NULL, f->birth_date};
}

/* One row of elder_field_sources (field, source, source_ref, evidence_date from column `c`). */
static void
facts_evidence(struct elder_facts *f, struct al_arena *a, struct al_stmt *st, int c)
{
    static const struct {
        const char *field;
        size_t off;
    } map[] = {
        {"living_arrangement", offsetof(struct elder_facts, ev_living)},
        {"left_behind", offsetof(struct elder_facts, ev_left_behind)},
        {"economic_status", offsetof(struct elder_facts, ev_economic)},
        {"disability_grade", offsetof(struct elder_facts, ev_disability)},
        {"fp_special", offsetof(struct elder_facts, ev_fp)},
        {"entitled_groups", offsetof(struct elder_facts, ev_entitled)},
        {"ability_level", offsetof(struct elder_facts, ev_ability)},
    };
    const char *field = al_stmt_text(st, c);
    for (size_t i = 0; field && i < sizeof(map) / sizeof(map[0]); i++)
        if (strcmp(map[i].field, field) == 0) {
            struct elder_evidence *ev = (struct elder_evidence *)((char *)f + map[i].off);
            ev->source = al_stmt_dup(a, st, c + 1);
            ev->source_ref = al_stmt_dup(a, st, c + 2);
            ev->date = al_stmt_dup(a, st, c + 3);
        }
}

/* The birth date and facts of a row of "SELECT birth_date, FACT_COLS" from column `c`, in `a`. */
static void
facts_read(struct elder_facts *f, struct al_arena *a, struct al_stmt *st, int c)
{
    memset(f, 0, sizeof(*f));
    read_facts(st, c + 1, f);
    f->birth_date = al_stmt_dup(a, st, c);
    f->living_arrangement = f->living_arrangement ? al_arena_strdup(a, f->living_arrangement) : NULL;
    f->economic_status = f->economic_status ? al_arena_strdup(a, f->economic_status) : NULL;
    facts_default_evidence(f);
}

int
elder_store_recompute(struct al_db *db, struct al_arena *a, int64_t elder_id,
    const struct elder_settings *s, const char *today)
{
    static const char sql_facts[] = "SELECT birth_date, " FACT_COLS " FROM elders WHERE id = ?";
    static const char sql_src[] = "SELECT field, source, source_ref, evidence_date"
                                  " FROM elder_field_sources WHERE elder_id = ?";
    static const char sql_del[] = "DELETE FROM elder_categories WHERE elder_id = ?";
    struct elder_facts f;
    struct al_stmt *st = by_id(db, sql_facts, elder_id);
    int rc = st ? al_stmt_one(st) : AL_EDB;
    if (rc != AL_OK)
        return rc;
    facts_read(&f, a, st, 0);
    al_stmt_reset(st);
    if (!(st = by_id(db, sql_src, elder_id)))
        return AL_EDB;
    while ((rc = al_stmt_step(st)) == AL_ROW)
        facts_evidence(&f, a, st, 0);
    if (rc != AL_OK)
        return rc;
    struct elder_category cats[ELDER_CAT_MAX];
    int n = elder_derive(&f, s, today, cats);
    if ((rc = (st = by_id(db, sql_del, elder_id)) ? al_stmt_run(st) : AL_EDB) != AL_OK)
        return rc;
    return elder_store_categories_add(db, elder_id, cats, n);
}

int
elder_store_categories_add(struct al_db *db, int64_t elder_id, const struct elder_category *cats,
    int n)
{
    static const char sql[] =
        "INSERT INTO elder_categories(elder_id, category, source, source_ref, evidence_date,"
        " region_code, status, birth_date)"
        " SELECT ?1, ?2, ?3, ?4, ?5, region_code, status, birth_date FROM elders WHERE id = ?1";
    int rc = AL_OK;
    for (int i = 0; rc == AL_OK && i < n; i++) {
        struct al_stmt *st = al_db_sql(db, sql);
        if (!st)
            return AL_EDB;
        al_stmt_binds(st, AL_I(elder_id), AL_T(cats[i].id), AL_T(cats[i].ev.source),
            AL_T(cats[i].ev.source_ref), AL_T(cats[i].ev.date));
        rc = al_stmt_run(st);
    }
    return rc;
}

int
elder_store_history_add(struct al_db *db, int64_t elder_id, int64_t user_id,
    const char *username, const char *action, json_t *changes, int64_t now)
{
    static const char sql[] = "INSERT INTO elder_history(elder_id, at, user_id, username, action,"
                              " changes) VALUES (?, ?, ?, ?, ?, ?)";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_I(elder_id), AL_I(now));
    if (user_id > 0)
        al_stmt_bind_int(st, 3, user_id);
    al_stmt_bind_text(st, 4, username);
    al_stmt_bind_text(st, 5, action);
    json_t *empty = changes ? NULL : json_object();
    al_stmt_bind_jsonv(st, 6, changes ? changes : empty);
    json_decref(empty);
    return al_stmt_run(st);
}

int
elder_store_history(struct al_db *db, struct al_arena *a, int64_t elder_id, bool pii,
    json_t *items)
{
    static const char sql[] = "SELECT at, username, action, changes FROM elder_history"
                              " WHERE elder_id = ? ORDER BY id DESC LIMIT 200";
    struct al_stmt *st = by_id(db, sql, elder_id);
    if (!st)
        return AL_EDB;
    int rc;
    while ((rc = al_stmt_step(st)) == AL_ROW) {
        const char *text = al_stmt_text(st, 3);
        json_t *stored = text ? json_loads(text, 0, NULL) : NULL;
        json_t *ch = elder_history_view(stored, pii);
        json_decref(stored);
        json_array_append_new(items, json_pack("{s:s, s:o, s:o, s:o}", "at",
                                         al_json_time(a, al_stmt_int(st, 0)), "username",
                                         text_or_null(st, 1), "action", text_or_null(st, 2),
                                         "changes", ch ? ch : json_object()));
    }
    return rc;
}

int
elder_store_contacts(struct al_db *db, struct al_arena *a, int64_t elder_id, bool reveal,
    json_t *items)
{
    static const char sql[] = "SELECT id, relation, name, phone, priority FROM elder_contacts"
                              " WHERE elder_id = ? ORDER BY priority, id";
    struct al_stmt *st = by_id(db, sql, elder_id);
    if (!st)
        return AL_EDB;
    /* RULE-PII-002: the number itself only to those who may reveal it. */
    static const struct al_col cols[] = {AL_COL(0, "id", AL_COL_INT),
        AL_COL(1, "relation", AL_COL_TEXT), AL_COL(2, "name", AL_COL_TEXT),
        AL_COLF(3, "phone_masked", al_col_phone_masked), AL_COL(4, "priority", AL_COL_INT),
        AL_COL(3, "phone", AL_COL_TEXT), AL_COL_END};
    static const struct al_col masked[] = {cols[0], cols[1], cols[2], cols[3], cols[4],
        AL_COL_END};
    return al_db_rows(st, a, &(struct al_rows){.cols = reveal ? cols : masked}, items);
}

int
elder_store_contact_add(struct al_db *db, int64_t elder_id, const char *relation,
    const char *name, const char *phone, int64_t priority, int64_t now, int64_t *id)
{
    static const char sql[] = "INSERT INTO elder_contacts(elder_id, relation, name, phone,"
                              " priority, created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_I(elder_id), AL_T(relation), AL_T(name), AL_T(phone), AL_I(priority),
        AL_I(now));
    return al_stmt_int64(st, id);
}

int
elder_store_contact_delete(struct al_db *db, int64_t elder_id, int64_t contact_id)
{
    static const char sql[] = "DELETE FROM elder_contacts WHERE id = ? AND elder_id = ?";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_I(contact_id), AL_I(elder_id));
    int rc = al_stmt_run(st);
    return rc == AL_OK && al_db_changes(db) == 0 ? AL_ENOTFOUND : rc;
}

int
elder_store_consents(struct al_db *db, struct al_arena *a, int64_t elder_id, json_t *items)
{
    static const char sql[] =
        "SELECT c.id, c.user_id, u.username, u.display_name, c.relation, c.scope, c.granted_by,"
        " c.granted_at, c.revoked_at, r.username FROM elder_consents c"
        " JOIN users u ON u.id = c.user_id JOIN users r ON r.id = c.recorded_by"
        " WHERE c.elder_id = ? ORDER BY c.id DESC";
    struct al_stmt *st = by_id(db, sql, elder_id);
    if (!st)
        return AL_EDB;
    static const struct al_col cols[] = {AL_COL(0, "id", AL_COL_INT),
        AL_COL(1, "user_id", AL_COL_INT), AL_COL(2, "username", AL_COL_TEXT),
        AL_COL(3, "display_name", AL_COL_TEXT), AL_COL(4, "relation", AL_COL_TEXT),
        AL_COLF(5, "scope", array_or_empty), AL_COL(6, "granted_by", AL_COL_TEXT),
        AL_COL(7, "granted_at", AL_COL_TIME), AL_COL(9, "recorded_by", AL_COL_TEXT),
        AL_COL(8, "revoked_at", AL_COL_TIME), AL_COL_END};
    return al_db_rows(st, a, &(struct al_rows){.cols = cols}, items);
}

int
elder_store_consent_add(struct al_db *db, int64_t elder_id, int64_t user_id,
    const char *relation, const char *scope_json, const char *granted_by, int64_t recorded_by,
    int64_t now, int64_t *id)
{
    static const char sql[] =
        "INSERT INTO elder_consents(elder_id, user_id, relation, scope, granted_by, recorded_by,"
        " granted_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_I(elder_id), AL_I(user_id), AL_T(relation), AL_T(scope_json),
        AL_T(granted_by), AL_I(recorded_by), AL_I(now));
    return al_stmt_int64(st, id);
}

int
elder_store_consent_revoke(struct al_db *db, int64_t elder_id, int64_t consent_id, int64_t by,
    int64_t now)
{
    static const char sql[] = "UPDATE elder_consents SET revoked_at = ?, revoked_by = ?"
                              " WHERE id = ? AND elder_id = ? AND revoked_at IS NULL";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_I(now), AL_I(by), AL_I(consent_id), AL_I(elder_id));
    int rc = al_stmt_run(st);
    return rc == AL_OK && al_db_changes(db) == 0 ? AL_ENOTFOUND : rc;
}

int
elder_store_consent_scope(struct al_db *db, struct al_arena *a, int64_t user_id,
    int64_t elder_id, const char **scope)
{
    static const char sql[] = "SELECT scope FROM elder_consents WHERE user_id = ? AND elder_id = ?"
                              " AND revoked_at IS NULL ORDER BY id DESC LIMIT 1";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_I(user_id), AL_I(elder_id));
    int rc = al_stmt_one(st);
    if (rc == AL_OK) {
        *scope = al_stmt_dup(a, st, 0);
        al_stmt_reset(st);
    }
    return rc;
}

int
elder_store_user_role(struct al_db *db, struct al_arena *a, int64_t user_id, const char **role)
{
    static const char sql[] = "SELECT role_id FROM users WHERE id = ? AND status = 'active'";
    return texts_by_id(db, a, sql, user_id, (const char **const[]){role}, 1);
}

int
elder_store_linked(struct al_db *db, struct al_arena *a, int64_t user_id, const char *today,
    json_t *items)
{
    struct al_stmt *st = by_id(db, dialect(db)->linked, user_id);
    if (!st)
        return AL_EDB;
    /* family accounts never hold elder.read_pii */
    return al_db_rows(st, a,
        &(struct al_rows){.row = list_row, .user = &(struct item_ctx){today, false, NULL}}, items);
}

/* ---- for other modules ---- */

int
elder_linked_scope(struct al_db *db, struct al_arena *a, int64_t user_id, int64_t elder_id,
    const char **scope_json)
{
    return elder_store_consent_scope(db, a, user_id, elder_id, scope_json);
}

int
elder_linked_ids(struct al_db *db, struct al_arena *a, int64_t user_id, const char *scope_item,
    int64_t **ids, size_t *n)
{
    static const char sql[] = "SELECT DISTINCT elder_id, scope, id FROM elder_consents"
                              " WHERE user_id = ? AND revoked_at IS NULL ORDER BY id";
    struct al_stmt *st = by_id(db, sql, user_id);
    if (!st)
        return AL_EDB;
    const size_t max = 50;
    *ids = al_arena_alloc(a, max * sizeof(**ids));
    *n = 0;
    char want[40];
    snprintf(want, sizeof(want), "\"%s\"", scope_item);
    int rc;
    while ((rc = al_stmt_step(st)) == AL_ROW) {
        const char *scope = al_stmt_text(st, 1);
        int64_t id = al_stmt_int(st, 0);
        bool seen = false;
        for (size_t i = 0; i < *n; i++)
            seen = seen || (*ids)[i] == id;
        if (!seen && *n < max && scope && strstr(scope, want))
            (*ids)[(*n)++] = id;
    }
    return rc;
}

int
elder_link_grant(struct al_db *db, int64_t elder_id, int64_t user_id, const char *relation,
    const char *scope_json, const char *granted_by, int64_t recorded_by, int64_t now)
{
    int64_t id;
    return elder_store_consent_add(db, elder_id, user_id, relation, scope_json, granted_by,
        recorded_by, now, &id);
}

int
elder_region_of(struct al_db *db, struct al_arena *a, int64_t id, const char **region,
    const char **status)
{
    struct elder_row r;
    int rc = elder_store_row(db, a, id, &r);
    if (rc == AL_OK) {
        *region = r.region_code;
        if (status)
            *status = r.status;
    }
    return rc;
}

int
elder_home_of(struct al_db *db, struct al_arena *a, int64_t id, struct elder_home *out)
{
    static const char sql[] = "SELECT region_code, status, name, address, id_masked, lat, lng"
                              " FROM elders WHERE id = ?";
    struct al_stmt *st = al_db_sql(db, sql);
    if (!st)
        return AL_EDB;
    al_stmt_bind_int(st, 1, id);
    int rc = al_stmt_one(st);
    if (rc != AL_OK)
        return rc;
    out->region_code = al_stmt_dup(a, st, 0);
    out->status = al_stmt_dup(a, st, 1);
    out->name = al_stmt_dup(a, st, 2);
    out->address = al_stmt_dup(a, st, 3);
    out->id_masked = al_stmt_dup(a, st, 4);
    out->has_geo = !al_stmt_null(st, 5) && !al_stmt_null(st, 6);
    out->lat = al_stmt_double(st, 5);
    out->lng = al_stmt_double(st, 6);
    al_stmt_reset(st);
    return AL_OK;
}

#define FIND_COLS                                                                              \
    "SELECT e.id, e.version, e.name, e.address, e.region_code, e.hukou_region_code,"          \
    " e.household_no, coalesce(e.household_size, 0), e.economic_status, f.source,"            \
    " e.disability_type, coalesce(e.disability_grade, 0), e.status, e.status_date,"           \
    " e.pension_type, coalesce(e.pension_amount_fen, -1), e.status_reason, e.id_hash"         \
    " FROM elders e LEFT JOIN elder_field_sources f"                                           \
    "  ON f.elder_id = e.id AND f.field = 'economic_status'"

/* A row of FIND_COLS into *out, texts copied into `a`. */
static void
state_read(struct al_stmt *st, struct al_arena *a, struct elder_state *out)
{
    out->id = al_stmt_int(st, 0);
    out->version = al_stmt_int(st, 1);
    out->name = al_stmt_dup(a, st, 2);
    out->address = al_stmt_dup(a, st, 3);
    out->region_code = al_stmt_dup(a, st, 4);
    out->hukou_region_code = al_stmt_dup(a, st, 5);
    out->household_no = al_stmt_dup(a, st, 6);
    out->household_size = (int)al_stmt_int(st, 7);
    out->economic_status = al_stmt_dup(a, st, 8);
    out->economic_source = al_stmt_dup(a, st, 9);
    out->disability_type = al_stmt_dup(a, st, 10);
    out->disability_grade = (int)al_stmt_int(st, 11);
    out->status = al_stmt_dup(a, st, 12);
    out->status_date = al_stmt_dup(a, st, 13);
    out->pension_type = al_stmt_dup(a, st, 14);
    out->pension_amount_fen = al_stmt_int(st, 15);
    out->status_reason = al_stmt_dup(a, st, 16);
}

int
elder_find_by_number(struct al_db *db, struct al_arena *a, const char *number,
    struct elder_state *out)
{
    static const char sql[] = FIND_COLS " WHERE e.id_hash = ?";
    char hash[65];
    al_crypto_keyed_hash_hex("idnumber", number, 18, hash);
    struct al_stmt *st = al_db_sql(db, sql);
    if (!st)
        return AL_EDB;
    al_stmt_bind_text(st, 1, hash);
    int rc = al_stmt_one(st);
    if (rc != AL_OK)
        return rc;
    state_read(st, a, out);
    al_stmt_reset(st);
    return AL_OK;
}

struct hash_at {
    char hash[65];
    int at;
};

static int
hash_cmp(const void *x, const void *y)
{
    return strcmp(((const struct hash_at *)x)->hash, ((const struct hash_at *)y)->hash);
}

int
elder_find_many(struct al_db *db, struct al_arena *a, const char (*numbers)[19], int n,
    struct elder_state *out, int *which, int *found)
{
    *found = 0;
    if (n <= 0)
        return AL_OK;
    struct hash_at *h = al_arena_alloc(a, (size_t)n * sizeof(*h));
    char *sql = al_arena_alloc(a, sizeof(FIND_COLS) + 32 + (size_t)n * 2);
    size_t len = (size_t)sprintf(sql, "%s WHERE e.id_hash IN (", FIND_COLS);
    for (int i = 0; i < n; i++) {
        al_crypto_keyed_hash_hex("idnumber", numbers[i], 18, h[i].hash);
        h[i].at = i;
        sql[len++] = i ? ',' : '?';
        if (i)
            sql[len++] = '?';
    }
    memcpy(sql + len, ")", 2);
    struct al_stmt *st = al_db_sql_text(db, sql);
    for (int i = 0; i < n; i++)
        al_stmt_bind_text(st, i + 1, h[i].hash);
    qsort(h, (size_t)n, sizeof(*h), hash_cmp);
    int rc;
    while ((rc = al_stmt_step(st)) == AL_ROW) {
        struct hash_at key;
        snprintf(key.hash, sizeof(key.hash), "%s", al_stmt_text(st, 17));
        const struct hash_at *hit = bsearch(&key, h, (size_t)n, sizeof(*h), hash_cmp);
        if (!hit || *found == n)
            continue;
        state_read(st, a, &out[*found]);
        which[(*found)++] = hit->at;
    }
    return rc;
}

/* ---- bulk imports (SQLite: indexes dropped and rebuilt once; PostgreSQL: written through) ---- */

struct elder_deferred {
    const char *indexes[16]; /* CREATE INDEX statements of the dropped indexes */
    int n;
};

int
elder_store_defer_indexes(struct al_db *db, struct al_arena *a, struct elder_deferred **out)
{
    static const char sql_defer[] = "INSERT INTO search_deferred(flag) VALUES (1)"
                                    " ON CONFLICT DO NOTHING";
    static const char sql_indexes[] = "SELECT name, sql FROM sqlite_master WHERE type = 'index'"
                                      " AND tbl_name = 'elders' AND sql IS NOT NULL";
    struct elder_deferred *d = al_arena_calloc(a, sizeof(*d));
    *out = d;
    if (al_db_is_pg(db))
        return AL_OK;
    struct al_stmt *st = al_db_sql(db, sql_defer);
    int rc = st ? al_stmt_run(st) : AL_EDB;
    /* The secondary indexes (the unique ID-hash index the import looks people up by stays). */
    const char *names[16];
    if (rc == AL_OK && !(st = al_db_sql(db, sql_indexes)))
        rc = AL_EDB;
    while (rc == AL_OK && d->n < 16 && (rc = al_stmt_step(st)) == AL_ROW) {
        names[d->n] = al_arena_printf(a, "DROP INDEX \"%.63s\"", al_stmt_text(st, 0));
        d->indexes[d->n++] = al_stmt_dup(a, st, 1);
        rc = AL_OK;
    }
    if (d->n == 16)
        al_stmt_reset(st);
    for (int i = 0; rc == AL_OK && i < d->n; i++)
        rc = al_db_exec(db, names[i]);
    return rc;
}

int
elder_store_rebuild_indexes(struct al_db *db, const struct elder_deferred *d)
{
    static const char sql_undefer[] = "DELETE FROM search_deferred";
    static const char sql_rebuild[] = "INSERT INTO elders_fts(elders_fts) VALUES ('rebuild')";
    /* RULE-UI-007: the name grams, quiet during the import like the FTS index. */
    static const char sql_grams[] =
        "DELETE FROM elder_name_grams; INSERT INTO elder_name_grams(gram, region_code, elder_id,"
        " status, birth_date) SELECT gram, region_code, elder_id, status, birth_date"
        " FROM elder_name_gram_rows";
    if (al_db_is_pg(db))
        return AL_OK;
    struct al_stmt *st = al_db_sql(db, sql_undefer);
    int rc = st ? al_stmt_run(st) : AL_EDB;
    if (rc == AL_OK)
        rc = (st = al_db_sql(db, sql_rebuild)) ? al_stmt_run(st) : AL_EDB;
    if (rc == AL_OK)
        rc = al_db_exec(db, sql_grams);
    for (int i = 0; rc == AL_OK && i < d->n; i++)
        rc = al_db_exec(db, d->indexes[i]);
    return rc;
}

int
elder_store_mark_hukou(struct al_db *db, int64_t id, int64_t import_id)
{
    static const char sql[] = "UPDATE elders SET last_hukou_import = ? WHERE id = ?";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_I(import_id), AL_I(id));
    return al_stmt_run(st);
}

/* ---- PostgreSQL's bulk imports: a chunk of rows at a time (RULE-DB-081) ----
 *
 * elder_write.c gathers the rows (elder_bulk_begin says why, on PostgreSQL only); here they
 * are written with a few statements per chunk instead of five or more per row.  Staging
 * tables live for the import's transaction (ON COMMIT DROP), with the columns of the tables
 * they feed and none of their constraints (CREATE TABLE AS … WITH NO DATA).
 */
static const char sql_stage[] =
    "CREATE TEMP TABLE IF NOT EXISTS elder_stage ON COMMIT DROP AS"
    " SELECT * FROM elders WITH NO DATA;"
    " CREATE TEMP TABLE IF NOT EXISTS elder_ev_stage ON COMMIT DROP AS"
    " SELECT * FROM elder_field_sources WITH NO DATA;"
    " CREATE TEMP TABLE IF NOT EXISTS elder_cat_stage ON COMMIT DROP AS"
    " SELECT elder_id, category, source, source_ref, evidence_date FROM elder_categories"
    " WITH NO DATA;"
    " DELETE FROM elder_stage; DELETE FROM elder_ev_stage; DELETE FROM elder_cat_stage";

/* "{1,2,…}": the ids as a PostgreSQL array text, bound to `CAST(? AS bigint[])`. */
static const char *
id_array(struct al_arena *a, const int64_t *ids, int n)
{
    char *out = al_arena_alloc(a, (size_t)n * 21 + 3), *p = out;
    *p++ = '{';
    for (int i = 0; i < n; i++)
        p += sprintf(p, "%s%lld", i ? "," : "", (long long)ids[i]);
    *p++ = '}';
    *p = 0;
    return out;
}

/* The new records' ids from elders' sequence, in row order (as one INSERT per row takes them). */
static int
batch_ids(struct al_db *db, struct elder_batch_row *rows, int n, int nnew)
{
    static const char sql[] = "SELECT nextval(pg_get_serial_sequence('elders', 'id'))"
                              " FROM generate_series(1, ?) ORDER BY 1";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_bind_int(st, 1, nnew);
    int rc, i = 0;
    while ((rc = al_stmt_step(st)) == AL_ROW) {
        while (i < n && rows[i].id)
            i++;
        if (i == n) {
            al_stmt_reset(st);
            return AL_EINTERNAL;
        }
        rows[i++].id = al_stmt_int(st, 0);
    }
    return rc;
}

/*
 * The rows of the kind of rows[from] (new or changed) with its signature, by
 * one COPY into `table` (elders for new records, elder_stage for changes);
 * how many into *count.
 */
static int
batch_copy(struct al_db *db, struct al_arena *a, const char *table, struct elder_batch_row *rows,
    int n, int from, int *count)
{
    const struct elder_batch_row *first = &rows[from];
    bool insert = first->insert;
    const char *cols = al_arena_printf(a, insert ? "id, %s, created_at, updated_at"
                                                 : "id, %s, updated_at", first->sig);
    struct al_copy *cp = NULL;
    int rc = al_db_copy_begin(db, table, cols, &cp);
    *count = 0;
    for (int i = from; rc == AL_OK && i < n; i++) {
        struct elder_batch_row *r = &rows[i];
        if (r->done || r->insert != insert || strcmp(r->sig, first->sig) != 0)
            continue;
        al_copy_int(cp, r->id);
        for (int c = 0; c < r->ncols; c++)
            al_copy_text(cp, r->vals[c]);
        al_copy_int(cp, r->now);
        if (insert)
            al_copy_int(cp, r->now);
        rc = al_copy_row(cp);
        r->done = true;
        (*count)++;
    }
    return al_copy_end(cp, rc);
}

/* UPDATE elders from elder_stage for the columns `sig`: the version bumped as elder_store_update does. */
static int
batch_update(struct al_db *db, struct al_arena *a, const struct elder_batch_row *r, int count)
{
    const char *sql = "UPDATE elders e SET ";
    for (int c = 0; c < r->ncols; c++)
        sql = al_arena_printf(a, "%s%s = s.%s, ", sql, r->cols[c], r->cols[c]);
    sql = al_arena_printf(a, "%supdated_at = s.updated_at, version = e.version + 1"
                             " FROM elder_stage s WHERE e.id = s.id", sql);
    struct al_stmt *st = al_db_sql_text(db, sql);
    int rc = refused(al_stmt_run(st));
    if (rc == AL_OK && al_db_changes(db) != count)
        rc = AL_ECONFLICT; /* a record to change is gone (elder_store_update's answer) */
    if (rc == AL_OK)
        rc = al_db_exec(db, "DELETE FROM elder_stage");
    return rc;
}

/*
 * RULE-DB-084: the name grams of the new records in one statement (the rows
 * the trigger of sql/pg/026 writes for one record, which stands aside in a
 * bulk import's transaction: sql/pg/033).
 */
static int
batch_grams(struct al_db *db, struct al_arena *a, const struct elder_batch_row *rows, int n,
    int nnew)
{
    static const char sql[] =
        "INSERT INTO elder_name_grams(gram, region_code, elder_id, status, birth_date)"
        " SELECT * FROM ("
        "  SELECT substr(e.name, p.n, 1), e.region_code, e.id, e.status, e.birth_date"
        "  FROM elders e JOIN name_positions p ON p.n <= length(e.name)"
        "  WHERE e.id = ANY(CAST(?1 AS bigint[]))"
        "  UNION"
        "  SELECT substr(e.name, p.n, 2), e.region_code, e.id, e.status, e.birth_date"
        "  FROM elders e JOIN name_positions p ON p.n < length(e.name)"
        "  WHERE e.id = ANY(CAST(?1 AS bigint[]))) g"
        " ORDER BY 1, 2, 3 ON CONFLICT DO NOTHING"; /* in key order: a fifth less CPU */
    int64_t *ids = al_arena_alloc(a, (size_t)nnew * sizeof(*ids));
    int k = 0;
    for (int i = 0; i < n && k < nnew; i++)
        if (rows[i].insert)
            ids[k++] = rows[i].id;
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_bind_text(st, 1, id_array(a, ids, k));
    return al_stmt_run(st);
}

/* The evidence of every fact written, as elder_store_set_evidence leaves it. */
static int
batch_evidence(struct al_db *db, const struct elder_batch_row *rows, int n)
{
    static const char sql[] =
        "INSERT INTO elder_field_sources(elder_id, field, source, source_ref, evidence_date)"
        " SELECT elder_id, field, source, source_ref, evidence_date FROM elder_ev_stage"
        " ON CONFLICT(elder_id, field) DO UPDATE SET source = excluded.source,"
        " source_ref = excluded.source_ref, evidence_date = excluded.evidence_date";
    struct al_copy *cp = NULL;
    int rc = al_db_copy_begin(db, "elder_ev_stage",
        "elder_id, field, source, source_ref, evidence_date", &cp);
    for (int i = 0; rc == AL_OK && i < n; i++)
        for (int k = 0; rc == AL_OK && k < rows[i].nfacts; k++) {
            al_copy_int(cp, rows[i].id);
            al_copy_text(cp, rows[i].facts[k]);
            al_copy_text(cp, rows[i].ev.source);
            al_copy_text(cp, rows[i].ev.source_ref);
            al_copy_text(cp, rows[i].ev.date);
            rc = al_copy_row(cp);
        }
    rc = al_copy_end(cp, rc);
    if (rc == AL_OK)
        rc = al_stmt_run(al_db_sql(db, sql));
    return rc;
}

static void
copy_category(struct al_copy *cp, int64_t id, const struct elder_category *c)
{
    al_copy_int(cp, id);
    al_copy_text(cp, c->id);
    al_copy_text(cp, c->ev.source);
    al_copy_text(cp, c->ev.source_ref);
    al_copy_text(cp, c->ev.date);
}

/*
 * The categories: a new record's as derived when it was gathered, a changed
 * record's re-derived from its written row and evidence (elder_store_recompute
 * for many), each row copying region, status and birth date from its record
 * (elder_store_categories_add).
 */
static int
batch_categories(struct al_db *db, struct al_arena *a, const struct elder_batch_row *rows, int n,
    const struct elder_settings *s, const char *today)
{
    static const char sql_facts[] = "SELECT id, birth_date, " FACT_COLS " FROM elders"
                                    " WHERE id = ANY(CAST(?1 AS bigint[])) ORDER BY id";
    static const char sql_src[] = "SELECT elder_id, field, source, source_ref, evidence_date"
                                  " FROM elder_field_sources"
                                  " WHERE elder_id = ANY(CAST(?1 AS bigint[])) ORDER BY elder_id";
    static const char sql_del[] =
        "DELETE FROM elder_categories WHERE elder_id = ANY(CAST(?1 AS bigint[]))";
    static const char sql_add[] =
        "INSERT INTO elder_categories(elder_id, category, source, source_ref, evidence_date,"
        " region_code, status, birth_date) SELECT c.elder_id, c.category, c.source,"
        " c.source_ref, c.evidence_date, e.region_code, e.status, e.birth_date"
        " FROM elder_cat_stage c JOIN elders e ON e.id = c.elder_id";
    int64_t *ids = al_arena_alloc(a, (size_t)n * sizeof(*ids));
    int nre = 0;
    for (int i = 0; i < n; i++)
        if (rows[i].recompute)
            ids[nre++] = rows[i].id;
    const char *arr = id_array(a, ids, nre);
    /* The re-derived records' facts, then their evidence (both ordered by id). */
    struct elder_facts *f = al_arena_calloc(a, (size_t)(nre ? nre : 1) * sizeof(*f));
    int64_t *fid = al_arena_alloc(a, (size_t)(nre ? nre : 1) * sizeof(*fid));
    int nf = 0, rc = AL_OK;
    if (nre) {
        struct al_stmt *st = al_db_sql(db, sql_facts);
        al_stmt_bind_text(st, 1, arr);
        while (nf < nre && (rc = al_stmt_step(st)) == AL_ROW) {
            fid[nf] = al_stmt_int(st, 0);
            facts_read(&f[nf++], a, st, 1);
            rc = AL_OK;
        }
        if (rc == AL_ROW)
            al_stmt_reset(st);
        if (rc == AL_OK || rc == AL_ROW)
            rc = nf == nre ? AL_OK : AL_ECONFLICT;
        st = rc == AL_OK ? al_db_sql(db, sql_src) : NULL;
        al_stmt_bind_text(st, 1, arr);
        int k = 0;
        while (rc == AL_OK && (rc = al_stmt_step(st)) == AL_ROW) {
            int64_t id = al_stmt_int(st, 0);
            while (k < nf && fid[k] < id)
                k++;
            if (k < nf && fid[k] == id)
                facts_evidence(&f[k], a, st, 1);
            rc = AL_OK;
        }
        if (rc == AL_OK) {
            st = al_db_sql(db, sql_del);
            al_stmt_bind_text(st, 1, arr);
            rc = al_stmt_run(st);
        }
    }
    struct al_copy *cp = NULL;
    if (rc == AL_OK)
        rc = al_db_copy_begin(db, "elder_cat_stage",
            "elder_id, category, source, source_ref, evidence_date", &cp);
    for (int i = 0; rc == AL_OK && i < n; i++)
        for (int c = 0; rc == AL_OK && rows[i].insert && c < rows[i].ncats; c++) {
            copy_category(cp, rows[i].id, &rows[i].cats[c]);
            rc = al_copy_row(cp);
        }
    for (int k = 0; rc == AL_OK && k < nf; k++) {
        struct elder_category cats[ELDER_CAT_MAX];
        int nc = elder_derive(&f[k], s, today, cats);
        for (int c = 0; rc == AL_OK && c < nc; c++) {
            copy_category(cp, fid[k], &cats[c]);
            rc = al_copy_row(cp);
        }
    }
    if (cp)
        rc = al_copy_end(cp, rc);
    if (rc == AL_OK)
        rc = al_stmt_run(al_db_sql(db, sql_add));
    return rc;
}

/* The history entries, in row order (their ids as one INSERT per row gives them). */
static int
batch_history(struct al_db *db, const struct elder_batch_row *rows, int n)
{
    struct al_copy *cp = NULL;
    int rc = al_db_copy_begin(db, "elder_history",
        "elder_id, at, user_id, username, action, changes", &cp);
    for (int i = 0; rc == AL_OK && i < n; i++) {
        const struct elder_batch_row *r = &rows[i];
        al_copy_int(cp, r->id);
        al_copy_int(cp, r->now);
        if (r->user_id > 0)
            al_copy_int(cp, r->user_id);
        else
            al_copy_null(cp);
        al_copy_text(cp, r->actor);
        al_copy_text(cp, r->action);
        al_copy_text(cp, r->changes);
        rc = al_copy_row(cp);
    }
    return al_copy_end(cp, rc);
}

int
elder_store_batch_write(struct al_db *db, struct al_arena *a, struct elder_batch_row *rows, int n,
    const struct elder_settings *s, const char *today)
{
    int nnew = 0;
    for (int i = 0; i < n; i++) {
        nnew += rows[i].insert;
        rows[i].done = false;
    }
    int rc = al_db_exec(db, sql_stage);
    if (rc == AL_OK && nnew)
        rc = batch_ids(db, rows, n, nnew);
    /* The records: one COPY per kind and set of columns (a file's rows share a few). */
    for (int i = 0; rc == AL_OK && i < n; i++) {
        if (rows[i].done)
            continue;
        int count = 0;
        if (rows[i].insert) {
            rc = refused(batch_copy(db, a, "elders", rows, n, i, &count));
        } else {
            rc = refused(batch_copy(db, a, "elder_stage", rows, n, i, &count));
            if (rc == AL_OK)
                rc = batch_update(db, a, &rows[i], count);
        }
    }
    if (rc == AL_OK && nnew)
        rc = batch_grams(db, a, rows, n, nnew);
    if (rc == AL_OK)
        rc = batch_evidence(db, rows, n);
    if (rc == AL_OK)
        rc = batch_categories(db, a, rows, n, s, today);
    if (rc == AL_OK)
        rc = batch_history(db, rows, n);
    return rc;
}

int
elder_store_mark_hukou_many(struct al_db *db, struct al_arena *a, const int64_t *ids, int n,
    int64_t import_id)
{
    static const char sql[] =
        "UPDATE elders SET last_hukou_import = ?1 WHERE id = ANY(CAST(?2 AS bigint[]))";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_I(import_id), AL_T(id_array(a, ids, n)));
    return al_stmt_run(st);
}

int
elder_store_bulk_settle(struct al_db *db)
{
    /* RULE-DB-082: the pending entries into the trigram indexes, then fresh statistics. */
    static const char sql[] =
        "SELECT gin_clean_pending_list(CAST(i AS regclass)) FROM unnest(ARRAY['elders_name_trgm',"
        " 'elders_phone_trgm', 'elders_address_trgm']) AS i;"
        " ANALYZE elders, elder_name_grams, elder_categories, elder_field_sources";
    if (!al_db_is_pg(db))
        return AL_OK;
    return al_db_exec(db, sql);
}

/* Sorted, comma-separated ids of `cats` into `out` (256 bytes). */
static void
cat_string(const struct elder_category *cats, int n, char out[256])
{
    const char *ids[ELDER_CAT_MAX];
    for (int i = 0; i < n; i++)
        ids[i] = cats[i].id;
    for (int i = 1; i < n; i++)
        for (int k = i; k > 0 && strcmp(ids[k - 1], ids[k]) > 0; k--) {
            const char *t = ids[k];
            ids[k] = ids[k - 1];
            ids[k - 1] = t;
        }
    size_t len = 0;
    out[0] = 0;
    for (int i = 0; i < n && len + strlen(ids[i]) + 2 < 256; i++)
        len += (size_t)snprintf(out + len, 256 - len, "%s%s", i ? "," : "", ids[i]);
}

/* RULE-DB-132: the recompute scan reads this many ids at a time (a unit test sets fewer). */
static int64_t scan_page_ids = 20000;

void
elder_store_scan_page(int64_t ids)
{
    scan_page_ids = ids > 0 ? ids : 20000;
}

/* The stored categories of elder `id` from the merge cursor `c` (ordered like the scan). */
static int
stored_cats(struct al_stmt *c, int crc, int64_t id, char before[256])
{
    size_t blen = 0;
    before[0] = 0;
    while (crc == AL_ROW && al_stmt_int(c, 0) < id)
        crc = al_stmt_step(c);
    while (crc == AL_ROW && al_stmt_int(c, 0) == id) {
        const char *cat = al_stmt_text(c, 1);
        if (blen + strlen(cat) + 2 < 256)
            blen += (size_t)snprintf(before + blen, 256 - blen, "%s%s", blen ? "," : "", cat);
        crc = al_stmt_step(c);
    }
    return crc;
}

struct recompute_scan {
    const struct elder_settings *s;
    const char *today;
    elder_scan_fn fn;
    void *ctx;
    struct al_vec redo; /* ids whose categories differ from the stored ones */
    int64_t scanned;
};

/*
 * The elders of a page, lo <= id < hi.  Two texts of one statement: while the rows of one page
 * are visited, the next page's statement is already running on the database (RULE-DB-134).
 */
#define SCAN_ELDERS(tag)                                                                       \
    "SELECT id, birth_date, " FACT_COLS ", name, sex, region_code, status, status_date,"       \
    " coalesce(last_hukou_import, 0) FROM elders WHERE id >= ?1 AND id < ?2 ORDER BY id" tag
static const char *const sql_scan_elders[2] = {SCAN_ELDERS(""), SCAN_ELDERS(" /* ahead */")};

/* The elders of page `page` sent ahead on their text (page % 2); NULL when it did not prepare. */
static struct al_stmt *
scan_send(struct al_db *db, int64_t page)
{
    struct al_stmt *e = al_db_sql(db, sql_scan_elders[page % 2]);
    if (!e)
        return NULL;
    al_stmt_binds(e, AL_I(page * scan_page_ids), AL_I((page + 1) * scan_page_ids));
    return al_stmt_send(e) == AL_OK ? e : NULL;
}

/*
 * One page of the scan: the elders of page `page` (`e`, sent ahead) and their stored
 * categories, merged in id order; the next page is sent (into *next) before the rows are
 * visited when there is one.  RULE-DB-132: a page, not the whole table, so PostgreSQL (whose results arrive
 * whole) holds one page's rows at a time.
 */
static int
scan_page(struct al_db *db, struct recompute_scan *r, struct al_stmt *e, int64_t page,
    bool more, struct al_stmt **next)
{
    static const char sql_cats[] = "SELECT elder_id, category FROM elder_categories"
                                   " WHERE elder_id >= ?1 AND elder_id < ?2"
                                   " ORDER BY elder_id, category";
    struct al_stmt *c = al_db_sql(db, sql_cats);
    if (!c)
        return AL_EDB;
    al_stmt_binds(c, AL_I(page * scan_page_ids), AL_I((page + 1) * scan_page_ids));
    int rc, crc = al_stmt_step(c), erc = al_stmt_step(e); /* both results at hand */
    if (more && !(*next = scan_send(db, page + 1)))
        erc = AL_EDB;
    for (rc = erc; rc == AL_ROW; rc = al_stmt_step(e)) {
        int64_t id = al_stmt_int(e, 0);
        struct elder_facts f;
        memset(&f, 0, sizeof(f));
        f.birth_date = al_stmt_text(e, 1);
        read_facts(e, 2, &f);
        struct elder_category cats[ELDER_CAT_MAX];
        int n = elder_derive(&f, r->s, r->today, cats); /* ids only: evidence with a rewrite */
        char now[256], before[256];
        cat_string(cats, n, now);
        crc = stored_cats(c, crc, id, before);
        r->scanned++;
        if (strcmp(now, before) != 0) {
            int64_t *slot = al_vec_push(&r->redo);
            if (!slot) {
                rc = AL_EINTERNAL;
                break;
            }
            *slot = id;
        }
        const char *ids[ELDER_CAT_MAX];
        for (int i = 0; i < n; i++)
            ids[i] = cats[i].id;
        struct elder_scan_row row = {.id = id, .name = al_stmt_text(e, 9),
            .sex = al_stmt_text(e, 10), .birth_date = f.birth_date,
            .region_code = al_stmt_text(e, 11), .status = al_stmt_text(e, 12),
            .status_date = al_stmt_text(e, 13), .economic_status = f.economic_status,
            .last_hukou_import = al_stmt_int(e, 14), .cats = now,
            .special = elder_is_special(r->s, ids, n)};
        if (r->fn && r->fn(r->ctx, &row) != 0) {
            rc = AL_EINTERNAL;
            break;
        }
    }
    if (rc == AL_OK && crc != AL_ROW && crc != AL_OK)
        rc = crc;
    al_stmt_reset(e);
    al_stmt_reset(c);
    return rc;
}

int
elder_recompute_scan(struct al_db *db, const char *today,
    elder_scan_fn fn, void *ctx, int64_t *scanned, int64_t *changed)
{
    struct elder_settings s;
    int rc = elder_settings_load(db, &s);
    if (rc != AL_OK)
        return rc;
    int64_t top = 0;
    rc = al_stmt_int64(al_db_sql(db, "SELECT coalesce(max(id), 0) FROM elders"), &top);
    if (rc != AL_OK)
        return rc;
    struct recompute_scan r = {.s = &s, .today = today, .fn = fn, .ctx = ctx};
    al_vec_init(&r.redo, sizeof(int64_t));
    int64_t pages = top / scan_page_ids + 1;
    struct al_stmt *e = scan_send(db, 0);
    if (!e)
        rc = AL_EDB;
    for (int64_t page = 0; rc == AL_OK && page < pages; page++)
        rc = scan_page(db, &r, e, page, page + 1 < pages, &e);
    if (rc != AL_OK) /* a page sent ahead and never read is dropped */
        for (int k = 0; k < 2; k++)
            al_stmt_reset(al_db_sql(db, sql_scan_elders[k]));
    /* The rewrites, with the evidence of each fact (elder_store_recompute reads it). */
    struct al_arena a;
    al_arena_init(&a, 1 << 14);
    for (size_t i = 0; rc == AL_OK && i < r.redo.n; i++) {
        rc = elder_store_recompute(db, &a, AL_VEC_AT(&r.redo, int64_t, i), &s, today);
        al_arena_reset(&a);
    }
    al_arena_fini(&a);
    *scanned = r.scanned;
    *changed = (int64_t)r.redo.n;
    al_vec_fini(&r.redo);
    return rc;
}

int
elder_brief_get(struct al_db *db, struct al_arena *a, int64_t id, struct elder_brief *out)
{
    static const char sql[] = "SELECT name, region_code, status, birth_date, living_arrangement,"
                              " status_date, sex, economic_status FROM elders WHERE id = ?";
    static const char sql_cats[] =
        "SELECT category FROM elder_categories WHERE elder_id = ? ORDER BY category";
    struct elder_settings s;
    memset(out, 0, sizeof(*out));
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_bind_int(st, 1, id);
    int rc = al_stmt_one(st);
    if (rc != AL_OK)
        return rc;
    out->id = id;
    out->name = al_stmt_dup(a, st, 0);
    out->region_code = al_stmt_dup(a, st, 1);
    out->status = al_stmt_dup(a, st, 2);
    out->birth_date = al_stmt_dup(a, st, 3);
    out->living = al_stmt_dup(a, st, 4);
    out->status_date = al_stmt_dup(a, st, 5);
    out->sex = al_stmt_dup(a, st, 6);
    out->economic_status = al_stmt_dup(a, st, 7);
    out->categories = "";
    al_stmt_reset(st);
    if ((rc = elder_settings_load(db, &s)) != AL_OK)
        return rc;
    st = al_db_sql(db, sql_cats);
    al_stmt_bind_int(st, 1, id);
    while ((rc = al_stmt_step(st)) == AL_ROW) {
        const char *cat = al_stmt_text(st, 0);
        out->categories = *out->categories ? al_arena_printf(a, "%s,%s", out->categories, cat)
                                           : al_arena_strdup(a, cat);
        if (elder_in_list(s.special_difficulty, cat))
            out->special = true; /* RULE-CAT-009 */
    }
    return rc;
}

int
elder_card_json(struct al_db *db, struct al_arena *a, int64_t id, json_t **out)
{
    /* RULE-ALARM-068: what an operator answering an alarm needs first, phones masked
     * (RULE-PII-002; the record, with elder.read_pii, reveals them, audited). */
    static const char sql[] = "SELECT living_arrangement, disability_type, disability_grade,"
                              " ability_level, phone2 FROM elders WHERE id = ?";
    static const struct al_col cols[] = {AL_COL(0, "living_arrangement", AL_COL_TEXT),
        AL_COL(1, "disability_type", AL_COL_TEXT), AL_COL(2, "disability_grade", AL_COL_INT),
        AL_COL(3, "ability_level", AL_COL_INT), AL_COLF(4, "phone2_masked", al_col_phone_masked),
        AL_COL_END};
    struct elder_brief b;
    *out = NULL;
    int rc = elder_brief_get(db, a, id, &b);
    struct al_stmt *st = rc == AL_OK ? by_id(db, sql, id) : NULL;
    if (rc != AL_OK || (rc = st ? al_stmt_one(st) : AL_EDB) != AL_OK)
        return rc;
    json_t *o = al_row_json(&(struct al_row_ctx){.a = a}, st, cols), *cats = json_array();
    al_stmt_reset(st);
    for (char *save = NULL, *c = strtok_r(al_arena_strdup(a, b.categories), ",", &save); c;
         c = strtok_r(NULL, ",", &save)) {
        const char *name = elder_category_name(c);
        json_array_append_new(cats, json_string(name ? name : c));
    }
    json_object_set_new(o, "categories", cats);
    json_object_set_new(o, "special_difficulty", json_boolean(b.special));
    json_t *contacts = json_array(); /* in the order to call them */
    if ((rc = elder_store_contacts(db, a, id, false, contacts)) != AL_OK) {
        json_decref(contacts);
        json_decref(o);
        return rc;
    }
    json_object_set_new(o, "contacts", contacts);
    *out = o;
    return AL_OK;
}

int
elder_count_active(struct al_db *db, const char *scope, int64_t *n)
{
    char lo[16], hi[16];
    region_scope_bounds(scope, lo, hi);
    struct al_stmt *st = al_db_sql(db, dialect(db)->active);
    al_stmt_bind_text(st, 1, lo);
    al_stmt_bind_text(st, 2, hi);
    *n = 0;
    return al_stmt_int64(st, n);
}
