/*
 * The one write path of an elder record (RULE-ELDER-001): the HTTP create,
 * update and status change, every import kind (elder_bulk_apply) and the
 * assessments (elder_apply) all end in elder_write.  It holds the order of
 * things — seal the ID number, write the row, record evidence, recompute the
 * categories, add the masked history entry — and leaves the SQL to
 * elder_store.c and the rules to elder_logic.c.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/crypto.h"
#include "core/json.h"
#include "core/idcard.h"
#include "core/log.h"
#include "elder/elder.h"
#include "elder/elder_int.h"

/* Seal a whole ID number of `set` into its keyed hash, sealed copy and mask. */
static int
seal_number(struct al_arena *a, json_t *set)
{
    json_t *number = json_object_get(set, "id_number");
    if (!number)
        return AL_OK;
    const char *n = json_string_value(number);
    if (!n || strlen(n) != 18)
        return AL_EINTERNAL;
    char hash[65], masked[19];
    al_crypto_keyed_hash_hex("idnumber", n, 18, hash);
    al_id_mask(n, masked);
    char *sealed = al_crypto_seal(a, n, 18);
    if (!sealed)
        return AL_EINTERNAL;
    json_object_set_new(set, "id_hash", json_string(hash));
    json_object_set_new(set, "id_enc", json_string(sealed));
    json_object_set_new(set, "id_masked", json_string(masked));
    json_object_del(set, "id_number");
    return AL_OK;
}

/* A stored value (text or NULL, as elder_store_columns reads it) as the field's JSON type. */
static json_t *
typed(const struct al_field *f, json_t *v)
{
    const char *s = json_string_value(v);
    if (!s)
        return json_null();
    switch (f->type) {
    case AL_FT_INT:
    case AL_FT_BOOL:
        return json_integer(strtoll(s, NULL, 10));
    case AL_FT_REAL:
        return json_real(strtod(s, NULL));
    case AL_FT_TEXTS: {
        json_t *j = json_loads(s, 0, NULL);
        return j ? j : json_array();
    }
    default:
        return json_incref(v);
    }
}

/* The record's values of the columns of `set` before the write, typed like `set`. */
static int
read_before(struct al_db *db, struct al_arena *a, int64_t id, json_t *set, json_t **out)
{
    json_t *raw = json_object();
    int rc = elder_store_columns(db, a, id, set, raw);
    if (rc != AL_OK) {
        json_decref(raw);
        return rc;
    }
    json_t *before = json_object();
    const char *k;
    json_t *v;
    json_object_foreach(raw, k, v) json_object_set_new(before, k, typed(elder_column(k), v));
    json_decref(raw);
    *out = before;
    return AL_OK;
}

static bool
truthy(json_t *v)
{
    return json_is_true(v) || json_integer_value(v) != 0;
}

/*
 * The categories of a record just inserted, derived from what was written (no
 * read-back): the facts in `set` carry `ev` as their evidence, the others the
 * record itself, the birth date the ID number.  Returns how many are in `cats`.
 */
static int
new_record_derive(json_t *set, const struct elder_evidence *ev, const struct elder_settings *s,
    const char *today, struct elder_category cats[ELDER_CAT_MAX])
{
    struct elder_facts f;
    memset(&f, 0, sizeof(f));
    f.birth_date = json_string_value(json_object_get(set, "birth_date"));
    f.living_arrangement = json_string_value(json_object_get(set, "living_arrangement"));
    f.left_behind = truthy(json_object_get(set, "left_behind"));
    f.economic_status = json_string_value(json_object_get(set, "economic_status"));
    if (!f.economic_status)
        f.economic_status = "general";
    f.disability_grade = (int)json_integer_value(json_object_get(set, "disability_grade"));
    f.fp_special = truthy(json_object_get(set, "fp_special"));
    json_t *groups = json_object_get(set, "entitled_groups");
    f.entitled_count = (int)json_array_size(groups);
    json_t *level = json_object_get(set, "ability_level");
    f.ability_level = json_is_integer(level) ? (int)json_integer_value(level) : -1;
    struct elder_evidence rec = {"record", NULL, NULL};
    f.ev_living = f.ev_left_behind = f.ev_economic = f.ev_disability = f.ev_fp = f.ev_entitled =
        f.ev_ability = rec;
    if (f.living_arrangement)
        f.ev_living = *ev;
    if (json_object_get(set, "left_behind"))
        f.ev_left_behind = *ev;
    if (json_object_get(set, "economic_status"))
        f.ev_economic = *ev;
    if (json_object_get(set, "disability_grade"))
        f.ev_disability = *ev;
    if (json_object_get(set, "fp_special"))
        f.ev_fp = *ev;
    if (groups)
        f.ev_entitled = *ev;
    if (level)
        f.ev_ability = *ev;
    f.ev_birth = (struct elder_evidence){"id_number", NULL, f.birth_date};
    return elder_derive(&f, s, today, cats);
}

/* What a write works out before it writes: the same for both ways of writing (RULE-DB-081). */
struct write_plan {
    const char *facts[48]; /* the fact columns of the set: their evidence is the write's */
    int nfacts;
    bool recompute;        /* a fact or category column is written */
    bool insert;
    json_t *before;        /* an update's old values (owned), NULL for an insert */
};

/* Check the columns of w->set, seal the number, and know the old values of an update. */
static int
write_prepare(struct al_db *db, struct al_arena *a, struct elder_write *w, struct write_plan *p)
{
    memset(p, 0, sizeof(*p));
    const char *k;
    json_t *v;
    /* Every key a column of elder_fields (or the whole number); the facts among them. */
    json_object_foreach(w->set, k, v)
    {
        const struct al_field *f = elder_column(k);
        if (!f && strcmp(k, "id_number")) {
            al_error("elder_write: %s is not an elder column", k);
            return AL_EINTERNAL;
        }
        p->recompute |= f && (f->tag & (ELDER_F_FACT | ELDER_F_CATEGORY));
        if (f && (f->tag & ELDER_F_FACT) && p->nfacts < 48)
            p->facts[p->nfacts++] = k;
    }
    int rc = seal_number(a, w->set);
    p->insert = w->id == 0;
    if (rc == AL_OK && !p->insert && w->before)
        p->before = json_incref(w->before);
    else if (rc == AL_OK && !p->insert)
        rc = read_before(db, a, w->id, w->set, &p->before);
    return rc;
}

/*
 * History (RULE-ELDER-002): the same entry on every path.  A record an import
 * creates gets an entry naming the import only: its values are the record's
 * own until a change, and every change keeps its own entry (at a million
 * records the full copies were a third of the database).  The changes (a new
 * object) and the action into *action.
 */
static json_t *
write_changes(const struct elder_write *w, const struct write_plan *p, const char **action)
{
    bool import_create = p->insert && w->ev->source_ref && strcmp(w->action, "import") == 0;
    json_t *ch = import_create ? json_object() : elder_history_changes(w->set, p->before);
    if (w->ev->source_ref && strcmp(w->ev->source, "record") != 0)
        json_object_set_new(ch, "source", json_string(w->ev->source_ref));
    *action = import_create ? "import_create" : w->action;
    return ch;
}

int
elder_write(struct al_db *db, struct al_arena *a, const struct elder_settings *s,
    const char *today, struct elder_write *w, int64_t *new_id)
{
    w->changes = NULL;
    struct write_plan p;
    int rc = write_prepare(db, a, w, &p);
    int64_t id = w->id;
    if (rc == AL_OK && p.insert) {
        rc = elder_store_insert(db, a, w->set, w->now, &id);
        if (rc == AL_OK && new_id)
            *new_id = id;
    } else if (rc == AL_OK) {
        rc = elder_store_update(db, a, id, w->version, w->set, w->now);
    }
    /* Evidence of each fact written; categories follow from the facts alone (RULE-CAT-*). */
    for (int i = 0; rc == AL_OK && i < p.nfacts; i++)
        rc = elder_store_set_evidence(db, id, p.facts[i], w->ev);
    if (rc == AL_OK && p.insert) {
        struct elder_category cats[ELDER_CAT_MAX];
        int n = new_record_derive(w->set, w->ev, s, today, cats);
        rc = elder_store_categories_add(db, id, cats, n);
    } else if (rc == AL_OK && p.recompute) {
        rc = elder_store_recompute(db, a, id, s, today);
    }
    const char *action = NULL;
    json_t *ch = rc == AL_OK ? write_changes(w, &p, &action) : NULL;
    if (rc == AL_OK)
        rc = elder_store_history_add(db, id, w->user_id, w->actor, action, ch, w->now);
    json_decref(p.before);
    if (rc != AL_OK) {
        json_decref(ch);
        return rc;
    }
    w->changes = ch;
    return AL_OK;
}

int
elder_apply(struct al_db *db, struct al_arena *a, int64_t id, json_t *set,
    const struct elder_evidence *ev, int64_t user_id, const char *actor, const char *action,
    int64_t now, int64_t *new_id)
{
    struct elder_settings s;
    char today[11];
    al_date_cst(now, today);
    int rc = elder_settings_load(db, &s);
    struct elder_write w = {.id = id, .version = -1, .set = set, .ev = ev, .user_id = user_id,
        .actor = actor, .action = action, .now = now};
    if (rc == AL_OK)
        rc = elder_write(db, a, &s, today, &w, new_id);
    json_decref(w.changes);
    return rc;
}

struct elder_bulk {
    struct al_db *db;
    struct elder_settings s;
    int64_t now;        /* the import's time (RULE-DB-102) */
    char today[11];
    int64_t existing;   /* records before the import */
    int64_t inserted;
    struct al_arena *a; /* the caller's, for the life of the bulk */
    struct elder_deferred *deferred; /* search index and secondary indexes: rebuilt at the end */
    struct elder_batch *batch; /* PostgreSQL: the writes gathered per chunk (RULE-DB-081) */
    int64_t written;           /* records created or changed */
};

/* Rows gathered before a chunk is applied (RULE-DB-081): a few MiB, a COPY of ~1 MiB each. */
#define ELDER_BATCH_ROWS 4096

struct elder_batch {
    struct al_arena arena;        /* the gathered rows' texts; reset once a chunk is applied */
    struct elder_batch_row *rows; /* ELDER_BATCH_ROWS */
    int n;
    int64_t *seen;                /* records marked as seen by the household import seen_import */
    int nseen;
    int64_t seen_import;
};

static void
batch_free(struct elder_bulk *b)
{
    if (!b->batch)
        return;
    al_arena_fini(&b->batch->arena); /* the rest lives in the import's arena */
    b->batch = NULL;
}

/* A value of a set as COPY text, as al_stmt_bind_jsonv binds it on PostgreSQL (NULL: SQL NULL). */
static int
value_text(struct al_arena *a, json_t *v, const char **out)
{
    *out = NULL;
    if (json_is_string(v))
        *out = al_arena_strndup(a, json_string_value(v), json_string_length(v));
    else if (json_is_integer(v))
        *out = al_arena_printf(a, "%lld", (long long)json_integer_value(v));
    else if (json_is_real(v))
        *out = al_arena_printf(a, "%.17g", json_real_value(v));
    else if (json_is_boolean(v))
        *out = json_is_true(v) ? "1" : "0";
    else if (json_is_array(v) || json_is_object(v)) {
        *out = al_json_dump_sorted(a, v); /* keys sorted, as the row-by-row path stores them */
    }
    return AL_OK;
}

static const char *
dup_or_null(struct al_arena *a, const char *s)
{
    return s ? al_arena_strdup(a, s) : NULL;
}

static struct elder_evidence
dup_evidence(struct al_arena *a, const struct elder_evidence *ev)
{
    return (struct elder_evidence){dup_or_null(a, ev->source), dup_or_null(a, ev->source_ref),
        dup_or_null(a, ev->date)};
}

/* Apply the gathered rows and marks, then forget them (RULE-DB-081). */
static int
batch_flush(struct elder_bulk *b)
{
    struct elder_batch *bt = b->batch;
    int rc = AL_OK;
    if (bt->n)
        rc = elder_store_batch_write(b->db, &bt->arena, bt->rows, bt->n, &b->s, b->today);
    for (int i = 0; rc == AL_OK && i < bt->n; i++)
        if (bt->rows[i].insert && bt->rows[i].new_id)
            *bt->rows[i].new_id = bt->rows[i].id;
    if (rc == AL_OK && bt->nseen)
        rc = elder_store_mark_hukou_many(b->db, &bt->arena, bt->seen, bt->nseen,
            bt->seen_import);
    bt->n = bt->nseen = 0;
    al_arena_reset(&bt->arena);
    return rc;
}

/*
 * elder_write's work for one row, gathered instead of written (PostgreSQL,
 * RULE-DB-081): the same plan, categories and history entry, as text for
 * elder_store_batch_write.
 */
static int
batch_add(struct elder_bulk *b, struct al_arena *a, struct elder_write *w, int64_t *new_id)
{
    struct elder_batch *bt = b->batch;
    struct al_arena *ba = &bt->arena;
    struct write_plan p;
    int rc = write_prepare(b->db, a, w, &p);
    if (rc != AL_OK) {
        json_decref(p.before);
        return rc;
    }
    struct elder_batch_row *r = &bt->rows[bt->n];
    memset(r, 0, sizeof(*r));
    r->id = w->id;
    r->insert = p.insert;
    r->new_id = new_id;
    r->now = w->now;
    size_t nc = json_object_size(w->set);
    r->cols = al_arena_alloc(ba, (nc + 1) * sizeof(*r->cols));
    r->vals = al_arena_alloc(ba, (nc + 1) * sizeof(*r->vals));
    const char *k, *sig = "";
    json_t *v;
    json_object_foreach(w->set, k, v)
    {
        r->cols[r->ncols] = al_arena_strdup(ba, k);
        rc = rc == AL_OK ? value_text(ba, v, &r->vals[r->ncols]) : rc;
        sig = al_arena_printf(ba, "%s%s%s", sig, r->ncols ? ", " : "", k);
        r->ncols++;
    }
    r->sig = sig;
    r->facts = al_arena_alloc(ba, ((size_t)p.nfacts + 1) * sizeof(*r->facts));
    for (int i = 0; i < p.nfacts; i++)
        r->facts[i] = al_arena_strdup(ba, p.facts[i]);
    r->nfacts = p.nfacts;
    r->ev = dup_evidence(ba, w->ev);
    r->recompute = !p.insert && p.recompute;
    if (p.insert) {
        r->ncats = new_record_derive(w->set, w->ev, &b->s, b->today, r->cats);
        for (int i = 0; i < r->ncats; i++) {
            r->cats[i].id = al_arena_strdup(ba, r->cats[i].id);
            r->cats[i].ev = dup_evidence(ba, &r->cats[i].ev);
        }
    }
    r->user_id = w->user_id;
    r->actor = dup_or_null(ba, w->actor);
    const char *action;
    json_t *ch = write_changes(w, &p, &action);
    r->action = al_arena_strdup(ba, action);
    r->changes = al_json_dump_sorted(ba, ch); /* keys sorted, as the row-by-row path stores them */
    json_decref(ch);
    json_decref(p.before);
    if (rc == AL_OK && !r->changes)
        rc = AL_EINTERNAL;
    if (rc != AL_OK)
        return rc;
    if (++bt->n == ELDER_BATCH_ROWS)
        rc = batch_flush(b);
    return rc;
}

int
elder_bulk_begin(struct al_db *db, struct al_arena *a, int64_t now, struct elder_bulk **out)
{
    struct elder_bulk *b = al_arena_calloc(a, sizeof(*b));
    b->db = db;
    b->a = a;
    b->now = now;
    al_date_cst(now, b->today);
    int rc = elder_settings_load(db, &b->s);
    if (rc == AL_OK)
        rc = elder_store_count(db, &b->existing);
    /*
     * RULE-DB-081: where the engines part, in this one place.  SQLite writes
     * each row through elder_write (a statement is a function call in this
     * process; the indexes are deferred instead, should_defer).  PostgreSQL
     * gathers the rows and applies them a chunk at a time (a statement is a
     * round trip to the server: per row it cost 740 rows/s at 100,000), and
     * plans the import's lookups by key once (plan_cache_mode = auto in this
     * transaction only; the connection plans every list for its parameters,
     * RULE-DB-080), and writes the name grams of its new records a chunk
     * at a time too (RULE-DB-084, sql/pg/033).
     */
    if (rc == AL_OK && al_db_is_pg(db)) {
        /* The batch and its row table live in the import's arena; the rows' texts in the
         * batch's own arena, reset once a chunk is applied. */
        b->batch = al_arena_calloc(a, sizeof(*b->batch));
        b->batch->rows = al_arena_alloc(a, ELDER_BATCH_ROWS * sizeof(*b->batch->rows));
        al_arena_init(&b->batch->arena, 1 << 20);
        rc = al_db_exec(db, "SET LOCAL plan_cache_mode = auto;"
                            " SET LOCAL anlao.bulk_grams = 'on';"  /* RULE-DB-084 */
                            " SET LOCAL anlao.bulk = 'on'"); /* RULE-DB-141: bumped at the end */
        if (rc != AL_OK) {
            batch_free(b);
            return rc;
        }
    }
    if (rc != AL_OK)
        return rc;
    *out = b;
    return AL_OK;
}

int64_t
elder_bulk_existing(const struct elder_bulk *b)
{
    return b->existing;
}

/*
 * An index insert costs about forty times one record's share of a rebuild:
 * past that many new records (and at least 5,000) a single rebuild is cheaper.
 */
static bool
should_defer(const struct elder_bulk *b)
{
    return b->inserted >= 5000 && b->inserted * 40 > b->existing + b->inserted;
}

/* Where elder_state keeps each column an import may change, and what it holds for none. */
static const struct {
    const char *column;
    size_t off;
    char kind; /* 's' text, 'i' int (0: none), 'l' int64_t (-1: none), '-' not kept (null) */
} state_columns[] = {
    {"name", offsetof(struct elder_state, name), 's'},
    {"address", offsetof(struct elder_state, address), 's'},
    {"region_code", offsetof(struct elder_state, region_code), 's'},
    {"hukou_region_code", offsetof(struct elder_state, hukou_region_code), 's'},
    {"household_no", offsetof(struct elder_state, household_no), 's'},
    {"household_size", offsetof(struct elder_state, household_size), 'i'},
    {"economic_status", offsetof(struct elder_state, economic_status), 's'},
    {"disability_type", offsetof(struct elder_state, disability_type), 's'},
    {"disability_grade", offsetof(struct elder_state, disability_grade), 'i'},
    {"status", offsetof(struct elder_state, status), 's'},
    {"status_date", offsetof(struct elder_state, status_date), 's'},
    {"status_reason", offsetof(struct elder_state, status_reason), 's'},
    {"pension_type", offsetof(struct elder_state, pension_type), 's'},
    {"pension_amount_fen", offsetof(struct elder_state, pension_amount_fen), 'l'},
    {"last_hukou_import", 0, '-'}, /* never in history (ELDER_F_SECRET) */
};

/* The value of `column` in `cur` (typed like read_before's), or NULL when the state lacks it. */
static json_t *
state_value(const struct elder_state *cur, const char *column)
{
    for (size_t i = 0; i < sizeof(state_columns) / sizeof(state_columns[0]); i++) {
        if (strcmp(state_columns[i].column, column) != 0)
            continue;
        const char *p = (const char *)cur + state_columns[i].off;
        switch (state_columns[i].kind) {
        case 's': {
            const char *t = *(const char *const *)p;
            return t ? json_string(t) : json_null();
        }
        case 'i':
            return *(const int *)p ? json_integer(*(const int *)p) : json_null();
        case 'l':
            return *(const int64_t *)p >= 0 ? json_integer(*(const int64_t *)p) : json_null();
        default:
            return json_null();
        }
    }
    return NULL;
}

/*
 * The values of the columns of `set` as `cur` holds them, or NULL when `set`
 * writes a column the state does not carry (then elder_write reads the row).
 */
static json_t *
state_before(const struct elder_state *cur, json_t *set)
{
    json_t *before = json_object(), *v, *x;
    const char *k;
    json_object_foreach(set, k, v)
    {
        if (!(x = state_value(cur, k))) {
            json_decref(before);
            return NULL;
        }
        json_object_set_new(before, k, x);
    }
    return before;
}

int
elder_bulk_apply(struct elder_bulk *b, struct al_arena *a, int64_t id, json_t *set,
    const struct elder_evidence *ev, int64_t user_id, const char *actor, const char *action,
    const struct elder_state *cur, int64_t *new_id)
{
    int rc = AL_OK;
    if (new_id)
        *new_id = 0;
    if (id == 0 && !b->batch && !b->deferred && should_defer(b))
        rc = elder_store_defer_indexes(b->db, b->a, &b->deferred);
    struct elder_write w = {.id = id, .version = -1, .set = set, .ev = ev, .user_id = user_id,
        .actor = actor, .action = action, .now = b->now,
        .before = id && cur ? state_before(cur, set) : NULL};
    if (rc == AL_OK && b->batch) /* RULE-DB-081: see elder_bulk_begin */
        rc = batch_add(b, a, &w, new_id);
    else if (rc == AL_OK)
        rc = elder_write(b->db, a, &b->s, b->today, &w, new_id);
    json_decref(w.changes);
    json_decref(w.before);
    b->inserted += rc == AL_OK && id == 0;
    b->written += rc == AL_OK;
    return rc;
}

int
elder_bulk_seen(struct elder_bulk *b, int64_t id, int64_t import_id)
{
    struct elder_batch *bt = b->batch;
    if (!bt)
        return elder_store_mark_hukou(b->db, id, import_id);
    if (bt->nseen && bt->seen_import != import_id) { /* one import's marks per statement */
        int rc = batch_flush(b);
        if (rc != AL_OK)
            return rc;
    }
    if (!bt->seen)
        bt->seen = al_arena_alloc(b->a, ELDER_BATCH_ROWS * sizeof(*bt->seen));
    bt->seen_import = import_id;
    bt->seen[bt->nseen++] = id;
    return bt->nseen == ELDER_BATCH_ROWS ? batch_flush(b) : AL_OK;
}

/* RULE-DB-082: past this many records written, the statistics are renewed at the end. */
#define ELDER_BULK_ANALYZE 1000

int
elder_bulk_end(struct elder_bulk *b, int rc)
{
    if (rc == AL_OK && b->batch)
        rc = batch_flush(b);
    batch_free(b);
    if (rc == AL_OK && b->deferred)
        rc = elder_store_rebuild_indexes(b->db, b->deferred);
    if (rc == AL_OK && b->written >= ELDER_BULK_ANALYZE)
        rc = elder_store_bulk_settle(b->db);
    return rc;
}
