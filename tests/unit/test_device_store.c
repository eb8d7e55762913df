/*
 * src/device/device_store.c on both engines: a message stored once per (device, seq), the
 * alarm it raises, tickets at most once open, the broker's password lines (RULE-DEV-010,
 * RULE-DEV-016, RULE-ALARM-001, -010, -011, -013).
 */
#include <stdlib.h>
#include <string.h>

#include "alarm/alarm.h"
#include "device/device_int.h"
#include "dual.h"
#include "unit.h"

static int
prepare(struct al_db *db, enum dual_engine engine)
{
    (void)engine;
    return al_db_exec(db, "INSERT INTO elders(id, region_code, name, sex, birth_date, id_hash,"
                          " id_enc, id_masked, address, created_at, updated_at) VALUES"
                          " (1, '520327001001', '张三', 'M', '1940-01-01', 'h1', 'e1', 'm1',"
                          " '龙泉街道', 1, 1)");
}

static int64_t
count(struct al_db *db, const char *sql)
{
    int64_t n = -1;
    assert_int_equal(al_db_count(db, sql, NULL, &n), AL_OK);
    return n;
}

static int64_t
new_device(struct al_db *db, const char *serial, int type, int64_t now)
{
    struct device_new d = {.region_code = "520327001001", .elder_id = 1, .type = type,
        .model = "M1", .serial = serial, .heartbeat_s = 60, .mqtt_hash = "$7$101$s$h"};
    int64_t id = 0;
    assert_int_equal(device_store_create(db, &d, now, &id), AL_OK);
    assert_true(id > 0);
    return id;
}

static int
store(struct al_db *db, const struct device_ref *d, const char *json, int64_t now, bool *ins,
    int64_t *alarm)
{
    struct devmsg m;
    int64_t seq;
    char why[64];
    assert_int_equal(devmsg_decode(json, strlen(json), &m, &seq, why, sizeof(why)), DEVMSG_OK);
    assert_int_equal(al_db_begin(db), AL_OK);
    return al_db_end(db, device_store_message(db, d, &m, now, ins, alarm));
}

static void
message_once_alarm_once(void **state)
{
    struct al_db *db = *state;
    int64_t id = new_device(db, "SOS-1", DEVICE_SOS, 1000);
    struct device_new dup = {.region_code = "520327001001", .elder_id = 1, .type = DEVICE_SOS,
        .model = "M1", .serial = "SOS-1", .heartbeat_s = 60, .mqtt_hash = "x"};
    int64_t ignored;
    assert_int_equal(device_store_create(db, &dup, 1000, &ignored), AL_ECONFLICT); /* RULE-DEV-001 */
    struct device_ref d;
    assert_int_equal(device_store_by_serial(db, "SOS-1", &d), AL_OK);
    assert_int_equal(d.id, id);
    assert_int_equal(d.heartbeat_s, 60);
    assert_int_equal(device_store_by_serial(db, "NOPE-1", &d), AL_ENOTFOUND);
    assert_int_equal(device_store_by_serial(db, "SOS-1", &d), AL_OK);
    bool ins;
    int64_t alarm;
    const char *sos = "{\"seq\":5,\"ts\":990,\"kind\":\"alarm\",\"type\":\"sos\",\"data\":{\"battery\":50}}";
    assert_int_equal(store(db, &d, sos, 1001, &ins, &alarm), AL_OK);
    assert_true(ins);
    assert_true(alarm > 0);
    /* RULE-DEV-016: the same (device, seq) again: nothing new, no second alarm. */
    assert_int_equal(store(db, &d, sos, 1002, &ins, &alarm), AL_OK);
    assert_false(ins);
    assert_int_equal(alarm, 0);
    assert_int_equal(count(db, "SELECT count(*) FROM device_events"), 1);
    assert_int_equal(count(db, "SELECT count(*) FROM alarms WHERE severity = 1 AND type = 'sos'"), 1);
    assert_int_equal(count(db, "SELECT count(*) FROM alarm_steps"), 2); /* RULE-ALARM-020 */
    assert_int_equal(count(db, "SELECT last_seen FROM devices WHERE serial = 'SOS-1'"), 1002);
    /* RULE-ALARM-011: low battery opens one maintenance ticket, not one per message. */
    assert_int_equal(store(db, &d, "{\"seq\":6,\"ts\":1,\"kind\":\"heartbeat\",\"type\":\"beat\","
                                   "\"data\":{\"battery\":10}}", 1003, &ins, &alarm), AL_OK);
    assert_int_equal(store(db, &d, "{\"seq\":7,\"ts\":1,\"kind\":\"heartbeat\",\"type\":\"beat\","
                                   "\"data\":{\"battery\":9}}", 1004, &ins, &alarm), AL_OK);
    assert_int_equal(alarm, 0);
    assert_int_equal(count(db, "SELECT count(*) FROM device_tickets WHERE kind = 'maintenance'"), 1);
    assert_int_equal(count(db, "SELECT battery FROM devices WHERE serial = 'SOS-1'"), 9);
}

static void
fault_after_two_intervals(void **state)
{
    struct al_db *db = *state;
    int64_t id = new_device(db, "DOOR-1", DEVICE_DOOR, 5000); /* never spoke: from created_at */
    bool opened;
    /* RULE-ALARM-010: 2 × 60 s after 5000. */
    assert_int_equal(device_store_fault(db, id, 5119, &opened), AL_OK);
    assert_false(opened);
    assert_int_equal(device_store_fault(db, id, 5120, &opened), AL_OK);
    assert_true(opened);
    assert_int_equal(device_store_fault(db, id, 9000, &opened), AL_OK); /* RULE-ALARM-013 */
    assert_false(opened);
    assert_int_equal(count(db, "SELECT count(*) FROM device_tickets WHERE kind = 'fault'"), 1);
}

static void
password_lines(void **state)
{
    struct al_db *db = *state;
    new_device(db, "GAS-1", DEVICE_GAS, 1);
    char *lines = NULL;
    size_t len = 0;
    assert_int_equal(device_store_passwd_lines(db, &lines, &len), AL_OK);
    assert_non_null(strstr(lines, "GAS-1:$7$101$s$h\n"));
    assert_int_equal(strlen(lines), len);
    free(lines);
}

int
main(void)
{
    if (dual_key() != 0)
        return 1;
    dual_prepare = prepare;
    const struct CMUnitTest tests[] = {cmocka_unit_test(message_once_alarm_once),
        cmocka_unit_test(fault_after_two_intervals), cmocka_unit_test(password_lines)};
    int failed = cmocka_run_group_tests_name("device_store on SQLite", tests, dual_sqlite_setup,
        dual_teardown);
    failed += cmocka_run_group_tests_name("device_store on PostgreSQL", tests, dual_pg_setup,
        dual_teardown);
    return failed;
}
