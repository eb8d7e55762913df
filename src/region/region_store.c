#include <stdlib.h>
#include <string.h>

#include "core/csv.h"
#include "core/dbq.h"
#include "core/embed.h"
#include "core/log.h"
#include "core/set64.h"
#include "region/region.h"
#include "region/region_int.h"

const char *
region_params(struct al_params *p, const char *scope)
{
    char *lo = NULL, *hi = NULL;
    if (scope) {
        lo = al_arena_alloc(p->a, 16);
        hi = al_arena_alloc(p->a, 16);
        region_scope_bounds(scope, lo, hi);
    }
    const char *mark = al_param_text(p, lo);
    al_param_text(p, hi);
    return mark;
}

static const char sql_name[] = "SELECT name FROM regions WHERE code = ?";

const char *
region_name(struct al_db *db, struct al_arena *a, const char *code)
{
    if (!code)
        return NULL;
    if (!*code)
        return al_arena_strdup(a, "全国");
    struct al_stmt *st = al_db_sql(db, sql_name);
    if (!st)
        return NULL;
    al_stmt_bind_text(st, 1, code);
    const char *name = NULL;
    if (al_stmt_one(st) == AL_OK)
        name = al_stmt_dup(a, st, 0);
    al_stmt_reset(st);
    return name;
}

/* A region from a row of (code, name, level, has children[, parent]). */
static const struct al_col region_cols[] = {AL_COL(0, "code", AL_COL_TEXT),
    AL_COL(1, "name", AL_COL_TEXT), AL_COL(2, "level", AL_COL_INT),
    AL_COL(3, "has_children", AL_COL_BOOL), AL_COL_END};

static const char sql_children[] =
    "SELECT r.code, r.name, r.level,"
    " EXISTS (SELECT 1 FROM regions c WHERE c.parent_code = r.code)"
    " FROM regions r WHERE r.parent_code = ?1 ORDER BY r.code";
static const char sql_provinces[] =
    "SELECT r.code, r.name, r.level,"
    " EXISTS (SELECT 1 FROM regions c WHERE c.parent_code = r.code)"
    " FROM regions r WHERE r.level = 1 ORDER BY r.code";

int
region_store_children(struct al_db *db, const char *parent, const char *only_prefix_of,
    json_t *items)
{
    struct al_stmt *st = al_db_sql(db, *parent ? sql_children : sql_provinces);
    if (!st)
        return AL_EDB;
    if (*parent)
        al_stmt_bind_text(st, 1, parent);
    int rc;
    while ((rc = al_stmt_step(st)) == AL_ROW) {
        const char *code = al_stmt_text(st, 0);
        if (only_prefix_of && strncmp(code, only_prefix_of, strlen(code)) != 0)
            continue;
        json_array_append_new(items, al_row_json(&(struct al_row_ctx){NULL, NULL}, st, region_cols));
    }
    return rc;
}

static const char sql_get[] =
    "SELECT r.code, r.name, r.level,"
    " EXISTS (SELECT 1 FROM regions c WHERE c.parent_code = r.code), r.parent_code"
    " FROM regions r WHERE r.code = ?";

int
region_store_get(struct al_db *db, const char *code, json_t **out)
{
    struct al_stmt *st = al_db_sql(db, sql_get);
    if (!st)
        return AL_EDB;
    al_stmt_bind_text(st, 1, code);
    int rc = al_stmt_one(st);
    if (rc != AL_OK)
        return rc;
    static const struct al_col parent[] = {AL_COL(4, "parent", AL_COL_TEXT), AL_COL_END};
    struct al_row_ctx c = {NULL, NULL};
    *out = al_row_into(al_row_json(&c, st, region_cols), &c, st, parent);
    al_stmt_reset(st);
    return AL_OK;
}

/* ---- loading the embedded tables ---- */

/*
 * One embedded file's rows into the bulk load `cp` (RULE-DB-023): COPY on
 * PostgreSQL, prepared INSERTs on SQLite.  A code met before (in `seen`) is
 * skipped, as ON CONFLICT DO NOTHING did when rows were inserted one by one
 * (COPY has no ON CONFLICT).
 */
static int
load_file(struct al_copy *cp, struct al_set64 *seen, const char *name)
{
    const struct al_embedded *f = al_embedded_find(name);
    if (!f) {
        al_error("embedded file %s missing", name);
        return AL_EDB;
    }
    struct al_arena a;
    al_arena_init(&a, 1 << 16);
    struct al_csv c;
    al_csv_init(&c, (const char *)f->data, f->len);
    struct al_str fld[8];
    int n, rc = AL_OK, r;
    bool header = true;
    while (rc == AL_OK && (r = al_csv_read(&c, &a, fld, 8, &n)) == 1) {
        if (header) {
            header = false;
            continue;
        }
        if (n < 2)
            continue;
        char code[16], parent[16];
        if (fld[0].len >= sizeof(code))
            continue;
        memcpy(code, fld[0].p, fld[0].len);
        code[fld[0].len] = '\0';
        int level = region_level(code);
        static const size_t parent_len[] = {0, 0, 2, 4, 6, 9};
        /* The code's digits and its length: "52" and "0052" stay apart. */
        if (!level || !al_set64_add(seen, strtoull(code, NULL, 10) * 16 + fld[0].len))
            continue;
        memcpy(parent, code, parent_len[level]);
        parent[parent_len[level]] = '\0';
        al_copy_text(cp, code);
        al_copy_textn(cp, fld[1].p, fld[1].len);
        al_copy_int(cp, level);
        al_copy_text(cp, level > 1 ? parent : NULL);
        al_copy_int(cp, 2023);
        rc = al_copy_row(cp);
        al_arena_reset(&a);
    }
    al_arena_fini(&a);
    return rc;
}

int
region_load_embedded(struct al_db *db)
{
    int64_t count = 0;
    if (al_db_count(db, "SELECT count(*) FROM regions", NULL, &count) != AL_OK)
        return AL_EDB;
    if (count > 0)
        return AL_OK;
    static const char *files[] = {"data/regions/provinces.csv", "data/regions/cities.csv",
        "data/regions/areas.csv", "data/regions/streets.csv", "data/regions/villages-520327.csv"};
    struct al_set64 seen;
    al_set64_init(&seen);
    struct al_copy *cp = NULL;
    int rc = al_db_begin(db);
    if (rc == AL_OK)
        rc = al_db_copy_begin(db, "regions", "code, name, level, parent_code, edition", &cp);
    for (size_t i = 0; rc == AL_OK && i < sizeof(files) / sizeof(files[0]); i++)
        rc = load_file(cp, &seen, files[i]);
    if (cp)
        rc = al_copy_end(cp, rc);
    rc = al_db_end(db, rc);
    al_set64_fini(&seen);
    /*
     * Another server starting on the same database loaded them meanwhile: its
     * rows, committed first, refuse ours (COPY has no ON CONFLICT).  Theirs stay.
     */
    if (rc == AL_ECONFLICT &&
        al_db_count(db, "SELECT count(*) FROM regions", NULL, &count) == AL_OK && count > 0)
        return AL_OK;
    if (rc == AL_OK) {
        al_db_count(db, "SELECT count(*) FROM regions", NULL, &count);
        al_info("loaded %lld regions (edition 2023)", (long long)count);
    }
    return rc;
}
