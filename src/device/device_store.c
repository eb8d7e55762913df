/* The device module's SQL (both engines, docs/stores.md). */
#include <stdlib.h>
#include <string.h>

#include "alarm/alarm.h"
#include "core/dbq.h"
#include "core/json.h"
#include "device/device_int.h"
#include "region/region.h"

int
device_store_create(struct al_db *db, const struct device_new *d, int64_t now, int64_t *id)
{
    static const char sql[] =
        "INSERT INTO devices(region_code, elder_id, type, model, serial, installed_on,"
        " warranty_end, heartbeat_s, mqtt_hash, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_T(d->region_code), AL_I(d->elder_id), AL_T(device_type_id(d->type)),
        AL_T(d->model), AL_T(d->serial), AL_T(d->installed_on), AL_T(d->warranty_end),
        AL_I(d->heartbeat_s), AL_T(d->mqtt_hash), AL_I(now), AL_I(now));
    int rc = al_stmt_one(st);
    if (rc == AL_OK) {
        *id = al_stmt_int(st, 0);
        al_stmt_reset(st);
    } else if (rc == AL_ENOTFOUND) {
        rc = AL_ECONFLICT; /* RULE-DEV-001: the serial is taken */
    }
    return rc;
}

#define DEVICE_COLS                                                                            \
    "d.id, d.region_code, d.elder_id, e.name, d.bed_id, d.type, d.model, d.serial,"            \
    " d.installed_on, d.warranty_end, d.heartbeat_s, d.status, d.last_seen, d.battery,"        \
    " d.created_at, d.version,"                                                                \
    " (SELECT count(*) FROM device_tickets t WHERE t.device_id = d.id AND t.status = 'open'"   \
    "   AND t.kind = 'fault'),"                                                                 \
    " (SELECT count(*) FROM device_tickets t WHERE t.device_id = d.id AND t.status = 'open'"   \
    "   AND t.kind = 'maintenance')"
#define DEVICE_FROM " FROM devices d JOIN elders e ON e.id = d.elder_id"

static json_t *
type_name(const struct al_row_ctx *c, struct al_stmt *st, int col)
{
    (void)c;
    return json_string(device_type_name(device_type_parse(al_stmt_text(st, col))));
}

/* Its open tickets: the fault and the maintenance one (the only kinds, RULE-DEV-044). */
static json_t *
open_tickets(const struct al_row_ctx *c, struct al_stmt *st, int col)
{
    (void)c;
    return json_integer(al_stmt_int(st, col) + al_stmt_int(st, col + 1));
}

static const struct al_col device_cols[] = {AL_COL(0, "id", AL_COL_INT),
    AL_COL(1, "region_code", AL_COL_TEXT), AL_COL(2, "elder_id", AL_COL_INT),
    AL_COL(3, "elder_name", AL_COL_TEXT), AL_COL(4, "bed_id", AL_COL_INT),
    AL_COL(5, "type", AL_COL_TEXT), AL_COLF(5, "type_name", type_name),
    AL_COL(6, "model", AL_COL_TEXT), AL_COL(7, "serial", AL_COL_TEXT),
    AL_COL(8, "installed_on", AL_COL_TEXT), AL_COL(9, "warranty_end", AL_COL_TEXT),
    AL_COL(10, "heartbeat_s", AL_COL_INT), AL_COL(11, "status", AL_COL_TEXT),
    AL_COL(12, "last_seen", AL_COL_TIME), AL_COL(13, "battery", AL_COL_INT),
    AL_COL(14, "created_at", AL_COL_TIME), AL_COL(15, "version", AL_COL_INT),
    AL_COLF(16, "open_tickets", open_tickets), AL_COL(16, "open_fault", AL_COL_INT),
    AL_COL(17, "open_maintenance", AL_COL_INT), AL_COL_END};

#define LIST_WHERE                                                                             \
    " WHERE d.region_code >= ?1 AND d.region_code < ?2"                                        \
    " AND (CAST(?3 AS TEXT) IS NULL OR d.type = ?3)"                                           \
    " AND (CAST(?4 AS TEXT) IS NULL OR instr(d.serial, ?4) > 0 OR instr(e.name, ?4) > 0)"      \
    " AND (?5 = 0 OR d.elder_id = ?5)"                                                        \
    " AND (?6 = 0 OR EXISTS (SELECT 1 FROM device_tickets t WHERE t.device_id = d.id"          \
    "   AND t.status = 'open'))"

int
device_store_list(struct al_db *db, struct al_arena *a, const struct device_filter *f,
    json_t *items, int64_t *total)
{
    static const struct al_page_sql sql = {.cols = DEVICE_COLS, .from = DEVICE_FROM,
        .order = " ORDER BY d.id"};
    struct al_params p;
    al_params_init(&p, a);
    region_params(&p, f->scope);
    al_param_text(&p, f->type);
    al_param_text(&p, f->q);
    al_param_int(&p, f->elder_id);
    al_param_int(&p, f->open_ticket);
    return al_db_page(db, &p, &sql, LIST_WHERE, f->limit, f->offset,
        &(struct al_rows){.cols = device_cols}, items, total);
}

int
device_store_get(struct al_db *db, struct al_arena *a, int64_t id, json_t **out,
    const char **region)
{
    static const char sql[] = "SELECT " DEVICE_COLS DEVICE_FROM " WHERE d.id = ?";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_bind_int(st, 1, id);
    int rc = al_stmt_one(st);
    if (rc == AL_OK) {
        *out = al_row_json(&(struct al_row_ctx){.a = a}, st, device_cols);
        *region = al_stmt_dup(a, st, 1);
        al_stmt_reset(st);
    }
    return rc;
}

int
device_store_by_serial(struct al_db *db, const char *serial, struct device_ref *d)
{
    static const char sql[] = "SELECT id, elder_id, type, heartbeat_s, region_code FROM devices"
                              " WHERE serial = ? AND status = 'active'";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_bind_text(st, 1, serial);
    int rc = al_stmt_one(st);
    if (rc == AL_OK) {
        d->id = al_stmt_int(st, 0);
        d->elder_id = al_stmt_int(st, 1);
        d->type = device_type_parse(al_stmt_text(st, 2));
        d->heartbeat_s = (int)al_stmt_int(st, 3);
        const char *r = al_stmt_text(st, 4);
        snprintf(d->region_code, sizeof(d->region_code), "%s", r ? r : "");
        al_stmt_reset(st);
    }
    return rc;
}

static int
open_ticket(struct al_db *db, const char *region, int64_t device_id, const char *kind,
    const char *reason, int64_t now, bool *opened)
{
    /* RULE-ALARM-013: at most one open ticket per device and kind (partial unique index). */
    static const char sql[] = "INSERT INTO device_tickets(region_code, device_id, kind, reason,"
                              " opened_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_T(region), AL_I(device_id), AL_T(kind), AL_T(reason), AL_I(now));
    int rc = al_stmt_run(st);
    if (opened)
        *opened = rc == AL_OK && al_db_changes(db) > 0;
    return rc;
}

/*
 * RULE-ALARM-050: the device spoke again (message `event_id`): its open fault
 * ticket closes itself, saying why.
 */
static int
close_fault(struct al_db *db, int64_t device_id, int64_t event_id, const struct devmsg *m,
    int64_t now)
{
    static const char sql[] =
        "UPDATE device_tickets SET status = 'closed', closed_at = ?, closed_reason = ?,"
        " closed_event_id = ? WHERE device_id = ? AND kind = 'fault' AND status = 'open'";
    char why[128];
    snprintf(why, sizeof(why), "设备恢复通信：收到%s（序号 %lld）",
        m->kind == DEVMSG_HEARTBEAT ? "心跳" : "消息", (long long)m->seq);
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_I(now), AL_T(why), AL_I(event_id), AL_I(device_id));
    return al_stmt_run(st);
}

/* RULE-DEV-010 */
int
device_store_message(struct al_db *db, const struct device_ref *d, const struct devmsg *m,
    int64_t now, bool *inserted, int64_t *alarm_id)
{
    static const char ins[] =
        "INSERT INTO device_events(device_id, seq, kind, type, device_ts, received_at, data)"
        " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id";
    static const char seen[] =
        "UPDATE devices SET last_seen = ?, battery = coalesce(?, battery) WHERE id = ?";
    *inserted = false;
    *alarm_id = 0;
    struct al_stmt *st = al_db_sql(db, ins);
    al_stmt_binds(st, AL_I(d->id), AL_I(m->seq), AL_T(devmsg_kind_id(m->kind)), AL_T(m->type),
        AL_I(m->ts), AL_I(now), AL_T(m->data));
    int rc = al_stmt_one(st);
    int64_t event_id = 0;
    if (rc == AL_OK) {
        event_id = al_stmt_int(st, 0);
        al_stmt_reset(st);
        *inserted = true;
    } else if (rc == AL_ENOTFOUND) {
        rc = AL_OK; /* RULE-DEV-016: a repeated (device, seq): stored once already */
    }
    if (rc != AL_OK)
        return rc;
    st = al_db_sql(db, seen);
    al_stmt_bind_int(st, 1, now);
    if (m->battery >= 0)
        al_stmt_bind_int(st, 2, m->battery);
    else
        al_stmt_bind_null(st, 2);
    al_stmt_bind_int(st, 3, d->id);
    if ((rc = al_stmt_run(st)) != AL_OK || !*inserted)
        return rc;
    if ((rc = close_fault(db, d->id, event_id, m, now)) != AL_OK) /* RULE-ALARM-050 */
        return rc;
    struct alarm_verdict v;
    alarm_rule_message(device_type_id(d->type), m->kind, m->type, m->battery, &v);
    if (v.activity && (rc = alarm_store_activity(db, d->elder_id, d->id, now)) != AL_OK)
        return rc; /* RULE-ALARM-040: the elder's inactivity clock restarts */
    if (v.maintenance) /* RULE-ALARM-011 */
        rc = open_ticket(db, d->region_code, d->id, "maintenance", "电量低", now, NULL);
    if (rc == AL_OK && v.raise) /* RULE-ALARM-001 */
        rc = alarm_store_raise(db, d->region_code, d->elder_id, d->id, event_id, v.type,
            v.severity, m->ts, now, alarm_id);
    return rc;
}

/* RULE-ALARM-010 */
int
device_store_fault(struct al_db *db, int64_t id, int64_t now, bool *opened)
{
    static const char sql[] = "SELECT region_code FROM devices WHERE id = ? AND status = 'active'"
                              " AND coalesce(last_seen, created_at) + 2 * heartbeat_s <= ?";
    *opened = false;
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_bind_int(st, 1, id);
    al_stmt_bind_int(st, 2, now);
    int rc = al_stmt_one(st);
    if (rc == AL_ENOTFOUND)
        return AL_OK; /* it spoke since, or was retired */
    if (rc != AL_OK)
        return rc;
    char region[16];
    const char *r = al_stmt_text(st, 0);
    snprintf(region, sizeof(region), "%s", r ? r : "");
    al_stmt_reset(st);
    return open_ticket(db, region, id, "fault", "心跳超时", now, opened);
}

int
device_store_each_active(struct al_db *db, device_seen_fn fn, void *ctx)
{
    static const char sql[] = "SELECT id, coalesce(last_seen, created_at), heartbeat_s"
                              " FROM devices WHERE status = 'active'";
    struct al_stmt *st = al_db_sql(db, sql);
    int rc;
    while ((rc = al_stmt_step(st)) == AL_ROW)
        fn(ctx, al_stmt_int(st, 0), al_stmt_int(st, 1), (int)al_stmt_int(st, 2));
    return rc;
}

int
device_store_passwd_lines(struct al_db *db, struct al_arena *a, struct al_buf *out)
{
    static const char sql[] =
        "SELECT serial, mqtt_hash FROM devices WHERE status = 'active' ORDER BY id";
    struct al_stmt *st = al_db_sql(db, sql);
    if (!st)
        return AL_EDB;
    int rc;
    while ((rc = al_stmt_step(st)) == AL_ROW) {
        al_buf_add(a, out, al_stmt_text(st, 0), al_stmt_len(st, 0));
        al_buf_add(a, out, ":", 1);
        al_buf_add(a, out, al_stmt_text(st, 1), al_stmt_len(st, 1));
        al_buf_add(a, out, "\n", 1);
    }
    return rc;
}

static const struct al_col ticket_cols[] = {AL_COL(0, "id", AL_COL_INT),
    AL_COL(1, "kind", AL_COL_TEXT), AL_COL(2, "reason", AL_COL_TEXT),
    AL_COL(3, "status", AL_COL_TEXT), AL_COL(4, "opened_at", AL_COL_TIME),
    AL_COL(5, "closed_at", AL_COL_TIME), AL_COL(6, "closed_reason", AL_COL_TEXT),
    AL_COL(7, "closed_event_id", AL_COL_INT), AL_COL_END};

/* RULE-ALARM-050 */
int
device_store_tickets(struct al_db *db, struct al_arena *a, int64_t id, json_t *items)
{
    static const char sql[] = "SELECT id, kind, reason, status, opened_at, closed_at,"
                              " closed_reason, closed_event_id FROM device_tickets"
                              " WHERE device_id = ? ORDER BY id DESC LIMIT 50";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_bind_int(st, 1, id);
    return al_db_rows(st, a, &(struct al_rows){.cols = ticket_cols}, items);
}
