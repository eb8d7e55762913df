/* The demo county's devices and alarms (凤冈县, 520327). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "alarm/alarm.h"
#include "core/err.h"
#include "device/device.h"
#include "device/device_int.h"

static int
demo_message(struct al_db *db, const char *serial, int64_t seq, const char *json, int64_t now)
{
    struct device_ref d;
    struct devmsg m;
    int64_t seen, alarm;
    char why[64];
    bool inserted;
    int rc = device_store_by_serial(db, serial, &d);
    if (rc == AL_OK && devmsg_decode(json, strlen(json), &m, &seen, why, sizeof(why)) != DEVMSG_OK)
        rc = AL_EINTERNAL;
    if (rc == AL_OK) {
        m.seq = seq;
        m.ts = now - 2; /* the device pressed it two seconds before it was stored */
        rc = device_store_message(db, &d, &m, now, &inserted, &alarm);
    }
    return rc;
}

int
device_seed_demo(struct al_db *db, const char *password, struct al_errinfo *e)
{
    static const char sql[] = "SELECT id, region_code FROM elders WHERE region_code >= '520327'"
                              " AND region_code < '520328' AND status = 'active' ORDER BY id LIMIT 3";
    static const struct {
        int elder; /* index among the first three */
        int type;
        const char *serial, *model;
    } devs[] = {
        {0, DEVICE_SOS, "FG-SOS-0001", "AL-SOS-2"}, {0, DEVICE_MOTION, "FG-PIR-0001", "AL-PIR-1"},
        {0, DEVICE_DOOR, "FG-DOOR-0001", "AL-MC-1"}, {1, DEVICE_FALL, "FG-FALL-0001", "AL-FD-3"},
        {1, DEVICE_SOS, "FG-SOS-0002", "AL-SOS-2"}, {2, DEVICE_SMOKE, "FG-SMK-0001", "YG-200"},
        {2, DEVICE_GAS, "FG-GAS-0001", "RQ-100"},
    };
    int64_t ids[3] = {0};
    char regions[3][16];
    int n = 0, rc;
    struct al_stmt *st = al_db_sql(db, sql);
    while ((rc = al_stmt_step(st)) == AL_ROW && n < 3) {
        ids[n] = al_stmt_int(st, 0);
        snprintf(regions[n], sizeof(regions[n]), "%s", al_stmt_text(st, 1));
        n++;
    }
    if (rc != AL_OK && rc != AL_ROW)
        return al_fail(e, rc, NULL, "演示数据写入失败：智能设备");
    if (n < 3)
        return AL_OK;
    int64_t now = (int64_t)time(NULL);
    if ((rc = al_db_begin(db)) != AL_OK)
        return al_fail(e, rc, NULL, "演示数据写入失败：数据库错误");
    for (size_t i = 0; rc == AL_OK && i < sizeof(devs) / sizeof(devs[0]); i++) {
        char hash[160];
        device_mqtt_hash(password, hash);
        struct device_new d = {.region_code = regions[devs[i].elder], .elder_id = ids[devs[i].elder],
            .type = devs[i].type, .model = devs[i].model, .serial = devs[i].serial,
            .installed_on = "2026-06-01", .warranty_end = "2027-05-31", .heartbeat_s = 300,
            .mqtt_hash = hash};
        int64_t id;
        rc = device_store_create(db, &d, now - 86400 * 30, &id);
    }
    /* Alarms through the ingest's own store path. */
    if (rc == AL_OK)
        rc = demo_message(db, "FG-SMK-0001", 1,
            "{\"seq\":1,\"ts\":1,\"kind\":\"alarm\",\"type\":\"smoke\"}", now - 3 * 86400);
    if (rc == AL_OK)
        rc = demo_message(db, "FG-FALL-0001", 1,
            "{\"seq\":1,\"ts\":1,\"kind\":\"alarm\",\"type\":\"fall\",\"data\":{\"battery\":64}}",
            now - 1800);
    if (rc == AL_OK)
        rc = demo_message(db, "FG-SOS-0001", 1,
            "{\"seq\":1,\"ts\":1,\"kind\":\"alarm\",\"type\":\"sos\",\"data\":{\"battery\":88}}",
            now - 120);
    if (rc == AL_OK)
        rc = demo_message(db, "FG-GAS-0001", 1,
            "{\"seq\":1,\"ts\":1,\"kind\":\"heartbeat\",\"type\":\"beat\",\"data\":{\"battery\":12}}",
            now - 600);
    if (rc == AL_OK) /* the smoke alarm was handled and closed; the fall one acknowledged */
        rc = alarm_seed_demo(db, now);
    if ((rc = al_db_end(db, rc)) != AL_OK)
        return al_fail(e, rc, NULL, "演示数据写入失败：智能设备与告警");
    printf("演示设备：7 台（MQTT 密码同演示账号），告警 3 条（1 条待响应）\n");
    return AL_OK;
}
