/*
 * src/identify/identify_store.c on both engines: the same registry, the same
 * identification runs and the same reads (runs, counts, worklists in three
 * scopes, pages, an export) on a migrated SQLite database and on the throwaway
 * PostgreSQL `make unit` starts (ANLAO_TEST_PG).  Each engine is checked
 * against the expected lists (RULE-IDENT-001..005, RULE-SCOPE-002,
 * RULE-PII-004), then the two engines' results are compared as one canonical
 * JSON text (RULE-DB-001).
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/crypto.h"
#include "core/db.h"
#include "core/idcard.h"
#include "elder/elder.h"
#include "identify/identify.h"
#include "identify/identify_int.h"
#include "dual.h"
#include "unit.h"

/* Two villages of one county: a duplicate across them is one person (RULE-IDENT-004). */
static const char village_a[] = "520327001001", village_b[] = "520327001002";

/* A valid 18-digit ID number for `region6` (county), `birth` (YYYYMMDD) and `seq` (3 digits). */
static void
id_number(char out[19], const char *birth, int seq)
{
    static const int w[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    snprintf(out, 19, "520327%s%03d", birth, seq);
    int sum = 0;
    for (int i = 0; i < 17; i++)
        sum += (out[i] - '0') * w[i];
    out[17] = "10X98765432"[sum % 11];
    out[18] = '\0';
}

/* A record through the one write path; `extra` (may be NULL) is merged into the set. */
static int64_t
create(struct al_db *db, struct al_arena *a, const char *name, const char *birth, int seq,
    const char *region, const char *economic, json_t *extra)
{
    char number[19], today[11];
    id_number(number, birth, seq);
    al_today_cst(today);
    struct al_id id;
    assert_int_equal(al_id_parse(number, 18, today, &id), AL_ID_OK);
    json_t *set = json_pack("{s:s, s:s, s:s#, s:s, s:s, s:s, s:s}", "id_number", number, "name",
        name, "sex", &id.sex, (size_t)1, "birth_date", id.birth_date, "region_code", region,
        "address", "龙泉街道", "economic_status", economic);
    if (extra) {
        json_object_update(set, extra);
        json_decref(extra);
    }
    struct elder_evidence ev = {"record", "user:unit", today};
    int64_t new_id = 0;
    assert_int_equal(al_db_begin(db), AL_OK);
    assert_int_equal(
        elder_apply(db, a, 0, set, &ev, 0, "unit", "create", (int64_t)time(NULL), &new_id), AL_OK);
    assert_int_equal(al_db_end(db, AL_OK), AL_OK);
    json_decref(set);
    assert_true(new_id > 0);
    return new_id;
}

static void
update(struct al_db *db, struct al_arena *a, int64_t id, json_t *set)
{
    char today[11];
    al_today_cst(today);
    struct elder_evidence ev = {"record", "user:unit", today};
    assert_int_equal(al_db_begin(db), AL_OK);
    assert_int_equal(
        elder_apply(db, a, id, set, &ev, 0, "unit", "update", (int64_t)time(NULL), NULL), AL_OK);
    assert_int_equal(al_db_end(db, AL_OK), AL_OK);
    json_decref(set);
}

/* Collects a list's items as [id, name, region, detail] arrays. */
static int
collect(void *ctx, const char *const v[IDENTIFY_ITEM_COLS])
{
    json_array_append_new(ctx, json_pack("[s, s, s, s?]", v[IDENTIFY_ITEM_ID],
                                   v[IDENTIFY_ITEM_NAME], v[IDENTIFY_ITEM_REGION],
                                   v[IDENTIFY_ITEM_DETAIL]));
    return 0;
}

/* The runs as `scope` sees them, without the clock's figures (time, duration). */
static json_t *
runs(struct al_db *db, const char *scope)
{
    struct al_arena a;
    al_arena_init(&a, 1 << 12);
    json_t *items = json_array();
    assert_int_equal(identify_store_runs(db, &a, scope, 0, items), AL_OK);
    size_t i;
    json_t *o;
    json_array_foreach(items, i, o)
    {
        json_object_del(o, "at");
        json_object_del(o, "duration_ms");
    }
    al_arena_fini(&a);
    return items;
}

/* Every list of `run` in `scope`: {list: {"total": n, "items": [...]}}, through the export path. */
static json_t *
lists(struct al_db *db, int64_t run, const char *scope)
{
    json_t *out = json_object();
    for (int l = 0; l < 5; l++) {
        json_t *items = json_array();
        int64_t total = -1;
        assert_int_equal(identify_store_items(db, run, identify_list_ids[l], scope, -1, 0,
                             collect, items, &total),
            AL_OK);
        assert_int_equal(total, (int64_t)json_array_size(items));
        json_object_set_new(out, identify_list_ids[l],
            json_pack("{s:I, s:o}", "total", (json_int_t)total, "items", items));
    }
    return out;
}

/* The ids of a list's items ("3,5"), for the assertions. */
static const char *
ids(json_t *l, const char *list, char *buf, size_t size)
{
    buf[0] = '\0';
    size_t i, n = 0;
    json_t *v;
    json_array_foreach(json_object_get(json_object_get(l, list), "items"), i, v)
        if (n < size)
            n += (size_t)snprintf(buf + n, size - n, "%s%s", n ? "," : "",
            json_string_value(json_array_get(v, 0)));
    return buf;
}

static const char *
detail_of(json_t *l, const char *list, size_t k)
{
    json_t *it = json_array_get(json_object_get(json_object_get(l, list), "items"), k);
    return json_string_value(json_array_get(it, 3));
}

static int64_t
count_of(json_t *runs_arr, size_t k, const char *list)
{
    return json_integer_value(
        json_object_get(json_object_get(json_array_get(runs_arr, k), "counts"), list));
}

enum { BULK = 300 };

/* Each engine's results as one canonical JSON text, compared by engines_agree. */
static char *result_text[2];

/*
 * The scenario: a registry of six, a baseline run, changes, a second run.
 * RULE-IDENT-001 (new special), -002 (inactive still entitled), -003 (missing
 * from the household import), -004 (duplicates), -005 (changed); RULE-SCOPE-002
 * and RULE-PII-004 in the scoped reads.
 */
static void
identify_on_engine(void **state)
{
    struct al_db *db = *state;
    bool pg = al_db_is_pg(db);
    struct al_arena a;
    al_arena_init(&a, 1 << 14);
    char buf[8192], want[256];

    int64_t wang = create(db, &a, "王德胜", "19400101", 13, village_a, "dibao", NULL);
    int64_t zhang_a = create(db, &a, "张三", "19500202", 15, village_a, "general", NULL);
    int64_t zhang_b = create(db, &a, "张三", "19500202", 37, village_b, "general", NULL);
    int64_t li = create(db, &a, "李四", "19450303", 19, village_a, "dibao",
        json_pack("{s:s, s:s}", "status", "deceased", "status_date", "2024-01-01"));
    int64_t zhao = create(db, &a, "赵五", "19600404", 11, village_b, "general", NULL);
    int64_t qian = create(db, &a, "钱六", "19580505", 17, village_b, "general", NULL);

    /*
     * More rows than one multi-row statement writes (WRITE_BATCH, 256): 300 dead on 低保, each an
     * inactive item and a snapshot, so both writes span two statements.
     */
    char today[11];
    al_today_cst(today);
    struct elder_evidence ev = {"record", "user:unit", today};
    assert_int_equal(al_db_begin(db), AL_OK);
    for (int i = 0; i < BULK; i++) {
        char number[19], name[32];
        id_number(number, "19300101", 100 + i);
        snprintf(name, sizeof(name), "批量%03d", i);
        json_t *set = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "id_number",
            number, "name", name, "sex", (i & 1) ? "M" : "F", "birth_date", "1930-01-01",
            "region_code", village_b, "address", "龙泉街道", "economic_status", "dibao", "status",
            "deceased", "status_date", "2024-02-02");
        int64_t id = 0;
        assert_int_equal(
            elder_apply(db, &a, 0, set, &ev, 0, "unit", "create", (int64_t)time(NULL), &id),
            AL_OK);
        json_decref(set);
    }
    assert_int_equal(al_db_end(db, AL_OK), AL_OK);

    /* A committed household import of the county; 张三 (village A) and 钱六 were in it. */
    static const char sql_import[] =
        "INSERT INTO imports(kind, filename, file_sha256, encoding, region_code, status, rows,"
        " accepted, rejected, created_at, partial) VALUES ('hukou', 'h.csv', 'x', 'utf-8',"
        " '520327', 'committed', 2, 2, 0, 1700000000, 0) RETURNING id";
    int64_t import_id = 0;
    assert_int_equal(al_stmt_int64(al_db_sql(db, sql_import), &import_id), AL_OK);
    static const char sql_seen[] = "UPDATE elders SET last_hukou_import = ?1 WHERE id = ?2";
    int64_t seen[] = {zhang_a, qian};
    for (int i = 0; i < 2; i++) {
        struct al_stmt *st = al_db_sql(db, sql_seen);
        al_stmt_bind_int(st, 1, import_id);
        al_stmt_bind_int(st, 2, seen[i]);
        assert_int_equal(al_stmt_run(st), AL_OK);
    }

    /* Run 1: the baseline. */
    struct identify_result r1;
    assert_int_equal(identify_run(db, (int64_t)time(NULL), 0, "unit", "127.0.0.1", &r1), AL_OK);
    assert_int_equal(r1.baseline, 1);
    assert_int_equal(r1.scanned, 6 + BULK);
    json_t *l1 = lists(db, r1.run_id, "");
    int64_t states = 0;
    assert_int_equal(al_stmt_int64(al_db_sql(db, "SELECT count(*) FROM identify_state"), &states),
        AL_OK);
    assert_int_equal(states, 2 + BULK); /* 王德胜, 李四 and the bulk: categories to keep */
    /* No new-special or changed list on a baseline run (RULE-IDENT-001, -005). */
    assert_string_equal(ids(l1, "new_special", buf, sizeof(buf)), "");
    assert_string_equal(ids(l1, "changed", buf, sizeof(buf)), "");
    /* RULE-IDENT-002: dead and still on 低保 (李四 in village A first, then the bulk). */
    assert_int_equal(json_integer_value(json_object_get(json_object_get(l1,
                         "inactive_in_service"), "total")),
        1 + BULK);
    snprintf(want, sizeof(want), "%lld,", (long long)li);
    assert_memory_equal(ids(l1, "inactive_in_service", buf, sizeof(buf)), want, strlen(want));
    /* RULE-IDENT-003: active and not in the county's household import. */
    snprintf(want, sizeof(want), "%lld,%lld,%lld", (long long)wang, (long long)zhang_b,
        (long long)zhao);
    assert_string_equal(ids(l1, "missing_hukou", buf, sizeof(buf)), want);
    snprintf(want, sizeof(want), "import:%lld", (long long)import_id);
    assert_string_equal(detail_of(l1, "missing_hukou", 0), want);
    /* RULE-IDENT-004: each of the two 张三 names the other. */
    snprintf(want, sizeof(want), "%lld,%lld", (long long)zhang_a, (long long)zhang_b);
    assert_string_equal(ids(l1, "duplicates", buf, sizeof(buf)), want);
    snprintf(want, sizeof(want), "%lld", (long long)zhang_b);
    assert_string_equal(detail_of(l1, "duplicates", 0), want);
    snprintf(want, sizeof(want), "%lld", (long long)zhang_a);
    assert_string_equal(detail_of(l1, "duplicates", 1), want);
    /* RULE-PII-004: in village A alone the other 张三 is outside: no duplicate there. */
    json_t *la = lists(db, r1.run_id, village_a);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(la, "duplicates"),
                         "total")),
        0);
    json_decref(la);

    /* A page of the missing list: the second of three, in region order then id. */
    json_t *page = json_array();
    int64_t total = 0;
    assert_int_equal(identify_store_items(db, r1.run_id, "missing_hukou", "", 1, 1, collect,
                         page, &total),
        AL_OK);
    assert_int_equal(total, 3);
    assert_int_equal(json_array_size(page), 1);
    snprintf(want, sizeof(want), "%lld", (long long)zhang_b);
    assert_string_equal(json_string_value(json_array_get(json_array_get(page, 0), 0)), want);
    json_decref(page);

    /* Changes: 赵五 becomes 特困 (special), 钱六 dies while on no roll (not entitled). */
    update(db, &a, zhao, json_pack("{s:s}", "economic_status", "tekun"));
    update(db, &a, qian, json_pack("{s:s, s:s}", "status", "deceased", "status_date",
                             "2025-06-01"));

    /* Run 2: lists of changes against the snapshots the first run wrote. */
    struct identify_result r2;
    assert_int_equal(identify_run(db, (int64_t)time(NULL), 0, "unit", "127.0.0.1", &r2), AL_OK);
    assert_int_equal(r2.baseline, 0);
    assert_true(r2.run_id > r1.run_id);
    json_t *l2 = lists(db, r2.run_id, "");
    snprintf(want, sizeof(want), "%lld", (long long)zhao);
    assert_string_equal(ids(l2, "new_special", buf, sizeof(buf)), want); /* RULE-IDENT-001 */
    assert_string_equal(ids(l2, "changed", buf, sizeof(buf)), want);     /* RULE-IDENT-005 */
    assert_string_equal(detail_of(l2, "changed", 0), "[\"\",\"economic_difficulty\"]");
    assert_int_equal(r2.counts[1], 1 + BULK); /* inactive_in_service */

    /* Run 3: nothing changed since run 2, so the snapshots hold: no change listed. */
    struct identify_result r3;
    assert_int_equal(identify_run(db, (int64_t)time(NULL), 0, "unit", "127.0.0.1", &r3), AL_OK);
    json_t *l3 = lists(db, r3.run_id, "");
    assert_string_equal(ids(l3, "changed", buf, sizeof(buf)), "");
    assert_string_equal(ids(l3, "new_special", buf, sizeof(buf)), "");

    /* The run records, whole and scoped (RULE-SCOPE-002). */
    json_t *all = runs(db, ""), *in_b = runs(db, village_b);
    assert_int_equal(json_array_size(all), 3);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(all, 0), "id")),
        r3.run_id);
    assert_true(json_is_true(json_object_get(json_array_get(all, 2), "baseline")));
    assert_int_equal(json_integer_value(json_object_get(json_array_get(all, 0), "scanned")),
        6 + BULK);
    assert_int_equal(count_of(all, 1, "new_special"), 1);
    assert_int_equal(count_of(all, 2, "duplicates"), 2);
    assert_true(json_is_null(json_object_get(json_array_get(in_b, 0), "scanned")));
    assert_true(json_is_null(json_object_get(json_array_get(in_b, 0), "username")));
    assert_int_equal(count_of(in_b, 2, "missing_hukou"), 2); /* 张三 (B) and 赵五 */
    json_t *only = json_array();
    assert_int_equal(identify_store_runs(db, &a, "", r1.run_id, only), AL_OK);
    assert_int_equal(json_array_size(only), 1);
    json_decref(only);

    json_t *doc = json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "runs", all, "runs_b", in_b,
        "run1", l1, "run1_a", lists(db, r1.run_id, village_a), "run1_b",
        lists(db, r1.run_id, village_b), "run2", l2, "run3", l3);
    result_text[pg] = json_dumps(doc, JSON_SORT_KEYS | JSON_COMPACT);
    json_decref(doc);
    al_arena_fini(&a);
}

/* RULE-DB-001: the same calls give the same runs, counts and worklists on both engines. */
static void
engines_agree(void **state)
{
    (void)state;
    assert_non_null(result_text[0]);
    assert_non_null(result_text[1]);
    if (strcmp(result_text[0], result_text[1]) != 0)
        fprintf(stderr, "SQLite:     %s\nPostgreSQL: %s\n", result_text[0], result_text[1]);
    assert_string_equal(result_text[0], result_text[1]);
}

int
main(void)
{
    if (dual_key() != 0)
        return 1;
    const struct CMUnitTest tests[] = {cmocka_unit_test(identify_on_engine)};
    const struct CMUnitTest compare[] = {cmocka_unit_test(engines_agree)};
    int failed = cmocka_run_group_tests_name("identify_store on SQLite", tests, dual_sqlite_setup,
        dual_teardown);
    failed += cmocka_run_group_tests_name("identify_store on PostgreSQL", tests, dual_pg_setup,
        dual_teardown);
    failed += cmocka_run_group_tests_name("identify_store: engines agree", compare, NULL, NULL);
    free(result_text[0]);
    free(result_text[1]);
    return failed;
}
