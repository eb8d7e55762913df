/* Pure rules of the device module: types, serials, topics and the protocol's decoding. */
#include <stdio.h>
#include <string.h>

#include "core/err.h"
#include "device/device_int.h"

static const struct {
    const char *id, *name;
} types[] = {
    {NULL, ""}, {"sos", "紧急呼叫按钮"}, {"fall", "跌倒探测器"}, {"door", "门磁"},
    {"motion", "人体红外感应"}, {"smoke", "烟雾探测器"}, {"gas", "燃气探测器"},
    {"water", "水浸探测器"}, {"bracelet", "智能手环"},
};
#define NTYPES ((int)(sizeof(types) / sizeof(types[0])))

int
device_type_parse(const char *s)
{
    for (int i = 1; s && i < NTYPES; i++)
        if (strcmp(s, types[i].id) == 0)
            return i;
    return 0;
}

const char *
device_type_id(int type)
{
    return type > 0 && type < NTYPES ? types[type].id : "";
}

const char *
device_type_name(int type)
{
    return type > 0 && type < NTYPES ? types[type].name : "";
}

/* RULE-DEV-001 */
bool
device_serial_ok(const char *s, size_t len)
{
    if (!s || len < 4 || len > 40)
        return false;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                c == '_' || c == '-'))
            return false;
    }
    return true;
}

/* RULE-DEV-011 */
bool
device_topic_serial(const char *topic, char serial[41])
{
    size_t pl = strlen(DEVICE_TOPIC_PREFIX);
    if (!topic || strncmp(topic, DEVICE_TOPIC_PREFIX, pl) != 0)
        return false;
    const char *s = topic + pl, *slash = strchr(s, '/');
    if (!slash || strcmp(slash, "/up") != 0 || !device_serial_ok(s, (size_t)(slash - s)))
        return false;
    memcpy(serial, s, (size_t)(slash - s));
    serial[slash - s] = '\0';
    return true;
}

static const char *const kinds[] = {NULL, "alarm", "information", "reset", "heartbeat"};

const char *
devmsg_kind_id(int kind)
{
    return kind >= DEVMSG_ALARM && kind <= DEVMSG_HEARTBEAT ? kinds[kind] : "";
}

const char *
devmsg_err_id(int err)
{
    static const char *const ids[] = {"ok", "oversized", "malformed", "foreign", "unknown_device"};
    return err >= 0 && err < DEVMSG_NREASONS ? ids[err] : "";
}

static int
bad(char *why, size_t size, const char *msg)
{
    snprintf(why, size, "%s", msg);
    return DEVMSG_MALFORMED;
}

static bool
type_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 23)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || s[i] == '_'))
            return false;
    return true;
}

/* RULE-DEV-012, RULE-DEV-013 */
int
devmsg_decode(const char *buf, size_t len, struct devmsg *m, int64_t *seq_seen, char *why,
    size_t why_size)
{
    *seq_seen = 0;
    memset(m, 0, sizeof(*m));
    m->battery = -1;
    if (len > DEVMSG_MAX_BYTES) {
        snprintf(why, why_size, "payload of %zu bytes (max %d)", len, DEVMSG_MAX_BYTES);
        return DEVMSG_OVERSIZED;
    }
    json_error_t je;
    json_t *o = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je);
    int rc = DEVMSG_OK;
    if (!o || !json_is_object(o)) {
        rc = bad(why, why_size, o ? "not a JSON object" : "not JSON");
        goto out;
    }
    json_t *seq = json_object_get(o, "seq");
    if (!json_is_integer(seq) || json_integer_value(seq) < 1 ||
        json_integer_value(seq) > ((json_int_t)1 << 53)) {
        rc = bad(why, why_size, "seq: an integer 1..2^53 is required");
        goto out;
    }
    m->seq = json_integer_value(seq);
    *seq_seen = m->seq;
    const char *key;
    json_t *v;
    json_object_foreach(o, key, v) {
        if (strcmp(key, "seq") && strcmp(key, "ts") && strcmp(key, "kind") &&
            strcmp(key, "type") && strcmp(key, "data")) {
            rc = bad(why, why_size, "unknown member");
            goto out;
        }
    }
    json_t *ts = json_object_get(o, "ts");
    if (!json_is_integer(ts) || json_integer_value(ts) < 0 ||
        json_integer_value(ts) > 32503680000LL) {
        rc = bad(why, why_size, "ts: unix seconds required");
        goto out;
    }
    m->ts = json_integer_value(ts);
    const char *kind = json_string_value(json_object_get(o, "kind"));
    for (int k = DEVMSG_ALARM; kind && k <= DEVMSG_HEARTBEAT; k++)
        if (strcmp(kind, kinds[k]) == 0)
            m->kind = k;
    if (!m->kind) {
        rc = bad(why, why_size, "kind: alarm, information, reset or heartbeat");
        goto out;
    }
    const char *type = json_string_value(json_object_get(o, "type"));
    if (!type || json_string_length(json_object_get(o, "type")) != strlen(type) || !type_ok(type)) {
        rc = bad(why, why_size, "type: 1-23 of [a-z_]");
        goto out;
    }
    strcpy(m->type, type);
    json_t *data = json_object_get(o, "data");
    if (data && !json_is_object(data)) {
        rc = bad(why, why_size, "data: an object");
        goto out;
    }
    json_t *bat = data ? json_object_get(data, "battery") : NULL;
    if (bat) {
        if (!json_is_integer(bat) || json_integer_value(bat) < 0 || json_integer_value(bat) > 100) {
            rc = bad(why, why_size, "data.battery: percent 0..100");
            goto out;
        }
        m->battery = (int)json_integer_value(bat);
    }
    if (!data) {
        strcpy(m->data, "{}");
    } else {
        size_t n = json_dumpb(data, m->data, DEVMSG_DATA_MAX, JSON_COMPACT | JSON_SORT_KEYS);
        if (n == 0 || n >= DEVMSG_DATA_MAX) {
            rc = bad(why, why_size, "data: too large");
            goto out;
        }
        m->data[n] = '\0';
    }
out:
    if (rc != DEVMSG_OK)
        m->kind = 0;
    json_decref(o);
    return rc;
}

/* RULE-DEV-015 */
size_t
devmsg_ack(char *buf, size_t size, int64_t seq, const char *status, int heartbeat_s)
{
    int n = snprintf(buf, size, "{\"seq\":%lld,\"status\":\"%s\",\"heartbeat_s\":%d}",
        (long long)seq, status, heartbeat_s);
    return n < 0 ? 0 : (size_t)n >= size ? size - 1 : (size_t)n;
}
