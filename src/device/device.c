/* Routes and thin handlers of the device module. */
#include <stdio.h>
#include <string.h>

#include "audit/audit.h"
#include "core/crypto.h"
#include "core/http.h"
#include "core/idcard.h"
#include "core/json.h"
#include "core/query.h"
#include "device/device.h"
#include "device/device_int.h"
#include "elder/elder.h"
#include "region/region.h"

static int
get_date(struct al_req *r, json_t *body, const char *key, const char *label, const char **out)
{
    int rc = al_json_get_str(body, key, label, 0, 0, 10, out, &r->err);
    if (rc == AL_OK && *out && !al_date_valid(*out))
        return al_req_fail(r, AL_EINVAL, key, "%s格式应为 YYYY-MM-DD", label);
    return rc;
}

/* RULE-DEV-001, RULE-DEV-002, RULE-DEV-003: register a device and issue its MQTT password once. */
static int
device_create(struct al_req *r)
{
    json_t *body;
    int rc = al_req_json(r, &body);
    if (rc != AL_OK)
        return rc;
    struct device_new d = {0};
    const char *type = NULL;
    int64_t elder_id = 0, hb = 300;
    bool present;
    if ((rc = al_json_get_int(body, "elder_id", "老人", AL_REQUIRED, 1, INT64_MAX, &elder_id,
             &present, &r->err)) != AL_OK ||
        (rc = al_json_get_str(body, "type", "设备类型", AL_REQUIRED, 1, 16, &type, &r->err)) !=
            AL_OK ||
        (rc = al_json_get_str(body, "model", "型号", AL_REQUIRED | AL_PLAIN, 1, 60, &d.model,
             &r->err)) != AL_OK ||
        (rc = al_json_get_str(body, "serial", "设备序列号", AL_REQUIRED, 4, 40, &d.serial,
             &r->err)) != AL_OK ||
        (rc = get_date(r, body, "installed_on", "安装日期", &d.installed_on)) != AL_OK ||
        (rc = get_date(r, body, "warranty_end", "保修截止日期", &d.warranty_end)) != AL_OK ||
        (rc = al_json_get_int(body, "heartbeat_s", "心跳间隔（秒）", 0, 30, 86400, &hb, &present,
             &r->err)) != AL_OK)
        return rc;
    if (!(d.type = device_type_parse(type)))
        return al_req_fail(r, AL_EINVAL, "type",
            "设备类型应为 sos、fall、door、motion、smoke、gas、water 或 bracelet");
    if (!device_serial_ok(d.serial, strlen(d.serial)))
        return al_req_fail(r, AL_EINVAL, "serial", "设备序列号应为 4–40 位字母、数字、_ 或 -");
    if (d.installed_on && d.warranty_end && strcmp(d.warranty_end, d.installed_on) < 0)
        return al_req_fail(r, AL_EINVAL, "warranty_end", "保修截止日期不能早于安装日期");
    const char *region = NULL, *status = NULL;
    rc = elder_region_of(r->db, r->arena, elder_id, &region, &status);
    if (rc == AL_ENOTFOUND || (rc == AL_OK && !region_in_scope(r->who->region_code, region)))
        return al_req_fail(r, AL_ENOTFOUND, "elder_id", "老年人档案不存在");
    if (rc != AL_OK)
        return rc;
    if (strcmp(status, "active") != 0)
        return al_req_fail(r, AL_ECONFLICT, "elder_id", "老人档案已注销或迁出，不能登记设备");
    d.elder_id = elder_id;
    d.region_code = region;
    d.heartbeat_s = hb;
    char password[33], hash[160];
    al_crypto_random_hex(password, 16); /* 128 bits */
    device_mqtt_hash(password, hash);
    d.mqtt_hash = hash;
    int64_t id = 0;
    if ((rc = al_db_begin(r->db)) != AL_OK)
        return rc;
    rc = device_store_create(r->db, &d, r->now, &id);
    if (rc == AL_ECONFLICT)
        al_req_fail(r, AL_ECONFLICT, "serial", "设备序列号已登记");
    if (rc == AL_OK) {
        struct audit_entry e = {.action = "device.create", .target_type = "device",
            .target_id = al_arena_printf(r->arena, "%lld", (long long)id), .region_code = region,
            .outcome = "success",
            .detail = json_pack("{s:s, s:s, s:I}", "serial", d.serial, "type", type, "elder_id",
                (json_int_t)elder_id)};
        rc = audit_append(r, &e);
    }
    if ((rc = al_db_end(r->db, rc)) != AL_OK)
        return rc;
    /* RULE-DEV-003, -043: logged; the device waits for it */
    if (device_broker_changed(r->db, device_ingest_running()) != AL_OK)
        al_req_set_header(r, "X-Anlao-Broker-Sync", "failed");
    device_ingest_watch(id, r->now, (int)hb);
    json_t *out = NULL;
    const char *ignored;
    if ((rc = device_store_get(r->db, r->arena, id, &out, &ignored)) != AL_OK)
        return rc;
    /* RULE-DEV-003: the password is shown once; only its hash is kept. */
    json_object_set_new(out, "mqtt", json_pack("{s:s, s:s, s:s, s:s}", "username", d.serial,
                                         "password", password, "topic",
                                         al_arena_printf(r->arena, DEVICE_TOPIC_PREFIX "%s/up", d.serial),
                                         "ack_topic",
                                         al_arena_printf(r->arena, DEVICE_TOPIC_PREFIX "%s/ack", d.serial)));
    return al_reply(r, 201, out);
}

static int
device_list(struct al_req *r)
{
    struct device_filter f = {.scope = r->who->region_code};
    int rc = al_query_limit(&r->query, &f.limit, &f.offset, &r->err);
    if (rc != AL_OK)
        return rc;
    f.type = al_query_opt(&r->query, "type");
    f.q = al_query_opt(&r->query, "q");
    if (f.type && !device_type_parse(f.type))
        return al_req_fail(r, AL_EINVAL, "type", "设备类型不存在");
    if ((rc = al_query_int(&r->query, "elder_id", "老人", 1, INT64_MAX, 0, &f.elder_id,
             &r->err)) != AL_OK ||
        (rc = al_query_int(&r->query, "open_ticket", "待维护", 0, 1, 0, &f.open_ticket,
             &r->err)) != AL_OK)
        return rc;
    json_t *items = json_array();
    int64_t total = 0;
    if ((rc = device_store_list(r->db, r->arena, &f, items, &total)) != AL_OK)
        return rc;
    return al_reply_items(r, items, total);
}

static int
device_get(struct al_req *r)
{
    int64_t id;
    json_t *out = NULL;
    const char *region = NULL;
    int rc = al_req_param_id(r, "id", &id);
    if (rc == AL_OK)
        rc = device_store_get(r->db, r->arena, id, &out, &region);
    if (rc == AL_ENOTFOUND || (rc == AL_OK && !region_in_scope(r->who->region_code, region)))
        return al_req_fail(r, AL_ENOTFOUND, NULL, "设备不存在");
    if (rc != AL_OK)
        return rc;
    json_t *tickets = json_array(); /* RULE-ALARM-050: with why each closed */
    if ((rc = device_store_tickets(r->db, r->arena, id, tickets)) != AL_OK) {
        json_decref(tickets);
        return rc;
    }
    json_object_set_new(out, "tickets", tickets);
    return al_reply(r, 200, out);
}

/* RULE-DEV-014: what the ingest received, stored, acknowledged and refused since start. */
static int
device_ingest_get(struct al_req *r)
{
    struct device_ingest_stats s;
    device_ingest_stats(&s);
    json_t *refused = json_object();
    for (int i = 1; i < DEVMSG_NREASONS; i++)
        json_object_set_new(refused, devmsg_err_id(i), json_integer(s.refused[i]));
    /* RULE-DEV-040, RULE-DEV-041: the group commit's settings, commits and latency. */
    json_t *commit = json_pack("{s:i, s:i, s:I, s:I, s:f, s:f}", "batch_max", s.batch_max,
        "batch_ms", s.batch_ms, "batches", (json_int_t)s.batches, "samples",
        (json_int_t)s.commit_samples, "p50_ms", (double)s.commit_p50_us / 1000.0, "p99_ms",
        (double)s.commit_p99_us / 1000.0);
    int64_t writes;
    bool pending;
    device_broker_stats(&writes, &pending); /* RULE-DEV-043 */
    return al_reply(r, 200,
        json_pack("{s:b, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:o, s:o, s:{s:I, s:b}}", "connected",
            s.connected,
            "received", (json_int_t)s.received, "stored", (json_int_t)s.stored, "duplicates",
            (json_int_t)s.duplicates, "acked", (json_int_t)s.acked, "alarms",
            (json_int_t)s.alarms, "faults", (json_int_t)s.faults, "db_errors",
            (json_int_t)s.db_errors, "refused", refused, "commit", commit, "broker", "writes",
            (json_int_t)writes, "pending", pending));
}

static const struct al_route device_routes[] = {
    {AL_GET, "/api/v1/devices", device_list, "device.read", 0,
        "本辖区智能设备列表（type、q、elder_id、open_ticket=1 待维护 筛选，分页；"
        "open_fault 心跳超时、open_maintenance 电量低）"},
    {AL_POST, "/api/v1/devices", device_create, "device.write", 0,
        "登记设备（返回一次性 MQTT 密码）"},
    {AL_GET, "/api/v1/devices/ingest", device_ingest_get, "device.read", 0,
        "设备消息接收统计（收到、入库、重复、拒收原因）"},
    {AL_GET, "/api/v1/devices/:id", device_get, "device.read", 0, "设备详情"},
    {0},
};

const struct al_module device_module = {.name = "device", .routes = device_routes};
