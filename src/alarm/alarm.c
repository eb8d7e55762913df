/* Routes and thin handlers of the alarm module: the console's API and its live stream. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <event2/http.h>

#include "alarm/alarm.h"
#include "alarm/alarm_int.h"
#include "assess/assess.h"
#include "audit/audit.h"
#include "auth/auth.h"
#include "core/config.h"
#include "core/events.h"
#include "core/export.h"
#include "core/http.h"
#include "core/follow.h"
#include "core/jobs.h"
#include "core/json.h"
#include "core/query.h"
#include "elder/elder.h"
#include "region/region.h"
#include "service/service.h"
#include "visit/visit.h"

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

/* Tell every console (RULE-ALARM-021); a lost event is repaired by the console's next read. */
static void
announce(struct al_req *r, int64_t id, json_t *alarm)
{
    char payload[128];
    snprintf(payload, sizeof(payload), "{\"id\":%lld,\"region_code\":\"%s\"}", (long long)id,
        json_string_value(json_object_get(alarm, "region_code")));
    al_events_publish(r->db, ALARM_CHANNEL, payload);
}

/*
 * RULE-ALARM-068: the elder's card on the console: the record's essentials and contacts in the
 * order to call them (elder.h), the elder's other recent alarms, visits (visit.h) and home
 * service orders (service.h), as "elder_card" of `out`.
 */
static int
elder_card(struct al_req *r, int64_t id, json_t *out)
{
    int64_t elder = json_integer_value(json_object_get(out, "elder_id"));
    json_t *card = NULL, *orders = NULL, *visits = NULL, *alarms = json_array();
    int rc = elder_card_json(r->db, r->arena, elder, &card);
    if (rc == AL_OK)
        rc = alarm_store_recent(r->db, r->arena, elder, id, 5, alarms);
    if (rc == AL_OK)
        rc = service_recent_orders_json(r->db, r->arena, elder, 5, &orders);
    if (rc == AL_OK)
        rc = visit_recent_json(r->db, r->arena, elder, 3, &visits);
    if (rc != AL_OK) {
        json_decref(card);
        json_decref(alarms);
        json_decref(orders);
        return rc;
    }
    json_object_set_new(card, "recent_alarms", alarms);
    json_object_set_new(card, "recent_orders", orders);
    json_object_set_new(card, "recent_visits", visits);
    json_object_set_new(out, "elder_card", card);
    return AL_OK;
}

/*
 * `step` into `steps` by time (ISO times to the second sort as text): after the last step at or
 * before it; `early` (a console showing the alarm) goes before the steps of its second that
 * come after receipt (a showing follows "stored" and precedes what the operator did).
 */
static void
step_insert(json_t *steps, json_t *step, bool early)
{
    const char *at = json_string_value(json_object_get(step, "at"));
    size_t i = json_array_size(steps), n = i;
    if (early && at)
        for (i = 0; i < n; i++) {
            json_t *x = json_array_get(steps, i);
            const char *xat = json_string_value(json_object_get(x, "at")),
                       *kind = json_string_value(json_object_get(x, "kind"));
            int c = xat ? strcmp(xat, at) : 1;
            if (c > 0 || (c == 0 && strcmp(kind, "device_message") && strcmp(kind, "stored")))
                break;
        }
    else
        while (i > 0 && at &&
               strcmp(json_string_value(json_object_get(json_array_get(steps, i - 1), "at")),
                   at) > 0)
            i--;
    json_array_insert_new(steps, i, step);
}

/*
 * RULE-ALARM-069: the timeline's steps from elsewhere, each in its place by time: when a
 * console first showed the alarm, and the urgent order's caregiver arriving and checking out
 * (through service.h).
 */
static int
timeline_more(struct al_req *r, int64_t id, json_int_t order, json_t *steps)
{
    json_t *shown = json_array(), *moves = NULL, *m;
    size_t i;
    int rc = alarm_store_shown_step(r->db, r->arena, id, shown);
    json_array_foreach(shown, i, m) step_insert(steps, json_incref(m), true);
    json_decref(shown);
    if (rc != AL_OK || order <= 0)
        return rc;
    if ((rc = service_order_moves_json(r->db, r->arena, order, &moves)) != AL_OK)
        return rc;
    bool arrived = false; /* at the home: the first of 已到达 and 服务中 (a check-in) */
    json_array_foreach(moves, i, m) {
        const char *st = json_string_value(json_object_get(m, "status")), *kind = NULL;
        if (st && !arrived && (!strcmp(st, "arrived") || !strcmp(st, "in_service"))) {
            kind = "order_arrived";
            arrived = true;
        } else if (st && !strcmp(st, "completed")) {
            kind = "order_completed";
        }
        if (kind)
            step_insert(steps, json_pack("{s:I, s:O, s:s, s:O, s:s}", "id", (json_int_t)0, "at",
                                   json_object_get(m, "at"), "kind", kind, "who_name",
                                   json_object_get(m, "by"), "target",
                                   al_arena_printf(r->arena, "%lld", (long long)order)), false);
    }
    json_decref(moves);
    return AL_OK;
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
    if ((rc = timeline_more(r, id, json_integer_value(json_object_get(out, "service_order_id")),
             steps)) != AL_OK ||
        (rc = elder_card(r, id, out)) != AL_OK)
        return rc;
    /* RULE-ALARM-056: the urgent order and its status now, through service.h. */
    json_int_t order = json_integer_value(json_object_get(out, "service_order_id"));
    const char *st = NULL, *st_name = NULL;
    if (order > 0 && service_order_status(r->db, r->arena, order, &st, &st_name) == AL_OK)
        json_object_set_new(out, "service_order",
            json_pack("{s:I, s:s, s:s}", "id", order, "status", st, "status_name", st_name));
    /* RULE-ALARM-065: the assessment request and its status now, through assess.h. */
    json_int_t req = json_integer_value(json_object_get(out, "assess_request_id"));
    if (req > 0 && assess_request_status(r->db, r->arena, req, &st) == AL_OK)
        json_object_set_new(out, "assessment", json_pack("{s:I, s:s, s:s}", "id", req, "status",
                                                   st, "status_name",
                                                   strcmp(st, "open") ? "已评估" : "待评估"));
    return al_reply(r, 200, out);
}

/* The alarm of the path (visible) and the body's optional `note` (≤ 200 characters). */
static int
visible_with_note(struct al_req *r, int64_t *id, json_t **alarm, const char **status,
    const char **note)
{
    json_t *body = NULL;
    int rc = visible(r, id, alarm, status);
    if (rc == AL_OK)
        rc = al_req_json(r, &body);
    if (rc == AL_OK)
        rc = al_json_get_str(body, "note", "备注", AL_PLAIN, 0, 200, note, &r->err);
    return rc;
}

/*
 * The end of a change to alarm `id` made in the open transaction with outcome `rc`: the audit
 * entry `action` with `detail` (taken), the commit or rollback, the live announcement and the
 * alarm as the answer.
 */
static int
audited_end(struct al_req *r, int rc, int64_t id, json_t *alarm, const char *action,
    json_t *detail)
{
    if (rc == AL_OK) {
        struct audit_entry e = {.action = action, .target_type = "alarm",
            .target_id = al_arena_printf(r->arena, "%lld", (long long)id),
            .region_code = json_string_value(json_object_get(alarm, "region_code")),
            .outcome = "success", .detail = detail};
        detail = NULL;
        rc = audit_append(r, &e);
    }
    json_decref(detail);
    if ((rc = al_db_end(r->db, rc)) != AL_OK)
        return rc;
    announce(r, id, alarm);
    return alarm_get(r);
}

/*
 * RULE-ALARM-065: a fall alarm asks for an immediate capability assessment of its elder: one
 * request (source "alarm") through assess.h, kept on the alarm, audited.  409 for another type
 * or a second request.
 */
static int
alarm_assessment(struct al_req *r)
{
    int64_t id, req = 0;
    json_t *alarm = NULL;
    const char *status, *note = NULL;
    int rc = visible_with_note(r, &id, &alarm, &status, &note);
    if (rc != AL_OK)
        return rc;
    const char *type = json_string_value(json_object_get(alarm, "type"));
    const char *region = json_string_value(json_object_get(alarm, "region_code"));
    if (!type || strcmp(type, "fall") != 0 ||
        json_integer_value(json_object_get(alarm, "assess_request_id")) > 0)
        return al_req_fail(r, AL_ECONFLICT, NULL, "只有跌倒告警可以申请能力评估，且每条告警只申请一次");
    const char *text = al_arena_printf(r->arena, "跌倒告警 #%lld 申请立即评估%s%s", (long long)id,
        note && *note ? "：" : "", note ? note : "");
    if ((rc = al_db_begin(r->db)) != AL_OK)
        return rc;
    rc = assess_request_open(r->db, json_integer_value(json_object_get(alarm, "elder_id")), region,
        "alarm", text, r->who->user_id, r->now, &req);
    if (rc == AL_OK && (rc = alarm_store_set_assessment(r->db, id, req)) == AL_ECONFLICT)
        al_req_fail(r, AL_ECONFLICT, NULL, "只有跌倒告警可以申请能力评估，且每条告警只申请一次");
    return audited_end(r, rc, id, alarm, "alarm.assessment",
        json_pack("{s:I}", "assess_request_id", (json_int_t)req));
}

/* RULE-ALARM-055: 派单上门: an urgent home-service order for the elder of an acknowledged alarm. */
static int
alarm_dispatch(struct al_req *r)
{
    int64_t id, order = 0;
    json_t *alarm = NULL;
    const char *status, *note = NULL;
    int rc = visible_with_note(r, &id, &alarm, &status, &note);
    if (rc != AL_OK)
        return rc;
    if (strcmp(status, "acknowledged") != 0 ||
        json_integer_value(json_object_get(alarm, "service_order_id")) > 0)
        return al_req_fail(r, AL_ECONFLICT, NULL, "告警须已响应、未结案且尚未派单，才能派单上门");
    const char *who = r->who->display_name ? r->who->display_name : r->who->username;
    json_int_t elder = json_integer_value(json_object_get(alarm, "elder_id"));
    const char *text = al_arena_printf(r->arena, "紧急呼叫告警 #%lld 派单上门%s%s", (long long)id,
        note && *note ? "：" : "", note ? note : "");
    if ((rc = al_db_begin(r->db)) != AL_OK)
        return rc;
    rc = service_order_urgent(r->db, r->arena, elder, text, r->who->username, r->now, &order);
    if (rc == AL_EUNPROC)
        al_req_fail(r, AL_EUNPROC, NULL, "该老人不在册或未开通助急服务，不能派单上门");
    if (rc == AL_OK)
        rc = alarm_store_set_order(r->db, id, order, r->who->user_id, who, r->now);
    if (rc == AL_ECONFLICT)
        al_req_fail(r, AL_ECONFLICT, NULL, "告警须已响应、未结案且尚未派单，才能派单上门");
    return audited_end(r, rc, id, alarm, "alarm.dispatch",
        json_pack("{s:I}", "service_order_id", (json_int_t)order));
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
    int64_t visit_task = 0; /* RULE-VISIT-081: an alarm that ended needing help: a visit */
    if (rc == AL_OK && what == CLOSE)
        rc = visit_on_alarm_closed(r->db, r->arena, id,
            json_integer_value(json_object_get(alarm, "elder_id")), outcome, r->who->user_id,
            r->now, &visit_task);
    if (rc == AL_ECONFLICT) /* RULE-ALARM-021..023: a move the alarm's state does not allow */
        al_req_fail(r, AL_ECONFLICT, NULL,
            what == ACK ? "告警已被响应，不能重复响应"
                        : "告警须先响应，且未结案，才能记录联系或结案");
    static const char *const actions[] = {"alarm.acknowledge", "alarm.call", "alarm.close"};
    json_t *detail = json_pack("{s:s?, s:s?}", "target", target, "outcome", outcome);
    if (visit_task)
        json_object_set_new(detail, "visit_task_id", json_integer(visit_task));
    return audited_end(r, rc, id, alarm, actions[what], detail);
}

/*
 * RULE-ALARM-069: a console showed the alarm (the page says so once it is on screen): the first
 * time, by whom and when, is a step of its timeline, audited; later ones change nothing.
 */
static int
alarm_shown(struct al_req *r)
{
    int64_t id;
    json_t *alarm = NULL;
    const char *status;
    bool first = false;
    int rc = visible(r, &id, &alarm, &status);
    if (rc != AL_OK || (rc = al_db_begin(r->db)) != AL_OK)
        return rc;
    const char *who = r->who->display_name ? r->who->display_name : r->who->username;
    rc = alarm_store_shown(r->db, id, r->who->user_id, who, r->now, &first);
    if (rc == AL_OK && first)
        return audited_end(r, rc, id, alarm, "alarm.shown", json_pack("{s:s}", "by", who));
    json_decref(alarm);
    if ((rc = al_db_end(r->db, rc)) != AL_OK)
        return rc;
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
    struct al_db *db;
    char scope[16];
};

/* An alarm changed: inside the viewer's region, its whole state goes out as event "alarm". */
static void
on_alarm(struct al_follow *f, void *state, const char *payload)
{
    struct alarm_stream *s = state;
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
            al_follow_send_json(f, "alarm", out); /* a client that does not read: ended */
            json_decref(out);
        }
        al_arena_fini(&a);
    }
    json_decref(p);
}

static int
alarm_stream(struct al_req *r)
{
    if (evhttp_request_get_command(r->ev) == EVHTTP_REQ_HEAD)
        return al_reply(r, 200, NULL);
    struct alarm_stream *s;
    struct al_follow *f = al_follow_start(r, ALARM_CHANNEL, sizeof(*s), on_alarm, NULL,
        (void **)&s);
    if (!f)
        return AL_EUNAVAIL;
    s->db = r->db;
    snprintf(s->scope, sizeof(s->scope), "%s", r->who->region_code);
    if (al_follow_send(f, "ready", "{}"))
        al_follow_arm(f);
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

#define ALARM_SWEEP_LEASE_S 10 /* RULE-ALARM-061: a dead server's sweep is taken over within */

/*
 * RULE-ALARM-060: the sweep as a periodic job kind, every second on one server at a time
 * (RULE-ALARM-061), on the job threads: neither MQTT nor the ingest thread is needed, and a
 * slow sweep never holds up ingest.
 */
static int
sweep_job(struct al_db *db, struct al_job *job, void *arg, json_t **result,
    struct al_errinfo *e)
{
    (void)arg;
    int n = 0;
    int rc = al_job_periodic_hold(db, job, ALARM_SWEEP_LEASE_S);
    if (rc == AL_ENOTFOUND) /* RULE-ALARM-061: another server sweeps */
        return AL_OK;
    if (rc == AL_OK)
        rc = alarm_sweep(db, al_job_started(job), &n);
    if (rc != AL_OK) {
        snprintf(e->message, sizeof(e->message), "告警升级与不活动检查失败");
        return rc;
    }
    *result = json_pack("{s:i}", "changed", n);
    return AL_OK;
}

static const struct al_job_periodic alarm_jobs[] = {
    {"alarm.sweep", sweep_job, 1},
    {0},
};

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
    int rc = al_req_param_id(r, "id", id);
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

/*
 * RULE-ALARM-040, RULE-ALARM-062: the thresholds of `body` into `in`: `hours` (1–72) and the
 * night quiet hours `quiet_from`–`quiet_to` (HH:MM, across midnight), each named when wrong.
 */
static int
read_thresholds(struct al_req *r, json_t *body, struct alarm_inactivity *in)
{
    int64_t hours = 0;
    const char *from = NULL, *to = NULL;
    bool present;
    int rc;
    if ((rc = al_json_get_int(body, "hours", "无活动时长（小时）", AL_REQUIRED, 1, 72, &hours,
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
    in->hours = (int)hours;
    in->quiet_from_min = qf;
    in->quiet_to_min = qt;
    return AL_OK;
}

/* "HH:MM" of minutes after midnight, in the request's arena. */
static const char *
hhmm(struct al_req *r, int min)
{
    return al_arena_printf(r->arena, "%02d:%02d", min / 60, min % 60);
}

static int
inactivity_put(struct al_req *r)
{
    int64_t id, device = 0;
    const char *region;
    json_t *body;
    int rc = elder_visible(r, &id, &region);
    if (rc == AL_OK)
        rc = al_req_json(r, &body);
    if (rc != AL_OK)
        return rc;
    struct alarm_inactivity in = {.elder_id = id, .region_code = region};
    bool set; /* RULE-ALARM-063: no thresholds in the body: the county's, followed */
    in.follows_default = !json_object_get(body, "hours") && !json_object_get(body, "quiet_from") &&
                         !json_object_get(body, "quiet_to");
    char county[7];
    snprintf(county, sizeof(county), "%.6s", region);
    rc = in.follows_default ? alarm_store_thresholds_get(r->db, county, &in, &set)
                            : read_thresholds(r, body, &in);
    if (rc != AL_OK)
        return rc;
    rc = alarm_store_activity_device(r->db, id, &device);
    if (rc == AL_ENOTFOUND) /* RULE-ALARM-040: nothing could tell activity */
        return al_req_fail(r, AL_ECONFLICT, NULL,
            "该老人没有在用的人体红外感应或门磁设备，无法设置不活动提醒");
    if (rc != AL_OK)
        return rc;
    if ((rc = al_db_begin(r->db)) != AL_OK)
        return rc;
    rc = alarm_store_inactivity_put(r->db, &in, device, r->now);
    if (rc == AL_OK) {
        struct audit_entry e = {.action = "alarm.inactivity", .target_type = "elder",
            .target_id = al_arena_printf(r->arena, "%lld", (long long)id),
            .region_code = region, .outcome = "success",
            .detail = json_pack("{s:i, s:s, s:s, s:b}", "hours", in.hours, "quiet_from",
                hhmm(r, in.quiet_from_min), "quiet_to", hhmm(r, in.quiet_to_min),
                "follows_default", in.follows_default)};
        rc = audit_append(r, &e);
    }
    if ((rc = al_db_end(r->db, rc)) != AL_OK)
        return rc;
    return inactivity_get(r);
}

/*
 * RULE-ALARM-062: the county of the request: `region` (6 digits) or the caller's own county; the
 * caller's region must lie inside it or it inside the caller's (404 otherwise, like a missing
 * one).  Into `county` (7 bytes).
 */
static int
thresholds_county(struct al_req *r, char county[7])
{
    const char *q = al_query_opt(&r->query, "region");
    const char *mine = r->who->region_code;
    if (!q && strlen(mine) < 6)
        return al_req_fail(r, AL_EINVAL, "region", "请选择县（市、区）");
    snprintf(county, 7, "%.6s", q ? q : mine);
    if (strlen(county) != 6 || strspn(county, "0123456789") != 6 || (q && strlen(q) != 6))
        return al_req_fail(r, AL_EINVAL, "region", "县（市、区）应为 6 位区划代码");
    if (!region_in_scope(mine, county) && strncmp(mine, county, 6) != 0)
        return al_req_fail(r, AL_ENOTFOUND, "region", "无权查看该县（市、区）的设置");
    return AL_OK;
}

/* RULE-ALARM-062, RULE-ALARM-064: the county's thresholds and how many elders follow them. */
static int
inactivity_defaults_get(struct al_req *r)
{
    char county[7];
    struct alarm_inactivity in = {0};
    bool set;
    int64_t with = 0, following = 0;
    int rc = thresholds_county(r, county);
    if (rc == AL_OK)
        rc = alarm_store_thresholds_get(r->db, county, &in, &set);
    if (rc == AL_OK)
        rc = alarm_store_thresholds_count(r->db, county, &with, &following);
    if (rc != AL_OK)
        return rc;
    const char *name = region_name(r->db, r->arena, county);
    return al_reply(r, 200, json_pack("{s:s, s:s?, s:i, s:s, s:s, s:b, s:I, s:I, s:b}", "county",
        county, "county_name", name, "hours", in.hours, "quiet_from", hhmm(r, in.quiet_from_min),
        "quiet_to", hhmm(r, in.quiet_to_min), "set", set, "elders", (json_int_t)with,
        "following", (json_int_t)following, "editable",
        region_in_scope(r->who->region_code, county) &&
            auth_role_has(r->db, r->who->role, "alarm.manage")));
}

/* RULE-ALARM-062, RULE-ALARM-063: the county officer sets them; the followers change with them. */
static int
inactivity_defaults_put(struct al_req *r)
{
    char county[7];
    json_t *body;
    struct alarm_inactivity in = {0};
    int64_t followers = 0;
    int rc = thresholds_county(r, county);
    if (rc == AL_OK && !region_in_scope(r->who->region_code, county))
        return al_req_fail(r, AL_EPERM, "region", "只有县级及以上民政管理员可以修改");
    if (rc != AL_OK || (rc = al_req_json(r, &body)) != AL_OK ||
        (rc = read_thresholds(r, body, &in)) != AL_OK || (rc = al_db_begin(r->db)) != AL_OK)
        return rc;
    rc = alarm_store_thresholds_put(r->db, county, &in, r->now, &followers);
    if (rc == AL_OK) {
        struct audit_entry e = {.action = "alarm.inactivity_defaults", .target_type = "region",
            .target_id = county, .region_code = county, .outcome = "success",
            .detail = json_pack("{s:i, s:s, s:s, s:I}", "hours", in.hours, "quiet_from",
                hhmm(r, in.quiet_from_min), "quiet_to", hhmm(r, in.quiet_to_min), "followers",
                (json_int_t)followers)};
        rc = audit_append(r, &e);
    }
    if ((rc = al_db_end(r->db, rc)) != AL_OK)
        return rc;
    return inactivity_defaults_get(r);
}

/* ---- the answer-time report (RULE-ALARM-045..047) ---- */

/*
 * RULE-ALARM-046: the report's region: the caller's, or `region` when inside it
 * (a region beside it: *empty, nothing to count; like the alarm list's scope).
 */
static int
report_scope(struct al_req *r, const char **scope, bool *empty)
{
    const char *region = al_query_opt(&r->query, "region");
    *scope = r->who->region_code;
    *empty = false;
    if (!region)
        return AL_OK;
    if (!region_level(region))
        return al_req_fail(r, AL_EINVAL, "region", "区划代码应为 2、4、6、9 或 12 位数字");
    if (region_in_scope(r->who->region_code, region))
        *scope = region;
    else if (!region_in_scope(region, r->who->region_code))
        *empty = true;
    return AL_OK;
}

static int
report_month(struct al_req *r, const char **month, int64_t *from, int64_t *to)
{
    *month = al_query_opt(&r->query, "month");
    if (!*month)
        *month = al_arena_printf(r->arena, "%.7s", r->today);
    if (!alarm_month_bounds(*month, from, to))
        return al_req_fail(r, AL_EINVAL, "month", "月份应为 YYYY-MM");
    return AL_OK;
}

/* RULE-ALARM-045: shares against the targets, and the region's name, onto one row. */
static void
answer_figures(struct al_req *r, json_t *o)
{
    json_int_t n = json_integer_value(json_object_get(o, "count"));
    json_int_t w60 = json_integer_value(json_object_get(o, "within_60"));
    json_int_t w180 = json_integer_value(json_object_get(o, "within_180"));
    json_int_t slow = json_integer_value(json_object_get(o, "slowest_s"));
    const char *code = json_string_value(json_object_get(o, "region_code"));
    const char *name = code ? region_name(r->db, r->arena, code) : NULL;
    json_object_set_new(o, "region_name", name ? json_string(name) : json_null());
    json_object_set_new(o, "share_60", n ? json_real((double)w60 / (double)n) : json_null());
    json_object_set_new(o, "share_180", n ? json_real((double)w180 / (double)n) : json_null());
    json_object_set_new(o, "met_60",
        n ? json_boolean(w60 * 1000 >= (json_int_t)ALARM_TARGET_60_PERMILLE * n) : json_null());
    json_object_set_new(o, "met_180",
        n ? json_boolean(w180 * 1000 >= (json_int_t)ALARM_TARGET_180_PERMILLE * n) : json_null());
    if (slow < 0)
        json_object_set_new(o, "slowest_s", json_null());
}

static int
report_build(struct al_req *r, const char **month, const char **scope, json_t **out)
{
    int64_t from, to;
    bool empty;
    int rc = report_month(r, month, &from, &to);
    if (rc == AL_OK)
        rc = report_scope(r, scope, &empty);
    if (rc != AL_OK)
        return rc;
    json_t *children = json_array(), *kinds = json_array();
    struct alarm_answer t = {.slowest_s = -1};
    if (!empty && ((rc = alarm_store_answer_report(r->db, r->arena, *scope, from, to, children,
                        &t)) != AL_OK ||
                      (rc = alarm_store_answer_kinds(r->db, r->arena, *scope, from, to,
                           kinds)) != AL_OK)) {
        json_decref(children);
        json_decref(kinds);
        return rc;
    }
    size_t i;
    json_t *c;
    json_array_foreach(children, i, c) answer_figures(r, c);
    *out = json_pack("{s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:{s:i, s:f, s:i, s:f}, s:o}", "month",
        *month, "region_code", *scope, "count", (json_int_t)t.count, "within_60",
        (json_int_t)t.within_60, "within_180", (json_int_t)t.within_180, "unanswered",
        (json_int_t)t.unanswered, "slowest_s", (json_int_t)t.slowest_s, "targets", "within_60_s",
        ALARM_ANSWER_60_S, "share_60", ALARM_TARGET_60_PERMILLE / 1000.0, "within_180_s",
        ALARM_ANSWER_180_S, "share_180", ALARM_TARGET_180_PERMILLE / 1000.0, "children",
        children);
    /* RULE-ALARM-066: time to close, false alarms, alarms by kind */
    json_object_set_new(*out, "closed", json_integer(t.closed));
    json_object_set_new(*out, "false_alarms", json_integer(t.false_alarms));
    json_object_set_new(*out, "kinds", kinds);
    alarm_close_avg(*out, &t);
    answer_figures(r, *out);
    return AL_OK;
}

static int
report_get(struct al_req *r)
{
    const char *month, *scope;
    json_t *out = NULL;
    int rc = report_build(r, &month, &scope, &out);
    if (rc != AL_OK)
        return rc;
    return al_reply(r, 200, out);
}

static const char *
pct_cell(struct al_req *r, json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    return json_is_real(v) ? al_arena_printf(r->arena, "%.1f%%", json_real_value(v) * 100.0)
                           : "—";
}

static const char *
int_cell(struct al_req *r, json_t *o, const char *key)
{
    json_int_t v = json_integer_value(json_object_get(o, key));
    return al_arena_printf(r->arena, "%lld", (long long)v);
}

static const char *
met_cell(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    return json_is_boolean(v) ? (json_is_true(v) ? "达标" : "未达标") : "—";
}

/* RULE-ALARM-047: the table of the page, as CSV or XLSX, audited. */
static int
report_export(struct al_req *r)
{
    static const char *const headers[] = {"地区", "告警数", "60 秒内响应", "60 秒响应率",
        "60 秒达标（97.5%）", "180 秒内响应", "180 秒响应率", "180 秒达标（99%）", "未响应",
        "最慢响应（秒）", "已结案", "平均结案用时（秒）", "误报"};
    const char *month, *scope, *format;
    json_t *out = NULL;
    int rc = al_export_format(r, &format);
    if (rc == AL_OK)
        rc = report_build(r, &month, &scope, &out);
    if (rc != AL_OK)
        return rc;
    struct al_export *x;
    if ((rc = al_export_open(r, format, al_arena_printf(r->arena, "%s 告警响应时效", month), 13,
             headers, &x)) != AL_OK) {
        json_decref(out);
        return rc;
    }
    json_t *rows = json_object_get(out, "children");
    for (size_t i = 0; i <= json_array_size(rows); i++) {
        json_t *o = i < json_array_size(rows) ? json_array_get(rows, i) : out; /* total last */
        const char *name = json_string_value(json_object_get(o, "region_name"));
        json_t *slow = json_object_get(o, "slowest_s"), *avg = json_object_get(o, "close_avg_s");
        const char *cells[13] = {
            o == out ? al_arena_printf(r->arena, "合计（%s）", name ? name : scope)
                     : (name ? name : json_string_value(json_object_get(o, "region_code"))),
            int_cell(r, o, "count"),
            int_cell(r, o, "within_60"),
            pct_cell(r, o, "share_60"), met_cell(o, "met_60"),
            int_cell(r, o, "within_180"),
            pct_cell(r, o, "share_180"), met_cell(o, "met_180"),
            int_cell(r, o, "unanswered"),
            json_is_integer(slow) ? al_arena_printf(r->arena, "%lld",
                                        (long long)json_integer_value(slow))
                                  : "—",
            int_cell(r, o, "closed"),
            json_is_integer(avg) ? al_arena_printf(r->arena, "%lld",
                                       (long long)json_integer_value(avg))
                                 : "—",
            int_cell(r, o, "false_alarms")};
        al_export_row(x, cells);
    }
    json_decref(out);
    struct audit_entry e = {.action = "alarm.report_export", .target_type = "region",
        .target_id = scope, .region_code = scope, .outcome = "success",
        .detail = json_pack("{s:s, s:s, s:I}", "month", month, "format", format, "rows",
            (json_int_t)al_export_rows(x))};
    if ((rc = audit_append(r, &e)) != AL_OK) {
        al_export_abort(x);
        return rc;
    }
    return al_export_reply(x, al_arena_printf(r->arena, "告警响应时效-%s", month));
}

static const struct al_route alarm_routes[] = {
    {AL_GET, "/api/v1/alarms", alarm_list, "alarm.read", 0,
        "本辖区告警列表（status：open/acknowledged/closed/active，device_id、elder_id 筛选；未处理、严重的在前）"},
    {AL_GET, "/api/v1/alarms/stream", alarm_stream, "alarm.read", 0,
        "告警实时推送（SSE：新告警与状态变化）"},
    {AL_GET, "/api/v1/alarms/report", report_get, "alarm.read", 0,
        "告警响应时效（month、region：各地区 60 秒、180 秒内响应率对照 97.5%/99%，告警数、最慢响应、平均结案用时、误报，按类型统计）"},
    {AL_GET, "/api/v1/alarms/report/export", report_export, "alarm.read", 0,
        "导出告警响应时效（CSV/XLSX）"},
    {AL_GET, "/api/v1/alarms/:id", alarm_get, "alarm.read", 0, "告警详情（老人信息卡与时间线）"},
    {AL_GET, "/api/v1/alarm-settings", settings_get, "alarm.read", 0, "告警升级时限"},
    {AL_PUT, "/api/v1/alarm-settings", settings_put, "alarm.manage", 0,
        "设置告警升级时限（秒，超时未响应升级至乡镇/街道，再超时升级至县级）"},
    {AL_GET, "/api/v1/elders/:id/inactivity", inactivity_get, "alarm.read", 0,
        "老人不活动提醒设置"},
    {AL_PUT, "/api/v1/elders/:id/inactivity", inactivity_put, "alarm.handle", 0,
        "设置老人不活动提醒（无活动时长、夜间安静时段；不填则按本县默认值并随之调整）"},
    {AL_GET, "/api/v1/inactivity-settings", inactivity_defaults_get, "alarm.read", 0,
        "本县不活动提醒默认值（region：6 位县级代码；无活动时长、夜间安静时段、沿用的老人数）"},
    {AL_PUT, "/api/v1/inactivity-settings", inactivity_defaults_put, "alarm.manage", 0,
        "设置本县不活动提醒默认值（沿用默认值的老人随之调整）"},
    {AL_POST, "/api/v1/alarms/:id/shown", alarm_shown, "alarm.read", 0,
        "告警已在值守台显示（首次显示记入时间线，留痕）"},
    {AL_POST, "/api/v1/alarms/:id/ack", alarm_ack, "alarm.handle", 0, "响应告警（记录响应人与时间）"},
    {AL_POST, "/api/v1/alarms/:id/calls", alarm_call, "alarm.handle", 0,
        "记录一次联系（家属、助老员、服务机构、120/110 及结果）"},
    {AL_POST, "/api/v1/alarms/:id/close", alarm_close, "alarm.handle", 0, "结案（结案类别与说明）"},
    {AL_POST, "/api/v1/alarms/:id/dispatch", alarm_dispatch, "alarm.handle", 0,
        "派单上门（为老人生成紧急上门服务单，时间线显示服务单及其状态）"},
    {AL_POST, "/api/v1/alarms/:id/assessment", alarm_assessment, "alarm.handle", 0,
        "跌倒告警申请立即能力评估（评估模块的评估申请，来源“告警”）"},
    {0},
};

const struct al_module alarm_module = {
    .name = "alarm", .routes = alarm_routes, .periodic = alarm_jobs};
