/* Routes and thin handlers of the alarm module: the console's API and its live stream. */
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <event2/http.h>

#include "alarm/alarm.h"
#include "alarm/alarm_int.h"
#include "audit/audit.h"
#include "core/config.h"
#include "core/events.h"
#include "core/http.h"
#include "core/json.h"
#include "core/query.h"
#include "elder/elder.h"
#include "region/region.h"

static int
alarm_list(struct al_req *r)
{
    struct alarm_filter f = {.scope = r->who->region_code};
    int rc = al_query_limit(&r->query, &f.limit, &f.offset, &r->err);
    if (rc != AL_OK)
        return rc;
    f.status = al_query_opt(&r->query, "status");
    if (f.status && strcmp(f.status, "open") && strcmp(f.status, "acknowledged") &&
        strcmp(f.status, "closed") && strcmp(f.status, "active"))
        return al_req_fail(r, AL_EINVAL, "status",
            "状态应为 open、acknowledged、closed 或 active（未结案）");
    if ((rc = al_query_int(&r->query, "device_id", "设备", 1, INT64_MAX, 0, &f.device_id,
             &r->err)) != AL_OK ||
        (rc = al_query_int(&r->query, "elder_id", "老人", 1, INT64_MAX, 0, &f.elder_id,
             &r->err)) != AL_OK)
        return rc;
    json_t *items = json_array();
    int64_t total = 0;
    if ((rc = alarm_store_list(r->db, r->arena, &f, items, &total)) != AL_OK)
        return rc;
    return al_reply_items(r, items, total);
}

/* The alarm of the path, if in the caller's region (RULE-ALARM-024: else 404 like a missing one). */
static int
visible(struct al_req *r, int64_t *id, json_t **out, const char **status)
{
    const char *region = NULL;
    int64_t version;
    int rc = al_req_param_id(r, "id", id);
    if (rc == AL_OK)
        rc = alarm_store_get(r->db, r->arena, *id, out, &region, status, &version);
    if (rc == AL_ENOTFOUND || (rc == AL_OK && !region_in_scope(r->who->region_code, region)))
        return al_req_fail(r, AL_ENOTFOUND, NULL, "告警不存在");
    return rc;
}

static int
alarm_get(struct al_req *r)
{
    int64_t id;
    json_t *out = NULL;
    const char *status;
    int rc = visible(r, &id, &out, &status);
    if (rc != AL_OK)
        return rc;
    json_t *steps = json_array();
    if ((rc = alarm_store_steps(r->db, r->arena, id, steps)) != AL_OK)
        return rc;
    json_object_set_new(out, "steps", steps);
    return al_reply(r, 200, out);
}

/* Tell every console (RULE-ALARM-021); a lost event is repaired by the console's next read. */
static void
announce(struct al_req *r, int64_t id, json_t *alarm)
{
    char payload[128];
    snprintf(payload, sizeof(payload), "{\"id\":%lld,\"region_code\":\"%s\"}", (long long)id,
        json_string_value(json_object_get(alarm, "region_code")));
    al_events_publish(r->db, ALARM_CHANNEL, payload);
}

enum action { ACK, CALL, CLOSE };

static int
act(struct al_req *r, enum action what)
{
    int64_t id;
    json_t *alarm = NULL, *body = NULL;
    const char *status, *target = NULL, *outcome = NULL, *note = NULL;
    int rc = visible(r, &id, &alarm, &status);
    if (rc == AL_OK && what != ACK)
        rc = al_req_json(r, &body);
    if (rc != AL_OK)
        return rc;
    if (what == CALL &&
        ((rc = al_json_get_str(body, "target", "联系对象", AL_REQUIRED, 1, 16, &target,
              &r->err)) != AL_OK ||
            (rc = al_json_get_str(body, "outcome", "联系结果", AL_REQUIRED, 1, 16, &outcome,
                 &r->err)) != AL_OK))
        return rc;
    if (what == CLOSE && (rc = al_json_get_str(body, "outcome", "结案类别", AL_REQUIRED, 1, 32,
                              &outcome, &r->err)) != AL_OK)
        return rc;
    if (body && (rc = al_json_get_str(body, "note", "备注", AL_PLAIN, 0, 500, &note, &r->err)) !=
                    AL_OK)
        return rc;
    if (what == CALL && !alarm_step_target_ok(target))
        return al_req_fail(r, AL_EINVAL, "target",
            "联系对象应为 elder、family、helper、provider、120 或 110");
    if (what == CALL && !alarm_step_outcome_ok(outcome))
        return al_req_fail(r, AL_EINVAL, "outcome",
            "联系结果应为 reached、no_answer、busy、on_the_way 或 arrived");
    if (what == CLOSE && !alarm_outcome_ok(outcome))
        return al_req_fail(r, AL_EINVAL, "outcome",
            "结案类别应为 real_emergency、needed_help、false_alarm、test 或 no_answer_visited");
    const char *who = r->who->display_name ? r->who->display_name : r->who->username;
    if ((rc = al_db_begin(r->db)) != AL_OK)
        return rc;
    if (what == ACK)
        rc = alarm_store_ack(r->db, id, r->who->user_id, who, r->now);
    else if (what == CALL)
        rc = alarm_store_call(r->db, id, r->who->user_id, who, target, outcome, note, r->now);
    else
        rc = alarm_store_close(r->db, id, r->who->user_id, who, outcome, note, r->now);
    if (rc == AL_ECONFLICT) /* RULE-ALARM-021..023: a move the alarm's state does not allow */
        al_req_fail(r, AL_ECONFLICT, NULL,
            what == ACK ? "告警已被响应，不能重复响应"
                        : "告警须先响应，且未结案，才能记录联系或结案");
    if (rc == AL_OK) {
        static const char *const actions[] = {"alarm.acknowledge", "alarm.call", "alarm.close"};
        struct audit_entry e = {.action = actions[what], .target_type = "alarm",
            .target_id = al_arena_printf(r->arena, "%lld", (long long)id),
            .region_code = json_string_value(json_object_get(alarm, "region_code")),
            .outcome = "success",
            .detail = json_pack("{s:s?, s:s?}", "target", target, "outcome", outcome)};
        rc = audit_append(r, &e);
    }
    if ((rc = al_db_end(r->db, rc)) != AL_OK)
        return rc;
    announce(r, id, alarm);
    return alarm_get(r);
}

static int
alarm_ack(struct al_req *r)
{
    return act(r, ACK);
}

static int
alarm_call(struct al_req *r)
{
    return act(r, CALL);
}

static int
alarm_close(struct al_req *r)
{
    return act(r, CLOSE);
}

/* ---- the live console stream (RULE-ALARM-021) ---- */

struct alarm_stream {
    struct al_sse *sse;
    struct al_event_sub *sub;
    struct event *tick;
    struct al_db *db;
    char scope[16];
};

static void
stream_free(struct alarm_stream *s)
{
    al_events_unsubscribe(s->sub);
    if (s->tick)
        event_free(s->tick);
    free(s);
}

static void
stream_closed(void *ctx)
{
    stream_free(ctx);
}

static void
stream_end(struct alarm_stream *s)
{
    al_sse_end(s->sse);
    stream_free(s);
}

/* An alarm changed: inside the viewer's region, its whole state goes out as event "alarm". */
static void
on_alarm(void *ctx, const char *channel, const char *payload)
{
    (void)channel;
    struct alarm_stream *s = ctx;
    json_t *p = json_loads(payload, 0, NULL);
    const char *region = json_string_value(json_object_get(p, "region_code"));
    json_int_t id = json_integer_value(json_object_get(p, "id"));
    if (region && id > 0 && region_in_scope(s->scope, region)) {
        struct al_arena a;
        al_arena_init(&a, 4096);
        json_t *out = NULL;
        const char *rg, *st;
        int64_t version;
        if (alarm_store_get(s->db, &a, id, &out, &rg, &st, &version) == AL_OK) {
            char *text = al_json_dump_heap(out);
            json_decref(out);
            int rc = text ? al_sse_send(s->sse, "alarm", text) : AL_EUNAVAIL;
            free(text);
            if (rc != AL_OK) {
                al_arena_fini(&a);
                json_decref(p);
                stream_end(s);
                return;
            }
        }
        al_arena_fini(&a);
    }
    json_decref(p);
}

static void
on_tick(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct alarm_stream *s = arg;
    if (al_sse_comment(s->sse, "keep-alive") != AL_OK)
        stream_end(s);
}

static int
alarm_stream(struct al_req *r)
{
    if (evhttp_request_get_command(r->ev) == EVHTTP_REQ_HEAD)
        return al_reply(r, 200, NULL);
    struct alarm_stream *s = calloc(1, sizeof(*s));
    if (!s)
        return al_req_fail(r, AL_EUNAVAIL, NULL, "服务繁忙，请稍后重试");
    s->db = r->db;
    snprintf(s->scope, sizeof(s->scope), "%s", r->who->region_code);
    s->sub = al_events_subscribe(r->base, ALARM_CHANNEL, on_alarm, s);
    s->tick = event_new(r->base, -1, EV_PERSIST, on_tick, s);
    s->sse = s->sub && s->tick ? al_sse_start(r, stream_closed, s) : NULL;
    if (!s->sse) {
        stream_free(s);
        return al_req_fail(r, AL_EUNAVAIL, NULL, "服务繁忙，请稍后重试");
    }
    if (al_sse_send(s->sse, "ready", "{}") != AL_OK) {
        stream_end(s);
        return AL_OK;
    }
    struct timeval tv = {al_config.sse_keepalive_ms / 1000,
        (al_config.sse_keepalive_ms % 1000) * 1000};
    event_add(s->tick, &tv);
    return AL_OK;
}

/* ---- the timers (RULE-ALARM-030..042) ---- */

static void
announce_changed(struct al_db *db, const struct alarm_changed *c, int n)
{
    for (int i = 0; i < n; i++) {
        char payload[128];
        snprintf(payload, sizeof(payload), "{\"id\":%lld,\"region_code\":\"%s\"}",
            (long long)c[i].id, c[i].region_code);
        al_events_publish(db, ALARM_CHANNEL, payload);
    }
}

int
alarm_sweep(struct al_db *db, int64_t now, int *changed)
{
    struct alarm_changed c[64];
    int n = 0, m = 0;
    int rc = alarm_store_escalate_due(db, now, alarm_store_escalate_seconds(db), c, 64, &n);
    announce_changed(db, c, n);
    if (rc == AL_OK) {
        rc = alarm_store_inactive_due(db, now, c, 64, &m);
        announce_changed(db, c, m);
    }
    if (changed)
        *changed = n + m;
    return rc;
}

/* RULE-ALARM-030 */
static int
settings_get(struct al_req *r)
{
    return al_reply(r, 200, json_pack("{s:I}", "escalate_seconds",
                                (json_int_t)alarm_store_escalate_seconds(r->db)));
}

static int
settings_put(struct al_req *r)
{
    json_t *body;
    int64_t seconds = 0;
    bool present;
    int rc = al_req_json(r, &body);
    if (rc != AL_OK ||
        (rc = al_json_get_int(body, "escalate_seconds", "升级时限（秒）", AL_REQUIRED, 1, 3600,
             &seconds, &present, &r->err)) != AL_OK)
        return rc;
    if ((rc = al_db_begin(r->db)) != AL_OK)
        return rc;
    rc = alarm_store_escalate_seconds_put(r->db, seconds);
    if (rc == AL_OK) {
        struct audit_entry e = {.action = "alarm.settings", .target_type = "settings",
            .target_id = "alarm", .outcome = "success",
            .detail = json_pack("{s:I}", "escalate_seconds", (json_int_t)seconds)};
        rc = audit_append(r, &e);
    }
    if ((rc = al_db_end(r->db, rc)) != AL_OK)
        return rc;
    return settings_get(r);
}

/* The elder of the path, in the caller's region (404 like a missing one), with its region. */
static int
elder_visible(struct al_req *r, int64_t *id, const char **region)
{
    const char *status = NULL;
    int rc = al_req_param_id(r, "elder_id", id);
    if (rc == AL_OK)
        rc = elder_region_of(r->db, r->arena, *id, region, &status);
    if (rc == AL_ENOTFOUND || (rc == AL_OK && !region_in_scope(r->who->region_code, *region)))
        return al_req_fail(r, AL_ENOTFOUND, NULL, "老人不存在");
    return rc;
}

/* RULE-ALARM-040 */
static int
inactivity_get(struct al_req *r)
{
    int64_t id;
    const char *region;
    json_t *out = NULL;
    int rc = elder_visible(r, &id, &region);
    if (rc != AL_OK)
        return rc;
    rc = alarm_store_inactivity_get(r->db, r->arena, id, &out);
    if (rc == AL_ENOTFOUND)
        return al_req_fail(r, AL_ENOTFOUND, NULL, "该老人未设置不活动提醒");
    if (rc != AL_OK)
        return rc;
    return al_reply(r, 200, out);
}

/* "HH:MM" into minutes after midnight, -1 when malformed. */
static int
parse_hhmm(const char *s)
{
    if (!s || strlen(s) != 5 || s[2] != ':')
        return -1;
    for (int i = 0; i < 5; i++)
        if (i != 2 && (s[i] < '0' || s[i] > '9'))
            return -1;
    int h = (s[0] - '0') * 10 + (s[1] - '0'), m = (s[3] - '0') * 10 + (s[4] - '0');
    return h < 24 && m < 60 ? h * 60 + m : -1;
}

static int
inactivity_put(struct al_req *r)
{
    int64_t id, hours = 0, device = 0;
    const char *region, *from = NULL, *to = NULL;
    json_t *body;
    bool present;
    int rc = elder_visible(r, &id, &region);
    if (rc == AL_OK)
        rc = al_req_json(r, &body);
    if (rc != AL_OK ||
        (rc = al_json_get_int(body, "hours", "无活动时长（小时）", AL_REQUIRED, 1, 72, &hours,
             &present, &r->err)) != AL_OK ||
        (rc = al_json_get_str(body, "quiet_from", "安静时段开始", AL_REQUIRED, 5, 5, &from,
             &r->err)) != AL_OK ||
        (rc = al_json_get_str(body, "quiet_to", "安静时段结束", AL_REQUIRED, 5, 5, &to,
             &r->err)) != AL_OK)
        return rc;
    int qf = parse_hhmm(from), qt = parse_hhmm(to);
    if (qf < 0)
        return al_req_fail(r, AL_EINVAL, "quiet_from", "安静时段开始应为 HH:MM，如 22:00");
    if (qt < 0)
        return al_req_fail(r, AL_EINVAL, "quiet_to", "安静时段结束应为 HH:MM，如 07:00");
    if (qt >= qf) /* RULE-ALARM-041: the quiet hours are the night, across midnight */
        return al_req_fail(r, AL_EINVAL, "quiet_to",
            "安静时段应跨越午夜（如 22:00 至 07:00），结束时间须早于开始时间");
    rc = alarm_store_activity_device(r->db, id, &device);
    if (rc == AL_ENOTFOUND) /* RULE-ALARM-040: nothing could tell activity */
        return al_req_fail(r, AL_ECONFLICT, NULL,
            "该老人没有在用的人体红外感应或门磁设备，无法设置不活动提醒");
    if (rc != AL_OK)
        return rc;
    struct alarm_inactivity in = {.elder_id = id, .region_code = region, .hours = (int)hours,
        .quiet_from_min = qf, .quiet_to_min = qt};
    if ((rc = al_db_begin(r->db)) != AL_OK)
        return rc;
    rc = alarm_store_inactivity_put(r->db, &in, device, r->now);
    if (rc == AL_OK) {
        struct audit_entry e = {.action = "alarm.inactivity", .target_type = "elder",
            .target_id = al_arena_printf(r->arena, "%lld", (long long)id),
            .region_code = region, .outcome = "success",
            .detail = json_pack("{s:I, s:s, s:s}", "hours", (json_int_t)hours, "quiet_from",
                from, "quiet_to", to)};
        rc = audit_append(r, &e);
    }
    if ((rc = al_db_end(r->db, rc)) != AL_OK)
        return rc;
    return inactivity_get(r);
}

static const struct al_route alarm_routes[] = {
    {AL_GET, "/api/v1/alarms", alarm_list, "alarm.read", 0,
        "本辖区告警列表（status：open/acknowledged/closed/active，device_id、elder_id 筛选；未处理、严重的在前）"},
    {AL_GET, "/api/v1/alarms/stream", alarm_stream, "alarm.read", 0,
        "告警实时推送（SSE：新告警与状态变化）"},
    {AL_GET, "/api/v1/alarms/:id", alarm_get, "alarm.read", 0, "告警详情（老人信息卡与时间线）"},
    {AL_GET, "/api/v1/alarm-settings", settings_get, "alarm.read", 0, "告警升级时限"},
    {AL_PUT, "/api/v1/alarm-settings", settings_put, "alarm.manage", 0,
        "设置告警升级时限（秒，超时未响应升级至乡镇/街道，再超时升级至县级）"},
    {AL_GET, "/api/v1/elders/:elder_id/inactivity", inactivity_get, "alarm.read", 0,
        "老人不活动提醒设置"},
    {AL_PUT, "/api/v1/elders/:elder_id/inactivity", inactivity_put, "alarm.handle", 0,
        "设置老人不活动提醒（无活动时长、夜间安静时段）"},
    {AL_POST, "/api/v1/alarms/:id/ack", alarm_ack, "alarm.handle", 0, "响应告警（记录响应人与时间）"},
    {AL_POST, "/api/v1/alarms/:id/calls", alarm_call, "alarm.handle", 0,
        "记录一次联系（家属、助老员、服务机构、120/110 及结果）"},
    {AL_POST, "/api/v1/alarms/:id/close", alarm_close, "alarm.handle", 0, "结案（结案类别与说明）"},
    {0},
};

const struct al_module alarm_module = {.name = "alarm", .routes = alarm_routes};
