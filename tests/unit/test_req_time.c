/*
 * RULE-DB-044: a request carries its time (r->now, r->today), read once when
 * it arrives, and the handlers use it instead of the clock.  The real route
 * handlers run here on hand-made requests dated in the past: what they write
 * and answer carries that date, never today's.  Imports and identification runs
 * (jobs, the CLI) carry their own time the same way (RULE-DB-102).
 */
#include <stdio.h>
#include <string.h>

#include "app/modules.h"
#include "core/config.h"
#include "core/db.h"
#include "core/http.h"
#include "core/idcard.h"
#include "core/json.h"
#include "core/query.h"
#include "identify/identify.h"
#include "import/import.h"
#include "dual.h"
#include "unit.h"

#define THEN 1700000000 /* 2023-11-14T22:13:20Z, 2023-11-15 in China */

static struct al_principal boss = {.user_id = 1, .username = "boss", .display_name = "管理员",
    .role = "admin", .region_code = ""};

/* Run the route for `method path` on a request made at `now`; its reply into *out (arena JSON). */
static int
call(struct al_db *db, struct al_arena *a, int method, const char *path, const char *query,
    const char *body, int64_t now, json_t **out)
{
    struct al_req r;
    memset(&r, 0, sizeof(r));
    r.arena = a;
    r.db = db;
    r.method = method;
    r.path = path;
    r.path_len = strlen(path);
    r.body = body;
    r.body_len = body ? strlen(body) : 0;
    r.status = 200;
    r.who = &boss;
    strcpy(r.client_ip, "127.0.0.1");
    r.now = now;
    al_date_cst(now, r.today);
    assert_int_equal(al_query_parse(a, query, query ? strlen(query) : 0, &r.query, &r.err), AL_OK);
    assert_int_equal(al_router_match(app_modules, method, path, strlen(path), &r.match, &r.err),
        AL_OK);
    al_json_use_arena(a);
    int rc = r.match.route->handler(&r);
    al_json_use_arena(NULL);
    if (rc != AL_OK)
        fprintf(stderr, "%s %s: %s\n", al_method_name(method), path, r.err.message);
    *out = r.resp;
    return rc;
}

static int64_t
count(struct al_db *db, const char *sql)
{
    int64_t n = -1;
    assert_int_equal(al_db_count(db, sql, NULL, &n), AL_OK);
    return n;
}

static void
writes_and_answers_carry_the_request_time(void **state)
{
    (void)state;
    struct al_db *db = dual_open(DUAL_SQLITE);
    assert_non_null(db);
    assert_int_equal(al_db_exec(db,
        "INSERT INTO users(id, username, display_name, role_id, region_code, password_hash,"
        " created_at, updated_at) VALUES (1, 'boss', '管理员', 'admin', '', 'x', 0, 0);"
        "INSERT INTO elders(id, region_code, name, sex, birth_date, id_hash, id_enc, id_masked,"
        " address, created_at, updated_at) VALUES (3, '520327001001', '王芳', 'F', '1950-06-01',"
        " 'h', 'e', '520327********0000', '一号', 0, 0);"), AL_OK);
    struct al_arena a;
    al_arena_init(&a, 0);
    json_t *u = NULL;
    assert_int_equal(call(db, &a, AL_POST, "/api/v1/users", NULL,
                         "{\"username\": \"timed\", \"display_name\": \"钟\", \"role\": \"helper\","
                         " \"region_code\": \"\", \"password\": \"Abcdefg123\"}",
                         THEN, &u),
        AL_OK);
    assert_string_equal(json_string_value(json_object_get(u, "created_at")), "2023-11-14T22:13:20Z");
    assert_string_equal(json_string_value(json_object_get(u, "updated_at")), "2023-11-14T22:13:20Z");
    /* The audit entry of the same request: the same second. */
    assert_int_equal(count(db, "SELECT count(*) FROM audit_log WHERE action = 'user.create'"
                               " AND at = 1700000000"), 1);

    char path[64];
    snprintf(path, sizeof(path), "/api/v1/users/%lld",
        (long long)json_integer_value(json_object_get(u, "id")));
    json_t *p = NULL;
    assert_int_equal(call(db, &a, AL_PATCH, path, NULL, "{\"version\": 1, \"display_name\": \"钟二\"}",
                         THEN + 500, &p),
        AL_OK);
    assert_string_equal(json_string_value(json_object_get(p, "created_at")), "2023-11-14T22:13:20Z");
    assert_string_equal(json_string_value(json_object_get(p, "updated_at")), "2023-11-14T22:21:40Z");
    assert_int_equal(count(db, "SELECT count(*) FROM audit_log WHERE action = 'user.update'"
                               " AND at = 1700000500"), 1);

    /* Ages are on the request's day: born 1950-06-01, 49 on 2000-05-31, 50 the next day. */
    json_t *list = NULL, *one = NULL;
    int64_t eve = 959745600; /* 2000-05-31T04:00:00Z, 12:00 in China */
    assert_int_equal(call(db, &a, AL_GET, "/api/v1/elders", NULL, NULL, eve, &list), AL_OK);
    json_t *item = json_array_get(json_object_get(list, "items"), 0);
    assert_int_equal(json_integer_value(json_object_get(item, "age")), 49);
    assert_int_equal(call(db, &a, AL_GET, "/api/v1/elders/3", NULL, NULL, eve + 86400, &one),
        AL_OK);
    assert_int_equal(json_integer_value(json_object_get(one, "age")), 50);
    al_arena_fini(&a);
    al_db_close(db);
}

/*
 * RULE-DB-102: an import and an identification run carry their own time (the
 * job's start, given as `now`): every row, history entry and audit entry they
 * write, and the day their age rules count from, are of 2023-11-15, not today.
 */
static void
imports_and_runs_carry_their_time(void **state)
{
    (void)state;
    struct al_db *db = dual_open(DUAL_SQLITE);
    assert_non_null(db);
    assert_int_equal(dual_key(), 0);
    al_config_load_env(); /* the import's bounds */
    assert_int_equal(al_db_exec(db, "INSERT INTO regions(code, name, level, parent_code, edition)"
                                    " VALUES ('520327001001', '龙潭湖社区', 5, '520327001', 2023)"),
        AL_OK);
    /* 59 on 2023-11-15 (under elder.min_age 60: skipped), 62 today; 79 then, 83 today. */
    char young[19], old[19], path[256], text[512];
    snprintf(young, sizeof(young), "52032719640101001");
    young[17] = al_id_check_char(young);
    young[18] = '\0';
    snprintf(old, sizeof(old), "52032719431116002");
    old[17] = al_id_check_char(old);
    old[18] = '\0';
    snprintf(path, sizeof(path), "%s/timed.csv", dual_dir());
    snprintf(text, sizeof(text), "身份证号,姓名,区划代码,住址\n%s,年轻人,520327001001,一号\n"
                                 "%s,老人甲,520327001001,二号\n", young, old);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    struct import_options o = {.kind = "hukou", .path = path, .commit = true,
        .username = "unit", .now = THEN};
    struct import_summary s;
    struct al_errinfo e = {0};
    int rc = import_run(db, &o, &s, &e);
    if (rc != AL_OK)
        fprintf(stderr, "import: %s %s\n", e.field, e.message);
    assert_int_equal(rc, AL_OK);
    assert_true(s.committed);
    assert_int_equal(s.created, 1);
    assert_int_equal(s.skipped_age, 1); /* 59 on the import's day */
    assert_int_equal(count(db, "SELECT count(*) FROM imports WHERE created_at = 1700000000"
                               " AND committed_at = 1700000000"), 1);
    assert_int_equal(count(db, "SELECT count(*) FROM elders WHERE created_at = 1700000000"), 1);
    assert_int_equal(count(db, "SELECT count(*) FROM elder_history WHERE at = 1700000000"), 1);
    assert_int_equal(count(db, "SELECT count(*) FROM audit_log WHERE action = 'import.commit'"
                               " AND at = 1700000000"), 1);

    struct identify_result ir;
    assert_int_equal(identify_run(db, THEN + 60, 0, "unit", "local", &ir), AL_OK);
    assert_int_equal(ir.scanned, 1);
    assert_int_equal(count(db, "SELECT count(*) FROM identify_runs WHERE at = 1700000060"), 1);
    assert_int_equal(count(db, "SELECT count(*) FROM audit_log WHERE action = 'identify.run'"
                               " AND at = 1700000060"), 1);
    /* 79 on the run's day: not 高龄 (80), though 83 today */
    assert_int_equal(count(db, "SELECT count(*) FROM elder_categories"
                               " WHERE category = 'advanced_age'"), 0);
    assert_int_equal(identify_run(db, 1800000000, 0, "unit", "local", &ir), AL_OK); /* 2027 */
    assert_int_equal(count(db, "SELECT count(*) FROM elder_categories"
                               " WHERE category = 'advanced_age'"), 1);
    al_db_close(db);
}

int
main(void)
{
    al_json_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(writes_and_answers_carry_the_request_time),
        cmocka_unit_test(imports_and_runs_carry_their_time),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
