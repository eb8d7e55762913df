/* The identify module's SQL: set-based, one statement per list. */
#include <string.h>
#include <time.h>

#include "core/idcard.h"
#include "core/json.h"
#include "identify/identify_int.h"
#include "region/region.h"

/* Run a list statement; parameters it does not use are simply not bound. */
static int
exec_bound(struct al_db *db, const char *sql, int64_t run_id, const char *special_json,
    int64_t extra)
{
    sqlite3_stmt *st = al_db_stmt(db, sql);
    if (!st)
        return AL_EDB;
    sqlite3_bind_int64(st, 1, run_id);
    al_db_bind_text(st, 2, special_json);
    sqlite3_bind_int64(st, 3, extra);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return al_db_check(db, rc);
}

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

#define SPECIAL_NOW                                                                            \
    "EXISTS (SELECT 1 FROM elder_categories c WHERE c.elder_id = e.id"                         \
    " AND c.category IN (SELECT value FROM json_each(?2)))"
#define CATS_NOW                                                                               \
    "coalesce((SELECT group_concat(category, ',') FROM (SELECT category FROM elder_categories c" \
    " WHERE c.elder_id = e.id ORDER BY category)), '')"

/* RULE-IDENT-001: active elders in special difficulty now who were not at the last run. */
static const char sql_new_special[] =
    "INSERT INTO identify_items(run_id, list, elder_id, detail)"
    " SELECT ?1, 'new_special', e.id, " CATS_NOW " FROM elders e"
    " WHERE e.status = 'active' AND e.special_flag = 0 AND " SPECIAL_NOW "";
/* RULE-IDENT-005: categories that changed since the last run (old → new). */
static const char sql_changed[] =
    "INSERT INTO identify_items(run_id, list, elder_id, detail)"
    " SELECT ?1, 'changed', id, json_array(cat_snapshot, now) FROM"
    " (SELECT e.id, e.cat_snapshot, " CATS_NOW " AS now FROM elders e)"
    " WHERE now != cat_snapshot";
/* The snapshot the next run compares with. */
static const char sql_snapshot[] =
    "UPDATE elders AS e SET special_flag = " SPECIAL_NOW ", cat_snapshot = " CATS_NOW
    " WHERE (special_flag != " SPECIAL_NOW " OR cat_snapshot != " CATS_NOW ") AND ?1 > 0";
/* RULE-IDENT-002: dead or moved out, yet still entitled (special categories or an open roll). */
static const char sql_inactive[] =
    "INSERT INTO identify_items(run_id, list, elder_id, detail)"
    " SELECT ?1, 'inactive_in_service', e.id, e.status || ' ' || coalesce(e.status_date, '')"
    " FROM elders e WHERE e.status IN ('deceased', 'moved_out')"
    " AND (e.economic_status != 'general' OR " SPECIAL_NOW ")";
/* RULE-IDENT-003: active elders absent from the latest committed household import. */
static const char sql_missing[] =
    "INSERT INTO identify_items(run_id, list, elder_id, detail)"
    " SELECT ?1, 'missing_hukou', e.id, 'import:' || ?3 FROM elders e"
    " WHERE ?3 > 0 AND e.status = 'active' AND coalesce(e.last_hukou_import, 0) != ?3";
/* RULE-IDENT-004: the same person twice: same name, sex, birth date and county. */
static const char sql_duplicates[] =
    "INSERT INTO identify_items(run_id, list, elder_id, detail)"
    " SELECT ?1, 'duplicates', e.id, group_concat(o.id) FROM elders e JOIN elders o"
    " ON o.name = e.name AND o.birth_date = e.birth_date AND o.sex = e.sex AND o.id != e.id"
    " AND substr(o.region_code, 1, 6) = substr(e.region_code, 1, 6)"
    " WHERE e.status = 'active' AND o.status = 'active'"
    " GROUP BY e.id";

int
identify_store_lists(struct al_db *db, int64_t run_id, bool baseline, const char *special_json,
    int64_t counts[5])
{
    int64_t last_hukou = 0;
    int rc = al_db_count(db, "SELECT coalesce(max(id), 0) FROM imports WHERE kind = 'hukou'"
                             " AND status = 'committed'", NULL, &last_hukou);
    if (rc == AL_OK && !baseline)
        rc = exec_bound(db, sql_new_special, run_id, special_json, 0);
    if (rc == AL_OK && !baseline)
        rc = exec_bound(db, sql_changed, run_id, special_json, 0);
    if (rc == AL_OK)
        rc = exec_bound(db, sql_snapshot, run_id, special_json, 0);
    if (rc == AL_OK)
        rc = exec_bound(db, sql_inactive, run_id, special_json, 0);
    if (rc == AL_OK)
        rc = exec_bound(db, sql_missing, run_id, special_json, last_hukou);
    if (rc == AL_OK)
        rc = exec_bound(db, sql_duplicates, run_id, special_json, 0);
    static const char sql_count[] =
        "SELECT list, count(*) FROM identify_items WHERE run_id = ? GROUP BY list";
    sqlite3_stmt *st = rc == AL_OK ? al_db_stmt(db, sql_count) : NULL;
    if (rc == AL_OK && !st)
        rc = AL_EDB;
    if (rc != AL_OK)
        return rc;
    for (int i = 0; i < 5; i++)
        counts[i] = 0;
    sqlite3_bind_int64(st, 1, run_id);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int i = identify_list_index((const char *)sqlite3_column_text(st, 0));
        if (i >= 0)
            counts[i] = sqlite3_column_int64(st, 1);
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? AL_OK : al_db_check(db, rc);
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

int
identify_store_runs(struct al_db *db, struct al_arena *a, json_t *items)
{
    static const char sql[] = "SELECT id, at, username, baseline, scanned, recomputed,"
                              " duration_ms, counts FROM identify_runs ORDER BY id DESC LIMIT 50";
    sqlite3_stmt *st = al_db_stmt(db, sql);
    if (!st)
        return AL_EDB;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        json_t *counts = json_loads((const char *)sqlite3_column_text(st, 7), 0, NULL);
        json_array_append_new(items,
            json_pack("{s:I, s:s, s:s?, s:b, s:I, s:I, s:I, s:o}", "id",
                (json_int_t)sqlite3_column_int64(st, 0), "at",
                al_json_time(a, sqlite3_column_int64(st, 1)), "username",
                sqlite3_column_text(st, 2), "baseline", sqlite3_column_int(st, 3), "scanned",
                (json_int_t)sqlite3_column_int64(st, 4), "recomputed",
                (json_int_t)sqlite3_column_int64(st, 5), "duration_ms",
                (json_int_t)sqlite3_column_int64(st, 6), "counts",
                counts ? counts : json_object()));
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? AL_OK : al_db_check(db, rc);
}

int
identify_store_items(struct al_db *db, struct al_arena *a, int64_t run_id, const char *list,
    const char *scope, int64_t limit, int64_t offset, json_t *items, int64_t *total)
{
    static const char sql_count[] =
        "SELECT count(*) FROM identify_items i JOIN elders e ON e.id = i.elder_id"
        " WHERE i.run_id = ?1 AND i.list = ?2 AND e.region_code >= ?3 AND e.region_code < ?4";
    static const char sql_page[] =
        "SELECT e.id, e.name, e.sex, e.birth_date, e.id_masked, e.phone, e.region_code, g.name,"
        " e.address, e.status, i.detail"
        " FROM identify_items i JOIN elders e ON e.id = i.elder_id"
        " LEFT JOIN regions g ON g.code = e.region_code"
        " WHERE i.run_id = ?1 AND i.list = ?2 AND e.region_code >= ?3 AND e.region_code < ?4"
        " ORDER BY e.region_code, e.id LIMIT ?5 OFFSET ?6";
    char lo[16], hi[16];
    region_scope_bounds(scope, lo, hi);
    for (int pass = 0; pass < 2; pass++) {
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
        int rc;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
            if (!pass) {
                *total = sqlite3_column_int64(st, 0);
                continue;
            }
            json_t *o = json_object();
            static const char *names[] = {"id", "name", "sex", "birth_date", "id_number_masked",
                "phone", "region_code", "region_name", "address", "status", "detail"};
            for (int i = 0; i < 11; i++) {
                const char *v = (const char *)sqlite3_column_text(st, i);
                if (i == 5 && v) { /* phones leave masked */
                    char *m = al_arena_alloc(a, strlen(v) + 1);
                    al_phone_mask(v, m, strlen(v) + 1);
                    v = m;
                }
                json_object_set_new(o, i == 5 ? "phone_masked" : names[i],
                    i == 0 ? json_integer(sqlite3_column_int64(st, 0))
                           : v ? json_string(v) : json_null());
            }
            json_array_append_new(items, o);
        }
        sqlite3_reset(st);
        if (rc != SQLITE_DONE)
            return al_db_check(db, rc);
    }
    return AL_OK;
}
