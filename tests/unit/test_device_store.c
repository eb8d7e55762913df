/*
 * src/device/device_store.c on both engines: a message stored once per (device, seq), the
 * alarm it raises, tickets at most once open, the broker's password lines (RULE-DEV-010,
 * RULE-DEV-016, RULE-ALARM-001, -010, -011, -013).
 */
#include <stdlib.h>
#include <string.h>

#include "alarm/alarm.h"
#include "alarm/alarm_int.h"
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
    struct al_arena a;
    al_arena_init(&a, 256);
    struct al_buf lines = {0};
    al_buf_add(&a, &lines, "anlao:x\n", 8); /* the caller's own line stays first */
    assert_int_equal(device_store_passwd_lines(db, &a, &lines), AL_OK);
    assert_int_equal(strncmp(lines.p, "anlao:x\n", 8), 0);
    assert_non_null(strstr(lines.p, "GAS-1:$7$101$s$h\n"));
    assert_int_equal(strlen(lines.p), lines.len);
    al_arena_fini(&a);
}

static int64_t
one_int(struct al_db *db, const char *sql, int64_t id)
{
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_bind_int(st, 1, id);
    assert_int_equal(al_stmt_one(st), AL_OK);
    int64_t v = al_stmt_int(st, 0);
    al_stmt_reset(st);
    return v;
}

/*
 * RULE-ALARM-030 RULE-ALARM-031 RULE-ALARM-032: an unacknowledged alarm climbs a level at a
 * time, once each.
 */
static void
escalation_with_controlled_time(void **state)
{
    struct al_db *db = *state;
    new_device(db, "ESC-1", DEVICE_SOS, 10000);
    struct alarm_changed c[8];
    int n = -1;
    /* The earlier tests' open alarms reach their last level first. */
    assert_int_equal(alarm_store_escalate_due(db, 9999, 60, c, 8, &n), AL_OK);
    struct device_ref d;
    assert_int_equal(device_store_by_serial(db, "ESC-1", &d), AL_OK);
    bool ins;
    int64_t a1, a2, a3;
    assert_int_equal(store(db, &d, "{\"seq\":1,\"ts\":0,\"kind\":\"alarm\",\"type\":\"sos\"}",
                         10000, &ins, &a1), AL_OK);
    assert_int_equal(alarm_store_escalate_seconds(db), 60); /* the migration's default */
    assert_int_equal(alarm_store_escalate_due(db, 10059, 60, c, 8, &n), AL_OK);
    assert_int_equal(n, 0);
    assert_int_equal(alarm_store_escalate_due(db, 10060, 60, c, 8, &n), AL_OK);
    assert_int_equal(n, 1);
    assert_int_equal(c[0].id, a1);
    assert_string_equal(c[0].region_code, "520327001001");
    assert_int_equal(one_int(db, "SELECT escalation_level FROM alarms WHERE id = ?", a1), 1);
    assert_int_equal(alarm_store_escalate_due(db, 10061, 60, c, 8, &n), AL_OK); /* once */
    assert_int_equal(n, 0);
    assert_int_equal(alarm_store_escalate_due(db, 10120, 60, c, 8, &n), AL_OK);
    assert_int_equal(n, 1);
    assert_int_equal(alarm_store_escalate_due(db, 99999, 60, c, 8, &n), AL_OK); /* two levels */
    assert_int_equal(n, 0);
    assert_int_equal(one_int(db, "SELECT count(*) FROM alarm_steps WHERE alarm_id = ? AND kind ="
                                 " 'escalated' AND target = 'township_officer' AND outcome = '1'"
                                 " AND step_at = 10060", a1), 1);
    assert_int_equal(one_int(db, "SELECT count(*) FROM alarm_steps WHERE alarm_id = ? AND kind ="
                                 " 'escalated' AND target = 'civil_officer' AND outcome = '2'"
                                 " AND step_at = 10120", a1), 1);
    /* A sweep that comes late records both levels, each at its due time. */
    assert_int_equal(store(db, &d, "{\"seq\":2,\"ts\":0,\"kind\":\"alarm\",\"type\":\"sos\"}",
                         20000, &ins, &a2), AL_OK);
    /* An alarm acknowledged in time is never escalated. */
    assert_int_equal(store(db, &d, "{\"seq\":3,\"ts\":0,\"kind\":\"alarm\",\"type\":\"sos\"}",
                         20000, &ins, &a3), AL_OK);
    assert_int_equal(al_db_begin(db), AL_OK);
    assert_int_equal(al_db_end(db, alarm_store_ack(db, a3, 0, "值班员", 20030)), AL_OK);
    assert_int_equal(alarm_store_escalate_due(db, 20500, 60, c, 8, &n), AL_OK);
    assert_int_equal(n, 1);
    assert_int_equal(c[0].id, a2);
    assert_int_equal(one_int(db, "SELECT count(*) FROM alarm_steps WHERE alarm_id = ? AND kind ="
                                 " 'escalated' AND step_at IN (20060, 20120)", a2), 2);
    assert_int_equal(one_int(db, "SELECT escalation_level FROM alarms WHERE id = ?", a3), 0);
    /* RULE-ALARM-030: the setting. */
    assert_int_equal(alarm_store_escalate_seconds_put(db, 30), AL_OK);
    assert_int_equal(alarm_store_escalate_seconds(db), 30);
    assert_int_equal(alarm_store_escalate_seconds_put(db, 60), AL_OK);
}

/*
 * RULE-ALARM-040 RULE-ALARM-041 RULE-ALARM-042: an inactive elder gets one alarm per silence,
 * not one per sweep.
 */
static void
inactivity_alarm_once(void **state)
{
    struct al_db *db = *state;
    const int64_t t0 = 1796086800; /* 2026-12-01 09:00 CST */
    int64_t dev = new_device(db, "PIR-1", DEVICE_MOTION, t0 - 100);
    int64_t found = 0;
    assert_int_equal(alarm_store_activity_device(db, 1, &found), AL_OK);
    assert_int_equal(found, dev);
    struct alarm_inactivity in = {.elder_id = 1, .region_code = "520327001001", .hours = 2,
        .quiet_from_min = 22 * 60, .quiet_to_min = 7 * 60};
    assert_int_equal(al_db_begin(db), AL_OK);
    assert_int_equal(al_db_end(db, alarm_store_inactivity_put(db, &in, dev, t0)), AL_OK);
    struct alarm_changed c[8];
    int n = -1;
    assert_int_equal(alarm_store_inactive_due(db, t0 + 7199, c, 8, &n), AL_OK);
    assert_int_equal(n, 0);
    assert_int_equal(alarm_store_inactive_due(db, t0 + 7200, c, 8, &n), AL_OK);
    assert_int_equal(n, 1);
    int64_t first = c[0].id;
    assert_int_equal(one_int(db, "SELECT count(*) FROM alarms WHERE id = ? AND type = 'inactivity'"
                                 " AND severity = 2 AND elder_id = 1", first), 1);
    assert_int_equal(one_int(db, "SELECT count(*) FROM alarm_steps WHERE alarm_id = ? AND kind ="
                                 " 'inactivity'", first), 1);
    for (int k = 1; k <= 3; k++) { /* later sweeps: nothing new */
        assert_int_equal(alarm_store_inactive_due(db, t0 + 7200 + k * 600, c, 8, &n), AL_OK);
        assert_int_equal(n, 0);
    }
    /* Motion at 13:00 restarts the clock (RULE-ALARM-040); a new silence, a new alarm. */
    struct device_ref d;
    assert_int_equal(device_store_by_serial(db, "PIR-1", &d), AL_OK);
    bool ins;
    int64_t alarm;
    assert_int_equal(store(db, &d, "{\"seq\":1,\"ts\":0,\"kind\":\"information\","
                                   "\"type\":\"motion\"}", t0 + 4 * 3600, &ins, &alarm), AL_OK);
    assert_int_equal(alarm_store_inactive_due(db, t0 + 5 * 3600, c, 8, &n), AL_OK);
    assert_int_equal(n, 0);
    assert_int_equal(alarm_store_inactive_due(db, t0 + 6 * 3600, c, 8, &n), AL_OK);
    assert_int_equal(n, 1);
    assert_true(c[0].id != first);
    assert_int_equal(one_int(db, "SELECT count(*) FROM alarms WHERE elder_id = ? AND type ="
                                 " 'inactivity'", 1), 2);
}

/* RULE-ALARM-050: a fault ticket closes itself when the device speaks again, saying why. */
static void
fault_closes_when_device_speaks(void **state)
{
    struct al_db *db = *state;
    int64_t id = new_device(db, "HB-1", DEVICE_SOS, 30000);
    bool opened;
    assert_int_equal(device_store_fault(db, id, 30120, &opened), AL_OK);
    assert_true(opened);
    struct device_ref d;
    assert_int_equal(device_store_by_serial(db, "HB-1", &d), AL_OK);
    bool ins;
    int64_t alarm;
    assert_int_equal(store(db, &d, "{\"seq\":44,\"ts\":0,\"kind\":\"heartbeat\","
                                   "\"type\":\"beat\"}", 30500, &ins, &alarm), AL_OK);
    assert_int_equal(one_int(db, "SELECT count(*) FROM device_tickets WHERE device_id = ? AND"
                                 " kind = 'fault' AND status = 'closed' AND closed_at = 30500"
                                 " AND closed_reason = '设备恢复通信：收到心跳（序号 44）'"
                                 " AND closed_event_id IS NOT NULL", id), 1);
    /* It can fail again later: a new ticket. */
    assert_int_equal(device_store_fault(db, id, 30500 + 120, &opened), AL_OK);
    assert_true(opened);
}

/* RULE-ALARM-045, RULE-ALARM-046: answered within 60 s / 180 s per child region of a month. */
static void
answer_report_per_region(void **state)
{
    struct al_db *db = *state;
    const int64_t march = 1803830400; /* 2027-03-01 00:00 CST */
    int64_t dev = new_device(db, "REP-1", DEVICE_SOS, march - 10);
    const struct {
        const char *region;
        int64_t raised, ack; /* ack: seconds after, -1 none */
    } in[] = {{"520327001001", march + 100, 30}, {"520327001001", march + 200, 60},
        {"520327001002", march + 300, 150}, {"520327001001", march + 400, 400},
        {"520327002003", march + 500, -1}, {"520327001001", march - 1, 5} /* February */};
    for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
        int64_t id;
        assert_int_equal(al_db_begin(db), AL_OK);
        int rc = alarm_store_raise(db, in[i].region, 1, dev, 0, "sos", 1, 0, in[i].raised, &id);
        if (rc == AL_OK && in[i].ack >= 0)
            rc = alarm_store_ack(db, id, 0, "值班员", in[i].raised + in[i].ack);
        assert_int_equal(al_db_end(db, rc), AL_OK);
    }
    struct al_arena a;
    al_arena_init(&a, 4096);
    json_t *children = json_array();
    struct alarm_answer t;
    assert_int_equal(alarm_store_answer_report(db, &a, "520327", march, 1806508800, children, &t),
        AL_OK);
    assert_int_equal(t.count, 5);
    assert_int_equal(t.within_60, 2);
    assert_int_equal(t.within_180, 3);
    assert_int_equal(t.unanswered, 1);
    assert_int_equal(t.slowest_s, 400);
    assert_int_equal(json_array_size(children), 2);
    json_t *c0 = json_array_get(children, 0), *c1 = json_array_get(children, 1);
    assert_string_equal(json_string_value(json_object_get(c0, "region_code")), "520327001");
    assert_int_equal(json_integer_value(json_object_get(c0, "count")), 4);
    assert_int_equal(json_integer_value(json_object_get(c0, "within_180")), 3);
    assert_string_equal(json_string_value(json_object_get(c1, "region_code")), "520327002");
    assert_int_equal(json_integer_value(json_object_get(c1, "slowest_s")), -1);
    json_decref(children);
    /* Drill down to the township: its villages. */
    children = json_array();
    assert_int_equal(alarm_store_answer_report(db, &a, "520327001", march, 1806508800, children,
                         &t), AL_OK);
    assert_int_equal(t.count, 4);
    assert_int_equal(json_array_size(children), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(children, 0),
                            "region_code")), "520327001001");
    json_decref(children);
    al_arena_fini(&a);
}

int
main(void)
{
    if (dual_key() != 0)
        return 1;
    dual_prepare = prepare;
    const struct CMUnitTest tests[] = {cmocka_unit_test(message_once_alarm_once),
        cmocka_unit_test(fault_after_two_intervals), cmocka_unit_test(password_lines),
        cmocka_unit_test(escalation_with_controlled_time), cmocka_unit_test(inactivity_alarm_once),
        cmocka_unit_test(fault_closes_when_device_speaks),
        cmocka_unit_test(answer_report_per_region)};
    int failed = cmocka_run_group_tests_name("device_store on SQLite", tests, dual_sqlite_setup,
        dual_teardown);
    failed += cmocka_run_group_tests_name("device_store on PostgreSQL", tests, dual_pg_setup,
        dual_teardown);
    return failed;
}
