/*
 * Home services, the order flow (issue 13, second slice): recurring plans that generate
 * orders ahead (RULE-SVC-130..137) and the sweep that takes back an order the caregiver did
 * not accept in time (RULE-SVC-140..143).  Routes and jobs; rules in service_flow_logic.c,
 * SQL in service_flow_store.c.  Both run as periodic job kinds (RULE-SVC-142).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "core/events.h"
#include "core/fields.h"
#include "core/http.h"
#include "core/idcard.h"
#include "core/jobs.h"
#include "core/json.h"
#include "core/log.h"
#include "elder/elder.h"
#include "region/region.h"
#include "service/service.h"
#include "service/service_flow_int.h"
#include "service/service_int.h"

#define SWEEP_EVERY_S 60      /* RULE-SVC-142: the answer-time sweep */
#define GENERATE_EVERY_S 3600 /* RULE-SVC-132: plans top up their orders */

static int
audit_as(struct al_db *db, const char *by, const char *action, const char *type, int64_t id,
    const char *region, json_t *detail, int64_t at)
{
    char tid[24];
    snprintf(tid, sizeof(tid), "%lld", (long long)id);
    struct audit_entry e = {.action = action, .target_type = type, .target_id = tid,
        .region_code = region, .outcome = "success", .detail = detail, .at = at};
    int rc = audit_append_as(db, 0, by, NULL, &e);
    json_decref(detail);
    return rc;
}

int
service_flow_place(struct al_db *db, struct al_arena *a, const struct svc_one *in, int64_t now,
    struct svc_new_order *o, int64_t *id)
{
    struct svc_item it;
    int rc = service_store_item(db, a, in->item_code, &it);
    if (rc != AL_OK)
        return rc;
    struct svc_line *line = al_arena_calloc(a, sizeof(*line));
    *line = (struct svc_line){.item_code = it.code, .price_fen = it.price_fen,
        .entitle_key = it.entitle_key};
    struct svc_quota q = {.item_key = it.entitle_key};
    const struct elder_home *home = in->home;
    *o = (struct svc_new_order){.elder_id = in->elder_id, .region_code = home->region_code,
        .address = home->address, .has_geo = home->has_geo, .lat = home->lat, .lng = home->lng,
        .note = in->note, .channel = in->channel, .placed_by = in->placed_by,
        .window_start = in->start, .window_end = in->start + (int64_t)it.planned_min * 60,
        .planned_min = it.planned_min, .lines = line, .nlines = 1};
    char date[11];
    service_cst_date(in->start, date);
    if (it.entitle_key) /* THE SEAM to the basic service list (issue 12) */
        rc = service_quota_left(db, in->elder_id, home->region_code, date, &q);
    if (rc != AL_OK)
        return rc;
    service_split(line, 1, &q, it.entitle_key ? 1 : 0, &o->beyond); /* RULE-SVC-014 */
    o->total_fen = line->price_fen;
    o->entitled_fen = line->entitled_fen;
    o->elder_fen = line->elder_fen;
    return service_store_order_add(db, o, now, id);
}

/*
 * One plan's order for `date`, placed by the plan's author, linked to the plan's day, audited
 * (RULE-SVC-132, -133), in one transaction.  *made: false when the day had its order already.
 */
static int
plan_order(struct al_db *db, struct al_arena *a, const struct svc_plan *p,
    const struct elder_home *home, const char *date, int64_t now, const char *by, bool *made)
{
    *made = false;
    char when[32]; /* room the ASan build's -Wformat-truncation asks for */
    snprintf(when, sizeof(when), "%sT%02d:%02d", date, p->start_min / 60, p->start_min % 60);
    struct svc_one in = {.elder_id = p->elder_id, .home = home, .item_code = p->item_code,
        .note = al_arena_printf(a, "周期服务计划 #%lld%s%s", (long long)p->id,
            p->note && *p->note ? "：" : "", p->note ? p->note : ""),
        .channel = "helper", .placed_by = p->created_by};
    if (!service_parse_time(when, &in.start))
        return AL_EINVAL;
    if (in.start < now) /* RULE-SVC-132: never an order in the past */
        return AL_OK;
    int rc = al_db_begin(db);
    if (rc != AL_OK)
        return rc;
    bool have = false;
    rc = service_flow_plan_has(db, p->id, date, &have);
    if (rc == AL_OK && !have) {
        struct svc_new_order o;
        int64_t id = 0;
        rc = service_flow_place(db, a, &in, now, &o, &id);
        if (rc == AL_OK)
            rc = service_flow_plan_link(db, id, p->id, date); /* RULE-SVC-133 */
        if (rc == AL_OK)
            rc = audit_as(db, by, "service.order_place", "service_order", id, home->region_code,
                json_pack("{s:I, s:I, s:s, s:I, s:I, s:I}", "elder_id", (json_int_t)p->elder_id,
                    "plan_id", (json_int_t)p->id, "plan_date", date, "total_fen",
                    (json_int_t)o.total_fen, "entitled_fen", (json_int_t)o.entitled_fen,
                    "elder_fen", (json_int_t)o.elder_fen),
                now);
        *made = rc == AL_OK;
        if (rc == AL_OK)
            service_publish(db, a, id, home->region_code, "created", 0);
    }
    if (rc == AL_OK)
        rc = service_flow_plan_generated(db, p->id, date);
    rc = al_db_end(db, rc);
    if (rc != AL_OK)
        *made = false;
    /* Two runs at once: the other one placed this day's order (unique key), nothing to do. */
    return rc == AL_ECONFLICT ? AL_OK : rc;
}

/* RULE-SVC-134: a plan whose elder left the registry stops, once, audited. */
static int
plan_stop(struct al_db *db, const struct svc_plan *p, const char *why, int64_t now,
    const char *by)
{
    int rc = al_db_begin(db);
    if (rc != AL_OK)
        return rc;
    rc = service_flow_plan_stop(db, p->id, why, now);
    if (rc == AL_OK)
        rc = audit_as(db, by, "service.plan_stop", "service_plan", p->id, p->region_code,
            json_pack("{s:s}", "reason", why), now);
    rc = al_db_end(db, rc);
    return rc == AL_ECONFLICT ? AL_OK : rc;
}

int
service_flow_generate(struct al_db *db, struct al_arena *a, int64_t only, int64_t now,
    const char *by, struct svc_plan_run *out)
{
    memset(out, 0, sizeof(*out));
    int accept_min, days;
    struct svc_plan *plans;
    size_t n;
    int rc = service_flow_settings(db, &accept_min, &days);
    if (rc == AL_OK)
        rc = service_flow_active(db, a, only, &plans, &n);
    if (rc != AL_OK)
        return rc;
    char today[11];
    al_date_cst(now, today);
    for (size_t i = 0; i < n && rc == AL_OK; i++) {
        const struct svc_plan *p = &plans[i];
        out->plans++;
        struct elder_home home;
        rc = elder_home_of(db, a, p->elder_id, &home);
        if (rc != AL_OK)
            break;
        if (strcmp(home.status, "active") != 0) { /* RULE-SVC-134 */
            rc = plan_stop(db, p, al_arena_printf(a, "老人已%s，计划停止",
                strcmp(home.status, "deceased") == 0    ? "死亡"
                : strcmp(home.status, "moved_out") == 0 ? "迁出"
                                                         : "注销"), now, by);
            out->stopped++;
            continue;
        }
        int pattern = service_pattern_parse(p->pattern);
        uint32_t mask;
        if (!service_plan_days(pattern, p->days, &mask))
            continue;
        char day[11];
        memcpy(day, today, sizeof(day));
        for (int k = 0; k < days && rc == AL_OK; k++, service_date_add(day, 1, day)) {
            if (strcmp(day, p->from_date) < 0 || (p->to_date && strcmp(day, p->to_date) > 0))
                continue;
            if (!service_plan_due(pattern, mask, day))
                continue;
            bool made = false;
            rc = plan_order(db, a, p, &home, day, now, by, &made);
            if (rc == AL_EINVAL || rc == AL_ENOTFOUND) { /* an item withdrawn: skip the plan */
                out->failed++;
                rc = AL_OK;
                break;
            }
            if (made)
                out->created++;
            else
                out->existing++;
        }
    }
    return rc;
}

int
service_flow_sweep(struct al_db *db, struct al_arena *a, int64_t now, int *nswept)
{
    int accept_min, days;
    struct svc_overdue *due;
    size_t n;
    *nswept = 0;
    int rc = service_flow_settings(db, &accept_min, &days);
    if (rc == AL_OK)
        rc = service_flow_overdue(db, a, now - (int64_t)accept_min * 60, &due, &n);
    for (size_t i = 0; i < n && rc == AL_OK; i++) {
        struct svc_order o;
        int to;
        if (!service_accept_overdue(due[i].assigned_at, now, accept_min))
            continue;
        if ((rc = service_store_order(db, a, due[i].order_id, &o)) != AL_OK)
            break;
        if (service_move(service_state_parse(o.status), SVC_REDISPATCH, &to) != AL_OK)
            continue; /* accepted meanwhile */
        /* RULE-SVC-141: the event names why. */
        const char *why = al_arena_printf(a, "超时未接单：护理员%s %d 分钟内未接单，退回待派单",
            due[i].caregiver_name, accept_min);
        if ((rc = al_db_begin(db)) != AL_OK)
            break;
        rc = service_store_move(db, &o, service_state_id(to), "accept_timeout", 0, 0, why,
            "system", now);
        if (rc == AL_OK)
            rc = audit_as(db, "system", "service.accept_timeout", "service_order", o.id,
                o.region_code,
                json_pack("{s:I, s:s, s:i}", "caregiver_id", (json_int_t)o.caregiver_id,
                    "reason", why, "accept_minutes", accept_min),
                now);
        rc = al_db_end(db, rc);
        if (rc == AL_ECONFLICT) { /* accepted or moved meanwhile: the move wins */
            rc = AL_OK;
            continue;
        }
        if (rc == AL_OK) {
            (*nswept)++;
            service_publish(db, a, o.id, o.region_code, service_state_id(to), 0);
        }
    }
    return rc;
}

/* ---- jobs (RULE-SVC-142) ---- */

struct gen_arg {
    int64_t only;
    char by[64];
};

static int
generate_job(struct al_db *db, struct al_job *job, void *arg, json_t **result,
    struct al_errinfo *e)
{
    const struct gen_arg *g = arg;
    struct al_arena a;
    al_arena_init(&a, 16384);
    struct svc_plan_run run;
    int rc = service_flow_generate(db, &a, g ? g->only : 0, al_job_started(job),
        g ? g->by : "system", &run);
    al_arena_fini(&a);
    if (rc != AL_OK) {
        snprintf(e->message, sizeof(e->message), "周期服务计划生成订单失败");
        return rc;
    }
    *result = json_pack("{s:i, s:i, s:i, s:i}", "plans", run.plans, "created", run.created,
        "existing", run.existing, "stopped", run.stopped);
    return AL_OK;
}

static int
sweep_job(struct al_db *db, struct al_job *job, void *arg, json_t **result, struct al_errinfo *e)
{
    (void)arg;
    struct al_arena a;
    al_arena_init(&a, 8192);
    int n = 0;
    int rc = service_flow_sweep(db, &a, al_job_started(job), &n);
    al_arena_fini(&a);
    if (rc != AL_OK) {
        snprintf(e->message, sizeof(e->message), "超时未接单检查失败");
        return rc;
    }
    if (n > 0)
        al_info("service: %d order(s) not accepted in time went back to the board", n);
    *result = json_pack("{s:i}", "returned", n);
    return AL_OK;
}

const struct al_job_periodic service_flow_jobs[] = {
    {"service.plans", generate_job, GENERATE_EVERY_S},
    {"service.sweep", sweep_job, SWEEP_EVERY_S},
    {0},
};

/* ---- routes ---- */

static const char *const patterns[] = {"weekly", "monthly", NULL};

static const struct al_field plan_fields[] = {
    {"elder_id", "老人", AL_FT_INT, AL_F_REQUIRED, .min = 1, .max = INT64_MAX},
    {"item", "服务项目", AL_FT_TEXT, AL_F_REQUIRED | AL_F_PLAIN, .min = 1, .max = 32},
    {"pattern", "周期", AL_FT_ENUM, AL_F_REQUIRED, .allowed = patterns,
        .hint = "应为 weekly（每周）或 monthly（每月）"},
    {"days", "服务日", AL_FT_TEXT, AL_F_REQUIRED | AL_F_PLAIN, .min = 1, .max = 100},
    {"start_time", "开始时间", AL_FT_TEXT, AL_F_REQUIRED | AL_F_PLAIN, .min = 5, .max = 5},
    {"from_date", "开始日期", AL_FT_DATE, AL_F_REQUIRED, .min = 0},
    {"to_date", "结束日期", AL_FT_DATE, 0, .min = 0},
    {"note", "备注", AL_FT_TEXT, AL_F_PLAIN, .max = 200},
    {0},
};

static const char *
sget(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

static int
plans_get(struct al_req *r)
{
    int64_t elder = 0;
    int rc = al_query_int(&r->query, "elder_id", "老人", 1, INT64_MAX, 0, &elder, &r->err);
    json_t *items = json_array();
    if (rc == AL_OK)
        rc = service_flow_plans_json(r->db, r->arena, r->who->region_code, elder, items);
    if (rc != AL_OK) {
        json_decref(items);
        return rc;
    }
    return al_reply_items(r, items, -1);
}

static int
plan_audit(struct al_req *r, const char *action, int64_t id, const char *region, json_t *detail)
{
    struct audit_entry e = {.action = action, .target_type = "service_plan",
        .target_id = al_arena_printf(r->arena, "%lld", (long long)id), .region_code = region,
        .outcome = "success", .detail = detail};
    return audit_append(r, &e);
}

/* RULE-SVC-130: a plan for an elder in scope and an active item; its first orders at once. */
static int
plan_create(struct al_req *r)
{
    json_t *body, *set = json_object();
    int rc = al_req_json(r, &body);
    if (rc == AL_OK)
        rc = al_fields_read(body, plan_fields, AL_FIELDS_CREATE, set, &r->err);
    if (rc != AL_OK)
        return rc;
    struct svc_plan p = {.elder_id = json_integer_value(json_object_get(set, "elder_id")),
        .item_code = sget(set, "item"), .pattern = sget(set, "pattern"), .days = sget(set, "days"),
        .from_date = sget(set, "from_date"), .to_date = sget(set, "to_date"),
        .note = sget(set, "note"), .created_by = r->who->username};
    struct elder_home home;
    rc = elder_home_of(r->db, r->arena, p.elder_id, &home);
    if (rc == AL_ENOTFOUND ||
        (rc == AL_OK && !region_in_scope(r->who->region_code, home.region_code)))
        return al_req_fail(r, AL_ENOTFOUND, "elder_id", "老人不存在");
    if (rc != AL_OK)
        return rc;
    if (strcmp(home.status, "active") != 0)
        return al_req_fail(r, AL_EUNPROC, "elder_id", "该老人不在册（已迁出、死亡或注销），不能建立服务计划");
    p.region_code = home.region_code;
    struct svc_item it;
    rc = service_store_item(r->db, r->arena, p.item_code, &it);
    if (rc == AL_ENOTFOUND)
        return al_req_fail(r, AL_EINVAL, "item", "服务项目 %s 不存在或已停用", p.item_code);
    if (rc != AL_OK)
        return rc;
    uint32_t mask;
    int pattern = service_pattern_parse(p.pattern);
    if (!service_plan_days(pattern, p.days, &mask))
        return al_req_fail(r, AL_EINVAL, "days", pattern == SVC_WEEKLY
            ? "服务日应为星期几的数字 1–7（1 为周一），以逗号分隔，如 2,5"
            : "服务日应为每月几号的数字 1–31，以逗号分隔，如 1,15");
    const char *t = sget(set, "start_time");
    if (!(t[0] >= '0' && t[0] <= '2' && t[1] >= '0' && t[1] <= '9' && t[2] == ':' &&
            t[3] >= '0' && t[3] <= '5' && t[4] >= '0' && t[4] <= '9') ||
        (t[0] - '0') * 10 + (t[1] - '0') > 23)
        return al_req_fail(r, AL_EINVAL, "start_time", "开始时间格式应为 HH:MM（北京时间）");
    p.start_min = ((t[0] - '0') * 10 + (t[1] - '0')) * 60 + (t[3] - '0') * 10 + (t[4] - '0');
    if (p.to_date && strcmp(p.to_date, p.from_date) < 0)
        return al_req_fail(r, AL_EINVAL, "to_date", "结束日期不能早于开始日期");
    if (p.to_date && strcmp(p.to_date, r->today) < 0)
        return al_req_fail(r, AL_EINVAL, "to_date", "结束日期不能早于今天");
    int64_t id = 0;
    if ((rc = al_db_begin(r->db)) != AL_OK)
        return rc;
    rc = service_flow_plan_add(r->db, &p, r->now, &id);
    if (rc == AL_OK)
        rc = plan_audit(r, "service.plan_create", id, p.region_code,
            json_pack("{s:I, s:s, s:s, s:s, s:s}", "elder_id", (json_int_t)p.elder_id, "item",
                p.item_code, "pattern", p.pattern, "days", p.days, "start_time", t));
    if ((rc = al_db_end(r->db, rc)) != AL_OK)
        return rc;
    /* RULE-SVC-132: the days ahead are generated at once, each order audited as placed. */
    struct svc_plan_run run;
    if ((rc = service_flow_generate(r->db, r->arena, id, r->now, r->who->username, &run)) != AL_OK)
        return rc;
    json_t *items = json_array();
    if ((rc = service_flow_plans_json(r->db, r->arena, r->who->region_code, p.elder_id, items)) !=
        AL_OK) {
        json_decref(items);
        return rc;
    }
    json_t *out = NULL;
    size_t i;
    json_t *v;
    json_array_foreach(items, i, v)
        if (json_integer_value(json_object_get(v, "id")) == id)
            out = json_incref(v);
    json_decref(items);
    if (!out)
        return AL_EINTERNAL;
    json_object_set_new(out, "created_orders", json_integer(run.created));
    return al_reply(r, 201, out);
}

static const struct al_field stop_fields[] = {
    {"reason", "停止原因", AL_FT_TEXT, AL_F_REQUIRED | AL_F_PLAIN, .min = 1, .max = 200},
    {0},
};

/* RULE-SVC-135: a plan stopped by hand keeps the orders already placed (cancel them one by one). */
static int
plan_stop_route(struct al_req *r)
{
    int64_t id;
    json_t *body, *set = json_object();
    struct svc_plan p;
    int rc = al_req_param_id(r, "id", &id);
    if (rc == AL_OK)
        rc = service_flow_plan(r->db, r->arena, id, &p);
    if (rc == AL_ENOTFOUND || (rc == AL_OK && !region_in_scope(r->who->region_code, p.region_code)))
        return al_req_fail(r, AL_ENOTFOUND, NULL, "服务计划不存在");
    if (rc == AL_OK)
        rc = al_req_json(r, &body);
    if (rc == AL_OK)
        rc = al_fields_read(body, stop_fields, AL_FIELDS_CREATE, set, &r->err);
    if (rc != AL_OK)
        return rc;
    if (strcmp(p.status, "active") != 0)
        return al_req_fail(r, AL_ECONFLICT, "status", "服务计划已停止");
    if ((rc = al_db_begin(r->db)) != AL_OK)
        return rc;
    rc = service_flow_plan_stop(r->db, id, sget(set, "reason"), r->now);
    if (rc == AL_OK)
        rc = plan_audit(r, "service.plan_stop", id, p.region_code,
            json_pack("{s:s}", "reason", sget(set, "reason")));
    if ((rc = al_db_end(r->db, rc)) == AL_ECONFLICT)
        return al_req_fail(r, AL_ECONFLICT, "status", "服务计划已停止");
    if (rc != AL_OK)
        return rc;
    return al_reply(r, 200, json_pack("{s:I, s:s}", "id", (json_int_t)id, "status", "stopped"));
}

/* RULE-SVC-132: every plan's orders generated now, as a job (the periodic run does the same). */
static int
plans_generate(struct al_req *r)
{
    struct gen_arg g = {0};
    snprintf(g.by, sizeof(g.by), "%s", r->who->username);
    int64_t job;
    if (al_jobs_submit(r->db, "service.plans", r->who->user_id, r->now, generate_job, &g,
            sizeof(g), &job) != AL_OK)
        return al_req_fail(r, AL_EUNAVAIL, NULL, "后台任务暂不可用");
    int rc = plan_audit(r, "service.plans_generate", job, r->who->region_code, NULL);
    return rc == AL_OK ? al_reply(r, 202, json_pack("{s:I}", "job_id", (json_int_t)job)) : rc;
}

const struct al_route service_flow_routes[] = {
    {AL_GET, "/api/v1/service/plans", plans_get, "service.read", 0,
        "周期服务计划（elder_id 可选）"},
    {AL_POST, "/api/v1/service/plans", plan_create, "service.order", 0,
        "建立周期服务计划（每周几或每月几号、开始时间、起止日期），随即生成未来数日的订单"},
    {AL_POST, "/api/v1/service/plans/generate", plans_generate, "service.dispatch", 0,
        "立即按全部周期服务计划生成订单（后台任务，重复执行不会重复下单）"},
    {AL_POST, "/api/v1/service/plans/:id/stop", plan_stop_route, "service.order", 0,
        "停止周期服务计划（须填写原因；已生成的订单不受影响）"},
    {0},
};

const struct al_module service_flow_module = {
    .name = "service_flow", .routes = service_flow_routes, .periodic = service_flow_jobs};
