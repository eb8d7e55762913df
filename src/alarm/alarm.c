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

static const struct al_route alarm_routes[] = {
    {AL_GET, "/api/v1/alarms", alarm_list, "alarm.read", 0,
        "本辖区告警列表（status：open/acknowledged/closed/active，device_id、elder_id 筛选；未处理、严重的在前）"},
    {AL_GET, "/api/v1/alarms/stream", alarm_stream, "alarm.read", 0,
        "告警实时推送（SSE：新告警与状态变化）"},
    {AL_GET, "/api/v1/alarms/:id", alarm_get, "alarm.read", 0, "告警详情（老人信息卡与时间线）"},
    {AL_POST, "/api/v1/alarms/:id/ack", alarm_ack, "alarm.handle", 0, "响应告警（记录响应人与时间）"},
    {AL_POST, "/api/v1/alarms/:id/calls", alarm_call, "alarm.handle", 0,
        "记录一次联系（家属、助老员、服务机构、120/110 及结果）"},
    {AL_POST, "/api/v1/alarms/:id/close", alarm_close, "alarm.handle", 0, "结案（结案类别与说明）"},
    {0},
};

const struct al_module alarm_module = {.name = "alarm", .routes = alarm_routes};
