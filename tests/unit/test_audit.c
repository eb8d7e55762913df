/* src/audit: the hash chain (RULE-AUDIT-001). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit/audit.h"
#include "core/crypto.h"
#include "core/json.h"
#include "unit.h"

static const char zeros[] = "0000000000000000000000000000000000000000000000000000000000000000";

static void
hash_is_deterministic_and_depends_on_every_field(void **state)
{
    (void)state;
    /* RULE-AUDIT-001 */
    const char *f[11] = {"1", "100", "2", "admin", "user.create", "user", "5", "520327",
        "success", "127.0.0.1", "{}"};
    char h0[65], h1[65], h2[65];
    audit_hash(zeros, f, h0);
    audit_hash(zeros, f, h1);
    assert_string_equal(h0, h1);
    assert_int_equal(strlen(h0), 64);
    assert_int_equal(strspn(h0, "0123456789abcdef"), 64);
    for (int i = 0; i < 11; i++) {
        const char *saved = f[i];
        f[i] = "changed";
        audit_hash(zeros, f, h1);
        assert_string_not_equal(h0, h1);
        f[i] = NULL;
        audit_hash(zeros, f, h1);
        assert_string_not_equal(h0, h1);
        f[i] = "";
        audit_hash(zeros, f, h2);
        assert_string_not_equal(h0, h2);
        assert_string_not_equal(h1, h2); /* NULL and "" differ */
        f[i] = saved;
    }
    audit_hash("01", f, h1);
    assert_string_not_equal(h0, h1);
    /* Text does not slide between fields: "ab","c" is not "a","bc". */
    const char *g[11] = {"ab", "c", "", "", "", "", "", "", "", "", ""};
    const char *k[11] = {"a", "bc", "", "", "", "", "", "", "", "", ""};
    audit_hash(zeros, g, h1);
    audit_hash(zeros, k, h2);
    assert_string_not_equal(h1, h2);
}

static void
stored_fields_hold_no_separators(void **state)
{
    (void)state;
    /* RULE-AUDIT-001: a control character could pass for a separator (0x1F) or the
     * NULL mark (0x1E); entries are stored and hashed without them. */
    struct al_arena a;
    al_arena_init(&a, 0);
    const char *clean = "管理员 admin";
    assert_ptr_equal(audit_clean(&a, clean), clean);
    assert_null(audit_clean(&a, NULL));
    assert_string_equal(audit_clean(&a, "a\x1f" "b\x1e\n\x7f"), "a?b???");
    assert_false(audit_needs_clean("普通文本"));
    assert_true(audit_needs_clean("x\ty"));
    /* Text with a separator no longer slides between fields once cleaned. */
    const char *g[11] = {"1", "2", NULL, audit_clean(&a, "bob\x1f" "x"), "y", "", "", "", "", "", ""};
    const char *k[11] = {"1", "2", NULL, "bob", audit_clean(&a, "x\x1f" "y"), "", "", "", "", "", ""};
    char h1[65], h2[65];
    audit_hash(zeros, g, h1);
    audit_hash(zeros, k, h2);
    assert_string_not_equal(h1, h2);
    al_arena_fini(&a);
}

static void
hash_follows_the_documented_layout(void **state)
{
    (void)state;
    /* prev_hash, then each field after 0x1F, NULL written as 0x1E (see audit_logic.c). */
    const char *f[11] = {"7", "1700000000", NULL, "unit", "test.write", "thing", "1", "520327",
        "success", NULL, "{\"n\":1}"};
    char buf[512];
    size_t n = 0;
    memcpy(buf, zeros, 64);
    n = 64;
    for (int i = 0; i < 11; i++) {
        buf[n++] = 0x1f;
        if (f[i]) {
            memcpy(buf + n, f[i], strlen(f[i]));
            n += strlen(f[i]);
        } else {
            buf[n++] = 0x1e;
        }
    }
    char want[65], got[65];
    al_crypto_sha256_hex(buf, n, want);
    audit_hash(zeros, f, got);
    assert_string_equal(got, want);
}

struct fixture {
    char dir[64];
    struct al_db *db;
};

static int
setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof(*fx));
    snprintf(fx->dir, sizeof(fx->dir), "/tmp/anlao-unit-audit-XXXXXX");
    char path[128];
    if (!mkdtemp(fx->dir))
        return -1;
    snprintf(path, sizeof(path), "%s/t.db", fx->dir);
    if (al_db_open(path, &fx->db) != AL_OK || al_db_migrate(fx->db) != AL_OK)
        return -1;
    *state = fx;
    return 0;
}

static int
teardown(void **state)
{
    struct fixture *fx = *state;
    al_db_close(fx->db);
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fx->dir);
    int rc = system(cmd);
    free(fx);
    return rc == 0 ? 0 : -1;
}

static void
append(struct al_db *db, int n)
{
    for (int i = 0; i < n; i++) {
        json_t *d = json_pack("{s:i, s:s}", "n", i, "名", "王芳");
        struct audit_entry e = {.action = "test.write", .target_type = "thing", .target_id = "1",
            .region_code = "520327", .outcome = "success", .detail = d};
        assert_int_equal(audit_append_as(db, i % 2 ? 0 : 1, "unit", "127.0.0.1", &e), AL_OK);
        json_decref(d);
    }
    struct audit_entry bare = {.action = "test.bare", .outcome = "denied"};
    assert_int_equal(audit_append_as(db, 0, NULL, NULL, &bare), AL_OK);
}

static int
verify(struct al_db *db, int64_t *count, int64_t *bad, char *msg)
{
    *count = *bad = -1;
    return audit_verify(db, count, bad, msg, 256);
}

static void
empty_chain_is_intact(void **state)
{
    struct fixture *fx = *state;
    int64_t count, bad;
    char msg[256];
    assert_int_equal(verify(fx->db, &count, &bad, msg), AL_OK);
    assert_int_equal(count, 0);
    assert_int_equal(bad, 0);
}

static void
appended_entries_chain_and_verify(void **state)
{
    struct fixture *fx = *state;
    append(fx->db, 5);
    int64_t count, bad;
    char msg[256];
    assert_int_equal(verify(fx->db, &count, &bad, msg), AL_OK);
    assert_int_equal(count, 6);
    assert_int_equal(bad, 0);
    assert_non_null(strstr(msg, "6"));
    /* Consecutive ids from 1; the first links to zeros; each links to the one before;
     * the head pointer names the last. */
    int64_t n = -1;
    al_db_count(fx->db, "SELECT count(*) FROM audit_log WHERE id = 1 AND prev_hash = ?", zeros, &n);
    assert_int_equal(n, 1);
    al_db_count(fx->db, "SELECT count(*) FROM audit_log a JOIN audit_log b ON b.id = a.id + 1"
                        " WHERE b.prev_hash = a.hash", NULL, &n);
    assert_int_equal(n, 5);
    al_db_count(fx->db, "SELECT count(*) FROM settings s JOIN audit_log l ON l.id = 6"
                        " WHERE s.key = 'audit_head' AND s.value = '6:' || l.hash", NULL, &n);
    assert_int_equal(n, 1);
    /* user_id 0 is stored as NULL, and the detail as compact JSON. */
    al_db_count(fx->db, "SELECT count(*) FROM audit_log WHERE user_id IS NULL", NULL, &n);
    assert_int_equal(n, 3);
    al_db_count(fx->db, "SELECT count(*) FROM audit_log WHERE detail = ?",
        "{\"n\":0,\"名\":\"王芳\"}", &n);
    assert_int_equal(n, 1);
}

static void
append_joins_the_callers_transaction(void **state)
{
    struct fixture *fx = *state;
    append(fx->db, 2);
    assert_int_equal(al_db_begin(fx->db), AL_OK);
    struct audit_entry e = {.action = "test.write", .outcome = "success"};
    assert_int_equal(audit_append_as(fx->db, 1, "unit", NULL, &e), AL_OK);
    al_db_rollback(fx->db); /* the caller's write failed: its audit entry goes too */
    int64_t count, bad, n = -1;
    char msg[256];
    al_db_count(fx->db, "SELECT count(*) FROM audit_log", NULL, &n);
    assert_int_equal(n, 3);
    assert_int_equal(verify(fx->db, &count, &bad, msg), AL_OK);
    assert_int_equal(count, 3);
}

static void
updates_and_deletes_are_refused_by_trigger(void **state)
{
    struct fixture *fx = *state;
    append(fx->db, 2);
    assert_int_equal(al_db_exec(fx->db, "UPDATE audit_log SET outcome = 'failure' WHERE id = 2"),
        AL_EDB);
    assert_int_equal(al_db_exec(fx->db, "DELETE FROM audit_log WHERE id = 3"), AL_EDB);
    int64_t count, bad;
    char msg[256];
    assert_int_equal(verify(fx->db, &count, &bad, msg), AL_OK);
}

static void
edited_entry_is_named(void **state)
{
    struct fixture *fx = *state;
    append(fx->db, 5);
    int64_t count, bad;
    char msg[256];
    assert_int_equal(al_db_exec(fx->db, "DROP TRIGGER audit_log_no_update;"
                                        "UPDATE audit_log SET outcome = 'failure' WHERE id = 2"),
        AL_OK);
    assert_int_equal(verify(fx->db, &count, &bad, msg), AL_ECONFLICT);
    assert_int_equal(bad, 2);
    assert_int_equal(count, 1); /* entries checked before the bad one */
    assert_non_null(strstr(msg, "第 2 条"));
    assert_non_null(strstr(msg, "被修改"));
    /* Put back: intact again. */
    assert_int_equal(al_db_exec(fx->db, "UPDATE audit_log SET outcome = 'success' WHERE id = 2"),
        AL_OK);
    assert_int_equal(verify(fx->db, &count, &bad, msg), AL_OK);
    /* Editing the detail, a NULL into "", or the time: each caught at its id. */
    static const char *const edits[][2] = {
        {"UPDATE audit_log SET detail = '{\"n\":9}' WHERE id = 4", "4"},
        {"UPDATE audit_log SET client_ip = NULL WHERE id = 3", "3"},
        {"UPDATE audit_log SET target_type = '' WHERE id = 6", "6"},
        {"UPDATE audit_log SET at = at + 1 WHERE id = 1", "1"},
    };
    for (size_t i = 0; i < sizeof(edits) / sizeof(edits[0]); i++) {
        assert_int_equal(al_db_exec(fx->db, "SAVEPOINT e"), AL_OK);
        assert_int_equal(al_db_exec(fx->db, edits[i][0]), AL_OK);
        assert_int_equal(verify(fx->db, &count, &bad, msg), AL_ECONFLICT);
        assert_int_equal(bad, atoi(edits[i][1]));
        assert_int_equal(al_db_exec(fx->db, "ROLLBACK TO e; RELEASE e"), AL_OK);
    }
    /* Rewriting an entry with a matching hash still breaks the next link. */
    assert_int_equal(al_db_exec(fx->db, "UPDATE audit_log SET hash = 'x' WHERE id = 3"), AL_OK);
    assert_int_equal(verify(fx->db, &count, &bad, msg), AL_ECONFLICT);
    assert_int_equal(bad, 3);
}

static void
relinked_entry_is_caught_by_the_next_link(void **state)
{
    struct fixture *fx = *state;
    append(fx->db, 3);
    int64_t count, bad;
    char msg[256];
    /* Recompute entry 2's own hash after an edit: entry 3 no longer links to it. */
    assert_int_equal(al_db_exec(fx->db, "DROP TRIGGER audit_log_no_update"), AL_OK);
    assert_int_equal(al_db_exec(fx->db, "UPDATE audit_log SET outcome = 'failure' WHERE id = 2"),
        AL_OK);
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(al_db_handle(fx->db),
                         "SELECT id, at, user_id, username, action, target_type, target_id,"
                         " region_code, outcome, client_ip, detail, prev_hash FROM audit_log"
                         " WHERE id = 2", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    const char *f[11];
    for (int i = 0; i < 11; i++)
        f[i] = (const char *)sqlite3_column_text(st, i);
    char h[65], sql[200];
    audit_hash((const char *)sqlite3_column_text(st, 11), f, h);
    sqlite3_finalize(st);
    snprintf(sql, sizeof(sql), "UPDATE audit_log SET hash = '%s' WHERE id = 2", h);
    assert_int_equal(al_db_exec(fx->db, sql), AL_OK);
    assert_int_equal(verify(fx->db, &count, &bad, msg), AL_ECONFLICT);
    assert_int_equal(bad, 3);
    assert_non_null(strstr(msg, "链接"));
}

static void
deleted_entries_are_detected(void **state)
{
    struct fixture *fx = *state;
    append(fx->db, 5); /* ids 1..6 */
    int64_t count, bad;
    char msg[256];
    assert_int_equal(al_db_exec(fx->db, "DROP TRIGGER audit_log_no_delete"), AL_OK);
    /* The last entry: only the head pointer knows it existed. */
    assert_int_equal(al_db_exec(fx->db, "SAVEPOINT d; DELETE FROM audit_log WHERE id = 6"), AL_OK);
    assert_int_equal(verify(fx->db, &count, &bad, msg), AL_ECONFLICT);
    assert_int_equal(count, 5);
    assert_int_equal(bad, 6);
    assert_non_null(strstr(msg, "末尾"));
    assert_int_equal(al_db_exec(fx->db, "ROLLBACK TO d; RELEASE d"), AL_OK);
    /* One in the middle: a gap in the ids. */
    assert_int_equal(al_db_exec(fx->db, "SAVEPOINT d; DELETE FROM audit_log WHERE id = 3"), AL_OK);
    assert_int_equal(verify(fx->db, &count, &bad, msg), AL_ECONFLICT);
    assert_int_equal(bad, 3);
    assert_non_null(strstr(msg, "第 3 条"));
    assert_int_equal(al_db_exec(fx->db, "ROLLBACK TO d; RELEASE d"), AL_OK);
    /* The first one. */
    assert_int_equal(al_db_exec(fx->db, "SAVEPOINT d; DELETE FROM audit_log WHERE id = 1"), AL_OK);
    assert_int_equal(verify(fx->db, &count, &bad, msg), AL_ECONFLICT);
    assert_int_equal(bad, 1);
    assert_int_equal(al_db_exec(fx->db, "ROLLBACK TO d; RELEASE d"), AL_OK);
    /* Every entry, head pointer left in place. */
    assert_int_equal(al_db_exec(fx->db, "SAVEPOINT d; DELETE FROM audit_log"), AL_OK);
    assert_int_equal(verify(fx->db, &count, &bad, msg), AL_ECONFLICT);
    assert_int_equal(count, 0);
    assert_int_equal(bad, 1);
    assert_int_equal(al_db_exec(fx->db, "ROLLBACK TO d; RELEASE d"), AL_OK);
    assert_int_equal(verify(fx->db, &count, &bad, msg), AL_OK);
    assert_int_equal(count, 6);
}

int
main(void)
{
    al_json_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(hash_is_deterministic_and_depends_on_every_field),
        cmocka_unit_test(hash_follows_the_documented_layout),
        cmocka_unit_test(stored_fields_hold_no_separators),
        cmocka_unit_test_setup_teardown(empty_chain_is_intact, setup, teardown),
        cmocka_unit_test_setup_teardown(appended_entries_chain_and_verify, setup, teardown),
        cmocka_unit_test_setup_teardown(append_joins_the_callers_transaction, setup, teardown),
        cmocka_unit_test_setup_teardown(updates_and_deletes_are_refused_by_trigger, setup,
            teardown),
        cmocka_unit_test_setup_teardown(edited_entry_is_named, setup, teardown),
        cmocka_unit_test_setup_teardown(relinked_entry_is_caught_by_the_next_link, setup,
            teardown),
        cmocka_unit_test_setup_teardown(deleted_entries_are_detected, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
