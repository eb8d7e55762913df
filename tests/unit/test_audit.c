/* RULE-AUDIT-001: the hash chain. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit/audit.h"
#include "core/json.h"
#include "unit.h"

static void
hash_depends_on_every_field_and_on_null(void **state)
{
    (void)state;
    const char *f[11] = {"1", "100", "2", "admin", "user.create", "user", "5", "520327", "success",
        "127.0.0.1", "{}"};
    char h0[65], h1[65];
    audit_hash("00", f, h0);
    audit_hash("00", f, h1);
    assert_string_equal(h0, h1);
    for (int i = 0; i < 11; i++) {
        const char *saved = f[i];
        f[i] = "changed";
        audit_hash("00", f, h1);
        assert_string_not_equal(h0, h1);
        f[i] = NULL;
        audit_hash("00", f, h1);
        assert_string_not_equal(h0, h1);
        char h2[65];
        f[i] = "";
        audit_hash("00", f, h2);
        assert_string_not_equal(h1, h2); /* NULL and "" differ */
        f[i] = saved;
    }
    audit_hash("01", f, h1);
    assert_string_not_equal(h0, h1);
}

static void
verify_detects_edits_and_truncation(void **state)
{
    (void)state;
    char dir[] = "/tmp/anlao-unit-audit-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[256];
    snprintf(path, sizeof(path), "%s/t.db", dir);
    struct al_db *db;
    assert_int_equal(al_db_open(path, &db), AL_OK);
    assert_int_equal(al_db_migrate(db), AL_OK);
    for (int i = 0; i < 5; i++) {
        json_t *d = json_pack("{s:i}", "n", i);
        struct audit_entry e = {.action = "test.write", .target_type = "thing", .target_id = "1",
            .region_code = "520327", .outcome = "success", .detail = d};
        assert_int_equal(audit_append_as(db, 0, "unit", "local", &e), AL_OK);
        json_decref(d);
    }
    int64_t count, bad;
    char msg[256];
    assert_int_equal(audit_verify(db, &count, &bad, msg, sizeof(msg)), AL_OK);
    assert_int_equal(count, 5);
    assert_int_equal(al_db_exec(db, "DROP TRIGGER audit_log_no_update;"
                                    "UPDATE audit_log SET outcome = 'failure' WHERE id = 2"), AL_OK);
    assert_int_equal(audit_verify(db, &count, &bad, msg, sizeof(msg)), AL_ECONFLICT);
    assert_int_equal(bad, 2);
    assert_int_equal(al_db_exec(db, "UPDATE audit_log SET outcome = 'success' WHERE id = 2;"
                                    "DROP TRIGGER audit_log_no_delete;"
                                    "DELETE FROM audit_log WHERE id = 5"), AL_OK);
    assert_int_equal(audit_verify(db, &count, &bad, msg, sizeof(msg)), AL_ECONFLICT);
    assert_int_equal(bad, 5);
    assert_non_null(strstr(msg, "末尾"));
    al_db_close(db);
    char cmd[300];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

int
main(void)
{
    al_json_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(hash_depends_on_every_field_and_on_null),
        cmocka_unit_test(verify_detects_edits_and_truncation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
