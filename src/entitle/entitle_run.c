/*
 * Entitlement runs (issue 12, RULE-ENT-060..064): every active elder of a region evaluated
 * against the effective list of their county on a date, one county at a time.  Per county:
 * the list, its parameters and exclusions are read, the elders' packed facts and what they
 * receive loaded, every item's rule compiled once and evaluated over the whole table
 * (rule_eval, 256 elders at a time), then compared with the set the latest run left
 * (entitle_state).  Written in one transaction per county: the worklist rows, the changes with
 * their rule version and deciding inputs, and the sets that changed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit/audit.h"
#include "core/idcard.h"
#include "core/jobs.h"
#include "core/json.h"
#include "core/log.h"
#include "entitle/entitle.h"
#include "entitle/entitle_int.h"
#include "entitle/facts.h"
#include "entitle/rule.h"

const char *const entrun_list_ids[ENTRUN_LISTS] = {"todo", "review", "dup", "gained", "lost"};
const char *const entrun_list_names[ENTRUN_LISTS] = {"待落实", "需核查", "重复享受", "新增符合",
    "不再符合"};

int
entrun_list_index(const char *id)
{
    for (int i = 0; id && i < ENTRUN_LISTS; i++)
        if (!strcmp(id, entrun_list_ids[i]))
            return i;
    return -1;
}

static const char *
sget(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

struct prev_map;

/* One county's evaluation. */
struct county {
    struct al_arena *a;
    const char *list;   /* the county code: its effective list */
    json_t *items;      /* the effective list on the date, bit k = item k */
    int ni;             /* items */
    const char **keys;  /* item keys */
    struct rule **rules;/* compiled rule of item k, NULL when it has none or it did not compile */
    int nex;
    int (*ex)[2];       /* exclusions as item bit pairs (both in the list) */
    struct rule_facts f;
    int w;              /* 64-bit words per row */
    uint64_t *ent;      /* entitled bits, row r at ent[r * w] */
    uint64_t *prev;     /* the set the latest run left */
    uint64_t *evalmask; /* items whose rule was evaluated */
    uint8_t *has_prev;  /* the elder had a state row */
    uint8_t *extra;     /* the state held items the list no longer has */
    int64_t nprev;
    struct prev_map *maps;
    int nmaps;
};

static int
key_bit(const struct county *c, const char *key, size_t len)
{
    for (int k = 0; k < c->ni; k++)
        if (strlen(c->keys[k]) == len && !memcmp(c->keys[k], key, len))
            return k;
    return -1;
}

static void
on_receiving(void *ctx, int64_t elder_id, const char *key)
{
    struct county *c = ctx;
    int64_t row = facts_find(&c->f, elder_id);
    int k = key ? key_bit(c, key, strlen(key)) : -1;
    if (row >= 0 && k >= 0)
        facts_set_receives(&c->f, (size_t)row, k);
}

/* How the bits of a set written by an earlier run map onto this run's items. */
struct prev_map {
    int64_t run_id;
    int bit[256]; /* the earlier run's bit → this run's bit, or -1 (an item no longer listed) */
};

/* RULE-ENT-061: the stored set is a bitset over the items its run evaluated (entitle_run_lists). */
static void
on_prev(void *ctx, int64_t elder_id, int64_t run_id, const char *bits)
{
    struct county *c = ctx;
    int64_t row = facts_find(&c->f, elder_id);
    if (row < 0)
        return;
    const struct prev_map *m = NULL;
    for (int i = 0; i < c->nmaps; i++)
        if (c->maps[i].run_id == run_id)
            m = &c->maps[i];
    c->has_prev[row] = 1;
    c->nprev++;
    uint64_t words[4] = {0};
    if (!m || entitle_bits_parse(bits, words, 4) != AL_OK) {
        c->extra[row] = 1; /* unreadable: written again */
        return;
    }
    for (int b = 0; b < 256; b++)
        if (words[b / 64] >> (b % 64) & 1) {
            int k = m->bit[b];
            if (k >= 0)
                c->prev[row * (size_t)c->w + (size_t)k / 64] |= 1ull << (k % 64);
            else
                c->extra[row] = 1;
        }
}

/* The maps of the earlier runs whose sets the county's elders hold. */
static int
load_maps(struct al_db *db, struct county *c, const char *like)
{
    json_t *runs = json_object();
    int rc = entrun_store_prev_runs(db, like, c->list, runs);
    c->maps = al_arena_calloc(c->a, sizeof(*c->maps) * (json_object_size(runs) + 1));
    const char *key;
    json_t *items;
    json_object_foreach(runs, key, items)
    {
        struct prev_map *m = &c->maps[c->nmaps++];
        m->run_id = strtoll(key, NULL, 10);
        for (int b = 0; b < 256; b++) {
            const char *k = b < (int)json_array_size(items)
                                ? sget(json_array_get(items, (size_t)b), "item_key") : NULL;
            m->bit[b] = k ? key_bit(c, k, strlen(k)) : -1;
        }
    }
    json_decref(runs);
    return rc;
}

/* The set bits of `bits` as hex, or NULL when none (`empty`: "" then). */
static const char *
bits_text(const struct county *c, const uint64_t *bits, char *buf, bool empty)
{
    bool any = false;
    for (int i = 0; i < c->w; i++)
        any |= bits[i] != 0;
    if (!any && !empty)
        return NULL;
    entitle_bits_format(bits, c->w, buf);
    return buf;
}

static void
collect_sentences(const struct rule_xnode *x, json_t *out)
{
    if (!x)
        return;
    if (x->kind == RULE_X_COND && x->sentence)
        json_array_append_new(out, json_string(x->sentence));
    for (int i = 0; i < x->nkids; i++)
        collect_sentences(x->kids[i], out);
}

/* RULE-ENT-062: the deciding inputs of item k for row r: each condition's sentence, with the
 * elder's value and the threshold in force, as JSON text in `a`. */
static const char *
deciding_inputs(struct al_arena *a, const struct county *c, int k, size_t row)
{
    struct rule_explanation x;
    rule_explain(a, c->rules[k], &c->f, row, &x);
    json_t *conds = json_array(), *missing = json_array();
    collect_sentences(x.root, conds);
    for (int i = 0; i < x.nmissing; i++)
        json_array_append_new(missing, json_string(x.missing[i]));
    json_t *o = json_pack("{s:b, s:o, s:o}", "eligible", x.eligible, "conditions", conds,
        "missing", missing);
    const char *out = al_json_dump(a, o, NULL);
    json_decref(o);
    return out;
}

/* The county's list, parameters and exclusions on `date`; rules compiled (failures noted). */
static int
county_list(struct al_db *db, struct county *c, const char *date, json_t *skipped)
{
    char chain[ENT_LEVELS][13];
    int n;
    if (entitle_chain(c->list, chain, &n) != AL_OK)
        return AL_EINVAL;
    json_t *entries = json_array(), *params = json_array(), *excl = json_array();
    int rc = entitle_store_entries(db, chain, n, date, 0, entries);
    if (rc == AL_OK)
        rc = entitle_store_params(db, chain, n, params);
    if (rc == AL_OK)
        rc = entitle_store_exclusions(db, chain, n, excl);
    if (rc != AL_OK)
        goto out;
    c->items = entitle_merge(c->a, entries, c->list, date);
    c->ni = (int)json_array_size(c->items);
    c->keys = al_arena_calloc(c->a, sizeof(*c->keys) * (size_t)(c->ni + 1));
    c->rules = al_arena_calloc(c->a, sizeof(*c->rules) * (size_t)(c->ni + 1));
    for (int k = 0; k < c->ni; k++)
        c->keys[k] = sget(json_array_get(c->items, (size_t)k), "item_key");
    for (int k = 0; k < c->ni; k++) {
        const json_t *it = json_array_get(c->items, (size_t)k);
        const char *text = sget(it, "rule_text");
        struct rule_error err;
        if (!text || !*text) {
            json_array_append_new(skipped, json_pack("{s:s, s:s, s:s}", "list_region", c->list,
                                               "item_key", c->keys[k], "error", "该项目尚未设定认定规则"));
            continue;
        }
        /* RULE-ENT-060: compiled once per run and list, at the run's date. */
        if (entitle_rule_compile(c->a, text, c->list, date, params, c->items, &c->rules[k], &err)) {
            c->rules[k] = NULL;
            json_array_append_new(skipped, json_pack("{s:s, s:s, s:s}", "list_region", c->list,
                                               "item_key", c->keys[k], "error", err.message));
        }
    }
    c->ex = al_arena_calloc(c->a, sizeof(*c->ex) * (json_array_size(excl) + 1));
    size_t i;
    json_t *e;
    json_array_foreach(excl, i, e)
    {
        const char *ka = sget(e, "item_a"), *kb = sget(e, "item_b");
        int a = ka ? key_bit(c, ka, strlen(ka)) : -1, b = kb ? key_bit(c, kb, strlen(kb)) : -1;
        if (a >= 0 && b >= 0) {
            c->ex[c->nex][0] = a;
            c->ex[c->nex][1] = b;
            c->nex++;
        }
    }
out:
    json_decref(entries);
    json_decref(params);
    json_decref(excl);
    return rc;
}

/* Every compiled rule over every row into c->ent; items not evaluated keep the previous bit. */
static void
county_eval(struct county *c, int64_t *evaluations)
{
    size_t n = c->f.n, words = (n + 63) / 64;
    uint64_t *tmp = al_arena_calloc(c->a, (words ? words : 1) * sizeof(uint64_t));
    for (int k = 0; k < c->ni; k++) {
        size_t wk = (size_t)k / 64;
        uint64_t bit = 1ull << (k % 64);
        if (!c->rules[k]) {
            /* RULE-ENT-063: an item whose rule is missing or broken changes nobody's set. */
            for (size_t r = 0; r < n; r++)
                c->ent[r * (size_t)c->w + wk] |= c->prev[r * (size_t)c->w + wk] & bit;
            continue;
        }
        c->evalmask[wk] |= bit;
        rule_eval(c->rules[k], &c->f, 0, n, tmp);
        *evaluations += (int64_t)n;
        for (size_t r = 0; r < n; r++)
            if (tmp[r / 64] >> (r % 64) & 1)
                c->ent[r * (size_t)c->w + wk] |= bit;
    }
}

/* The five lists of row r (RULE-ENT-064) into lists[5][w]; true when any is not empty. */
static bool
row_lists(const struct county *c, size_t r, bool record, uint64_t lists[ENTRUN_LISTS][4])
{
    const uint64_t *e = c->ent + r * (size_t)c->w, *p = c->prev + r * (size_t)c->w;
    const uint64_t *recv = c->f.receives + r * (size_t)c->f.item_words;
    bool any = false;
    for (int i = 0; i < c->w; i++) {
        lists[0][i] = e[i] & ~recv[i] & c->evalmask[i];
        lists[1][i] = recv[i] & ~e[i] & c->evalmask[i];
        lists[2][i] = 0;
        lists[3][i] = record ? e[i] & ~p[i] : 0;
        lists[4][i] = record ? p[i] & ~e[i] : 0;
    }
    for (int x = 0; x < c->nex; x++) {
        int a = c->ex[x][0], b = c->ex[x][1];
        if ((recv[a / 64] >> (a % 64) & 1) && (recv[b / 64] >> (b % 64) & 1)) {
            lists[2][a / 64] |= 1ull << (a % 64);
            lists[2][b / 64] |= 1ull << (b % 64);
        }
    }
    for (int l = 0; l < ENTRUN_LISTS; l++)
        for (int i = 0; i < c->w; i++)
            any |= lists[l][i] != 0;
    return any;
}

/* The items of the list as the run evaluated them (JSON text): what its bits mean. */
static const char *
list_items_text(const struct county *c)
{
    json_t *arr = json_array();
    for (int k = 0; k < c->ni; k++) {
        const json_t *it = json_array_get(c->items, (size_t)k);
        json_array_append_new(arr, json_pack("{s:s, s:s?, s:O?, s:b}", "item_key", c->keys[k],
                                       "name", sget(it, "name"), "rule_version",
                                       json_object_get(it, "rule_version"), "evaluated",
                                       c->rules[k] != NULL));
    }
    const char *out = al_json_dump(c->a, arr, NULL);
    json_decref(arr);
    return out;
}

/* Rows ordered by (region, id): the worklist's key, so its rows are appended, never inserted
 * between others.  `ctx` is the facts (qsort_r: several job threads may sort at once). */
static int
cmp_region_id(const void *x, const void *y, void *ctx)
{
    size_t a = *(const size_t *)x, b = *(const size_t *)y;
    const struct rule_facts *f = ctx;
    if (f->region[a] != f->region[b])
        return f->region[a] < f->region[b] ? -1 : 1;
    return (f->id[a] > f->id[b]) - (f->id[a] < f->id[b]);
}

static int
write_work(struct al_db *db, struct county *c, int64_t run_id, bool record,
    struct entrun_counts *n)
{
    size_t *order = al_arena_alloc(c->a, sizeof(size_t) * (c->f.n ? c->f.n : 1));
    for (size_t r = 0; r < c->f.n; r++)
        order[r] = r;
    qsort_r(order, c->f.n, sizeof(size_t), cmp_region_id, &c->f);
    struct al_copy *cp = NULL;
    int rc = entrun_store_work_begin(db, &cp);
    char region[16], buf[ENTRUN_LISTS][ENTITLE_BITS_TEXT];
    int64_t *const counts[3] = {&n->todo, &n->review, &n->dup}; /* elders on each list */
    for (size_t i = 0; rc == AL_OK && i < c->f.n; i++) {
        size_t r = order[i];
        uint64_t lists[ENTRUN_LISTS][4];
        if (!row_lists(c, r, record, lists))
            continue;
        snprintf(region, sizeof(region), "%012lld", (long long)c->f.region[r]);
        al_copy_int(cp, run_id);
        al_copy_int(cp, c->f.id[r]);
        al_copy_text(cp, region);
        for (int l = 0; l < ENTRUN_LISTS; l++) {
            const char *t = bits_text(c, lists[l], buf[l], false);
            al_copy_text(cp, t);
            if (t && l < 3)
                (*counts[l])++;
        }
        rc = al_copy_row(cp);
    }
    return al_copy_end(cp, rc);
}

static int
write_diffs(struct al_db *db, struct county *c, int64_t run_id, struct entrun_counts *n)
{
    struct al_copy *cp = NULL;
    int rc = entrun_store_diffs_begin(db, &cp);
    char region[16];
    struct al_arena scratch;
    al_arena_init(&scratch, 4096);
    for (size_t r = 0; rc == AL_OK && r < c->f.n; r++) {
        const uint64_t *e = c->ent + r * (size_t)c->w, *p = c->prev + r * (size_t)c->w;
        for (int k = 0; rc == AL_OK && k < c->ni; k++) {
            bool now = e[k / 64] >> (k % 64) & 1, before = p[k / 64] >> (k % 64) & 1;
            if (now == before || !c->rules[k])
                continue;
            const json_t *it = json_array_get(c->items, (size_t)k);
            snprintf(region, sizeof(region), "%012lld", (long long)c->f.region[r]);
            al_copy_int(cp, run_id);
            al_copy_int(cp, c->f.id[r]);
            al_copy_text(cp, region);
            al_copy_text(cp, c->keys[k]);
            al_copy_int(cp, now);
            al_copy_int(cp, json_integer_value(json_object_get(it, "rule_version")));
            al_copy_text(cp, rule_text(c->rules[k]));
            al_copy_text(cp, deciding_inputs(&scratch, c, k, r));
            rc = al_copy_row(cp);
            *(now ? &n->gained : &n->lost) += 1;
            al_arena_reset(&scratch);
        }
    }
    al_arena_fini(&scratch);
    return al_copy_end(cp, rc);
}

static int
write_state(struct al_db *db, struct county *c, int64_t run_id)
{
    char region[16], buf[ENTITLE_BITS_TEXT];
    int rc = AL_OK;
    for (size_t r = 0; rc == AL_OK && r < c->f.n; r++) {
        const uint64_t *e = c->ent + r * (size_t)c->w, *p = c->prev + r * (size_t)c->w;
        bool same = c->has_prev[r] && !c->extra[r];
        for (int i = 0; same && i < c->w; i++)
            same = e[i] == p[i];
        if (same)
            continue; /* RULE-ENT-061: only a set that changed is written again */
        snprintf(region, sizeof(region), "%012lld", (long long)c->f.region[r]);
        rc = entrun_store_state_put(db, c->f.id[r], region, c->list, bits_text(c, e, buf, true),
            run_id);
    }
    return rc;
}

static void *
xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size);
    if (!p)
        abort();
    return p;
}

struct timing {
    double load, eval, store;
};

static int
run_county(struct al_db *db, int64_t run_id, const char *list, const char *prefix,
    const char *date, json_t *skipped, struct entrun_counts *n, struct timing *t)
{
    struct al_arena a;
    al_arena_init(&a, 16384);
    struct county c = {.a = &a, .list = list};
    double t0 = al_mono_ms();
    int rc = county_list(db, &c, date, skipped);
    facts_init(&c.f, c.ni > 0 ? c.ni : 1);
    char like[16];
    snprintf(like, sizeof(like), "%s%%", prefix);
    if (rc == AL_OK)
        rc = facts_load(db, prefix, date, NULL, &c.f);
    c.w = c.f.item_words;
    if (c.w > 4) { /* 256 items: far beyond any list; refused rather than cut */
        al_error("entitle run: list %s has %d items, at most 256 supported", list, c.ni);
        rc = AL_EINTERNAL;
    }
    if (rc == AL_OK)
        rc = entrun_store_receiving(db, like, date, on_receiving, &c);
    size_t rows = c.f.n;
    c.ent = xcalloc(rows * (size_t)c.w, sizeof(uint64_t));
    c.prev = xcalloc(rows * (size_t)c.w, sizeof(uint64_t));
    c.evalmask = xcalloc((size_t)c.w, sizeof(uint64_t));
    c.has_prev = xcalloc(rows, 1);
    c.extra = xcalloc(rows, 1);
    if (rc == AL_OK)
        rc = load_maps(db, &c, like);
    if (rc == AL_OK)
        rc = entrun_store_prev(db, like, on_prev, &c);
    double t1 = al_mono_ms();
    t->load += t1 - t0;
    if (rc != AL_OK)
        goto out;
    county_eval(&c, &n->evaluations);
    double t2 = al_mono_ms();
    t->eval += t2 - t1;
    /* RULE-ENT-062: the first run over a county sets its baseline: no changes recorded. */
    bool record = c.nprev > 0;
    if (!record)
        n->baseline++;
    n->elders += (int64_t)rows;
    if ((rc = al_db_begin(db)) != AL_OK)
        goto out;
    rc = entrun_store_list_put(db, run_id, list, list_items_text(&c));
    if (rc == AL_OK)
        rc = write_work(db, &c, run_id, record, n);
    if (rc == AL_OK && record)
        rc = write_diffs(db, &c, run_id, n);
    if (rc == AL_OK)
        rc = write_state(db, &c, run_id);
    rc = al_db_end(db, rc);
    t->store += al_mono_ms() - t2;
out:
    free(c.ent);
    free(c.prev);
    free(c.evalmask);
    free(c.has_prev);
    free(c.extra);
    facts_fini(&c.f);
    json_decref(c.items);
    al_arena_fini(&a);
    return rc;
}

/* RULE-ENT-060: a region is "" (the whole country) or a code of 2, 4, 6, 9 or 12 digits. */
static bool
run_region_ok(const char *s)
{
    size_t n = strlen(s);
    return strspn(s, "0123456789") == n && (n == 0 || n == 2 || n == 4 || n == 6 || n == 9 ||
                                               n == 12);
}

int
entitle_run(struct al_db *db, const struct entitle_run_opts *o, json_t **result,
    struct al_errinfo *e)
{
    if (!run_region_ok(o->region))
        return al_fail(e, AL_EINVAL, "region_code", "区划代码应为 2、4、6、9 或 12 位数字");
    char today[11];
    const char *date = o->date;
    if (!date) {
        al_today_cst(today);
        date = today;
    } else if (!al_date_valid(date)) {
        return al_fail(e, AL_EINVAL, "date", "认定日期格式应为 YYYY-MM-DD");
    }
    double t0 = al_mono_ms();
    int64_t run_id = 0;
    int rc = entrun_store_start(db, o->region, date, o->username, (int64_t)time(NULL), &run_id);
    if (rc != AL_OK)
        return al_fail(e, rc, NULL, "享受资格认定失败：数据库错误");
    json_t *counties = json_array(), *skipped = json_array();
    struct entrun_counts n = {0};
    struct timing t = {0};
    if (strlen(o->region) >= 6)
        json_array_append_new(counties, json_stringn(o->region, 6));
    else
        rc = entrun_store_counties(db, o->region, counties);
    size_t i, total = json_array_size(counties);
    json_t *cty;
    json_array_foreach(counties, i, cty)
    {
        if (rc != AL_OK)
            break;
        if (o->job)
            al_job_progress(o->job, "认定中", (int64_t)i, (int64_t)total);
        const char *list = json_string_value(cty);
        rc = run_county(db, run_id, list, strlen(o->region) >= 6 ? o->region : list, date,
            skipped, &n, &t);
    }
    n.baseline = n.baseline == (int64_t)total; /* every county a baseline: the run is one */
    int64_t ms = (int64_t)(al_mono_ms() - t0);
    char *sk = al_json_dump_heap(skipped);
    int frc = entrun_store_finish(db, run_id, rc == AL_OK ? "done" : "failed", &n,
        sk ? sk : "[]", ms);
    free(sk);
    if (rc == AL_OK)
        rc = frc;
    if (rc == AL_OK) {
        /* RULE-ENT-066: a run is audited with what it found. */
        json_t *detail = json_pack("{s:s, s:I, s:I, s:I, s:I}", "on_date", date, "elders",
            (json_int_t)n.elders, "gained", (json_int_t)n.gained, "lost", (json_int_t)n.lost,
            "todo", (json_int_t)n.todo);
        char id[24];
        snprintf(id, sizeof(id), "%lld", (long long)run_id);
        struct audit_entry ae = {.action = "entitle.run", .target_type = "entitle_run",
            .target_id = id, .region_code = o->region, .outcome = "success", .detail = detail};
        rc = audit_append_as(db, o->user_id, o->username, o->client_ip, &ae);
        json_decref(detail);
    }
    if (rc == AL_OK)
        *result = json_pack("{s:I, s:s, s:s, s:b, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:o, s:I,"
                            " s:{s:I, s:I, s:I}}",
            "run_id", (json_int_t)run_id, "region_code", o->region, "on_date", date, "baseline",
            (int)n.baseline, "elders", (json_int_t)n.elders, "evaluations",
            (json_int_t)n.evaluations, "gained", (json_int_t)n.gained, "lost", (json_int_t)n.lost,
            "todo", (json_int_t)n.todo, "review", (json_int_t)n.review, "dup", (json_int_t)n.dup,
            "skipped", json_incref(skipped), "duration_ms", (json_int_t)ms, "phases_ms", "load",
            (json_int_t)t.load, "eval", (json_int_t)t.eval, "store", (json_int_t)t.store);
    json_decref(counties);
    json_decref(skipped);
    if (rc != AL_OK)
        return al_fail(e, rc, NULL, "享受资格认定失败：数据库错误");
    return AL_OK;
}
