/* The alarm module's SQL (both engines, docs/stores.md). */
#include <stdio.h>
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
    al_stmt_bind_int(st, 1, alarm_id);
    al_stmt_bind_int(st, 2, at);
    al_stmt_bind_text(st, 3, kind);
    if (who_id)
        al_stmt_bind_int(st, 4, who_id);
    else
        al_stmt_bind_null(st, 4);
    al_stmt_bind_text(st, 5, who_name);
    al_stmt_bind_text(st, 6, target);
    al_stmt_bind_text(st, 7, outcome);
    al_stmt_bind_text(st, 8, note);
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
    al_stmt_bind_text(st, 1, region);
    al_stmt_bind_int(st, 2, elder_id);
    al_stmt_bind_int(st, 3, device_id);
    if (event_id)
        al_stmt_bind_int(st, 4, event_id);
    else
        al_stmt_bind_null(st, 4);
    al_stmt_bind_text(st, 5, type);
    al_stmt_bind_int(st, 6, severity);
    al_stmt_bind_int(st, 7, now);
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
    " a.closing_note, a.version, e.address, e.phone, a.service_order_id"
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
    AL_COL(16, "version", AL_COL_INT), AL_COL_END};

/* The console's card: the address and the phone (masked, RULE-PII-002) of the elder. */
static const struct al_col card_cols[] = {AL_COL(17, "elder_address", AL_COL_TEXT),
    AL_COLF(18, "elder_phone_masked", al_col_phone_masked),
    AL_COL(19, "service_order_id", AL_COL_INT), AL_COL_END};

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
