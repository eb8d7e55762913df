/* The alarm module's SQL (both engines, docs/stores.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alarm/alarm.h"
#include "alarm/alarm_int.h"
#include "core/dbq.h"
#include "core/json.h"
#include "region/region.h"

static int
add_step(struct al_db *db, int64_t alarm_id, int64_t at, const char *kind, int64_t who_id,
    const char *who_name, const char *target, const char *outcome, const char *note)
{
    static const char sql[] = "INSERT INTO alarm_steps(alarm_id, step_at, kind, who_id, who_name,"
                              " target, outcome, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_I(alarm_id), AL_I(at), AL_T(kind), AL_REF(who_id), AL_T(who_name),
        AL_T(target), AL_T(outcome), AL_T(note));
    return al_stmt_run(st);
}

/* RULE-ALARM-001, RULE-ALARM-020 */
int
alarm_store_raise(struct al_db *db, const char *region, int64_t elder_id, int64_t device_id,
    int64_t event_id, const char *type, int severity, int64_t device_ts, int64_t now,
    int64_t *id)
{
    static const char sql[] = "INSERT INTO alarms(region_code, elder_id, device_id, event_id, type,"
                              " severity, raised_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_T(region), AL_I(elder_id), AL_I(device_id), AL_REF(event_id), AL_T(type),
        AL_I(severity), AL_I(now));
    int rc = al_stmt_one(st);
    if (rc != AL_OK)
        return rc == AL_ENOTFOUND ? AL_EDB : rc;
    *id = al_stmt_int(st, 0);
    al_stmt_reset(st);
    if (event_id && (rc = add_step(db, *id, device_ts ? device_ts : now, "device_message", 0,
                         NULL, NULL, NULL, type)) != AL_OK)
        return rc;
    return add_step(db, *id, now, "stored", 0, NULL, NULL, NULL, NULL);
}

/* RULE-VISIT-065 */
int
alarm_raise_manual(struct al_db *db, const char *region, int64_t elder_id, const char *type,
    int severity, int64_t who_id, const char *who_name, const char *note, int64_t now,
    int64_t *id)
{
    static const char sql[] = "INSERT INTO alarms(region_code, elder_id, type, severity,"
                              " raised_at) VALUES (?, ?, ?, ?, ?) RETURNING id";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_bind_text(st, 1, region);
    al_stmt_bind_int(st, 2, elder_id);
    al_stmt_bind_text(st, 3, type);
    al_stmt_bind_int(st, 4, severity);
    al_stmt_bind_int(st, 5, now);
    int rc = al_stmt_one(st);
    if (rc != AL_OK)
        return rc == AL_ENOTFOUND ? AL_EDB : rc;
    *id = al_stmt_int(st, 0);
    al_stmt_reset(st);
    return add_step(db, *id, now, "stored", who_id, who_name, NULL, NULL, note);
}

#define ALARM_COLS                                                                             \
    "a.id, a.region_code, a.elder_id, e.name, a.device_id, d.serial, d.type, a.type,"          \
    " a.severity, a.status, a.raised_at, a.acked_at, a.acked_by_name, a.closed_at, a.outcome," \
    " a.closing_note, a.version, e.address, e.phone, a.service_order_id, a.escalation_level,"  \
    " a.escalated_at, a.assess_request_id,"                                                    \
    " (SELECT v.shown_at FROM alarm_views v WHERE v.alarm_id = a.id)"
#define ALARM_FROM                                                                             \
    " FROM alarms a JOIN elders e ON e.id = a.elder_id LEFT JOIN devices d ON d.id = a.device_id"

static json_t *
ack_s(const struct al_row_ctx *c, struct al_stmt *st, int col)
{
    (void)c;
    if (al_stmt_null(st, col))
        return json_null();
    return json_integer(al_stmt_int(st, col) - al_stmt_int(st, 10));
}

static const struct al_col alarm_cols[] = {AL_COL(0, "id", AL_COL_INT),
    AL_COL(1, "region_code", AL_COL_TEXT), AL_COL(2, "elder_id", AL_COL_INT),
    AL_COL(3, "elder_name", AL_COL_TEXT), AL_COL(4, "device_id", AL_COL_INT),
    AL_COL(5, "device_serial", AL_COL_TEXT), AL_COL(6, "device_type", AL_COL_TEXT),
    AL_COL(7, "type", AL_COL_TEXT), AL_COL(8, "severity", AL_COL_INT),
    AL_COL(9, "status", AL_COL_TEXT), AL_COL(10, "raised_at", AL_COL_TIME),
    AL_COL(11, "acked_at", AL_COL_TIME), AL_COLF(11, "ack_seconds", ack_s),
    AL_COL(12, "acked_by_name", AL_COL_TEXT), AL_COL(13, "closed_at", AL_COL_TIME),
    AL_COL(14, "outcome", AL_COL_TEXT), AL_COL(15, "closing_note", AL_COL_TEXT),
    AL_COL(16, "version", AL_COL_INT), AL_COL(20, "escalation_level", AL_COL_INT),
    AL_COL(21, "escalated_at", AL_COL_TIME), AL_COL(23, "shown_at", AL_COL_TIME), AL_COL_END};

/* The console's card: the address and the phone (masked, RULE-PII-002) of the elder. */
static const struct al_col card_cols[] = {AL_COL(17, "elder_address", AL_COL_TEXT),
    AL_COLF(18, "elder_phone_masked", al_col_phone_masked),
    AL_COL(19, "service_order_id", AL_COL_INT), AL_COL(22, "assess_request_id", AL_COL_INT),
    AL_COL_END};

#define LIST_WHERE                                                                             \
    " WHERE a.region_code >= ?1 AND a.region_code < ?2"                                        \
    " AND (CAST(?3 AS TEXT) IS NULL OR a.status = ?3 OR (?3 = 'active' AND a.status <> 'closed'))" \
    " AND (?4 = 0 OR a.device_id = ?4) AND (?5 = 0 OR a.elder_id = ?5)"

int
alarm_store_list(struct al_db *db, struct al_arena *a, const struct alarm_filter *f,
    json_t *items, int64_t *total)
{
    /* RULE-ALARM-024: open first, gravest first, then newest. */
    static const struct al_page_sql sql = {.cols = ALARM_COLS, .from = ALARM_FROM,
        .order = " ORDER BY CASE a.status WHEN 'open' THEN 0 WHEN 'acknowledged' THEN 1"
                 " ELSE 2 END, a.severity, a.id DESC"};
    struct al_params p;
    al_params_init(&p, a);
    region_params(&p, f->scope);
    al_param_text(&p, f->status);
    al_param_int(&p, f->device_id);
    al_param_int(&p, f->elder_id);
    return al_db_page(db, &p, &sql, LIST_WHERE, f->limit, f->offset,
        &(struct al_rows){.cols = alarm_cols}, items, total);
}

int
alarm_store_get(struct al_db *db, struct al_arena *a, int64_t id, json_t **out,
    const char **region, const char **status, int64_t *version)
{
    static const char sql[] = "SELECT " ALARM_COLS ALARM_FROM " WHERE a.id = ?";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_bind_int(st, 1, id);
    int rc = al_stmt_one(st);
    if (rc == AL_OK) {
        struct al_row_ctx c = {.a = a};
        *out = al_row_json(&c, st, alarm_cols);
        al_row_into(*out, &c, st, card_cols);
        *region = al_stmt_dup(a, st, 1);
        *status = al_stmt_dup(a, st, 9);
        *version = al_stmt_int(st, 16);
        al_stmt_reset(st);
    }
    return rc;
}

static const struct al_col step_cols[] = {AL_COL(0, "id", AL_COL_INT),
    AL_COL(1, "at", AL_COL_TIME), AL_COL(2, "kind", AL_COL_TEXT),
    AL_COL(3, "who_name", AL_COL_TEXT), AL_COL(4, "target", AL_COL_TEXT),
    AL_COL(5, "outcome", AL_COL_TEXT), AL_COL(6, "note", AL_COL_TEXT), AL_COL_END};

/* RULE-ALARM-020 */
int
alarm_store_steps(struct al_db *db, struct al_arena *a, int64_t id, json_t *steps)
{
    static const char sql[] = "SELECT id, step_at, kind, who_name, target, outcome, note"
                              " FROM alarm_steps WHERE alarm_id = ? ORDER BY id";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_bind_int(st, 1, id);
    return al_db_rows(st, a, &(struct al_rows){.cols = step_cols}, steps);
}

/* RULE-ALARM-069: the first console to show alarm `id` (*first: this call recorded it). */
int
alarm_store_shown(struct al_db *db, int64_t id, int64_t user_id, const char *name, int64_t now,
    bool *first)
{
    static const char sql[] = "INSERT INTO alarm_views(alarm_id, shown_at, shown_by, shown_name)"
                              " VALUES (?, ?, ?, ?) ON CONFLICT (alarm_id) DO NOTHING";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_I(id), AL_I(now), AL_REF(user_id), AL_T(name));
    int rc = al_stmt_run(st);
    *first = rc == AL_OK && al_db_changes(db) == 1;
    return rc;
}

/* RULE-ALARM-069: the "shown on a console" step of alarm `id`, appended to `steps` if any. */
int
alarm_store_shown_step(struct al_db *db, struct al_arena *a, int64_t id, json_t *steps)
{
    static const char sql[] = "SELECT 0, shown_at, 'shown', shown_name, NULL, NULL, NULL"
                              " FROM alarm_views WHERE alarm_id = ?";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_I(id));
    return al_db_rows(st, a, &(struct al_rows){.cols = step_cols}, steps);
}

/* RULE-ALARM-068: the elder's other alarms, the newest first. */
int
alarm_store_recent(struct al_db *db, struct al_arena *a, int64_t elder_id, int64_t except,
    int limit, json_t *items)
{
    static const char sql[] = "SELECT id, raised_at, type, status, outcome FROM alarms"
                              " WHERE elder_id = ?1 AND id <> ?2 ORDER BY raised_at DESC, id DESC"
                              " LIMIT ?3";
    static const struct al_col cols[] = {AL_COL(0, "id", AL_COL_INT),
        AL_COL(1, "raised_at", AL_COL_TIME), AL_COL(2, "type", AL_COL_TEXT),
        AL_COL(3, "status", AL_COL_TEXT), AL_COL(4, "outcome", AL_COL_TEXT), AL_COL_END};
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_I(elder_id), AL_I(except), AL_I(limit));
    return al_db_rows(st, a, &(struct al_rows){.cols = cols}, items);
}

/* RULE-ALARM-021 */
int
alarm_store_ack(struct al_db *db, int64_t id, int64_t user_id, const char *user_name,
    int64_t now)
{
    static const char sql[] = "UPDATE alarms SET status = 'acknowledged', acked_at = ?,"
                              " acked_by = ?, acked_by_name = ?, version = version + 1"
                              " WHERE id = ? AND status = 'open'";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_bind_int(st, 1, now);
    if (user_id)
        al_stmt_bind_int(st, 2, user_id);
    else
        al_stmt_bind_null(st, 2); /* the demo's seed */
    al_stmt_bind_text(st, 3, user_name);
    al_stmt_bind_int(st, 4, id);
    int rc = al_stmt_run(st);
    if (rc == AL_OK && al_db_changes(db) == 0)
        return AL_ECONFLICT;
    if (rc == AL_OK)
        rc = add_step(db, id, now, "acknowledged", user_id, user_name, NULL, NULL, NULL);
    return rc;
}

/* RULE-ALARM-022 */
int
alarm_store_call(struct al_db *db, int64_t id, int64_t user_id, const char *user_name,
    const char *target, const char *outcome, const char *note, int64_t now)
{
    static const char sql[] = "UPDATE alarms SET version = version + 1"
                              " WHERE id = ? AND status = 'acknowledged'";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_bind_int(st, 1, id);
    int rc = al_stmt_run(st);
    if (rc == AL_OK && al_db_changes(db) == 0)
        return AL_ECONFLICT;
    if (rc == AL_OK)
        rc = add_step(db, id, now, "call", user_id, user_name, target, outcome, note);
    return rc;
}

/* RULE-ALARM-023 */
int
alarm_store_close(struct al_db *db, int64_t id, int64_t user_id, const char *user_name,
    const char *outcome, const char *note, int64_t now)
{
    static const char sql[] = "UPDATE alarms SET status = 'closed', closed_at = ?, closed_by = ?,"
                              " outcome = ?, closing_note = ?, version = version + 1"
                              " WHERE id = ? AND status = 'acknowledged'";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_bind_int(st, 1, now);
    if (user_id)
        al_stmt_bind_int(st, 2, user_id);
    else
        al_stmt_bind_null(st, 2);
    al_stmt_bind_text(st, 3, outcome);
    al_stmt_bind_text(st, 4, note);
    al_stmt_bind_int(st, 5, id);
    int rc = al_stmt_run(st);
    if (rc == AL_OK && al_db_changes(db) == 0)
        return AL_ECONFLICT;
    if (rc == AL_OK)
        rc = add_step(db, id, now, "closed", user_id, user_name, NULL, outcome, note);
    return rc;
}

/* RULE-ALARM-055 */
int
alarm_store_set_order(struct al_db *db, int64_t id, int64_t order_id, int64_t user_id,
    const char *user_name, int64_t now)
{
    static const char sql[] = "UPDATE alarms SET service_order_id = ?, version = version + 1"
                              " WHERE id = ? AND status = 'acknowledged'"
                              " AND service_order_id IS NULL";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_I(order_id), AL_I(id));
    int rc = al_stmt_run(st);
    if (rc == AL_OK && al_db_changes(db) == 0)
        return AL_ECONFLICT;
    if (rc != AL_OK)
        return rc;
    char note[96];
    snprintf(note, sizeof(note), "紧急上门服务单 #%lld（助急）", (long long)order_id);
    char target[24];
    snprintf(target, sizeof(target), "%lld", (long long)order_id);
    return add_step(db, id, now, "service_order", user_id, user_name, target, NULL, note);
}

/* RULE-ALARM-065 */
int
alarm_store_set_assessment(struct al_db *db, int64_t id, int64_t request_id)
{
    static const char sql[] = "UPDATE alarms SET assess_request_id = ?, version = version + 1"
                              " WHERE id = ? AND type = 'fall' AND assess_request_id IS NULL";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_I(request_id), AL_I(id));
    int rc = al_stmt_run(st);
    return rc == AL_OK && al_db_changes(db) == 0 ? AL_ECONFLICT : rc;
}

/* The open alarm of `type` raised first, 0 when none. */
static int64_t
open_of_type(struct al_db *db, const char *type, int64_t *raised)
{
    static const char sql[] = "SELECT id, raised_at FROM alarms WHERE type = ? AND status = 'open'"
                              " ORDER BY id LIMIT 1";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_bind_text(st, 1, type);
    int64_t id = 0;
    if (al_stmt_one(st) == AL_OK) {
        id = al_stmt_int(st, 0);
        *raised = al_stmt_int(st, 1);
        al_stmt_reset(st);
    }
    return id;
}

int
alarm_seed_demo(struct al_db *db, int64_t now)
{
    static const char who[] = "龙泉街道助老员 刘洋";
    (void)now;
    int64_t raised = 0, id = open_of_type(db, "smoke", &raised);
    int rc = AL_OK;
    if (id) {
        rc = alarm_store_ack(db, id, 0, who, raised + 35);
        if (rc == AL_OK)
            rc = alarm_store_call(db, id, 0, who, "elder", "reached", "老人说厨房炒菜油烟", raised + 80);
        if (rc == AL_OK)
            rc = alarm_store_close(db, id, 0, who, "false_alarm", "厨房油烟，已提醒开窗", raised + 900);
    }
    if (rc == AL_OK && (id = open_of_type(db, "fall", &raised)) != 0) {
        rc = alarm_store_ack(db, id, 0, who, raised + 48);
        if (rc == AL_OK)
            rc = alarm_store_call(db, id, 0, who, "family", "no_answer", "长子电话未接", raised + 110);
        if (rc == AL_OK)
            rc = alarm_store_call(db, id, 0, who, "helper", "on_the_way", NULL, raised + 170);
    }
    return rc;
}

/* ---- timers: escalation and inactivity ---- */

int64_t
alarm_store_escalate_seconds(struct al_db *db)
{
    struct al_stmt *st =
        al_db_sql(db, "SELECT value FROM settings WHERE key = 'alarm.escalate_seconds'");
    int64_t v = 60;
    if (al_stmt_one(st) == AL_OK) {
        const char *t = al_stmt_text(st, 0);
        long long x = t ? atoll(t) : 0;
        if (x >= 1)
            v = x;
        al_stmt_reset(st);
    }
    return v;
}

int
alarm_store_escalate_seconds_put(struct al_db *db, int64_t seconds)
{
    struct al_stmt *st = al_db_sql(db, "INSERT INTO settings(key, value) VALUES"
                                       " ('alarm.escalate_seconds', ?)"
                                       " ON CONFLICT (key) DO UPDATE SET value = excluded.value");
    char v[24];
    snprintf(v, sizeof(v), "%lld", (long long)seconds);
    al_stmt_bind_text(st, 1, v);
    return al_stmt_run(st);
}

/* RULE-ALARM-031, RULE-ALARM-032: level `level` of alarm `id`, in the caller's transaction. */
static int
escalate_one(struct al_db *db, int64_t id, const char *region, int64_t raised, int level,
    int64_t escalate_s, int64_t now, bool *done)
{
    static const char sql[] = "UPDATE alarms SET escalation_level = ?, escalated_at = ?,"
                              " version = version + 1"
                              " WHERE id = ? AND status = 'open' AND escalation_level = ?";
    char sup[13];
    const char *role = alarm_escalation_target(region, level, sup);
    *done = false;
    if (!role)
        return AL_OK;
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_I(level), AL_I(now), AL_I(id), AL_I(level - 1));
    int rc = al_stmt_run(st);
    if (rc != AL_OK || al_db_changes(db) == 0)
        return rc; /* acknowledged meanwhile, or another server was first */
    struct al_arena a;
    al_arena_init(&a, 1024);
    const char *place = region_name(db, &a, sup);
    char note[256];
    snprintf(note, sizeof(note), "%s未响应，升级至%s%s（第%s级）", level == 1 ? "超时" : "再次超时",
        place && *place ? place : sup,
        level == 1 ? "乡镇/街道管理员" : "民政管理员", level == 1 ? "一" : "二");
    al_arena_fini(&a);
    rc = add_step(db, id, raised + level * escalate_s, "escalated", 0, NULL, role,
        level == 1 ? "1" : "2", note);
    *done = rc == AL_OK;
    return rc;
}

/* RULE-ALARM-031 */
int
alarm_store_escalate_due(struct al_db *db, int64_t now, int64_t escalate_s,
    struct alarm_changed *out, int max, int *n)
{
    static const char sql[] =
        "SELECT id, region_code, raised_at, escalation_level FROM alarms"
        " WHERE status = 'open' AND escalation_level < 2"
        " AND raised_at + ? * (escalation_level + 1) <= ? ORDER BY id LIMIT 64";
    struct {
        int64_t id, raised;
        int level;
        char region[16];
    } due[64];
    int ndue = 0, rc;
    *n = 0;
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_I(escalate_s), AL_I(now));
    while ((rc = al_stmt_step(st)) == AL_ROW && ndue < 64) {
        due[ndue].id = al_stmt_int(st, 0);
        const char *r = al_stmt_text(st, 1);
        snprintf(due[ndue].region, sizeof(due[ndue].region), "%s", r ? r : "");
        due[ndue].raised = al_stmt_int(st, 2);
        due[ndue].level = (int)al_stmt_int(st, 3);
        ndue++;
    }
    if (rc == AL_ROW) {
        al_stmt_reset(st);
        rc = AL_OK;
    }
    if (rc != AL_OK)
        return rc;
    for (int i = 0; i < ndue; i++) {
        int target = alarm_escalation_level(due[i].raised, now, escalate_s);
        bool any = false;
        if ((rc = al_db_begin(db)) != AL_OK)
            return rc;
        for (int l = due[i].level + 1; rc == AL_OK && l <= target; l++) {
            bool done = false;
            rc = escalate_one(db, due[i].id, due[i].region, due[i].raised, l, escalate_s, now,
                &done);
            any = any || done;
            if (!done)
                break;
        }
        if ((rc = al_db_end(db, rc)) != AL_OK)
            return rc;
        if (any && *n < max) {
            out[*n].id = due[i].id;
            memcpy(out[*n].region_code, due[i].region, sizeof(out[*n].region_code));
            (*n)++;
        }
    }
    return AL_OK;
}

/* RULE-ALARM-040 */
int
alarm_store_activity(struct al_db *db, int64_t elder_id, int64_t device_id, int64_t now)
{
    static const char sql[] = "UPDATE elder_inactivity SET last_activity = ?,"
                              " activity_device_id = ? WHERE elder_id = ? AND last_activity < ?";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_I(now), AL_I(device_id), AL_I(elder_id), AL_I(now));
    return al_stmt_run(st);
}

/* RULE-ALARM-041, RULE-ALARM-042 */
int
alarm_store_inactive_due(struct al_db *db, int64_t now, struct alarm_changed *out, int max,
    int *n)
{
    /* Daytime silence is never longer than the wall time: a cheap first filter, read through
       the index elder_inactivity_due in its own order (RULE-ALARM-067). */
    static const char sql[] =
        "SELECT elder_id, region_code, hours, quiet_from_min, quiet_to_min, last_activity,"
        " activity_device_id FROM elder_inactivity"
        " WHERE activity_device_id IS NOT NULL AND last_activity + hours * 3600 <= ?"
        " AND (alarmed_for IS NULL OR alarmed_for <> last_activity)"
        " ORDER BY last_activity + hours * 3600, elder_id";
    static const char claim[] = "UPDATE elder_inactivity SET alarmed_for = last_activity"
                                " WHERE elder_id = ? AND last_activity = ?"
                                " AND (alarmed_for IS NULL OR alarmed_for <> last_activity)";
    /* At most `max` alarms a sweep: the rest are still due at the next one (every second), so
       the candidates fit a fixed buffer.  Rows in their quiet hours are skipped, not counted. */
    struct cand {
        int64_t elder, last, device;
        int hours;
        char region[16];
    } c[64];
    size_t nc = 0, cap = max < 64 ? (size_t)(max > 0 ? max : 0) : 64;
    int rc;
    *n = 0;
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_bind_int(st, 1, now);
    while ((rc = al_stmt_step(st)) == AL_ROW) {
        if (!alarm_inactive(al_stmt_int(st, 5), now, (int)al_stmt_int(st, 2),
                (int)al_stmt_int(st, 3), (int)al_stmt_int(st, 4)))
            continue;
        if (nc == cap) {
            al_stmt_reset(st);
            rc = AL_OK;
            break;
        }
        c[nc].elder = al_stmt_int(st, 0);
        const char *r = al_stmt_text(st, 1);
        snprintf(c[nc].region, sizeof(c[nc].region), "%s", r ? r : "");
        c[nc].hours = (int)al_stmt_int(st, 2);
        c[nc].last = al_stmt_int(st, 5);
        c[nc].device = al_stmt_int(st, 6);
        nc++;
    }
    for (size_t i = 0; rc == AL_OK && i < nc; i++) {
        int64_t id = 0;
        if ((rc = al_db_begin(db)) != AL_OK)
            break;
        st = al_db_sql(db, claim);
        al_stmt_binds(st, AL_I(c[i].elder), AL_I(c[i].last));
        rc = al_stmt_run(st);
        bool mine = rc == AL_OK && al_db_changes(db) == 1; /* RULE-ALARM-042: once */
        if (mine)
            rc = alarm_store_raise(db, c[i].region, c[i].elder, c[i].device, 0, "inactivity", 2,
                0, now, &id);
        if (mine && rc == AL_OK) {
            char note[96];
            snprintf(note, sizeof(note), "已超过 %d 小时无活动（不计安静时段）", c[i].hours);
            rc = add_step(db, id, now, "inactivity", 0, NULL, NULL, NULL, note);
        }
        if ((rc = al_db_end(db, rc)) == AL_OK && id && *n < max) {
            out[*n].id = id;
            memcpy(out[*n].region_code, c[i].region, sizeof(out[*n].region_code));
            (*n)++;
        }
    }
    return rc;
}

/* RULE-ALARM-040 */
int
alarm_store_inactivity_put(struct al_db *db, const struct alarm_inactivity *in,
    int64_t device_id, int64_t now)
{
    static const char sql[] =
        "INSERT INTO elder_inactivity(elder_id, region_code, hours, quiet_from_min, quiet_to_min,"
        " last_activity, activity_device_id, updated_at, follows_default)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (elder_id) DO UPDATE SET region_code = excluded.region_code,"
        " hours = excluded.hours, quiet_from_min = excluded.quiet_from_min,"
        " quiet_to_min = excluded.quiet_to_min, updated_at = excluded.updated_at,"
        " follows_default = excluded.follows_default,"
        " activity_device_id = coalesce(elder_inactivity.activity_device_id,"
        " excluded.activity_device_id), version = elder_inactivity.version + 1";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_I(in->elder_id), AL_T(in->region_code), AL_I(in->hours),
        AL_I(in->quiet_from_min), AL_I(in->quiet_to_min), AL_I(now), AL_I(device_id), AL_I(now),
        AL_I(in->follows_default));
    return al_stmt_run(st);
}

/* RULE-ALARM-062 */
int
alarm_store_thresholds_get(struct al_db *db, const char *county, struct alarm_inactivity *in,
    bool *set)
{
    struct al_stmt *st = al_db_sql(db, "SELECT hours, quiet_from_min, quiet_to_min"
                                       " FROM inactivity_defaults WHERE county = ?");
    al_stmt_bind_text(st, 1, county);
    int rc = al_stmt_one(st);
    *set = rc == AL_OK;
    in->hours = *set ? (int)al_stmt_int(st, 0) : ALARM_INACTIVITY_HOURS;
    in->quiet_from_min = *set ? (int)al_stmt_int(st, 1) : ALARM_QUIET_FROM_MIN;
    in->quiet_to_min = *set ? (int)al_stmt_int(st, 2) : ALARM_QUIET_TO_MIN;
    if (rc == AL_OK)
        al_stmt_reset(st);
    return rc == AL_ENOTFOUND ? AL_OK : rc;
}

/* RULE-ALARM-062, RULE-ALARM-063 */
int
alarm_store_thresholds_put(struct al_db *db, const char *county,
    const struct alarm_inactivity *in, int64_t now, int64_t *followers)
{
    static const char sql[] =
        "INSERT INTO inactivity_defaults(county, hours, quiet_from_min, quiet_to_min, updated_at)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT (county) DO UPDATE SET hours = excluded.hours,"
        " quiet_from_min = excluded.quiet_from_min, quiet_to_min = excluded.quiet_to_min,"
        " updated_at = excluded.updated_at, version = inactivity_defaults.version + 1";
    static const char follow[] =
        "UPDATE elder_inactivity SET hours = ?, quiet_from_min = ?, quiet_to_min = ?,"
        " updated_at = ?, version = version + 1"
        " WHERE follows_default = 1 AND substr(region_code, 1, 6) = ?";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_T(county), AL_I(in->hours), AL_I(in->quiet_from_min),
        AL_I(in->quiet_to_min), AL_I(now));
    int rc = al_stmt_run(st);
    if (rc != AL_OK)
        return rc;
    st = al_db_sql(db, follow);
    al_stmt_binds(st, AL_I(in->hours), AL_I(in->quiet_from_min), AL_I(in->quiet_to_min),
        AL_I(now), AL_T(county));
    if ((rc = al_stmt_run(st)) == AL_OK)
        *followers = al_db_changes(db);
    return rc;
}

/* RULE-ALARM-064 */
int
alarm_store_thresholds_count(struct al_db *db, const char *county, int64_t *with,
    int64_t *following)
{
    struct al_stmt *st = al_db_sql(db, "SELECT count(*), coalesce(sum(follows_default), 0)"
                                       " FROM elder_inactivity WHERE substr(region_code, 1, 6) = ?");
    al_stmt_bind_text(st, 1, county);
    int rc = al_stmt_one(st);
    if (rc == AL_OK) {
        *with = al_stmt_int(st, 0);
        *following = al_stmt_int(st, 1);
        al_stmt_reset(st);
    }
    return rc;
}

static const struct al_col inactivity_cols[] = {AL_COL(0, "elder_id", AL_COL_INT),
    AL_COL(1, "hours", AL_COL_INT), AL_COL(2, "quiet_from_min", AL_COL_INT),
    AL_COL(3, "quiet_to_min", AL_COL_INT), AL_COL(4, "last_activity", AL_COL_TIME),
    AL_COL(5, "activity_device_id", AL_COL_INT), AL_COL(6, "version", AL_COL_INT),
    AL_COL(7, "follows_default", AL_COL_BOOL), AL_COL_END};

int
alarm_store_inactivity_get(struct al_db *db, struct al_arena *a, int64_t elder_id,
    json_t **out)
{
    static const char sql[] = "SELECT elder_id, hours, quiet_from_min, quiet_to_min,"
                              " last_activity, activity_device_id, version, follows_default"
                              " FROM elder_inactivity WHERE elder_id = ?";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_bind_int(st, 1, elder_id);
    int rc = al_stmt_one(st);
    if (rc == AL_OK) {
        *out = al_row_json(&(struct al_row_ctx){.a = a}, st, inactivity_cols);
        al_stmt_reset(st);
    }
    return rc;
}

int
alarm_store_activity_device(struct al_db *db, int64_t elder_id, int64_t *device_id)
{
    static const char sql[] = "SELECT id FROM devices WHERE elder_id = ? AND status = 'active'"
                              " AND type IN ('motion', 'door')"
                              " ORDER BY coalesce(last_seen, created_at) DESC, id DESC LIMIT 1";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_bind_int(st, 1, elder_id);
    return al_stmt_int64(st, device_id);
}

/* ---- the answer-time report ---- */

/* RULE-ALARM-045, RULE-ALARM-046 */
int
alarm_store_answer_report(struct al_db *db, struct al_arena *a, const char *scope,
    int64_t from, int64_t to, json_t *children, struct alarm_answer *total)
{
    static const char sql[] =
        "SELECT substr(region_code, 1, ?3), count(*),"
        " sum(CASE WHEN acked_at IS NOT NULL AND acked_at - raised_at <= ?6 THEN 1 ELSE 0 END),"
        " sum(CASE WHEN acked_at IS NOT NULL AND acked_at - raised_at <= ?7 THEN 1 ELSE 0 END),"
        " sum(CASE WHEN acked_at IS NULL THEN 1 ELSE 0 END),"
        " coalesce(max(acked_at - raised_at), -1),"
        " sum(CASE WHEN closed_at IS NOT NULL THEN 1 ELSE 0 END),"
        " CAST(coalesce(sum(closed_at - raised_at), 0) AS BIGINT),"
        " sum(CASE WHEN outcome = 'false_alarm' THEN 1 ELSE 0 END)"
        " FROM alarms WHERE region_code >= ?1 AND region_code < ?2"
        " AND raised_at >= ?4 AND raised_at < ?5"
        " GROUP BY substr(region_code, 1, ?3) ORDER BY 1";
    static const int next_len[] = {2, 4, 6, 9, 12, 12};
    int level = region_level(scope);
    int child_len = next_len[level > 0 ? level : 0];
    char lo[16], hi[16];
    region_scope_bounds(scope, lo, hi);
    *total = (struct alarm_answer){.slowest_s = -1};
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_T(lo), AL_T(hi), AL_I(child_len), AL_I(from), AL_I(to),
        AL_I(ALARM_ANSWER_60_S), AL_I(ALARM_ANSWER_180_S));
    int rc;
    while ((rc = al_stmt_step(st)) == AL_ROW) {
        struct alarm_answer x = {.count = al_stmt_int(st, 1), .within_60 = al_stmt_int(st, 2),
            .within_180 = al_stmt_int(st, 3), .unanswered = al_stmt_int(st, 4),
            .slowest_s = al_stmt_int(st, 5), .closed = al_stmt_int(st, 6),
            .close_total_s = al_stmt_int(st, 7), .false_alarms = al_stmt_int(st, 8)};
        total->count += x.count;
        total->within_60 += x.within_60;
        total->within_180 += x.within_180;
        total->unanswered += x.unanswered;
        total->closed += x.closed;
        total->close_total_s += x.close_total_s;
        total->false_alarms += x.false_alarms;
        if (x.slowest_s > total->slowest_s)
            total->slowest_s = x.slowest_s;
        json_t *row = json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "region_code",
            al_stmt_dup(a, st, 0), "count", (json_int_t)x.count, "within_60",
            (json_int_t)x.within_60, "within_180", (json_int_t)x.within_180, "unanswered",
            (json_int_t)x.unanswered, "slowest_s", (json_int_t)x.slowest_s, "closed",
            (json_int_t)x.closed, "false_alarms", (json_int_t)x.false_alarms);
        alarm_close_avg(row, &x);
        json_array_append_new(children, row);
    }
    return rc;
}

void
alarm_close_avg(json_t *row, const struct alarm_answer *x)
{
    json_t *avg = json_null();
    if (x->closed > 0)
        avg = json_integer((x->close_total_s + x->closed / 2) / x->closed);
    json_object_set_new(row, "close_avg_s", avg);
}

/* RULE-ALARM-066 */
int
alarm_store_answer_kinds(struct al_db *db, struct al_arena *a, const char *scope, int64_t from,
    int64_t to, json_t *kinds)
{
    static const char sql[] =
        "SELECT type, count(*), sum(CASE WHEN outcome = 'false_alarm' THEN 1 ELSE 0 END)"
        " FROM alarms WHERE region_code >= ?1 AND region_code < ?2"
        " AND raised_at >= ?3 AND raised_at < ?4 GROUP BY type ORDER BY 2 DESC, 1";
    char lo[16], hi[16];
    region_scope_bounds(scope, lo, hi);
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_T(lo), AL_T(hi), AL_I(from), AL_I(to));
    int rc;
    while ((rc = al_stmt_step(st)) == AL_ROW)
        json_array_append_new(kinds, json_pack("{s:s, s:I, s:I}", "type", al_stmt_dup(a, st, 0),
                                         "count", (json_int_t)al_stmt_int(st, 1), "false_alarms",
                                         (json_int_t)al_stmt_int(st, 2)));
    return rc;
}
