/*
 * src/import/import_store.c and the import passes on both engines: the same
 * calls on a migrated SQLite database and on the throwaway PostgreSQL `make
 * unit` starts (ANLAO_TEST_PG), each result compared with SQLite's
 * (RULE-DB-020).  The reasons of a line in the order found (RULE-DB-021);
 * RULE-IMPORT-007 (all or nothing), RULE-UPLOAD-002 (reasons kept and counted).
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/config.h"
#include "core/crypto.h"
#include "core/db.h"
#include "core/json.h"
#include "core/idcard.h"
#include "elder/elder.h"
#include "elder/elder_int.h"
#include "import/import.h"
#include "import/import_int.h"
#include "dual.h"
#include "unit.h"

static bool on_pg;

/* Snapshots taken on SQLite, compared on PostgreSQL. */
#define SNAPS 32
static char *snap[SNAPS];

static void
same(int slot, json_t *j)
{
    char *text = al_json_dump_heap(j); /* compact, keys sorted; free() */
    json_decref(j);
    assert_non_null(text);
    if (!on_pg) {
        free(snap[slot]);
        snap[slot] = text;
        return;
    }
    assert_non_null(snap[slot]); /* the SQLite group ran first */
    if (strcmp(snap[slot], text) != 0)
        fprintf(stderr, "snapshot %d differs\n  sqlite: %s\n  pg:     %s\n", slot, snap[slot],
                text);
    assert_string_equal(snap[slot], text);
    free(text);
}

/* The few regions the files name (the full table loads in region_load_embedded). */
static int
regions(struct al_db *db)
{
    return al_db_exec(db, "INSERT INTO regions(code, name, level, parent_code, edition) VALUES"
                          " ('520327001001', '龙潭湖社区', 5, '520327001', 2023),"
                          " ('520327001002', '龙井社区', 5, '520327001', 2023),"
                          " ('520327002001', '前进村', 5, '520327002', 2023)");
}

/* dual_prepare: the regions in; the snapshots taken on SQLite, compared on PostgreSQL. */
static int
prepare(struct al_db *db, enum dual_engine engine)
{
    on_pg = engine == DUAL_PG;
    return regions(db) == AL_OK ? 0 : -1;
}

/* A valid ID number of someone born on `birth` (YYYYMMDD) with sequence `seq` (0..999). */
static void
id_number(char out[19], const char *birth, int seq)
{
    snprintf(out, 19, "520327%.8s%03d", birth, seq % 1000);
    out[17] = al_id_check_char(out);
    out[18] = '\0';
}

static const char *
write_file(const char *name, const char *text)
{
    static char path[8][160];
    static int next;
    char *p = path[next++ % 8];
    snprintf(p, 160, "%s/%s", dual_dir(), name);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return p;
}

/* Rows of a query as an array of arrays of texts (test-only SQL, one text for both engines). */
static json_t *
rows(struct al_db *db, const char *sql)
{
    struct al_stmt *st = al_db_sql_text(db, sql);
    assert_non_null(st);
    json_t *out = json_array();
    int rc, n = 0;
    for (const char *p = strstr(sql, " FROM "), *c = sql; c < p; c++)
        n += *c == ',';
    while ((rc = al_stmt_step(st)) == AL_ROW) {
        json_t *r = json_array();
        for (int i = 0; i <= n; i++) {
            const char *t = al_stmt_text(st, i);
            json_array_append_new(r, t ? json_string(t) : json_null());
        }
        json_array_append_new(out, r);
    }
    assert_int_equal(rc, AL_OK);
    return out;
}

static json_t *
record_json(const struct import_record *r)
{
    return json_pack("{s:s, s:s, s:s?, s:s, s:s, s:I, s:I, s:I, s:I, s:s, s:I, s:s, s:s?}", "kind",
                     r->kind, "status", r->status, "stored_path", r->stored_path, "sha", r->sha,
                     "encoding", r->encoding, "rows", (json_int_t)r->rows, "accepted",
                     (json_int_t)r->accepted, "rejected", (json_int_t)r->rejected, "user_id",
                     (json_int_t)r->user_id, "region_code", r->region_code, "errors_omitted",
                     (json_int_t)r->errors_omitted, "error_reasons", r->error_reasons, "sheet",
                     r->sheet);
}

/* A list item without what differs between runs: ids and times become their presence. */
static json_t *
list_stable(json_t *items)
{
    size_t i;
    json_t *v;
    json_array_foreach(items, i, v)
    {
        json_object_set_new(v, "id",
                            json_boolean(json_integer_value(json_object_get(v, "id")) > 0));
        json_object_set_new(v, "created_at",
                            json_boolean(json_is_string(json_object_get(v, "created_at"))));
        json_object_set_new(v, "committed_at",
                            json_boolean(json_is_string(json_object_get(v, "committed_at"))));
    }
    return items;
}

/* Every store call once; the results compared between the engines. */
static void
store_calls(void **state)
{
    struct al_db *db = *state;
    struct al_arena a;
    al_arena_init(&a, 4096);
    int64_t id1 = 0, id2 = 0;
    assert_int_equal(al_db_begin(db), AL_OK);
    assert_int_equal(import_store_create(db, "hukou", "户籍.csv", "ab12", "UTF-8", "/tmp/x.csv",
                                         "520327", 0, "unit", "[\"备注\"]", true, 1700000000, &id1),
                     AL_OK);
    assert_int_equal(import_store_create(db, "roll", "低保.csv", "cd34", "GB18030", "/tmp/y.csv",
                                         "520327001", 7, NULL, "[]", false, 1700000000, &id2),
                     AL_OK);
    assert_true(id1 > 0 && id2 > id1);
    assert_int_equal(import_store_sheet(db, id1, "花名册", 3, "[\"花名册\",\"Sheet2\"]", 2), AL_OK);
    /* Stored out of order (RULE-DB-022: one bulk load): listed by line, then by place. */
    const struct import_reason reasons[] = {
        {5, 1, "姓名", "姓名不能为空"},
        {5, 0, "身份证号", "校验码不对"},
        {3, 0, "住址", "含\t制表符\n换行 \\ 反斜杠 'q' \"d\" \\N"},
    };
    assert_int_equal(import_store_reasons(db, id1, reasons, 3), AL_OK);
    assert_int_equal(import_store_reasons(db, id1, reasons, 0), AL_OK);
    assert_int_equal(import_store_counts(db, id1, 10, 8, 2, "{\"created\":8}", true, 1700000001),
        AL_OK);
    assert_int_equal(import_store_counts(db, id2, 3, 3, 0, "{}", false, 1700000001), AL_OK);
    assert_int_equal(import_store_tally(db, id1, 4, "[{\"column\":\"姓名\",\"count\":3}]"), AL_OK);
    assert_int_equal(al_db_end(db, AL_OK), AL_OK);

    struct import_record r1, r2;
    assert_int_equal(import_store_get(db, &a, id1, &r1), AL_OK);
    assert_int_equal(import_store_get(db, &a, id2, &r2), AL_OK);
    assert_string_equal(r1.status, "committed");
    assert_string_equal(r2.status, "validated");
    assert_int_equal(r1.user_id, 0); /* NULL: the CLI */
    assert_int_equal(r2.user_id, 7);
    assert_null(r2.sheet);
    same(0, json_pack("[o, o]", record_json(&r1), record_json(&r2)));
    assert_int_equal(import_store_get(db, &a, id2 + 1000, &r2), AL_ENOTFOUND);

    json_t *errs = json_array();
    assert_int_equal(import_store_errors(db, id1, errs, 10), AL_OK);
    assert_int_equal(json_array_size(errs), 3);
    /* RULE-DB-021 */
    assert_string_equal(json_string_value(json_object_get(json_array_get(errs, 1), "column")),
                        "身份证号");
    assert_string_equal(json_string_value(json_object_get(json_array_get(errs, 2), "column")),
                        "姓名");
    same(1, errs);
    errs = json_array();
    assert_int_equal(import_store_errors(db, id1, errs, 2), AL_OK);
    assert_int_equal(json_array_size(errs), 2);
    json_decref(errs);

    json_t *all = json_array(), *town = json_array(), *other = json_array();
    int64_t n_all = -1, n_town = -1, n_other = -1; /* RULE-DB-116: scoped like each list */
    assert_int_equal(import_store_list(db, &a, "520327", all, &n_all), AL_OK);
    assert_int_equal(import_store_list(db, &a, "520327001", town, &n_town), AL_OK);
    assert_int_equal(import_store_list(db, &a, "520327002", other, &n_other), AL_OK);
    assert_int_equal(n_all, 2);
    assert_int_equal(n_town, 1);
    assert_int_equal(n_other, 0);
    assert_int_equal(json_array_size(all), 2);
    assert_int_equal(json_array_size(town), 1);
    assert_int_equal(json_array_size(other), 0);
    json_t *first = json_array_get(all, 0); /* newest first */
    assert_string_equal(json_string_value(json_object_get(first, "kind")), "roll");
    assert_true(json_is_null(json_object_get(first, "committed_at")));
    assert_true(json_is_true(json_object_get(json_array_get(all, 1), "partial")));
    same(2, json_pack("[o, o, o]", list_stable(all), list_stable(town), other));

    json_t *ids = json_array(), *paths = json_array(), *stale = json_array();
    assert_int_equal(import_store_files(db, 1, ids, paths, stale), AL_OK);
    assert_int_equal(json_array_size(ids), 2);
    assert_true(json_is_true(json_array_get(stale, 0)));  /* committed */
    assert_true(json_is_false(json_array_get(stale, 1))); /* validated, not expired */
    same(3, json_pack("[o, o]", paths, stale));
    json_decref(ids);
    assert_int_equal(import_store_forget_file(db, id1), AL_OK);
    ids = json_array(), paths = json_array(), stale = json_array();
    assert_int_equal(import_store_files(db, (int64_t)time(NULL) + 60, ids, paths, stale), AL_OK);
    assert_int_equal(json_array_size(ids), 1);
    assert_true(json_is_true(json_array_get(stale, 0))); /* now expired */
    same(4, json_pack("[o, o]", paths, stale));
    json_decref(ids);

    /* A reason for no import: the foreign key, the same closed error on both engines. */
    assert_int_equal(al_db_begin(db), AL_OK);
    assert_int_equal(import_store_reasons(db, id2 + 1000, reasons, 3), AL_ECONFLICT);
    al_db_rollback(db);
    al_arena_fini(&a);
}

static int64_t
count(struct al_db *db, const char *sql)
{
    int64_t n = -1;
    assert_int_equal(al_db_count(db, sql, NULL, &n), AL_OK);
    return n;
}

static json_t *
summary(const struct import_summary *s)
{
    return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:b, s:s}", "rows",
                     (json_int_t)s->rows, "accepted", (json_int_t)s->accepted, "rejected",
                     (json_int_t)s->rejected, "created", (json_int_t)s->created, "changed",
                     (json_int_t)s->changed, "unchanged", (json_int_t)s->unchanged, "deaths",
                     (json_int_t)s->deaths, "skipped_age", (json_int_t)s->skipped_age, "unknown",
                     (json_int_t)s->unknown_columns, "committed", s->committed, "encoding",
                     s->encoding);
}

/* What the registry holds after a step, in a form both engines print alike. */
static json_t *
registry(struct al_db *db)
{
    return json_pack(
        "{s:o, s:o, s:o}", "elders",
        rows(db, "SELECT name, region_code, sex, birth_date, status, economic_status,"
                 " household_no, CAST(last_hukou_import IS NOT NULL AS INTEGER) FROM elders"
                 " ORDER BY name"),
        "categories",
        rows(db, "SELECT e.name, c.category, c.source FROM elder_categories c"
                 " JOIN elders e ON e.id = c.elder_id ORDER BY e.name, c.category"),
        "history",
        rows(db, "SELECT action, CAST(count(*) AS TEXT) FROM elder_history GROUP BY action"
                 " ORDER BY action"));
}

/* Validate, commit, the other kinds, all or nothing: the same outcome on both engines. */
static void
import_passes(void **state)
{
    struct al_db *db = *state;
    struct al_arena a;
    al_arena_init(&a, 4096);
    char n[8][19];
    id_number(n[0], "19400115", 101);
    id_number(n[1], "19410215", 102);
    id_number(n[2], "19420315", 103);
    id_number(n[3], "19430415", 104);
    id_number(n[4], "19900515", 105); /* younger than the registry's age */
    id_number(n[5], "19450615", 106);
    id_number(n[6], "19460715", 107); /* in no file: the roll names someone unknown */
    char bad[19];
    memcpy(bad, n[5], 19);
    bad[17] = bad[17] == '1' ? '2' : '1';
    char text[4096];
    snprintf(text, sizeof(text),
             "身份证号,姓名,区划代码,住址,户号,性别,备注\n"
             "%s,老人甲,520327001001,\"龙泉街道,前进社区1号\",H1,,x\n"
             "%s,老人乙,520327001002,龙泉街道2号,H2,,\n"
             "%s,老人丙,520327002001,进化镇3号,H3,,\n"
             "%s,老人丁,520327001001,龙泉街道4号,H4,,\n"
             "%s,年轻人,520327001001,龙泉街道5号,H5,,\n"
             "%s,坏号,520327001001,龙泉街道6号,H6,,\n"  /* check digit */
             "%s,,5203270019,龙泉街道7号,H7,,\n"        /* two reasons on one line */
             "%s,重复,520327001001,龙泉街道8号,H8,,\n", /* repeated number */
             n[0], n[1], n[2], n[3], n[4], bad, n[5], n[0]);
    const char *hukou = write_file("hukou.csv", text);
    struct import_options o = {.kind = "hukou",
                               .path = hukou,
                               .filename = "户籍.csv",
                               .keep_file = true,
                               .username = "unit",
                               .region_code = "520327"};
    struct import_summary s;
    struct al_errinfo e = {0};
    assert_int_equal(import_validate(db, &o, &s, &e), AL_OK);
    assert_int_equal(s.rejected, 3);
    int64_t hukou_id = s.id;
    same(5, summary(&s));
    json_t *errs = json_array();
    assert_int_equal(import_store_errors(db, hukou_id, errs, 100), AL_OK);
    assert_int_equal(json_array_size(errs), 4);
    same(6, errs);
    assert_int_equal(count(db, "SELECT count(*) FROM elders"), 0);

    /* RULE-IMPORT-007: rejected rows refuse the commit unless only the valid ones are asked for. */
    struct import_options c = {.username = "unit"};
    assert_int_equal(import_commit(db, hukou_id, &c, &s, &e), AL_ECONFLICT);
    assert_string_equal(e.field, "valid_only");
    c.valid_only = true;
    assert_int_equal(import_commit(db, hukou_id, &c, &s, &e), AL_OK);
    assert_true(s.committed);
    assert_int_equal(s.created, 4);
    same(7, summary(&s));
    assert_int_equal(import_commit(db, hukou_id, &c, &s, &e), AL_ECONFLICT); /* once */
    same(8, registry(db));

    /* A roll naming someone unknown: nothing written, then the valid rows only. */
    snprintf(text, sizeof(text),
             "身份证号,姓名,救助类别,开始日期\n%s,老人甲,低保,2020/3/1\n%s,老人乙,特困,20190101\n"
             "%s,无此人,低收入,2021-01-01\n",
             n[0], n[1], n[6]);
    struct import_options r = {
        .kind = "roll", .path = write_file("roll.csv", text), .commit = true, .username = "unit"};
    assert_int_equal(import_run(db, &r, &s, &e), AL_OK);
    assert_false(s.committed);
    assert_int_equal(s.rejected, 1);
    assert_int_equal(count(db, "SELECT count(*) FROM elders WHERE economic_status = 'dibao'"), 0);
    same(9, summary(&s));
    r.valid_only = true;
    assert_int_equal(import_run(db, &r, &s, &e), AL_OK);
    assert_true(s.committed);
    assert_int_equal(s.changed, 2);
    same(10, summary(&s));

    /* A death. */
    snprintf(text, sizeof(text), "身份证号,姓名,死亡日期\n%s,老人丁,2024-02-03\n", n[3]);
    struct import_options d = {
        .kind = "death", .path = write_file("death.csv", text), .commit = true, .username = "unit"};
    assert_int_equal(import_run(db, &d, &s, &e), AL_OK);
    assert_int_equal(s.deaths, 1);
    same(11, summary(&s));
    same(12, registry(db));

    /* The household file again, valid rows only: nothing changes. */
    struct import_options h = {
        .kind = "hukou", .path = hukou, .commit = true, .valid_only = true, .username = "unit"};
    int64_t hist = count(db, "SELECT count(*) FROM elder_history");
    assert_int_equal(import_run(db, &h, &s, &e), AL_OK);
    assert_int_equal(s.unchanged, 4); /* the deceased one too: a household row revives no one */
    same(13, summary(&s));
    assert_int_equal(count(db, "SELECT count(*) FROM elder_history"), hist);

    json_t *items = json_array();
    int64_t n_items = 0;
    assert_int_equal(import_store_list(db, &a, "", items, &n_items), AL_OK);
    assert_int_equal(n_items, (int64_t)json_array_size(items));
    same(14, list_stable(items));
    same(15, rows(db, "SELECT CAST(line AS TEXT), col, reason FROM import_errors ORDER BY "
                      "import_id, line, pos"));
    same(16, rows(db, "SELECT action, target_type, outcome FROM audit_log ORDER BY id"));
    al_arena_fini(&a);
}

/*
 * A household file large enough that the bulk defers its indexes and rebuilds
 * them at the end (elder_bulk, past 5,000 new records): found by the text
 * search afterwards on both engines.
 */
static void
import_many(void **state)
{
    struct al_db *db = *state;
    enum { N = 5200 };
    size_t cap = (size_t)N * 96 + 128, len = 0;
    char *text = malloc(cap);
    assert_non_null(text);
    len += (size_t)snprintf(text, cap, "身份证号,姓名,区划代码,住址\n");
    for (int i = 0; i < N; i++) {
        char birth[32], num[19];
        snprintf(birth, sizeof(birth), "19%02d%02d%02d", 30 + i / 336, 1 + i / 28 % 12, 1 + i % 28);
        id_number(num, birth, 200 + i % 700);
        len += (size_t)snprintf(text + len, cap - len, "%s,批量%d,520327001002,%s路%d号\n", num, i,
                                i == 4321 ? "独一无二" : "长征", i);
    }
    const char *path = write_file("many.csv", text);
    free(text);
    struct import_options o = {.kind = "hukou", .path = path, .commit = true, .username = "unit"};
    struct import_summary s;
    struct al_errinfo e = {0};
    int64_t before = count(db, "SELECT count(*) FROM elders");
    assert_int_equal(import_run(db, &o, &s, &e), AL_OK);
    assert_true(s.committed);
    assert_int_equal(s.created, N);
    assert_int_equal(count(db, "SELECT count(*) FROM elders"), before + N);
    same(17, summary(&s));
    struct al_arena a;
    al_arena_init(&a, 4096);
    json_t *found = json_array();
    int64_t total = 0;
    struct elder_query q = {.scope = "520327", .q = "独一无二", .limit = 10};
    assert_int_equal(elder_store_list(db, &a, &q, found, &total), AL_OK);
    assert_int_equal(total, 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(found, 0), "name")),
                        "批量4321");
    json_decref(found);
    al_arena_fini(&a);
}

/*
 * Reasons of many rejected lines: stored in batches between rows (RULE-DB-022),
 * the first import_max_errors kept in order, the rest counted (RULE-UPLOAD-002).
 */
static void
many_reasons(void **state)
{
    struct al_db *db = *state;
    enum { N = 1300 };
    size_t cap = (size_t)N * 64 + 64, len = 0;
    char *text = malloc(cap);
    assert_non_null(text);
    len += (size_t)snprintf(text, cap, "身份证号,姓名,区划代码,住址\n");
    for (int i = 0; i < N; i++) {
        char num[19];
        id_number(num, "19500101", i % 1000); /* no name: one reason a line */
        len += (size_t)snprintf(text + len, cap - len, "%s,,520327001001,路%d号\n", num, i);
    }
    const char *path = write_file("reasons.csv", text);
    free(text);
    long keep = al_config.import_max_errors;
    al_config.import_max_errors = 1100;
    struct import_options o = {.kind = "hukou", .path = path, .username = "unit"};
    struct import_summary s;
    struct al_errinfo e = {0};
    assert_int_equal(import_validate(db, &o, &s, &e), AL_OK);
    al_config.import_max_errors = keep;
    assert_int_equal(s.rejected, N);
    struct al_arena a;
    al_arena_init(&a, 4096);
    struct import_record r;
    assert_int_equal(import_store_get(db, &a, s.id, &r), AL_OK);
    assert_int_equal(r.errors_omitted, N - 1100);
    json_t *errs = json_array();
    assert_int_equal(import_store_errors(db, s.id, errs, 100000), AL_OK);
    assert_int_equal(json_array_size(errs), 1100);
    json_t *last = json_array_get(errs, 1099);
    assert_int_equal(json_integer_value(json_object_get(last, "line")), 1101);
    assert_string_equal(json_string_value(json_object_get(last, "column")), "姓名");
    same(18, json_pack("{s:o, s:s, s:I}", "errors", errs, "reasons", r.error_reasons, "omitted",
                       (json_int_t)r.errors_omitted));
    al_arena_fini(&a);
}

#define ENGINE_TESTS                                                                               \
    cmocka_unit_test(store_calls), cmocka_unit_test(import_passes), cmocka_unit_test(import_many), \
        cmocka_unit_test(many_reasons)

int
main(void)
{
    al_json_init(); /* as main.c: jansson on the arena while a pass writes rows */
    al_config_load_env();
    if (dual_key() != 0)
        return 1;
    dual_prepare = prepare;
    const struct CMUnitTest tests[] = {ENGINE_TESTS};
    int failed =
        cmocka_run_group_tests_name("import on SQLite", tests, dual_sqlite_setup, dual_teardown);
    failed +=
        cmocka_run_group_tests_name("import on PostgreSQL", tests, dual_pg_setup, dual_teardown);
    for (int i = 0; i < SNAPS; i++)
        free(snap[i]);
    return failed;
}
