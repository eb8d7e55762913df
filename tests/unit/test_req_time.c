/*
 * RULE-DB-044: a request carries its time (r->now, r->today), read once when
 * it arrives, and the handlers use it instead of the clock.  The real route
 * handlers run here on hand-made requests dated in the past: what they write
 * and answer carries that date, never today's.
 */
#include <string.h>

#include "app/modules.h"
#include "core/db.h"
#include "core/http.h"
#include "core/idcard.h"
#include "core/json.h"
#include "core/query.h"
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

int
main(void)
{
    al_json_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(writes_and_answers_carry_the_request_time),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
