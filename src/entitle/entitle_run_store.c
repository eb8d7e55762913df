/*
 * The SQL of entitlement runs and their worklists (issue 12, RULE-ENT-060..069): one text for
 * SQLite and PostgreSQL.  Tables: sql/032_entitle_runs.sql.
 */
#include <stdio.h>
#include <string.h>

#include "core/dbq.h"
#include "entitle/entitle_int.h"
#include "region/region.h"

int
entrun_store_counties(struct al_db *db, const char *prefix, json_t *out)
{
    static const char sql[] =
        "SELECT DISTINCT substr(region_code, 1, 6) FROM elders"
        " WHERE status = 'active' AND region_code >= ?1 AND region_code < ?2 ORDER BY 1";
    char lo[16], hi[16];
    region_scope_bounds(prefix, lo, hi);
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_T(lo), AL_T(hi));
    int rc;
    while ((rc = al_stmt_step(st)) == AL_ROW)
        if (al_stmt_len(st, 0) == 6)
            json_array_append_new(out, json_string(al_stmt_text(st, 0)));
    return rc;
}

int
entrun_store_start(struct al_db *db, const char *region, const char *date, const char *by,
    int64_t now, int64_t *id)
{
    static const char sql[] = "INSERT INTO entitle_runs(region_code, on_date, created_by,"
                              " created_at) VALUES (?, ?, ?, ?) RETURNING id";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_T(region), AL_T(date), AL_T(by), AL_I(now));
    int rc = al_stmt_int64(st, id);
    return rc;
}

int
entrun_store_finish(struct al_db *db, int64_t id, const char *status,
    const struct entrun_counts *c, const char *skipped, int64_t duration_ms)
{
    static const char sql[] =
        "UPDATE entitle_runs SET status = ?, baseline = ?, elders = ?, evaluations = ?,"
        " gained = ?, lost = ?, todo = ?, review = ?, dup = ?, skipped = ?, duration_ms = ?"
        " WHERE id = ?";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_T(status), AL_I(c->baseline), AL_I(c->elders), AL_I(c->evaluations),
        AL_I(c->gained), AL_I(c->lost), AL_I(c->todo), AL_I(c->review), AL_I(c->dup),
        AL_T(skipped), AL_I(duration_ms), AL_I(id));
    return al_stmt_run(st);
}

int
entrun_store_receiving(struct al_db *db, const char *like, const char *date,
    void (*fn)(void *ctx, int64_t elder_id, const char *item_key), void *ctx)
{
    static const char sql[] =
        "SELECT b.elder_id, b.item_key FROM entitle_benefits b JOIN elders e ON e.id = b.elder_id"
        " WHERE e.status = 'active' AND e.region_code LIKE ?1 AND b.from_date <= ?2"
        " AND (b.until_date IS NULL OR b.until_date >= ?2)";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_T(like), AL_T(date));
    int rc;
    while ((rc = al_stmt_step(st)) == AL_ROW)
        fn(ctx, al_stmt_int(st, 0), al_stmt_text(st, 1));
    return rc;
}

int
entrun_store_prev(struct al_db *db, const char *like,
    void (*fn)(void *ctx, int64_t elder_id, int64_t run_id, const char *bits), void *ctx)
{
    /* RULE-ENT-061: the set as the latest run over the elder's place left it.  An elder who
     * moved in from another county has none here: new to this county's list. */
    static const char sql[] =
        "SELECT elder_id, run_id, entitled FROM entitle_state WHERE region_code LIKE ?1";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_T(like));
    int rc;
    while ((rc = al_stmt_step(st)) == AL_ROW)
        fn(ctx, al_stmt_int(st, 0), al_stmt_int(st, 1), al_stmt_text(st, 2));
    return rc;
}

int
entrun_store_prev_runs(struct al_db *db, const char *like, const char *list, json_t *out)
{
    static const char sql[] =
        "SELECT run_id, items FROM entitle_run_lists WHERE list_region = ?2 AND run_id IN"
        " (SELECT DISTINCT run_id FROM entitle_state WHERE region_code LIKE ?1)";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_T(like), AL_T(list));
    int rc;
    while ((rc = al_stmt_step(st)) == AL_ROW) {
        char id[24];
        snprintf(id, sizeof(id), "%lld", (long long)al_stmt_int(st, 0));
        json_t *items = json_loads(al_stmt_text(st, 1), 0, NULL);
        json_object_set_new(out, id, items ? items : json_array());
    }
    return rc;
}

int
entrun_store_list_put(struct al_db *db, int64_t run_id, const char *list, const char *items)
{
    static const char sql[] =
        "INSERT INTO entitle_run_lists(run_id, list_region, items) VALUES (?, ?, ?)";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_I(run_id), AL_T(list), AL_T(items));
    return al_stmt_run(st);
}

int
entrun_store_state_put(struct al_db *db, int64_t elder_id, const char *region, const char *list,
    const char *entitled, int64_t run_id)
{
    static const char sql[] =
        "INSERT INTO entitle_state(elder_id, region_code, list_region, entitled, run_id)"
        " VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (elder_id) DO UPDATE SET"
        " region_code = excluded.region_code, list_region = excluded.list_region,"
        " entitled = excluded.entitled, run_id = excluded.run_id";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_I(elder_id), AL_T(region), AL_T(list), AL_T(entitled), AL_I(run_id));
    return al_stmt_run(st);
}

int
entrun_store_work_begin(struct al_db *db, struct al_copy **cp)
{
    return al_db_copy_begin(db, "entitle_work",
        "run_id, elder_id, region_code, todo, review, dup, gained, lost", cp);
}

int
entrun_store_diffs_begin(struct al_db *db, struct al_copy **cp)
{
    return al_db_copy_begin(db, "entitle_diffs",
        "run_id, elder_id, region_code, item_key, gained, rule_version, rule_text, inputs", cp);
}

/* ---- reading runs and worklists ---- */

#define RUN_COLS                                                                               \
    "r.id, r.region_code, r.on_date, r.status, r.baseline, r.elders, r.evaluations, r.gained,"  \
    " r.lost, r.todo, r.review, r.dup, r.skipped, r.duration_ms, r.created_by, r.created_at"
static const struct al_col run_cols[] = {AL_COL(0, "id", AL_COL_INT),
    AL_COL(1, "region_code", AL_COL_TEXT), AL_COL(2, "on_date", AL_COL_TEXT),
    AL_COL(3, "status", AL_COL_TEXT), AL_COL(4, "baseline", AL_COL_BOOL),
    AL_COL(5, "elders", AL_COL_INT), AL_COL(6, "evaluations", AL_COL_INT),
    AL_COL(7, "gained", AL_COL_INT), AL_COL(8, "lost", AL_COL_INT), AL_COL(9, "todo", AL_COL_INT),
    AL_COL(10, "review", AL_COL_INT), AL_COL(11, "dup", AL_COL_INT),
    AL_COL(12, "skipped", AL_COL_JSON), AL_COL(13, "duration_ms", AL_COL_INT),
    AL_COL(14, "created_by", AL_COL_TEXT), AL_COL(15, "created_at", AL_COL_TIME), AL_COL_END};

int
entrun_store_runs(struct al_db *db, struct al_arena *a, const char *scope, int64_t limit,
    int64_t offset, json_t *items, int64_t *total)
{
    /* RULE-ENT-065: runs over the caller's region or a region inside it, or over a region
     * containing it (their worklists are then read within the caller's region). */
    struct al_params p;
    al_params_init(&p, a);
    const char *lo = region_params(&p, scope);
    (void)lo;
    const char *where = al_arena_printf(a,
        " WHERE (r.region_code >= ?1 AND r.region_code < ?2) OR substr(%s, 1, length(r.region_code))"
        " = r.region_code",
        al_param_text(&p, scope));
    static const struct al_page_sql sql = {
        .cols = RUN_COLS, .from = " FROM entitle_runs r", .order = " ORDER BY r.id DESC"};
    return al_db_page(db, &p, &sql, where, limit, offset, &(struct al_rows){.cols = run_cols},
        items, total);
}

int
entrun_store_run(struct al_db *db, struct al_arena *a, int64_t id, json_t **out)
{
    static const char sql[] = "SELECT " RUN_COLS " FROM entitle_runs r WHERE r.id = ?";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_I(id));
    int rc = al_stmt_one(st);
    if (rc == AL_OK) {
        *out = al_row_json(&(struct al_row_ctx){.a = a}, st, run_cols);
        al_stmt_reset(st);
    }
    return rc;
}

int
entrun_store_lists(struct al_db *db, int64_t run_id, json_t *out)
{
    static const char sql[] =
        "SELECT list_region, items FROM entitle_run_lists WHERE run_id = ? ORDER BY list_region";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_I(run_id));
    int rc;
    while ((rc = al_stmt_step(st)) == AL_ROW) {
        json_t *items = json_loads(al_stmt_text(st, 1), 0, NULL);
        json_object_set_new(out, al_stmt_text(st, 0), items ? items : json_array());
    }
    return rc;
}

/* The worklist columns, in entrun_list_ids order. */
static const char *const work_cols[ENTRUN_LISTS] = {"w.todo", "w.review", "w.dup", "w.gained",
    "w.lost"};

#define WORK_COLS                                                                              \
    "w.elder_id, e.name, e.sex, e.birth_date, e.id_masked, e.phone, w.region_code,"            \
    " coalesce(g.name, ''), e.address, e.status, w.todo, w.review, w.dup, w.gained, w.lost"
#define WORK_FROM                                                                              \
    " FROM entitle_work w JOIN elders e ON e.id = w.elder_id"                                  \
    " LEFT JOIN regions g ON g.code = w.region_code"

static const char *
work_where(struct al_params *p, struct al_arena *a, int64_t run_id, int list, const char *scope)
{
    const char *run = al_param_int(p, run_id);
    const char *lo = region_params(p, scope);
    (void)lo;
    return al_arena_printf(a,
        " WHERE w.run_id = %s AND w.region_code >= ?2 AND w.region_code < ?3 AND %s IS NOT NULL",
        run, work_cols[list]);
}

int
entrun_store_work(struct al_db *db, struct al_arena *a, int64_t run_id, int list,
    const char *scope, int64_t limit, int64_t offset,
    json_t *(*row)(const struct al_row_ctx *c, struct al_stmt *st), const void *user,
    json_t *items, int64_t *total)
{
    struct al_params p;
    al_params_init(&p, a);
    const char *where = work_where(&p, a, run_id, list, scope);
    static const struct al_page_sql sql = {
        .cols = WORK_COLS, .from = WORK_FROM, .order = " ORDER BY w.region_code, w.elder_id"};
    return al_db_page(db, &p, &sql, where, limit, offset,
        &(struct al_rows){.row = row, .user = user}, items, total);
}

int
entrun_store_work_each(struct al_db *db, struct al_arena *a, int64_t run_id, int list,
    const char *scope, int (*fn)(void *ctx, struct al_stmt *st), void *ctx)
{
    struct al_params p;
    al_params_init(&p, a);
    const char *where = work_where(&p, a, run_id, list, scope);
    struct al_stmt *st = al_db_sql_text(db, al_arena_printf(a,
        "SELECT " WORK_COLS WORK_FROM "%s ORDER BY w.region_code, w.elder_id", where));
    al_params_bind(st, &p);
    int rc;
    while ((rc = al_stmt_step(st)) == AL_ROW)
        if (fn(ctx, st) != 0) {
            al_stmt_reset(st);
            return AL_EINTERNAL;
        }
    return rc;
}

int
entrun_store_diffs(struct al_db *db, int64_t elder_id, json_t *out)
{
    static const char sql[] =
        "SELECT d.run_id, r.on_date, d.item_key, d.gained, d.rule_version, d.rule_text, d.inputs"
        " FROM entitle_diffs d JOIN entitle_runs r ON r.id = d.run_id"
        " WHERE d.elder_id = ? ORDER BY d.run_id DESC, d.id";
    static const struct al_col cols[] = {AL_COL(0, "run_id", AL_COL_INT),
        AL_COL(1, "on_date", AL_COL_TEXT), AL_COL(2, "item_key", AL_COL_TEXT),
        AL_COL(3, "gained", AL_COL_BOOL), AL_COL(4, "rule_version", AL_COL_INT),
        AL_COL(5, "rule_text", AL_COL_TEXT), AL_COL(6, "inputs", AL_COL_JSON), AL_COL_END};
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_I(elder_id));
    struct al_arena a;
    al_arena_init(&a, 256);
    int rc = al_db_rows(st, &a, &(struct al_rows){.cols = cols}, out);
    al_arena_fini(&a);
    return rc;
}
