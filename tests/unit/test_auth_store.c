/*
 * src/auth/auth_store.c, src/user/user_store.c, src/audit/audit_store.c and
 * src/dashboard/dashboard_store.c on the engine-neutral calls: the same workflow
 * runs on SQLite and on the throwaway PostgreSQL `make unit` starts
 * (ANLAO_TEST_PG), with the same assertions and the same results read back on
 * both.  The role cache (RULE-AUTH-009) obeys a change of a role's permissions
 * on the very next identified request; the audit chain verifies on both.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "audit/audit_int.h"
#include "auth/auth.h"
#include "auth/auth_int.h"
#include "core/json.h"
#include "dashboard/dashboard_int.h"
#include "user/user_int.h"
#include "dual.h"
#include "unit.h"

#define NOW 1767225600 /* 2026-01-01T00:00:00Z */

static const char hash_a[] = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
static const char hash_b[] = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

/* What the session read gives a request: the roles version, handed to the cache. */
static void
identify_like_a_request(struct al_db *db, struct al_arena *a)
{
    struct auth_session_row s;
    assert_int_equal(auth_store_session_find(db, a, hash_a, &s), AL_OK);
    assert_non_null(s.roles_version);
    auth_roles_seen(db, s.roles_version);
}

static json_t *
workflow(struct al_db *db)
{
    struct al_arena a;
    al_arena_init(&a, 4096);
    json_t *out = json_object();

    /* ---- user store ---- */
    struct user_new in = {.username = "Wang.Fang", .display_name = "王芳", .phone = "13800000000",
        .role = "township_officer", .region_code = "520327001"};
    int64_t uid = 0;
    assert_int_equal(user_store_insert(db, &in, "hash-1", 1, NOW, &uid), AL_OK);
    assert_true(uid > 0);
    /* RULE-AUTH-010: names are unique case-insensitively on both engines. */
    int64_t dup = 0;
    struct user_new twin = in;
    twin.username = "wang.fang";
    assert_int_equal(user_store_insert(db, &twin, "hash-2", 1, NOW, &dup), AL_ECONFLICT);
    assert_true(user_store_role_exists(db, "township_officer"));
    assert_false(user_store_role_exists(db, "nobody"));
    assert_true(user_store_role_within(db, "township_officer", "admin"));
    assert_false(user_store_role_within(db, "admin", "township_officer"));

    struct user_row row;
    assert_int_equal(user_store_get_row(db, &a, uid, &row), AL_OK);
    assert_string_equal(row.username, "Wang.Fang");
    assert_int_equal(row.version, 1);
    assert_int_equal(user_store_get_row(db, &a, uid + 100, &row), AL_ENOTFOUND);
    struct user_patch p = {.display_name = "王芳芳", .phone = "", .must_change_password = -1};
    assert_int_equal(user_store_update(db, uid, 1, &p, NOW + 1), AL_OK);
    assert_int_equal(user_store_update(db, uid, 1, &p, NOW + 1), AL_ECONFLICT); /* stale */
    json_t *u = NULL;
    assert_int_equal(user_get_json(db, &a, uid, &u), AL_OK);
    assert_true(json_is_null(json_object_get(u, "phone")));
    json_object_set_new(out, "user", u);

    struct user_filter f = {.scope = "520327", .q = "WANG", .limit = 10};
    json_t *items = json_array();
    int64_t total = -1;
    assert_int_equal(user_store_list(db, &a, &f, items, &total), AL_OK);
    assert_int_equal(total, 1);
    json_object_set_new(out, "list", items);

    /* ---- auth store ---- */
    struct auth_user au;
    assert_int_equal(auth_store_user_by_name(db, &a, "WANG.FANG", &au), AL_OK);
    assert_int_equal(au.id, uid);
    assert_string_equal(au.password_hash, "hash-1");
    assert_true(au.must_change_password);
    assert_int_equal(auth_store_user_by_name(db, &a, "li.si", &au), AL_ENOTFOUND);
    assert_int_equal(auth_store_user_by_id(db, &a, uid, &au), AL_OK);
    assert_string_equal(au.username, "Wang.Fang");

    int failures = -1;
    int64_t locked = -1;
    assert_int_equal(auth_store_set_failures(db, uid, 3, NOW + 900), AL_OK);
    assert_int_equal(auth_store_failures_get(db, uid, &failures, &locked), AL_OK);
    assert_int_equal(failures, 3);
    assert_int_equal(locked, NOW + 900);
    assert_int_equal(auth_store_failures_get(db, uid + 100, &failures, &locked), AL_ENOTFOUND);

    struct auth_ip_state ip = {.failures = 9};
    assert_int_equal(auth_store_ip_get(db, "10.0.0.1", &ip), AL_OK);
    assert_int_equal(ip.failures, 0); /* none kept: zeros */
    struct auth_ip_state put = {.failures = 1, .window_start = NOW, .blocked_until = 0};
    assert_int_equal(auth_store_ip_put(db, "10.0.0.1", &put), AL_OK);
    put.failures = 2;
    put.blocked_until = NOW + 60;
    assert_int_equal(auth_store_ip_put(db, "10.0.0.1", &put), AL_OK); /* upsert */
    assert_int_equal(auth_store_ip_get(db, "10.0.0.1", &ip), AL_OK);
    assert_int_equal(ip.failures, 2);
    assert_int_equal(ip.blocked_until, NOW + 60);

    int64_t sid = 0;
    assert_int_equal(auth_store_session_create(db, uid, hash_a, "csrf-1", NOW, NOW + 3600, &sid),
        AL_OK);
    assert_true(sid > 0);
    int64_t sid2 = 0;
    assert_int_equal(auth_store_session_create(db, uid, hash_a, "csrf-2", NOW, NOW + 3600, &sid2),
        AL_ECONFLICT);
    assert_int_equal(auth_store_session_touch(db, sid, NOW + 5), AL_OK);
    struct auth_session_row s;
    assert_int_equal(auth_store_session_find(db, &a, hash_a, &s), AL_OK);
    assert_int_equal(s.id, sid);
    assert_int_equal(s.last_seen_at, NOW + 5);
    assert_string_equal(s.csrf_token, "csrf-1");
    assert_string_equal(s.role_name, "乡镇/街道管理员");
    /* RULE-AUTH-009: the version sql/020 seeds, bumped by each later migration that changes
     * role permissions (sql/021 among them): the session carries the current one. */
    {
        struct al_stmt *vs = al_db_sql(db, "SELECT value FROM settings WHERE key = 'auth.roles_version'");
        assert_int_equal(al_stmt_one(vs), AL_OK);
        assert_string_equal(s.roles_version, al_stmt_text(vs, 0));
        assert_true(atoi(s.roles_version) >= 1);
        al_stmt_reset(vs);
    }
    json_t *me = NULL;
    assert_int_equal(auth_me_json(db, &s, &a, &me), AL_OK);
    json_t *me2 = NULL;
    assert_int_equal(auth_store_me(db, &a, uid, &me2), AL_OK);
    assert_true(json_equal(me, me2)); /* from the session row or read by id: the same */
    json_decref(me2);
    json_object_set_new(out, "me", me);
    assert_int_equal(auth_store_me(db, &a, uid + 100, &me2), AL_ENOTFOUND);

    assert_int_equal(auth_store_update_me(db, uid, NULL, "13900000000",
                         "{\"elder_mode\":true}", NOW + 7), AL_OK);
    assert_int_equal(auth_store_me(db, &a, uid, &me2), AL_OK);
    assert_true(json_is_true(json_object_get(json_object_get(me2, "prefs"), "elder_mode")));
    assert_string_equal(json_string_value(json_object_get(me2, "phone")), "13900000000");
    json_object_set_new(out, "me_after_update", me2);

    int64_t tid = 0;
    assert_int_equal(auth_store_token_create(db, uid, "导出脚本", hash_b, NOW, &tid), AL_OK);
    assert_int_equal(auth_store_token_touch(db, tid, NOW + 9), AL_OK);
    assert_int_equal(auth_store_token_find(db, &a, hash_b, &s), AL_OK);
    assert_int_equal(s.id, tid);
    assert_null(s.csrf_token);
    assert_int_equal(s.last_seen_at, NOW + 9);
    items = json_array();
    assert_int_equal(auth_store_token_list(db, &a, uid, items), AL_OK);
    json_object_set_new(out, "tokens", items);
    assert_int_equal(auth_store_token_revoke(db, uid + 100, tid, NOW), AL_ENOTFOUND);
    assert_int_equal(auth_store_token_revoke(db, uid, tid, NOW), AL_OK);
    assert_int_equal(auth_store_token_revoke(db, uid, tid, NOW), AL_ENOTFOUND);
    assert_int_equal(auth_store_token_find(db, &a, hash_b, &s), AL_ENOTFOUND);

    assert_int_equal(auth_store_set_password(db, uid, "hash-3", NOW + 10), AL_OK);
    assert_int_equal(auth_store_user_by_id(db, &a, uid, &au), AL_OK);
    assert_false(au.must_change_password);
    assert_string_equal(au.password_hash, "hash-3");

    /* ---- RULE-AUTH-009: the role cache obeys the next request ---- */
    identify_like_a_request(db, &a);
    assert_true(auth_role_has(db, "township_officer", "user.read"));
    assert_true(auth_role_has(db, "township_officer", "user.read")); /* cached */
    assert_false(auth_role_has(db, "township_officer", "user"));      /* whole ids only */
    assert_false(auth_role_has(db, "township_officer", "system.manage"));
    json_t *perms = json_array();
    assert_int_equal(auth_role_permissions(db, "township_officer", perms), AL_OK);
    json_object_set_new(out, "perms", perms);
    /* A change of the role, as a migration makes it: with the version bumped. */
    assert_int_equal(al_db_begin(db), AL_OK);
    assert_int_equal(al_db_exec(db, "DELETE FROM role_permissions WHERE role_id ="
                                    " 'township_officer' AND permission_id = 'user.read'"),
        AL_OK);
    assert_int_equal(auth_store_roles_changed(db), AL_OK);
    assert_int_equal(al_db_end(db, AL_OK), AL_OK);
    identify_like_a_request(db, &a);
    assert_false(auth_role_has(db, "township_officer", "user.read"));
    perms = json_array();
    assert_int_equal(auth_role_permissions(db, "township_officer", perms), AL_OK);
    assert_int_equal(json_array_size(perms),
        json_array_size(json_object_get(out, "perms")) - 1);
    json_decref(perms);
    /* Without a version (setting gone) the cache is off: the database answers each time. */
    assert_int_equal(al_db_exec(db, "INSERT INTO role_permissions(role_id, permission_id)"
                                    " VALUES ('township_officer', 'user.read')"), AL_OK);
    auth_roles_seen(db, NULL);
    assert_true(auth_role_has(db, "township_officer", "user.read"));

    /* Revoking every credential; the session is then gone. */
    assert_int_equal(auth_revoke_credentials(db, uid, NOW), AL_OK);
    assert_int_equal(auth_store_session_find(db, &a, hash_a, &s), AL_ENOTFOUND);
    assert_int_equal(auth_store_session_revoke(db, sid, NOW), AL_OK);

    /* ---- audit: the hash chain verifies identically ---- */
    struct audit_entry e1 = {.action = "user.create", .target_type = "user",
        .target_id = "1", .region_code = "520327001", .outcome = "success",
        .detail = json_pack("{s:s, s:i}", "username", "wang.fang", "n", 2)};
    struct audit_entry e2 = {.action = "auth.login_failed", .outcome = "failure"};
    assert_int_equal(audit_append_as(db, uid, "Wang.Fang", "10.0.0.1", &e1), AL_OK);
    assert_int_equal(audit_append_as(db, 0, "li.si", NULL, &e2), AL_OK);
    assert_int_equal(al_db_begin(db), AL_OK); /* inside the caller's transaction too */
    assert_int_equal(audit_append_as(db, uid, "Wang.Fang", "10.0.0.1", &e2), AL_OK);
    assert_int_equal(al_db_end(db, AL_OK), AL_OK);
    json_decref(e1.detail);
    int64_t count = 0, bad = -1, n = -1;
    char msg[256];
    assert_int_equal(audit_verify(db, &count, &bad, msg, sizeof(msg)), AL_OK);
    assert_int_equal(count, 3);
    assert_int_equal(bad, 0);
    json_object_set_new(out, "verify", json_string(msg));
    assert_int_equal(audit_count_recent(db, uid, "auth.login_failed", 0, &n), AL_OK);
    assert_int_equal(n, 1);
    struct audit_filter af = {.scope = "", .username = "WANG.FANG", .limit = 10};
    items = json_array();
    assert_int_equal(audit_store_list(db, &a, &af, items, &total), AL_OK);
    assert_int_equal(total, 2);
    for (size_t i = 0; i < json_array_size(items); i++)
        json_object_del(json_array_get(items, i), "at"); /* the clock's */
    json_object_set_new(out, "audit", items);

    struct dashboard_counts dc;
    assert_int_equal(dashboard_store_counts(db, "520327", 0, &dc), AL_OK);
    assert_int_equal(dc.users, 1);
    assert_int_equal(dc.audit_today, 1);
    assert_int_equal(dc.login_failures_today, 0);
    assert_int_equal(dashboard_store_counts(db, "", 0, &dc), AL_OK);
    assert_int_equal(dc.login_failures_today, 2);

    auth_roles_seen(db, NULL);
    al_arena_fini(&a);
    return out;
}

static json_t *
run_workflow(struct al_db *db, void *arg)
{
    (void)arg;
    return workflow(db);
}

/* The same records, field for field, on both engines (times come from the caller). */
static void
stores_on_sqlite_and_postgresql(void **state)
{
    (void)state;
    dual_same(run_workflow, NULL);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(stores_on_sqlite_and_postgresql),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
