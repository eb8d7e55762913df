/*
 * src/core/dbq.c on both engines (tests/unit/dual.h): a paged list's total and
 * page from one WHERE (RULE-DB-040), parameters numbered as they are added
 * (RULE-DB-041), and a row turned into JSON by a column table (RULE-DB-042), each
 * compared across the two engines by the shared harness (RULE-DB-043).
 */
#include <string.h>

#include "core/dbq.h"
#include "dual.h"
#include "unit.h"

static const char schema[] =
    "CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT, n INTEGER, x REAL, flag INTEGER,"
    " doc TEXT, at INTEGER, phone TEXT);"
    "INSERT INTO t VALUES (1, '甲', 10, 1.5, 1, '{\"a\":[1,2]}', 1767225600, '13812345678');"
    "INSERT INTO t VALUES (2, '乙', 20, NULL, 0, 'not json', 0, NULL);"
    "INSERT INTO t VALUES (3, '丙', NULL, 2.25, NULL, NULL, NULL, '13900001111');"
    "INSERT INTO t VALUES (4, '丁', 40, 0, 1, '[]', 1, '');"
    "INSERT INTO t VALUES (5, '戊', 50, -1, 0, 'null', 2, '1');";

static json_t *
twice(const struct al_row_ctx *c, struct al_stmt *st, int col)
{
    (void)c;
    return al_stmt_null(st, col) ? NULL : json_integer(2 * al_stmt_int(st, col));
}

static const struct al_col cols[] = {AL_COL(0, "id", AL_COL_INT), AL_COL(1, "name", AL_COL_TEXT),
    AL_COL(2, "n", AL_COL_INT), AL_COL(3, "x", AL_COL_DOUBLE), AL_COL(4, "flag", AL_COL_BOOL),
    AL_COL(5, "doc", AL_COL_JSON), AL_COL(6, "at", AL_COL_TIME),
    AL_COLF(7, "phone", al_col_phone_masked), AL_COLF(2, "twice", twice), AL_COL_END};

static const struct al_page_sql page_sql = {.cols = "id, name, n, x, flag, doc, at, phone",
    .from = " FROM t", .order = " ORDER BY id DESC"};

/* Rows whose n is at least `min` (NULL: every row), a page of `limit` from `offset`. */
static json_t *
page(struct al_db *db, struct al_arena *a, const char *min, int64_t limit, int64_t offset)
{
    struct al_params p;
    al_params_init(&p, a);
    const char *m = al_param_text(&p, min);
    const char *where = al_arena_printf(a, " WHERE (CAST(%1$s AS TEXT) IS NULL"
                                           " OR n >= CAST(%1$s AS INTEGER))", m);
    json_t *items = json_array();
    int64_t total = -1;
    assert_int_equal(al_db_page(db, &p, &page_sql, where, limit, offset,
                         &(struct al_rows){.cols = cols}, items, &total),
        AL_OK);
    assert_int_equal(p.n, 1); /* LIMIT and OFFSET taken back: the parameters serve again */
    return json_pack("{s:I, s:o}", "total", (json_int_t)total, "items", items);
}

static json_t *
pages(struct al_db *db, void *arg)
{
    (void)arg;
    assert_int_equal(al_db_exec(db, schema), AL_OK);
    struct al_arena a;
    al_arena_init(&a, 0);
    json_t *out = json_pack("{s:o, s:o, s:o, s:o}", "all", page(db, &a, NULL, 2, 0), "second",
        page(db, &a, NULL, 2, 2), "filtered", page(db, &a, "20", 10, 0), "past_end",
        page(db, &a, "20", 10, 30));
    al_arena_fini(&a);
    return out;
}

/* RULE-DB-040: the count and the page read one WHERE, on both engines alike. */
static void
page_total_and_rows_agree(void **state)
{
    (void)state;
    dual_same(pages, NULL);
    struct al_db *db = dual_open(DUAL_SQLITE);
    assert_non_null(db);
    json_t *out = pages(db, NULL);
    json_t *all = json_object_get(out, "all"), *f = json_object_get(out, "filtered");
    assert_int_equal(json_integer_value(json_object_get(all, "total")), 5);
    assert_int_equal(json_array_size(json_object_get(all, "items")), 2);
    json_t *first = json_array_get(json_object_get(all, "items"), 0);
    assert_int_equal(json_integer_value(json_object_get(first, "id")), 5);
    json_t *second = json_array_get(json_object_get(json_object_get(out, "second"), "items"), 0);
    assert_int_equal(json_integer_value(json_object_get(second, "id")), 3);
    assert_int_equal(json_integer_value(json_object_get(f, "total")), 3); /* 20, 40, 50 */
    assert_int_equal(json_array_size(json_object_get(f, "items")), 3);
    json_t *past = json_object_get(out, "past_end");
    assert_int_equal(json_integer_value(json_object_get(past, "total")), 3);
    assert_int_equal(json_array_size(json_object_get(past, "items")), 0);
    json_decref(out);
    al_db_close(db);
}

static json_t *
rows(struct al_db *db, void *arg)
{
    (void)arg;
    assert_int_equal(al_db_exec(db, schema), AL_OK);
    struct al_arena a;
    al_arena_init(&a, 0);
    json_t *items = json_array();
    struct al_stmt *st = al_db_sql(db, "SELECT id, name, n, x, flag, doc, at, phone FROM t"
                                       " ORDER BY id");
    assert_int_equal(al_db_rows(st, &a, &(struct al_rows){.cols = cols}, items), AL_OK);
    al_arena_fini(&a);
    return items;
}

/* RULE-DB-042: each kind of column, SQL NULL as JSON null (false for a flag), on both engines. */
static void
row_json_kinds(void **state)
{
    (void)state;
    dual_same(rows, NULL);
    struct al_db *db = dual_open(DUAL_SQLITE);
    assert_non_null(db);
    json_t *items = rows(db, NULL);
    json_t *r1 = json_array_get(items, 0), *r2 = json_array_get(items, 1),
           *r3 = json_array_get(items, 2), *r4 = json_array_get(items, 3);
    assert_string_equal(json_string_value(json_object_get(r1, "name")), "甲");
    assert_int_equal(json_integer_value(json_object_get(r1, "n")), 10);
    assert_true(json_real_value(json_object_get(r1, "x")) == 1.5);
    assert_true(json_is_true(json_object_get(r1, "flag")));
    assert_int_equal(json_integer_value(json_array_get(
                         json_object_get(json_object_get(r1, "doc"), "a"), 1)), 2);
    assert_string_equal(json_string_value(json_object_get(r1, "at")), "2026-01-01T00:00:00Z");
    assert_string_equal(json_string_value(json_object_get(r1, "phone")), "138****5678");
    assert_int_equal(json_integer_value(json_object_get(r1, "twice")), 20);
    assert_true(json_is_null(json_object_get(r2, "x")));
    assert_true(json_is_false(json_object_get(r2, "flag")));
    assert_true(json_is_null(json_object_get(r2, "doc"))); /* text that is not JSON */
    assert_true(json_is_null(json_object_get(r2, "at")));  /* 0: no time */
    assert_true(json_is_null(json_object_get(r2, "phone")));
    assert_true(json_is_null(json_object_get(r3, "n")));
    assert_true(json_is_false(json_object_get(r3, "flag")));
    assert_null(json_object_get(r3, "twice")); /* a transform's NULL leaves the key out */
    assert_true(json_is_array(json_object_get(r4, "doc")));
    assert_true(json_real_value(json_object_get(r4, "x")) == 0.0);
    json_decref(items);
    al_db_close(db);
}

/* RULE-DB-041: marks numbered as added; past AL_PARAMS_MAX the list answers AL_EDB, unrun. */
static void
params_number_and_overflow(void **state)
{
    (void)state;
    struct al_arena a;
    al_arena_init(&a, 0);
    struct al_params p;
    al_params_init(&p, &a);
    assert_string_equal(al_param_text(&p, "x"), "?1");
    assert_string_equal(al_param_int(&p, 7), "?2");
    assert_string_equal(al_param_text(&p, NULL), "?3");
    for (int i = 3; i < AL_PARAMS_MAX; i++)
        al_param_int(&p, i);
    assert_false(p.overflow);
    assert_string_equal(al_param_int(&p, 0), "NULL");
    assert_true(p.overflow);
    struct al_db *db = dual_open(DUAL_SQLITE);
    assert_non_null(db);
    assert_int_equal(al_db_exec(db, schema), AL_OK);
    json_t *items = json_array();
    int64_t total = 9;
    assert_int_equal(al_db_page(db, &p, &page_sql, "", 10, 0, &(struct al_rows){.cols = cols},
                         items, &total),
        AL_EDB);
    assert_int_equal(total, 0);
    assert_int_equal(json_array_size(items), 0);
    json_decref(items);
    al_db_close(db);
    al_arena_fini(&a);
}

static json_t *
bound(struct al_db *db, void *arg)
{
    (void)arg;
    struct al_arena a;
    al_arena_init(&a, 0);
    struct al_stmt *st = al_db_sql(db, "SELECT CAST(?1 AS TEXT), CAST(?2 AS INTEGER),"
                                       " CAST(?3 AS INTEGER), CAST(?4 AS INTEGER), CAST(?5 AS TEXT)");
    al_stmt_binds(st, AL_T("甲"), AL_I(-7), AL_REF(0), AL_REF(42), AL_T(NULL));
    assert_int_equal(al_stmt_one(st), AL_OK);
    static const struct al_col c[] = {AL_COL(0, "t", AL_COL_TEXT), AL_COL(1, "i", AL_COL_INT),
        AL_COL(2, "none", AL_COL_INT), AL_COL(3, "ref", AL_COL_INT), AL_COL(4, "null", AL_COL_TEXT),
        AL_COL_END};
    json_t *o = al_row_json(&(struct al_row_ctx){&a, NULL}, st, c);
    al_stmt_reset(st);
    al_arena_fini(&a);
    return o;
}

/* RULE-DB-045: ?1… bound in order in one call; a reference of 0 and a NULL text stay NULL. */
static void
binds_in_one_call(void **state)
{
    (void)state;
    dual_same(bound, NULL);
    struct al_db *db = dual_open(DUAL_SQLITE);
    assert_non_null(db);
    json_t *o = bound(db, NULL);
    assert_string_equal(json_string_value(json_object_get(o, "t")), "甲");
    assert_int_equal(json_integer_value(json_object_get(o, "i")), -7);
    assert_true(json_is_null(json_object_get(o, "none")));
    assert_int_equal(json_integer_value(json_object_get(o, "ref")), 42);
    assert_true(json_is_null(json_object_get(o, "null")));
    json_decref(o);
    al_db_close(db);
}

/* The ids al_keyset_step reads with pages of `limit`, stopping after `stop` rows (0: all). */
static json_t *
keyset_ids(struct al_db *db, int64_t limit, int stop)
{
    struct al_keyset k = {.db = db, .sql = "SELECT id, name FROM t WHERE id > ?1 ORDER BY id LIMIT ?2",
        .limit = limit};
    json_t *ids = json_array();
    int rc;
    while ((rc = al_keyset_step(&k)) == AL_ROW) {
        json_array_append_new(ids, json_integer(al_stmt_int(k.st, 0)));
        if (stop && (int)json_array_size(ids) == stop) {
            al_keyset_reset(&k);
            assert_int_equal(al_keyset_step(&k), AL_OK); /* ended */
            break;
        }
    }
    assert_true(rc == AL_ROW || rc == AL_OK);
    return ids;
}

static json_t *
keysets(struct al_db *db, void *arg)
{
    (void)arg;
    assert_int_equal(al_db_exec(db, schema), AL_OK);
    json_t *out = json_pack("{s:o, s:o, s:o, s:o, s:o}", "one", keyset_ids(db, 1, 0), "two",
        keyset_ids(db, 2, 0), "five", keyset_ids(db, 5, 0), "default", keyset_ids(db, 0, 0),
        "stopped", keyset_ids(db, 2, 3));
    return out;
}

/*
 * RULE-DB-135: a table read a page at a time as one cursor: every row once in key order,
 * whatever the page size (one, a divisor of the rows, all of them, the default), and ended
 * early on request.
 */
static void
keyset_reads_every_row_once(void **state)
{
    (void)state;
    dual_same(keysets, NULL);
    struct al_db *db = dual_open(DUAL_SQLITE);
    assert_non_null(db);
    json_t *o = keysets(db, NULL);
    json_t *want = json_pack("[iiiii]", 1, 2, 3, 4, 5);
    for (const char *const *k = (const char *const[]){"one", "two", "five", "default", NULL}; *k;
         k++)
        assert_true(json_equal(json_object_get(o, *k), want));
    json_t *three = json_pack("[iii]", 1, 2, 3);
    assert_true(json_equal(json_object_get(o, "stopped"), three));
    json_decref(three);
    json_decref(want);
    json_decref(o);
    al_db_close(db);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(page_total_and_rows_agree),
        cmocka_unit_test(row_json_kinds),
        cmocka_unit_test(params_number_and_overflow),
        cmocka_unit_test(binds_in_one_call),
        cmocka_unit_test(keyset_reads_every_row_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
