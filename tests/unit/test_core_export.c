/*
 * src/core/export.c's al_export_list on both engines (tests/unit/dual.h):
 * every row of a list written once, in order, through a column table, read a
 * page at a time by key (RULE-DB-100, RULE-DB-101, al_db_keyset of dbq.h),
 * whatever the page size; a failing page sends nothing.
 */
#include <string.h>
#include <unistd.h>

#include "core/dbq.h"
#include "core/export.h"
#include "core/http.h"
#include "core/query.h"
#include "dual.h"
#include "unit.h"

static const char schema[] =
    "CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT, region TEXT, phone TEXT, at INTEGER);"
    "INSERT INTO t VALUES (1, '甲', '520327001', '13812345678', 1767225600);"
    "INSERT INTO t VALUES (2, '乙,二', '520327101', NULL, 0);"
    "INSERT INTO t VALUES (3, '丙\"三\"', '520327001', '0851-1234567', NULL);"
    "INSERT INTO t VALUES (4, '丁', '520327002', '', 1);"
    "INSERT INTO t VALUES (5, '戊', '520327101', '13900001111', 2);"
    "INSERT INTO t VALUES (6, '己', '5203', '1', 3);"
    "INSERT INTO t VALUES (7, '庚', '52', '13700002222', 1767225600);";

static const struct al_page_sql sql = {.cols = "id, name, region, phone, at", .from = " FROM t",
    .order = " ORDER BY id"};

/* A region name from a cell's user table: the transform sees the row and what it was given. */
static const char *
region_label(struct al_export_cell *c)
{
    const char *code = al_stmt_text(c->st, c->col);
    snprintf(c->buf, c->size, "%s%s", (const char *)c->user, code ? code : "");
    return c->buf;
}

static const struct al_export_col cols[] = {AL_XCOLF("序号", 0, al_xcell_row_number),
    AL_XCOL("编号", 0), AL_XCOL("姓名", 1), AL_XCOLF("区划", 2, region_label),
    AL_XCOLF("电话（脱敏）", 3, al_xcell_phone_masked), AL_XCOLF("时间", 4, al_xcell_time_cst),
    AL_XCOL_END};

struct src {
    struct al_db *db;
    struct al_arena *a;
    const char *min_region; /* rows whose region is at least this (a filter) */
    bool desc;
    int pages;              /* statements asked for */
    int fail_at;            /* the page that cannot be prepared (0: none) */
};

static struct al_stmt *
page(void *ctx, const char *const *after)
{
    struct src *s = ctx;
    if (++s->pages == s->fail_at)
        return NULL;
    struct al_params p;
    al_params_init(&p, s->a);
    const char *where = al_arena_printf(s->a, " WHERE region >= %s",
        al_param_text(&p, s->min_region));
    return al_db_keyset(s->db, &p, &sql, where, "id", s->desc, after ? after[0] : NULL, 2);
}

/* The export of `s` as `format` through a request of its own: the reply's bytes, or NULL. */
static char *
run(struct src *s, const char *format, int page_rows, int *rc, long long *rows)
{
    struct al_req r;
    memset(&r, 0, sizeof(r));
    r.arena = s->a;
    r.db = s->db;
    struct al_export_list l = {.title = "清单", .name = "测试", .cols = cols, .user = "区划",
        .page = page, .ctx = s, .key_col = 0, .nkeys = 1, .page_rows = page_rows};
    *rc = al_export_list(&r, format, &l, rows);
    if (*rc != AL_OK)
        return NULL;
    assert_string_equal(r.file_name, strcmp(format, "csv") ? "测试.xlsx" : "测试.csv");
    if (!r.file_fd_set)
        return strndup(r.file_body, r.file_len);
    /* RULE-DB-114: a workbook is answered from its file (already unlinked), never from memory */
    char *out = calloc(1, r.file_len + 1);
    assert_int_equal(pread(r.file_fd, out, r.file_len, 0), (ssize_t)r.file_len);
    close(r.file_fd);
    return out;
}

static json_t *
exports(struct al_db *db, void *arg)
{
    (void)arg;
    assert_int_equal(al_db_exec(db, schema), AL_OK);
    struct al_arena a;
    al_arena_init(&a, 0);
    json_t *out = json_object();
    for (int desc = 0; desc < 2; desc++) {
        struct src s = {.db = db, .a = &a, .min_region = "520327", .desc = desc};
        int rc;
        long long rows = -1;
        char *csv = run(&s, "csv", 2, &rc, &rows);
        assert_int_equal(rc, AL_OK);
        json_object_set_new(out, desc ? "desc" : "asc", json_pack("{s:s, s:I, s:i}", "csv", csv,
                                                            "rows", (json_int_t)rows, "pages",
                                                            s.pages));
        free(csv);
    }
    al_arena_fini(&a);
    return out;
}

/* RULE-DB-100, RULE-DB-101: the same file on both engines, every row once, in order. */
static void
every_row_once_through_the_column_table(void **state)
{
    (void)state;
    dual_same(exports, NULL);
    struct al_db *db = dual_open(DUAL_SQLITE);
    assert_non_null(db);
    json_t *out = exports(db, NULL);
    json_t *asc = json_object_get(out, "asc");
    assert_string_equal(json_string_value(json_object_get(asc, "csv")),
        "\xEF\xBB\xBF序号,编号,姓名,区划,电话（脱敏）,时间\r\n"
        "1,1,甲,区划520327001,138****5678,2026-01-01 08:00:00\r\n"
        "2,2,\"乙,二\",区划520327101,,\r\n"
        "3,3,\"丙\"\"三\"\"\",区划520327001,085*-***4567,\r\n"
        "4,4,丁,区划520327002,,1970-01-01 08:00:01\r\n"
        "5,5,戊,区划520327101,139****1111,1970-01-01 08:00:02\r\n");
    assert_int_equal(json_integer_value(json_object_get(asc, "rows")), 5);
    /* pages of 2: 2 + 2 + 1, the short one the last */
    assert_int_equal(json_integer_value(json_object_get(asc, "pages")), 3);
    json_t *desc = json_object_get(out, "desc");
    const char *d = json_string_value(json_object_get(desc, "csv"));
    assert_non_null(strstr(d, "\r\n1,5,戊,"));
    assert_non_null(strstr(d, "\r\n5,1,甲,"));
    json_decref(out);
    al_db_close(db);
}

/* A page boundary on the last row, a list of none, a page that fails, XLSX. */
static void
boundaries_failure_and_xlsx(void **state)
{
    (void)state;
    struct al_db *db = dual_open(DUAL_SQLITE);
    assert_non_null(db);
    assert_int_equal(al_db_exec(db, schema), AL_OK);
    struct al_arena a;
    al_arena_init(&a, 0);
    int rc;
    long long rows;
    struct src s;
    char *csv;
    s = (struct src){.db = db, .a = &a, .min_region = "520327101"};
    csv = run(&s, "csv", 2, &rc, &rows);
    assert_int_equal(rc, AL_OK);
    assert_int_equal(rows, 2);
    assert_int_equal(s.pages, 2); /* a full page may be the last: one more read finds none */
    free(csv);
    s = (struct src){.db = db, .a = &a, .min_region = "9"};
    csv = run(&s, "csv", 2, &rc, &rows);
    assert_int_equal(rows, 0);
    assert_string_equal(csv, "\xEF\xBB\xBF序号,编号,姓名,区划,电话（脱敏）,时间\r\n");
    free(csv);
    /* the second page cannot be prepared: AL_EDB, nothing sent */
    s = (struct src){.db = db, .a = &a, .min_region = "520327", .fail_at = 2};
    assert_null(run(&s, "xlsx", 2, &rc, &rows));
    assert_int_equal(rc, AL_EDB);
    assert_int_equal(rows, 2);
    s = (struct src){.db = db, .a = &a, .min_region = "520327"};
    char *x = run(&s, "xlsx", 2, &rc, &rows);
    assert_int_equal(rc, AL_OK);
    assert_int_equal(rows, 5);
    assert_memory_equal(x, "PK", 2);
    free(x);
    al_arena_fini(&a);
    al_db_close(db);
}

/* A list of 3,000 rows with a long text each, for the memory bound below. */
static struct al_stmt *
big_page(void *ctx, const char *const *after)
{
    struct src *s = ctx;
    s->pages++;
    struct al_params p;
    al_params_init(&p, s->a);
    return al_db_keyset(s->db, &p, &sql, " WHERE 1 = 1", "id", false, after ? after[0] : NULL,
        50);
}

/*
 * RULE-DB-112: whatever the length of the list, the request's arena holds one page at a time
 * (each page's memory is given back once the page is passed on): 60 pages of 50 rows of about
 * 220 bytes (660 KB of CSV) never hold more than a few pages' worth (before: the whole file).
 */
static void
memory_held_is_one_page(void **state)
{
    (void)state;
    struct al_db *db = dual_open(DUAL_SQLITE);
    assert_non_null(db);
    assert_int_equal(al_db_exec(db, "CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT, "
                                    "region TEXT, phone TEXT, at INTEGER);"
                                    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 "
                                    "FROM n WHERE i < 3000) INSERT INTO t SELECT i, "
                                    "printf('%0200d', i), '520327001', '13812345678', i FROM n;"),
        AL_OK);
    struct al_arena a;
    al_arena_init(&a, 0);
    for (int f = 0; f < 2; f++) {
        const char *format = f ? "xlsx" : "csv";
        struct src s = {.db = db, .a = &a};
        struct al_req r;
        memset(&r, 0, sizeof(r));
        r.arena = &a;
        r.db = db;
        struct al_export_list l = {.title = "清单", .name = "测试", .cols = cols,
            .user = "区划", .page = big_page, .ctx = &s, .key_col = 0, .nkeys = 1,
            .page_rows = 50};
        long long rows = 0;
        assert_int_equal(al_export_list(&r, format, &l, &rows), AL_OK);
        const struct al_export_stats *st = al_export_last();
        assert_int_equal(rows, 3000);
        assert_int_equal(st->rows, 3000);
        assert_int_equal(st->pages, 61); /* 60 full pages, then one that finds none */
        /* a page's CSV is about 50 x 260 = 13 KB; the arena's own growth adds at most as much
           again, and the column scratch 3 KB */
        assert_true(st->arena_peak < 64 * 1024);
        if (!f) {
            assert_true(r.file_len > 700 * 1024);
            assert_int_equal(st->bytes, r.file_len);
            assert_true(st->arena_peak * 10 < r.file_len);
        } else {
            assert_true(r.file_fd_set);
            close(r.file_fd);
        }
        al_arena_reset(&a);
    }
    al_arena_fini(&a);
    al_db_close(db);
}

/* RULE-DB-112: a mark and its release give back exactly what came after, big blocks too. */
static void
arena_mark_and_release(void **state)
{
    (void)state;
    struct al_arena a;
    al_arena_init(&a, 1024);
    char *keep = al_arena_strdup(&a, "kept");
    struct al_arena_mark m;
    al_arena_mark(&a, &m);
    size_t used = a.used_total;
    for (int round = 0; round < 3; round++) {
        al_arena_alloc(&a, 100);
        al_arena_alloc(&a, 5000); /* a block of its own, behind the current one */
        for (int i = 0; i < 50; i++)
            al_arena_alloc(&a, 300); /* new blocks above the mark's */
        al_arena_alloc(&a, 9000);
        assert_true(a.used_total > used + 20000);
        al_arena_release(&a, &m);
        assert_int_equal(a.used_total, used);
        assert_string_equal(keep, "kept");
    }
    al_arena_fini(&a);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_row_once_through_the_column_table),
        cmocka_unit_test(boundaries_failure_and_xlsx),
        cmocka_unit_test(memory_held_is_one_page),
        cmocka_unit_test(arena_mark_and_release),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
