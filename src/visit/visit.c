/* Welfare visits: routes and thin handlers (docs/rules.md RULE-VISIT-*). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alarm/alarm.h"
#include "assess/assess.h"
#include "attach/attach.h"
#include "audit/audit.h"
#include "bed/bed.h"
#include "core/export.h"
#include "core/crypto.h"
#include "core/events.h"
#include "core/geo.h"
#include "core/http.h"
#include "core/idem.h"
#include "core/jobs.h"
#include "core/idcard.h"
#include "core/json.h"
#include "core/log.h"
#include "elder/elder.h"
#include "entitle/entitle.h"
#include "region/region.h"
#include "service/service.h"
#include "visit/visit.h"
#include "visit/visit_int.h"

static const char *
id_text(struct al_req *r, int64_t id)
{
    return al_arena_printf(r->arena, "%lld", (long long)id);
}

static int
audit(struct al_req *r, const char *action, const char *type, int64_t id, const char *region,
    json_t *detail)
{
    struct audit_entry e = {.action = action, .target_type = type,
        .target_id = id ? id_text(r, id) : NULL, .region_code = region, .outcome = "success",
        .detail = detail};
    int rc = audit_append(r, &e);
    json_decref(detail);
    return rc;
}

/*
 * RULE-SCOPE-001: the scope a list reads: the caller's, narrowed by ?region=
 * when it lies inside; *empty when the region lies beside it.
 */
static int
list_scope(struct al_req *r, const char **scope, bool *empty)
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

/* The elder of the request if the caller may see them (else 404 as a missing one). */
static int
visible_elder(struct al_req *r, int64_t elder_id, const char **region)
{
    const char *status = NULL;
    int rc = elder_region_of(r->db, r->arena, elder_id, region, &status);
    if (rc == AL_ENOTFOUND || (rc == AL_OK && !region_in_scope(r->who->region_code, *region)))
        return al_req_fail(r, AL_ENOTFOUND, "elder_id", "老人档案不存在或无权查看");
    return rc;
}

/* The elder's target row, 404 outside the scope, 422 when not in a target group. */
static int
visible_target(struct al_req *r, int64_t elder_id, struct visit_target *t)
{
    const char *region;
    int rc = visible_elder(r, elder_id, &region);
    if (rc != AL_OK)
        return rc;
    rc = visit_store_target(r->db, r->arena, elder_id, t);
    if (rc == AL_ENOTFOUND || (rc == AL_OK && strcmp(t->tier, "none") == 0))
        return al_req_fail(r, AL_EUNPROC, "elder_id", "该老人不在探访对象中（无探访分级）");
    return rc;
}

/* ---- settings (RULE-VISIT-001..003) ---- */

static json_t *
rule_json(const struct visit_rule *r)
{
    char methods[40];
    visit_methods_text(r->methods, methods, sizeof(methods));
    return json_pack("{s:s, s:s, s:s, s:s, s:i, s:s, s:s, s:i}", "region_code", r->region_code,
        "tier", visit_tier_id(r->tier), "tier_name", visit_tier_name(r->tier), "categories",
        r->categories, "min_age", r->min_age, "every", visit_every_id(r->every), "methods",
        methods, "event_hours", r->event_hours);
}

static int
settings_get(struct al_req *r)
{
    const char *region = al_query_opt(&r->query, "region");
    if (!region)
        region = r->who->region_code;
    if (*region && !region_level(region))
        return al_req_fail(r, AL_EINVAL, "region", "区划代码应为 2、4、6、9 或 12 位数字");
    struct visit_rule *rules;
    int n;
    int rc = visit_store_rules(r->db, r->arena, &rules, &n);
    if (rc != AL_OK)
        return rc;
    const struct visit_rule *pick[4];
    visit_rules_pick(rules, n, region, pick);
    json_t *eff = json_array(), *own = json_array();
    for (int t = VISIT_HIGH; t >= VISIT_GENERAL; t--)
        if (pick[t])
            json_array_append_new(eff, rule_json(pick[t]));
    for (int i = 0; i < n; i++)
        if (strcmp(rules[i].region_code, region) == 0)
            json_array_append_new(own, rule_json(&rules[i]));
    return al_reply(r, 200, json_pack("{s:s, s:o, s:o}", "region_code", region, "effective", eff,
                                "own", own));
}

static int
settings_put(struct al_req *r)
{
    json_t *body;
    const char *region, *cats, *every, *methods;
    int64_t min_age = 0, hours = 72;
    bool present;
    int tier = visit_tier_parse(al_req_param(r, "tier"));
    if (tier < VISIT_GENERAL)
        return al_req_fail(r, AL_ENOTFOUND, "tier", "探访分级应为 high、key 或 general");
    int rc = al_req_json(r, &body);
    if (rc == AL_OK)
        rc = al_json_get_str(body, "region_code", "区划", AL_REQUIRED, 0, 12, &region, &r->err);
    if (rc == AL_OK)
        rc = al_json_get_str(body, "categories", "对象类别", AL_REQUIRED, 1, 300, &cats, &r->err);
    if (rc == AL_OK)
        rc = al_json_get_int(body, "min_age", "最低年龄", 0, 0, 120, &min_age, &present, &r->err);
    if (rc == AL_OK)
        rc = al_json_get_str(body, "every", "探访频次", AL_REQUIRED, 1, 10, &every, &r->err);
    if (rc == AL_OK)
        rc = al_json_get_str(body, "methods", "探访方式", AL_REQUIRED, 1, 60, &methods, &r->err);
    if (rc == AL_OK)
        rc = al_json_get_int(body, "event_hours", "事件后探访时限（小时）", 0, 1, 720, &hours,
            &present, &r->err);
    if (rc != AL_OK)
        return rc;
    if (*region && !region_level(region))
        return al_req_fail(r, AL_EINVAL, "region_code", "区划代码应为 2、4、6、9 或 12 位数字");
    /* RULE-VISIT-003: a region sets its own tiers inside the caller's scope. */
    if (!region_in_scope(r->who->region_code, region))
        return al_req_fail(r, AL_EPERM, "region_code", "只能设置本辖区的探访分级");
    char bad[32];
    if (visit_categories_problem(cats, bad, sizeof(bad)))
        return al_req_fail(r, AL_EINVAL, "categories", "对象类别“%s”不存在", bad);
    int e = visit_every_parse(every), m = visit_methods_parse(methods);
    if (e < 0)
        return al_req_fail(r, AL_EINVAL, "every", "探访频次应为 week、month 或 quarter");
    if (m < 0)
        return al_req_fail(r, AL_EINVAL, "methods",
            "探访方式应为 home、phone、video、remote 中的一种或几种（逗号分隔）");
    struct visit_rule rule = {.region_code = region, .tier = (enum visit_tier)tier,
        .categories = cats, .min_age = (int)min_age, .every = (enum visit_every)e, .methods = m,
        .event_hours = (int)hours};
    if ((rc = al_db_begin(r->db)) != AL_OK)
        return rc;
    rc = visit_store_rule_put(r->db, &rule, r->who->user_id, r->now);
    if (rc == AL_OK)
        rc = audit(r, "visit.settings", "region", 0, region, rule_json(&rule));
    if ((rc = al_db_end(r->db, rc)) != AL_OK)
        return rc;
    return al_reply(r, 200, rule_json(&rule));
}

/* ---- plans and tasks (RULE-VISIT-001, 020) ---- */

static int
refresh(struct al_db *db, struct al_arena *a, const char *scope, const char *today, int64_t now,
    int64_t *targets, int64_t *changed)
{
    struct visit_rule *rules;
    int n;
    int rc = visit_store_rules(db, a, &rules, &n);
    if (rc == AL_OK)
        rc = visit_store_refresh(db, a, scope, rules, n, today, now, targets, changed);
    return rc;
}

/* Who started a generation job, for which region: the job's copy (bytes, no pointers). */
struct gen_who {
    int64_t user_id;
    char username[64], client_ip[48], region[16];
};

/*
 * RULE-VISIT-083: submit a generation job (`fn` of `job_kind`, with its
 * argument `arg`, whose `who` is filled here with the caller and `region`)
 * holding the region's generation lock: 409 naming `region` while another
 * generation of the region, of one holding it or of one inside it is queued
 * or running.  The job gives the lock back when it ends (gen_end).  AL_OK with
 * *job, or the error (r->err filled).
 */
static int
gen_submit(struct al_req *r, const char *lock_kind, const char *region, struct gen_who *who,
    const char *job_kind, al_job_fn fn, const void *arg, size_t size, int64_t *job)
{
    *who = (struct gen_who){.user_id = r->who->user_id};
    snprintf(who->username, sizeof(who->username), "%s", r->who->username);
    snprintf(who->client_ip, sizeof(who->client_ip), "%s", r->client_ip);
    snprintf(who->region, sizeof(who->region), "%s", region);
    const char *held = NULL;
    int rc = al_db_begin(r->db);
    if (rc == AL_OK)
        rc = al_db_end(r->db,
            visit_store_gen_lock(r->db, r->arena, region, lock_kind, r->now, &held));
    if (rc == AL_ECONFLICT && held) {
        const char *name = region_name(r->db, r->arena, held);
        return al_req_fail(r, AL_ECONFLICT, "region",
            "“%s”的探访任务正在生成，请等该后台任务完成后再试", name ? name : held);
    }
    if (rc != AL_OK)
        return rc;
    if ((rc = al_jobs_submit(r->db, job_kind, r->who->user_id, r->now, fn, arg, size, job)) !=
        AL_OK) {
        visit_store_gen_unlock(r->db, region);
        return al_req_fail(r, rc, NULL, "后台任务暂不可用");
    }
    /* Not kept: the lock stays without its job and is taken over after 2 minutes. */
    if (visit_store_gen_locked(r->db, region, *job) != AL_OK)
        al_warn("visit: generation lock of %s without its job %lld", region, (long long)*job);
    return AL_OK;
}

/* A generation job's audit entry, as its starter, dated by the job (RULE-DB-102). */
static int
gen_audit(struct al_db *db, const struct gen_who *w, const char *action, const char *type,
    const char *id, json_t *detail, int64_t now)
{
    struct audit_entry ae = {.action = action, .target_type = type, .target_id = id,
        .region_code = w->region, .outcome = "success", .detail = detail, .at = now};
    return audit_append_as(db, w->user_id, w->username, w->client_ip, &ae);
}

/*
 * The end of a generation job whose transaction ended with `rc`: the region's
 * lock given back (RULE-VISIT-083), done or not; then its result `out`, or its
 * error (`e` as the job left it, else `failed`).
 */
static int
gen_end(struct al_db *db, struct al_job *job, const struct gen_who *w, int rc, json_t *out,
    json_t **result, struct al_errinfo *e, const char *failed)
{
    if (visit_store_gen_unlock(db, w->region) != AL_OK)
        al_warn("visit: generation lock of %s not given back (taken over later)", w->region);
    if (rc != AL_OK) {
        json_decref(out);
        return e->message[0] ? rc : al_fail(e, rc, NULL, "%s", failed);
    }
    al_job_progress(job, "完成", 1, 1);
    *result = out;
    return AL_OK;
}

/* What a generation started from the page needs on the job thread (copied bytes, no pointers). */
struct gen_arg {
    struct gen_who w;
    char date[11];
};

/*
 * RULE-VISIT-062: the generation job: the tiers of the region recomputed, then
 * the routine tasks of the period of `date`, in one transaction with its audit
 * entry (visit.generate), dated by the job's start (RULE-DB-102).  Running it
 * again writes nothing new (RULE-VISIT-020).
 */
static int
generate_job(struct al_db *db, struct al_job *job, void *arg, json_t **result,
    struct al_errinfo *e)
{
    struct gen_arg *g = arg;
    const char *region = g->w.region;
    int64_t now = al_job_started(job), targets = 0, changed = 0, created = 0;
    char today[11];
    al_date_cst(now, today);
    struct al_arena a;
    al_arena_init(&a, 1 << 14);
    al_job_progress(job, "更新探访分级", 0, 2);
    int rc = al_db_begin(db);
    if (rc == AL_OK)
        rc = refresh(db, &a, region, today, now, &targets, &changed);
    if (rc == AL_OK) {
        al_job_progress(job, "生成探访任务", 1, 2);
        rc = visit_store_generate(db, region, g->date, g->w.user_id, now, &created);
    }
    json_t *out = json_pack("{s:s, s:s, s:I, s:I, s:I}", "region", region, "date", g->date,
        "targets", (json_int_t)targets, "tiers_changed", (json_int_t)changed, "tasks_created",
        (json_int_t)created);
    if (rc == AL_OK)
        rc = gen_audit(db, &g->w, "visit.generate", "region", NULL, out, now);
    rc = al_db_end(db, rc);
    al_arena_fini(&a);
    return gen_end(db, job, &g->w, rc, out, result, e, "生成探访任务失败：数据库错误");
}

/*
 * RULE-VISIT-062: generation reads every elder of the region (a province:
 * millions), so it runs as a job; the answer is 202 with the job, which the
 * page follows through GET /api/v1/jobs/:id.
 */
static int
tasks_generate(struct al_req *r)
{
    json_t *body;
    const char *region = NULL, *date = NULL;
    int rc = al_req_json(r, &body);
    if (rc == AL_OK)
        rc = al_json_get_str(body, "region", "区划", 0, 0, 12, &region, &r->err);
    if (rc == AL_OK)
        rc = al_json_get_str(body, "date", "日期", 0, 10, 10, &date, &r->err);
    if (rc != AL_OK)
        return rc;
    /* RULE-VISIT-022: the period of `date` (default today): a missed period may be caught up,
     * up to a year back; never a future one. */
    long back = 0;
    if (!date)
        date = r->today;
    if (!visit_days_between(date, r->today, &back) || back < 0 || back > 366)
        return al_req_fail(r, AL_EINVAL, "date", "日期应为今天或一年内以前的日期（YYYY-MM-DD）");
    if (!region || !*region)
        region = r->who->region_code;
    if (*region && !region_level(region))
        return al_req_fail(r, AL_EINVAL, "region", "区划代码应为 2、4、6、9 或 12 位数字");
    if (!region_in_scope(r->who->region_code, region))
        return al_req_fail(r, AL_EPERM, "region", "只能为本辖区生成探访任务");
    struct gen_arg g;
    snprintf(g.date, sizeof(g.date), "%s", date);
    int64_t job;
    if ((rc = gen_submit(r, "routine", region, &g.w, "visit.generate", generate_job, &g,
             sizeof(g), &job)) != AL_OK)
        return rc;
    return al_reply(r, 202, json_pack("{s:I, s:s, s:s}", "job_id", (json_int_t)job, "region",
                                region, "date", date));
}

static int
tasks_list(struct al_req *r)
{
    struct visit_task_filter f = {.today = r->today};
    bool empty;
    int rc = list_scope(r, &f.scope, &empty);
    if (rc == AL_OK)
        rc = al_query_limit(&r->query, &f.limit, &f.offset, &r->err);
    if (rc != AL_OK)
        return rc;
    const char *v = al_query_opt(&r->query, "visitor");
    if (v && strcmp(v, "me") == 0)
        f.visitor_id = r->who->user_id;
    else if (v && (rc = al_query_int(&r->query, "visitor", "探访人", 1, INT64_MAX, 0,
                       &f.visitor_id, &r->err)) != AL_OK)
        return rc;
    f.status = al_query_opt(&r->query, "status");
    if (f.status && strcmp(f.status, "open") && strcmp(f.status, "done") &&
        strcmp(f.status, "cancelled"))
        return al_req_fail(r, AL_EINVAL, "status", "状态应为 open、done 或 cancelled");
    const char *when = al_query_opt(&r->query, "when");
    if (when && strcmp(when, "overdue") && strcmp(when, "due"))
        return al_req_fail(r, AL_EINVAL, "when", "时段应为 due（今日及逾期）或 overdue（逾期）");
    f.overdue = when && strcmp(when, "overdue") == 0;
    f.due = when && strcmp(when, "due") == 0;
    json_t *items = json_array();
    int64_t total = 0;
    if (!empty && (rc = visit_store_tasks(r->db, r->arena, &f, items, &total)) != AL_OK) {
        json_decref(items);
        return rc;
    }
    return al_reply_items(r, items, total);
}

static int
event_task(struct al_db *db, const struct visit_target *t,
    const char *reason, const char *ref, const char *method, const char *note, int64_t user_id,
    int64_t now, const char *due, int64_t *id, bool *created)
{
    char today[11], due_buf[11];
    al_date_cst(now, today);
    if (!due) {
        visit_event_due(now, t->event_hours > 0 ? t->event_hours : 72, due_buf);
        due = due_buf;
    }
    struct visit_event ev = {.elder_id = t->elder_id, .user_id = user_id, .reason = reason,
        .ref = ref, .method = method, .note = note, .due_date = due, .today = today};
    return visit_store_event_task(db, t, &ev, now, id, created);
}

int
visit_on_event(struct al_db *db, struct al_arena *a, int64_t elder_id, const char *reason,
    const char *ref, const char *note, int64_t user_id, int64_t now, int64_t *task_id)
{
    const char *region, *status;
    int rc = elder_region_of(db, a, elder_id, &region, &status);
    if (rc != AL_OK)
        return rc;
    char today[11];
    al_date_cst(now, today);
    int64_t targets, changed;
    if ((rc = refresh(db, a, region, today, now, &targets, &changed)) != AL_OK)
        return rc;
    struct visit_target t;
    rc = visit_store_target(db, a, elder_id, &t);
    if (rc == AL_ENOTFOUND || (rc == AL_OK && strcmp(t.tier, "none") == 0))
        return AL_EUNPROC;
    if (rc != AL_OK)
        return rc;
    bool created;
    return event_task(db, &t, reason, ref, NULL, note, user_id, now, NULL, task_id, &created);
}

int
visit_on_alarm_closed(struct al_db *db, struct al_arena *a, int64_t alarm_id, int64_t elder_id,
    const char *outcome, int64_t user_id, int64_t now, int64_t *task_id)
{
    *task_id = 0;
    if (elder_id <= 0 || !visit_alarm_wants_visit(outcome))
        return AL_OK;
    int rc = visit_on_event(db, a, elder_id, "alarm", al_arena_printf(a, "alarm:%lld",
        (long long)alarm_id), al_arena_printf(a, "告警 #%lld 结案后回访", (long long)alarm_id),
        user_id, now, task_id);
    if (rc == AL_EUNPROC || rc == AL_ENOTFOUND) { /* not a visit target: no task */
        *task_id = 0;
        rc = AL_OK;
    }
    return rc;
}

/* A helper enters an event (a hospital discharge): RULE-VISIT-021. */
static int
task_create(struct al_req *r)
{
    json_t *body;
    int64_t elder_id;
    const char *reason, *note, *ref;
    int rc = al_req_json(r, &body);
    if (rc == AL_OK)
        rc = al_json_get_int(body, "elder_id", "老人", AL_REQUIRED, 1, INT64_MAX, &elder_id, NULL,
            &r->err);
    if (rc == AL_OK)
        rc = al_json_get_str(body, "reason", "事件", AL_REQUIRED, 1, 20, &reason, &r->err);
    if (rc == AL_OK)
        rc = al_json_get_str(body, "note", "说明", 0, 0, 500, &note, &r->err);
    if (rc == AL_OK)
        rc = al_json_get_str(body, "event_date", "事件日期", 0, 10, 10, &ref, &r->err);
    if (rc != AL_OK)
        return rc;
    if (strcmp(reason, "discharge") != 0)
        return al_req_fail(r, AL_EINVAL, "reason",
            "事件应为 discharge（出院）；识别和告警产生的任务由系统生成");
    if (!ref)
        ref = r->today;
    if (!al_date_valid(ref) || strcmp(ref, r->today) > 0)
        return al_req_fail(r, AL_EINVAL, "event_date", "事件日期应为今天或以前的日期（YYYY-MM-DD）");
    struct visit_target t;
    if ((rc = visible_target(r, elder_id, &t)) != AL_OK)
        return rc;
    int64_t id = 0;
    bool created = false;
    if ((rc = al_db_begin(r->db)) != AL_OK)
        return rc;
    rc = event_task(r->db, &t, reason, ref, NULL, note, r->who->user_id, r->now, NULL,
        &id, &created);
    if (rc == AL_OK)
        rc = audit(r, "visit.event", "elder", elder_id, t.region_code,
            json_pack("{s:s, s:s, s:I, s:b}", "reason", reason, "event_date", ref, "task_id",
                (json_int_t)id, "created", created));
    if ((rc = al_db_end(r->db, rc)) != AL_OK)
        return rc;
    return al_reply(r, created ? 201 : 200,
        json_pack("{s:I, s:I, s:s, s:b}", "id", (json_int_t)id, "elder_id", (json_int_t)elder_id,
            "reason", reason, "created", created));
}

/* ---- targets and assignments (RULE-VISIT-010..012) ---- */

static int
target_get(struct al_req *r)
{
    int64_t elder_id;
    struct visit_target t;
    const char *region;
    int rc = al_req_param_id(r, "id", &elder_id);
    if (rc == AL_OK)
        rc = visible_elder(r, elder_id, &region);
    if (rc != AL_OK)
        return rc;
    rc = visit_store_target(r->db, r->arena, elder_id, &t);
    if (rc == AL_ENOTFOUND) {
        t = (struct visit_target){.elder_id = elder_id, .tier = "none", .region_code = region};
        rc = AL_OK;
    }
    json_t *history = json_array(), *condition = NULL;
    if (rc == AL_OK)
        rc = visit_store_history(r->db, r->arena, elder_id, history);
    if (rc == AL_OK)
        rc = visit_store_condition(r->db, r->arena, elder_id, &condition);
    if (rc != AL_OK) {
        json_decref(history);
        return rc;
    }
    char methods[40], phone[32] = "";
    visit_methods_text(t.methods, methods, sizeof(methods));
    if (t.phone)
        al_phone_mask(t.phone, phone, sizeof(phone));
    /* RULE-VISIT-061: what the record form shows of the elder comes with the target (masked),
     * so one cached answer opens the form offline. */
    return al_reply(r, 200,
        json_pack("{s:I, s:s, s:s, s:s, s:o, s:s?, s:s, s:o, s:s?, s:s?, s:s?, s:o}", "elder_id",
            (json_int_t)elder_id, "region_code", t.region_code, "tier", t.tier, "tier_name",
            visit_tier_name((enum visit_tier)visit_tier_parse(t.tier)), "visitor_id",
            t.visitor_id ? json_integer(t.visitor_id) : json_null(), "visitor_kind",
            t.visitor_kind, "methods", methods, "history", history, "name", t.name, "address",
            t.address, "phone_masked", phone[0] ? phone : NULL, "condition", condition));
}

/*
 * RULE-VISIT-066: a helper sets (or clears) an elder's life-threatening
 * condition, with who and when, audited; the elder's tier is recomputed at
 * once (the high tier names the condition, at any age).
 */
static int
condition_put(struct al_req *r)
{
    int64_t elder_id;
    json_t *body;
    bool on = false, present;
    const char *note = NULL, *region;
    int rc = al_req_param_id(r, "id", &elder_id);
    if (rc == AL_OK)
        rc = al_req_json(r, &body);
    if (rc == AL_OK)
        rc = al_json_get_bool(body, "life_threatening", "危及生命的状况", AL_REQUIRED, &on,
            &present, &r->err);
    if (rc == AL_OK)
        rc = al_json_get_str(body, "note", "说明", 0, 0, 500, &note, &r->err);
    if (rc == AL_OK)
        rc = visible_elder(r, elder_id, &region);
    if (rc != AL_OK)
        return rc;
    if (on && (!note || !*note))
        return al_req_fail(r, AL_EINVAL, "note", "请说明危及生命的疾病或状况");
    int64_t targets, changed;
    if ((rc = al_db_begin(r->db)) != AL_OK)
        return rc;
    rc = visit_store_condition_set(r->db, elder_id, region, on, note, r->who->user_id, r->now);
    if (rc == AL_OK)
        rc = refresh(r->db, r->arena, region, r->today, r->now, &targets, &changed);
    if (rc == AL_OK)
        rc = audit(r, "visit.condition", "elder", elder_id, region,
            json_pack("{s:b, s:s?}", "life_threatening", on, "note", note));
    if ((rc = al_db_end(r->db, rc)) != AL_OK)
        return rc;
    return target_get(r);
}

static int
assign(struct al_req *r)
{
    json_t *body;
    int64_t elder_id = 0, visitor_id;
    bool present;
    const char *region = NULL, *kind = NULL, *note = NULL;
    int rc = al_req_json(r, &body);
    if (rc == AL_OK)
        rc = al_json_get_int(body, "elder_id", "老人", 0, 1, INT64_MAX, &elder_id, &present,
            &r->err);
    if (rc == AL_OK)
        rc = al_json_get_str(body, "region", "村（社区）", 0, 0, 12, &region, &r->err);
    if (rc == AL_OK)
        rc = al_json_get_int(body, "visitor_id", "探访人", AL_REQUIRED, 1, INT64_MAX, &visitor_id,
            NULL, &r->err);
    if (rc == AL_OK)
        rc = al_json_get_str(body, "visitor_kind", "探访人身份", 0, 0, 20, &kind, &r->err);
    if (rc == AL_OK)
        rc = al_json_get_str(body, "note", "说明", 0, 0, 200, &note, &r->err);
    if (rc != AL_OK)
        return rc;
    if ((elder_id > 0) == (region && *region))
        return al_req_fail(r, AL_EINVAL, "elder_id", "请指定一位老人（elder_id）或一个村（社区）（region），二选一");
    const char *where = NULL;
    if (elder_id > 0) {
        struct visit_target t;
        if ((rc = visible_target(r, elder_id, &t)) != AL_OK)
            return rc;
        where = t.region_code;
    } else {
        /* RULE-VISIT-012: bulk assignment is by village (community). */
        if (region_level(region) != 5)
            return al_req_fail(r, AL_EINVAL, "region", "批量指派应指定 12 位村（社区）区划代码");
        if (!region_in_scope(r->who->region_code, region))
            return al_req_fail(r, AL_ENOTFOUND, "region", "区划不存在或无权查看");
        where = region;
    }
    const char *vregion, *role, *status, *vname;
    rc = visit_store_user(r->db, r->arena, visitor_id, &vregion, &role, &status, &vname);
    if (rc == AL_ENOTFOUND || (rc == AL_OK && !region_in_scope(r->who->region_code, vregion) &&
                                  !region_in_scope(vregion, where)))
        return al_req_fail(r, AL_EINVAL, "visitor_id", "探访人不存在");
    if (rc != AL_OK)
        return rc;
    if (strcmp(status, "active") != 0)
        return al_req_fail(r, AL_EUNPROC, "visitor_id", "探访人账号已停用");
    /* RULE-VISIT-010: the visitor's own scope must contain the elders (or they could not see
     * them). */
    if (!region_in_scope(vregion, where))
        return al_req_fail(r, AL_EUNPROC, "visitor_id", "探访人“%s”的辖区不包含这些老人", vname);
    if (!kind || !*kind)
        kind = visitor_kind_of_role(role);
    if (!kind || !visit_in_list(visitor_kinds, kind))
        return al_req_fail(r, AL_EINVAL, "visitor_kind",
            "探访人身份应为 helper（助老员）、cadre（村干部）、volunteer（志愿者）或 provider（服务机构）");
    int64_t count = 0;
    if ((rc = al_db_begin(r->db)) != AL_OK)
        return rc;
    rc = visit_store_assign(r->db, r->arena, elder_id, elder_id > 0 ? NULL : region, visitor_id,
        kind, r->who->user_id, note, r->now, &count);
    if (rc == AL_OK)
        rc = audit(r, "visit.assign", elder_id > 0 ? "elder" : "region", elder_id, where,
            json_pack("{s:I, s:s, s:I}", "visitor_id", (json_int_t)visitor_id, "visitor_kind",
                kind, "count", (json_int_t)count));
    if ((rc = al_db_end(r->db, rc)) != AL_OK)
        return rc;
    return al_reply(r, 200, json_pack("{s:I, s:s, s:s, s:I}", "visitor_id", (json_int_t)visitor_id,
                                "visitor_name", vname, "visitor_kind", kind, "assigned",
                                (json_int_t)count));
}

/* ---- visits (RULE-VISIT-030..034) ---- */

static int
get_real(struct al_req *r, json_t *body, const char *key, const char *label, double lo, double hi,
    double *out, bool *present)
{
    json_t *v = json_object_get(body, key);
    *present = v && !json_is_null(v);
    if (!*present)
        return AL_OK;
    if (!json_is_number(v) || json_number_value(v) < lo || json_number_value(v) > hi)
        return al_req_fail(r, AL_EINVAL, key, "%s应为 %.0f 到 %.0f 之间的数", label, lo, hi);
    *out = json_number_value(v);
    return AL_OK;
}

/* The findings object: known keys only, short texts, hazards a list of known ids. */
static int
check_findings(struct al_req *r, json_t *f)
{
    static const char *const texts[] = {"health", "living", "mood", "family_duty", NULL};
    static const char *const hazards[] = {"gas", "stairs", "electric", "fire", "slippery",
        "structure", "other", NULL};
    if (!f || json_is_null(f))
        return AL_OK;
    if (!json_is_object(f))
        return al_req_fail(r, AL_EINVAL, "findings", "探访发现应为对象");
    const char *key;
    json_t *v;
    json_object_foreach(f, key, v) {
        char field[64];
        snprintf(field, sizeof(field), "findings.%s", key);
        if (strcmp(key, "hazards") == 0) {
            size_t i;
            json_t *h;
            if (!json_is_array(v))
                return al_req_fail(r, AL_EINVAL, "findings.hazards", "安全隐患应为列表");
            json_array_foreach(v, i, h)
                if (!json_is_string(h) || !visit_in_list(hazards, json_string_value(h)))
                    return al_req_fail(r, AL_EINVAL, "findings.hazards",
                        "安全隐患应为 gas（燃气）、stairs（楼梯）、electric（用电）、fire（消防）、"
                        "slippery（地滑）、structure（房屋）或 other");
            continue;
        }
        if (!visit_in_list(texts, key))
            return al_req_fail(r, AL_EINVAL, "findings", "探访发现不含“%.40s”项", key);
        if (!json_is_string(v) || strlen(json_string_value(v)) > 1500)
            return al_req_fail(r, AL_EINVAL, field, "探访发现各项应为不超过 500 字的文字");
    }
    return AL_OK;
}

struct need_in {
    const char *kind, *need, *target, *deadline;
};

static int
read_needs(struct al_req *r, json_t *body, struct need_in **out, size_t *n)
{
    json_t *arr = json_object_get(body, "needs");
    *n = 0;
    *out = NULL;
    if (!arr || json_is_null(arr))
        return AL_OK;
    if (!json_is_array(arr) || json_array_size(arr) > 20)
        return al_req_fail(r, AL_EINVAL, "needs", "需求应为列表（最多 20 项）");
    *out = al_arena_alloc(r->arena, sizeof(**out) * (json_array_size(arr) + 1));
    size_t i;
    json_t *it;
    json_array_foreach(arr, i, it) {
        struct need_in *x = &(*out)[i];
        int rc = json_is_object(it) ? AL_OK
                                    : al_req_fail(r, AL_EINVAL, "needs", "每项需求应为对象");
        if (rc == AL_OK)
            rc = al_json_get_str(it, "kind", "需求类别", AL_REQUIRED, 1, 20, &x->kind, &r->err);
        if (rc == AL_OK)
            rc = al_json_get_str(it, "need", "需求内容", AL_REQUIRED, 1, 500, &x->need, &r->err);
        if (rc == AL_OK)
            rc = al_json_get_str(it, "target", "转介去向", 0, 0, 20, &x->target, &r->err);
        if (rc == AL_OK)
            rc = al_json_get_str(it, "deadline", "办结期限", 0, 0, 10, &x->deadline, &r->err);
        if (rc != AL_OK) {
            r->err.field = al_arena_printf(r->arena, "needs[%zu].%s", i,
                r->err.field ? r->err.field : "");
            return rc;
        }
        if (!visit_in_list(visit_need_kinds, x->kind))
            return al_req_fail(r, AL_EINVAL, al_arena_printf(r->arena, "needs[%zu].kind", i),
                "需求类别应为 care、health、living、safety、economic、mental 或 other");
        if (x->target && !*x->target)
            x->target = NULL;
        (*n)++;
    }
    return AL_OK;
}

/* RULE-VISIT-035: a referral's target and deadline. */
static int
check_referral(struct al_req *r, const char *field_prefix, const char *target,
    const char *deadline)
{
    if (!visit_in_list(visit_targets_ids, target))
        return al_req_fail(r, AL_EINVAL, al_arena_printf(r->arena, "%starget", field_prefix),
            "转介去向应为 assessment（能力评估）、service_order（服务工单）、bed（家庭养老床位）或 "
            "entitlement（待遇核查）");
    if (!deadline || !al_date_valid(deadline) || strcmp(deadline, r->today) < 0)
        return al_req_fail(r, AL_EINVAL, al_arena_printf(r->arena, "%sdeadline", field_prefix),
            "办结期限应为今天或以后的日期（YYYY-MM-DD）");
    return AL_OK;
}

/* RULE-VISIT-089: a service order at the elder's home for the need, before its deadline. */
static int
open_order(struct al_req *r, struct visit_need *n, int64_t *id)
{
    struct service_order_ask q = {.elder_id = n->elder_id, .item_code = visit_need_item(n->kind),
        .channel = "helper", .placed_by = r->who->username, .now = r->now,
        .note = al_arena_printf(r->arena, "探访转介：%s", n->need)};
    visit_referral_window(n->deadline, r->today, r->now, &q.window_start, &q.window_end);
    int rc = service_order_open(r->db, r->arena, &q, id);
    if (rc == AL_EUNPROC)
        return al_req_fail(r, AL_EUNPROC, "target", "老人档案不在册或服务项目未开办，不能转介服务工单");
    return rc;
}

/*
 * RULE-VISIT-089: open the referral's target in its module, in the referral's transaction:
 * an assessment request, a service order (待派单, on the dispatch board), a bed application
 * (the bed the elder already has, when one is not closed), or an entitlement check of the
 * elder against their whole list (read when the referral is shown).
 */
static int
open_target(struct al_req *r, struct visit_need *n)
{
    int64_t id = 0;
    int rc = AL_OK;
    bool existing = false;
    if (strcmp(n->target, "assessment") == 0) {
        rc = assess_request_open(r->db, n->elder_id, n->region_code, "visit", n->need,
            r->who->user_id, r->now, &id);
        if (rc == AL_OK)
            n->target_ref = al_arena_printf(r->arena, "assessment_request:%lld", (long long)id);
    } else if (strcmp(n->target, "service_order") == 0) {
        if ((rc = open_order(r, n, &id)) == AL_OK)
            n->target_ref = al_arena_printf(r->arena, "service_order:%lld", (long long)id);
    } else if (strcmp(n->target, "bed") == 0) {
        rc = bed_apply_for(r->db, r->arena, n->elder_id, r->who->display_name, r->today, r->now,
            &id, &existing);
        if (rc == AL_EUNPROC)
            return al_req_fail(r, AL_EUNPROC, "target", "老人档案不在册，不能申请家庭养老床位");
        if (rc == AL_OK)
            n->target_ref = al_arena_printf(r->arena, "bed:%lld", (long long)id);
    } else if (strcmp(n->target, "entitlement") == 0) {
        n->target_ref = al_arena_printf(r->arena, "entitlement:%s", r->today);
    }
    return rc == AL_ENOTFOUND ? al_req_fail(r, AL_ENOTFOUND, "elder_id", "老人不存在") : rc;
}

/* The idempotency scope of a visit record (RULE-VISIT-060). */
#define VISIT_IDEM "visit.record"

/* A visit as the request gives it, checked (visit_read). */
struct visit_in {
    int64_t elder_id, visited_at;
    const char *method_s, *note;
    int method;
    bool reached, urgent, have_lat;
    double lat, lng;
    struct need_in *needs;
    size_t nneeds;
};

/* The body's fields, each checked with its Chinese message, and the needs' referrals. */
static int
visit_read(struct al_req *r, json_t *body, struct visit_in *in)
{
    bool present, have_lng;
    *in = (struct visit_in){.reached = true};
    int rc = al_json_get_int(body, "elder_id", "老人", AL_REQUIRED, 1, INT64_MAX, &in->elder_id,
        NULL, &r->err);
    if (rc == AL_OK)
        rc = al_json_get_str(body, "method", "探访方式", AL_REQUIRED, 1, 10, &in->method_s,
            &r->err);
    if (rc == AL_OK)
        rc = al_json_get_int(body, "visited_at", "探访时间", 0, 946684800, INT64_MAX,
            &in->visited_at, &present, &r->err);
    if (rc == AL_OK)
        rc = al_json_get_bool(body, "reached", "是否联系上", 0, &in->reached, &present, &r->err);
    if (rc == AL_OK && !present)
        in->reached = true;
    if (rc == AL_OK)
        rc = al_json_get_bool(body, "urgent", "紧急情况", 0, &in->urgent, &present, &r->err);
    if (rc == AL_OK)
        rc = al_json_get_str(body, "note", "备注", 0, 0, 1000, &in->note, &r->err);
    if (rc == AL_OK)
        rc = get_real(r, body, "lat", "纬度", 3, 54, &in->lat, &in->have_lat);
    if (rc == AL_OK)
        rc = get_real(r, body, "lng", "经度", 73, 136, &in->lng, &have_lng);
    if (rc == AL_OK)
        rc = check_findings(r, json_object_get(body, "findings"));
    if (rc == AL_OK)
        rc = read_needs(r, body, &in->needs, &in->nneeds);
    if (rc != AL_OK)
        return rc;
    if (!in->visited_at)
        in->visited_at = r->now;
    if (in->visited_at > r->now + 300)
        return al_req_fail(r, AL_EINVAL, "visited_at", "探访时间不能晚于现在");
    if (!(in->method = visit_method_parse(in->method_s)))
        return al_req_fail(r, AL_EINVAL, "method",
            "探访方式应为 home（上门）、phone（电话）、video（视频）或 remote（远程监测）");
    if (in->have_lat != have_lng)
        return al_req_fail(r, AL_EINVAL, in->have_lat ? "lng" : "lat", "位置应同时有纬度和经度");
    for (size_t i = 0; i < in->nneeds; i++)
        if (in->needs[i].target &&
            (rc = check_referral(r, al_arena_printf(r->arena, "needs[%zu].", i),
                 in->needs[i].target, in->needs[i].deadline)) != AL_OK)
            return rc;
    return AL_OK;
}

/* What a recorded visit made, for its answer. */
struct visit_out {
    int64_t id, closed, task_id, alarm_id;
    json_t *need_ids;
};

/*
 * In the caller's transaction: the record, the home visit a high-risk elder not reached by
 * phone gets at once (RULE-VISIT-033), the needs with their referrals, and the alarm of an
 * urgent finding (RULE-VISIT-065).
 */
static int
visit_write(struct al_req *r, const struct visit_in *in, const struct visit_target *t,
    struct visit_record *v, struct visit_out *out)
{
    bool task_created = false;
    int rc = visit_store_record(r->db, v, r->now, &out->id, &out->closed);
    if (rc == AL_OK && !in->reached && in->method == VISIT_PHONE && strcmp(t->tier, "high") == 0)
        rc = event_task(r->db, t, "unreachable", id_text(r, out->id), "home",
            "电话未联系上，需立即上门探访", r->who->user_id, r->now, r->today, &out->task_id,
            &task_created);
    for (size_t i = 0; rc == AL_OK && i < in->nneeds; i++) {
        struct visit_need n = {.visit_id = out->id, .elder_id = in->elder_id,
            .region_code = t->region_code, .kind = in->needs[i].kind, .need = in->needs[i].need,
            .user_id = r->who->user_id, .version = 1};
        rc = visit_store_need_add(r->db, &n, r->now, &n.id);
        if (rc == AL_OK && in->needs[i].target) {
            n.target = in->needs[i].target;
            n.deadline = in->needs[i].deadline;
            if ((rc = open_target(r, &n)) == AL_OK)
                rc = visit_store_need_refer(r->db, &n, r->now);
        }
        if (rc == AL_OK)
            json_array_append_new(out->need_ids, json_integer(n.id));
    }
    if (rc == AL_OK && in->urgent) {
        const char *health = json_string_value(json_object_get(v->findings, "health"));
        const char *what = in->note && *in->note ? in->note
                           : health && *health   ? health
                                                 : "请尽快联系处置";
        rc = alarm_raise_manual(r->db, t->region_code, in->elder_id, "visit_urgent", 1,
            r->who->user_id, r->who->username,
            al_arena_printf(r->arena, "探访发现紧急情况：%s", what), r->now, &out->alarm_id);
        if (rc == AL_OK)
            rc = visit_store_set_alarm(r->db, out->id, out->alarm_id);
    }
    return rc;
}

/*
 * RULE-VISIT-060: a visit recorded offline is sent by the queue with an
 * Idempotency-Key on every attempt; the same key and body again get the first
 * answer and write nothing, the key with another body is a 409.
 */
static int
visit_create(struct al_req *r)
{
    struct al_idem_req x;
    json_t *body;
    struct visit_in in;
    const char *key = al_req_header(r, AL_IDEM_HEADER); /* its form first, as before */
    int rc = key ? al_idem_key_check(key, &r->err) : AL_OK;
    if (rc == AL_OK)
        rc = al_req_json(r, &body);
    if (rc == AL_OK)
        rc = al_idem_req_begin(r, VISIT_IDEM, NULL, "该幂等键已用于另一条探访记录", &x);
    if (rc != AL_OK || x.replayed)
        return rc;
    if ((rc = visit_read(r, body, &in)) != AL_OK)
        return rc;
    struct visit_target t;
    if ((rc = visible_target(r, in.elder_id, &t)) != AL_OK)
        return rc;
    /* RULE-VISIT-031: the method must be one the elder's tier allows. */
    if (!(t.methods & in.method)) {
        char allowed[40];
        visit_methods_text(t.methods, allowed, sizeof(allowed));
        return al_req_fail(r, AL_EUNPROC, "method", "该老人（%s）的探访方式应为：%s",
            visit_tier_name((enum visit_tier)visit_tier_parse(t.tier)), allowed);
    }
    struct visit_record v = {.elder_id = in.elder_id, .visitor_id = r->who->user_id,
        .visited_at = in.visited_at, .region_code = t.region_code, .method = in.method_s,
        .reached = in.reached, .urgent = in.urgent, .note = in.note, .have_pos = in.have_lat,
        .lat = in.lat, .lng = in.lng, .findings = json_object_get(body, "findings")};
    char day[11];
    al_date_cst(in.visited_at, day);
    v.visit_date = day;
    if (in.method == VISIT_HOME) {
        /* RULE-VISIT-030: the position is checked against the elder's, flagged, never refused. */
        int max_m = 500;
        if ((rc = visit_store_position_max(r->db, &max_m)) != AL_OK)
            return rc;
        double d = 0;
        if (in.have_lat && t.have_pos) {
            d = al_geo_distance_m(in.lat, in.lng, t.lat, t.lng);
            v.have_distance = true;
            v.distance_m = (int64_t)llround(d);
        }
        v.position_flag = visit_position_flag(in.have_lat, t.have_pos, d, max_m);
    }
    if (!v.findings || json_is_null(v.findings))
        v.findings = json_object();
    struct visit_out o = {.need_ids = json_array()};
    if ((rc = al_db_begin(r->db)) != AL_OK) {
        json_decref(o.need_ids);
        return rc;
    }
    rc = visit_write(r, &in, &t, &v, &o);
    if (rc == AL_OK)
        rc = audit(r, "visit.record", "elder", in.elder_id, t.region_code,
            json_pack("{s:I, s:s, s:b, s:s?, s:I, s:O}", "visit_id", (json_int_t)o.id, "method",
                in.method_s, "reached", in.reached, "position_flag", v.position_flag,
                "tasks_done", (json_int_t)o.closed, "needs", o.need_ids));
    json_t *out = json_pack("{s:I, s:I, s:s, s:b, s:s?, s:o, s:I, s:o}", "id", (json_int_t)o.id,
        "elder_id", (json_int_t)in.elder_id, "method", in.method_s, "reached", in.reached,
        "position_flag", v.position_flag, "distance_m",
        v.have_distance ? json_integer(v.distance_m) : json_null(), "tasks_done",
        (json_int_t)o.closed, "needs", o.need_ids);
    if (o.task_id)
        json_object_set_new(out, "home_visit_task_id", json_integer(o.task_id));
    if (o.alarm_id)
        json_object_set_new(out, "alarm_id", json_integer(o.alarm_id));
    rc = al_idem_req_keep(r, &x, 201, out, rc);
    /* RULE-VISIT-060: the same record may have won a race meanwhile: its answer, once. */
    if ((rc = al_idem_req_end(r, &x, rc)) != AL_OK || x.replayed) {
        json_decref(out);
        return rc;
    }
    if (o.alarm_id) { /* RULE-ALARM-021: the console hears of it */
        char payload[128];
        snprintf(payload, sizeof(payload), "{\"id\":%lld,\"region_code\":\"%s\"}",
            (long long)o.alarm_id, t.region_code);
        al_events_publish(r->db, ALARM_CHANNEL, payload);
    }
    return al_reply(r, 201, out);
}

static int
visits_list(struct al_req *r)
{
    const char *scope;
    bool empty;
    int64_t limit, offset, elder_id = 0;
    int rc = list_scope(r, &scope, &empty);
    if (rc == AL_OK)
        rc = al_query_limit(&r->query, &limit, &offset, &r->err);
    if (rc == AL_OK)
        rc = al_query_int(&r->query, "elder_id", "老人", 1, INT64_MAX, 0, &elder_id, &r->err);
    if (rc != AL_OK)
        return rc;
    json_t *items = json_array();
    int64_t total = 0;
    if (!empty && (rc = visit_store_visits(r->db, r->arena, scope, elder_id, 0, limit, offset,
                       items, &total)) != AL_OK) {
        json_decref(items);
        return rc;
    }
    return al_reply_items(r, items, total);
}

/* Visit `id` as its list shows it, if it lies in `scope` (into *out, a new reference):
 * AL_ENOTFOUND otherwise. */
static int
visit_one(struct al_db *db, struct al_arena *a, const char *scope, int64_t id, json_t **out)
{
    json_t *items = json_array();
    int64_t total = 0;
    int rc = visit_store_visits(db, a, scope, 0, id, 1, 0, items, &total);
    if (rc == AL_OK && json_array_size(items) == 0)
        rc = AL_ENOTFOUND;
    *out = rc == AL_OK ? json_incref(json_array_get(items, 0)) : NULL;
    json_decref(items);
    return rc;
}

/* RULE-VISIT-080: one visit with its photos, 404 outside the caller's scope. */
static int
visit_get(struct al_req *r)
{
    int64_t id;
    json_t *v, *photos;
    int rc = al_req_param_id(r, "id", &id);
    if (rc == AL_OK && (rc = visit_one(r->db, r->arena, r->who->region_code, id, &v)) ==
                           AL_ENOTFOUND)
        return al_req_fail(r, AL_ENOTFOUND, NULL, "探访记录不存在或无权查看");
    if (rc != AL_OK)
        return rc;
    if ((rc = attach_list_json(r->db, r->arena, "visit", id, &photos)) != AL_OK) {
        json_decref(v);
        return rc;
    }
    json_object_set_new(v, "attachments", photos);
    return al_reply(r, 200, v);
}

/*
 * RULE-VISIT-080: a visit takes photos (the scene, a hazard, papers for a
 * referral) through src/attach: the attachment module checks visit.read /
 * visit.record and the caller's scope against the visit's region, and audits
 * the upload with the visit as its target.
 */
static int
visit_locate(struct al_req *r, int64_t owner_id, bool write, const char **region)
{
    (void)write;
    json_t *v;
    int rc = visit_one(r->db, r->arena, "", owner_id, &v);
    if (rc != AL_OK)
        return rc;
    *region = al_arena_strdup(r->arena, json_string_value(json_object_get(v, "region_code")));
    json_decref(v);
    return AL_OK;
}

static const char *const visit_photo_tags[] = {"visit", "hazard", "referral", NULL};

const struct attach_owner visit_attach_owner = {.kind = "visit", .name = "探访记录",
    .read_perm = "visit.read", .write_perm = "visit.record", .tags = visit_photo_tags,
    .tags_zh = " visit（探访现场）、hazard（安全隐患）或 referral（转介材料）",
    .locate = visit_locate};

/* ---- needs and referrals (RULE-VISIT-035..037) ---- */

static int
visible_need(struct al_req *r, struct visit_need *n)
{
    int64_t id;
    int rc = al_req_param_id(r, "id", &id);
    if (rc == AL_OK)
        rc = visit_store_need_get(r->db, r->arena, id, n);
    if (rc == AL_ENOTFOUND ||
        (rc == AL_OK && !region_in_scope(r->who->region_code, n->region_code)))
        return al_req_fail(r, AL_ENOTFOUND, NULL, "需求不存在或无权查看");
    return rc;
}

/*
 * RULE-VISIT-088: where the referral's target stands — *state "open", "done" or "ended" (NULL
 * without a target) — and *detail, its state in its module in Chinese or, for an entitlement
 * check, the check made now.
 */
static int
target_status(struct al_req *r, const struct visit_need *n, const char **state,
    const char **detail)
{
    long long ref;
    const char *status = NULL;
    int rc = AL_OK;
    *state = *detail = NULL;
    if (!n->target_ref)
        return AL_OK;
    if (sscanf(n->target_ref, "assessment_request:%lld", &ref) == 1) {
        rc = assess_request_status(r->db, r->arena, ref, &status);
        *detail = status && strcmp(status, "done") == 0 ? "评估已完成" : "评估待完成";
    } else if (sscanf(n->target_ref, "service_order:%lld", &ref) == 1) {
        rc = service_order_status(r->db, r->arena, ref, &status, detail);
    } else if (sscanf(n->target_ref, "bed:%lld", &ref) == 1) {
        rc = bed_status_of(r->db, r->arena, ref, &status, detail);
    } else if (strncmp(n->target_ref, "entitlement:", 12) == 0) {
        struct entitle_check c;
        rc = entitle_elder_check(r->db, r->arena, n->elder_id, n->region_code, r->today, &c);
        status = rc == AL_OK ? "done" : NULL;
        *detail = rc == AL_OK ? c.summary : "老人所在地没有可用的基本养老服务清单";
        rc = rc == AL_EUNPROC ? AL_OK : rc;
    }
    if (rc == AL_ENOTFOUND)
        return AL_OK;
    *state = visit_target_state(n->target, status);
    return rc;
}

static json_t *
need_json(const struct visit_need *n, const char *tstatus, const char *tdetail)
{
    return json_pack("{s:I, s:I, s:s, s:s, s:s, s:s?, s:s?, s:s?, s:s?, s:s?, s:I, s:s?, s:s?}",
        "id", (json_int_t)n->id, "elder_id", (json_int_t)n->elder_id, "kind", n->kind, "need",
        n->need, "status", n->status, "target", n->target, "target_name",
        visit_target_name(n->target), "target_ref", n->target_ref, "deadline", n->deadline,
        "outcome", n->outcome, "version", (json_int_t)n->version, "target_status", tstatus,
        "target_detail", tdetail);
}

static int
need_get(struct al_req *r)
{
    struct visit_need n;
    const char *ts, *td;
    int rc = visible_need(r, &n);
    if (rc == AL_OK)
        rc = target_status(r, &n, &ts, &td);
    if (rc != AL_OK)
        return rc;
    return al_reply(r, 200, need_json(&n, ts, td));
}

/* The body of a change to a need: JSON with the need's `version` (RULE-VISIT-036). */
static int
need_change(struct al_req *r, json_t **body, int64_t *version)
{
    int rc = al_req_json(r, body);
    if (rc == AL_OK)
        rc = al_json_get_int(*body, "version", "版本", AL_REQUIRED, 1, INT64_MAX, version, NULL,
            &r->err);
    return rc;
}

static int
need_refer(struct al_req *r)
{
    json_t *body;
    struct visit_need n;
    int64_t version;
    const char *target, *deadline;
    int rc = need_change(r, &body, &version);
    if (rc == AL_OK)
        rc = al_json_get_str(body, "target", "转介去向", AL_REQUIRED, 1, 20, &target, &r->err);
    if (rc == AL_OK)
        rc = al_json_get_str(body, "deadline", "办结期限", AL_REQUIRED, 10, 10, &deadline, &r->err);
    if (rc == AL_OK)
        rc = check_referral(r, "", target, deadline);
    if (rc == AL_OK)
        rc = visible_need(r, &n);
    if (rc != AL_OK)
        return rc;
    if (strcmp(n.status, "recorded") != 0 || n.version != version)
        return al_req_fail(r, AL_ECONFLICT, "version", "该需求已转介或已被修改，请刷新后重试");
    n.target = target;
    n.deadline = deadline;
    n.user_id = r->who->user_id;
    if ((rc = al_db_begin(r->db)) != AL_OK)
        return rc;
    rc = open_target(r, &n);
    if (rc == AL_OK)
        rc = visit_store_need_refer(r->db, &n, r->now);
    if (rc == AL_OK)
        rc = audit(r, "visit.refer", "visit_need", n.id, n.region_code,
            json_pack("{s:s, s:s, s:s?}", "target", target, "deadline", deadline, "target_ref",
                n.target_ref));
    if ((rc = al_db_end(r->db, rc)) != AL_OK)
        return rc;
    n.status = "referred";
    n.version++;
    const char *ts, *td;
    if ((rc = target_status(r, &n, &ts, &td)) != AL_OK)
        return rc;
    return al_reply(r, 200, need_json(&n, ts, td));
}

static int
need_close(struct al_req *r)
{
    json_t *body;
    struct visit_need n;
    int64_t version;
    const char *outcome, *ts, *td;
    int rc = need_change(r, &body, &version);
    if (rc == AL_OK)
        rc = al_json_get_str(body, "outcome", "办理结果", AL_REQUIRED, 1, 500, &outcome, &r->err);
    if (rc == AL_OK)
        rc = visible_need(r, &n);
    if (rc == AL_OK)
        rc = target_status(r, &n, &ts, &td);
    if (rc != AL_OK)
        return rc;
    if (strcmp(n.status, "closed") == 0 || n.version != version)
        return al_req_fail(r, AL_ECONFLICT, "version", "该需求已办结或已被修改，请刷新后重试");
    /* RULE-VISIT-036: a referral whose target lives in another module closes once it is done. */
    if (ts && strcmp(ts, "open") == 0) /* done, or ended (cancelled, closed): the officer says */
        return al_req_fail(r, AL_ECONFLICT, "target", "转介的%s尚未完成（%s），不能办结",
            visit_target_name(n.target), td ? td : "办理中");
    if ((rc = al_db_begin(r->db)) != AL_OK)
        return rc;
    rc = visit_store_need_close(r->db, n.id, version, outcome, r->who->user_id, r->now);
    if (rc == AL_OK)
        rc = audit(r, "visit.close", "visit_need", n.id, n.region_code,
            json_pack("{s:s}", "outcome", outcome));
    if ((rc = al_db_end(r->db, rc)) != AL_OK)
        return rc;
    n.status = "closed";
    n.outcome = outcome;
    n.version++;
    return al_reply(r, 200, need_json(&n, ts, td));
}

static int
needs_list(struct al_req *r)
{
    struct visit_need_filter f = {.today = r->today};
    bool empty;
    int rc = list_scope(r, &f.scope, &empty);
    if (rc == AL_OK)
        rc = al_query_limit(&r->query, &f.limit, &f.offset, &r->err);
    if (rc == AL_OK)
        rc = al_query_int(&r->query, "elder_id", "老人", 1, INT64_MAX, 0, &f.elder_id, &r->err);
    if (rc != AL_OK)
        return rc;
    f.status = al_query_opt(&r->query, "status");
    if (f.status && strcmp(f.status, "recorded") && strcmp(f.status, "referred") &&
        strcmp(f.status, "closed"))
        return al_req_fail(r, AL_EINVAL, "status", "状态应为 recorded、referred 或 closed");
    const char *od = al_query_opt(&r->query, "overdue");
    f.overdue = od && strcmp(od, "1") == 0;
    json_t *items = json_array();
    int64_t total = 0;
    if (!empty && (rc = visit_store_needs(r->db, r->arena, &f, items, &total)) != AL_OK) {
        json_decref(items);
        return rc;
    }
    /* RULE-VISIT-088: where each referral's target stands, as one need shows it. */
    size_t i;
    json_t *it;
    json_array_foreach(items, i, it) {
        const char *ts, *td;
        struct visit_need n = {.elder_id = json_integer_value(json_object_get(it, "elder_id")),
            .region_code = json_string_value(json_object_get(it, "region_code")),
            .target = json_string_value(json_object_get(it, "target")),
            .target_ref = json_string_value(json_object_get(it, "target_ref"))};
        if (n.target_ref && (rc = target_status(r, &n, &ts, &td)) == AL_OK && ts) {
            json_object_set_new(it, "target_status", json_string(ts));
            json_object_set_new(it, "target_detail", td ? json_string(td) : json_null());
        }
        if (rc != AL_OK) {
            json_decref(items);
            return rc;
        }
    }
    return al_reply_items(r, items, total);
}

/* ---- measures (RULE-VISIT-040..050) ---- */

static int
month_arg(struct al_req *r, char first[11], char next[11], char on[11], const char **month)
{
    *month = al_query_opt(&r->query, "month");
    if (!*month)
        *month = al_arena_printf(r->arena, "%.7s", r->today);
    if (!visit_month_bounds(*month, first, next))
        return al_req_fail(r, AL_EINVAL, "month", "月份应为 YYYY-MM");
    /* RULE-VISIT-063: the month's target list is the one of its last day, or of today while
     * the month runs. */
    visit_date_add(next, -1, on);
    if (strcmp(on, r->today) > 0)
        memcpy(on, r->today, 11);
    return AL_OK;
}

static int
rate_get(struct al_req *r)
{
    char first[11], next[11], on[11];
    const char *month, *scope;
    bool empty;
    int rc = month_arg(r, first, next, on, &month);
    if (rc == AL_OK)
        rc = list_scope(r, &scope, &empty);
    if (rc != AL_OK)
        return rc;
    json_t *children = json_array();
    int64_t targets = 0, visited = 0;
    if (!empty && (rc = visit_store_rate(r->db, r->arena, scope, first, next, on, children, &targets,
                       &visited)) != AL_OK) {
        json_decref(children);
        return rc;
    }
    size_t i;
    json_t *c;
    json_array_foreach(children, i, c) {
        const char *code = json_string_value(json_object_get(c, "region_code"));
        json_int_t n = json_integer_value(json_object_get(c, "targets"));
        json_int_t v = json_integer_value(json_object_get(c, "visited"));
        const char *name = region_name(r->db, r->arena, code);
        json_object_set_new(c, "region_name", name ? json_string(name) : json_null());
        json_object_set_new(c, "rate", json_real(n ? (double)v / (double)n : 0));
    }
    const char *name = region_name(r->db, r->arena, scope);
    return al_reply(r, 200,
        json_pack("{s:s, s:s, s:s?, s:I, s:I, s:I, s:f, s:o}", "month", month, "region", scope,
            "region_name", name, "targets", (json_int_t)targets, "visited", (json_int_t)visited,
            "unvisited", (json_int_t)(targets - visited), "rate",
            targets ? (double)visited / (double)targets : 0.0, "children", children));
}

static int
unvisited_list(struct al_req *r)
{
    char first[11], next[11], on[11];
    const char *month, *scope;
    bool empty;
    int64_t limit, offset;
    int rc = month_arg(r, first, next, on, &month);
    if (rc == AL_OK)
        rc = list_scope(r, &scope, &empty);
    if (rc == AL_OK)
        rc = al_query_limit(&r->query, &limit, &offset, &r->err);
    if (rc != AL_OK)
        return rc;
    json_t *items = json_array();
    int64_t total = 0;
    if (!empty && (rc = visit_store_unvisited(r->db, r->arena, scope, first, next, on, limit, offset,
                       items, &total)) != AL_OK) {
        json_decref(items);
        return rc;
    }
    return al_reply_items(r, items, total);
}

/* What the unvisited export reads after the handler returned (RULE-DB-113): in r's arena. */
struct unvisited_ctx {
    struct al_req *r;
    const char *scope, *first, *next, *on;
};

#define UNVISITED_PAGE 200

static struct al_stmt *
unvisited_page(void *ctx, const char *const *after)
{
    struct unvisited_ctx *x = ctx;
    return visit_store_unvisited_page(x->r->db, x->r->arena, x->scope, x->first, x->next, x->on,
        after ? after[0] : NULL, UNVISITED_PAGE);
}

/* The tier's Chinese name. */
static const char *
xcell_tier(struct al_export_cell *c)
{
    return visit_tier_name((enum visit_tier)visit_tier_parse(al_stmt_text(c->st, c->col)));
}

/* The reasons (category ids, comma-separated) as Chinese names: 独居、特困. */
static const char *
xcell_reasons(struct al_export_cell *c)
{
    const char *p = al_stmt_text(c->st, c->col);
    size_t used = 0;
    c->buf[0] = '\0';
    while (p && *p && used < c->size) {
        const char *e = strchr(p, ',');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        char id[32];
        snprintf(id, sizeof(id), "%.*s", (int)len, p);
        const char *nm = strcmp(id, "destitute") == 0 ? "特困" : elder_category_name(id);
        int n = snprintf(c->buf + used, c->size - used, "%s%s", used ? "、" : "", nm ? nm : id);
        used += n > 0 ? (size_t)n : 0;
        p += len + (e ? 1 : 0);
    }
    return c->buf;
}

static const struct al_export_col unvisited_cols[] = {AL_XCOL("老人", VISIT_UNV_NAME),
    AL_XCOL("村（社区）", VISIT_UNV_REGION_NAME), AL_XCOL("住址", VISIT_UNV_ADDRESS),
    AL_XCOLF("电话", VISIT_UNV_PHONE, al_xcell_phone_masked),
    AL_XCOLF("探访分级", VISIT_UNV_TIER, xcell_tier),
    AL_XCOLF("纳入原因", VISIT_UNV_REASONS, xcell_reasons),
    AL_XCOL("探访人", VISIT_UNV_VISITOR), AL_XCOL_END};

/*
 * RULE-VISIT-042, RULE-VISIT-084: the month's unvisited list as CSV or XLSX,
 * read a page at a time by elder id and streamed (core/export.h), its reading
 * context in the request's arena; audited with the list's count.
 */
static int
unvisited_export(struct al_req *r)
{
    char first[11], next[11], on[11];
    const char *month, *scope, *format;
    bool empty;
    int64_t total = 0;
    int rc = month_arg(r, first, next, on, &month);
    if (rc == AL_OK)
        rc = list_scope(r, &scope, &empty);
    if (rc == AL_OK)
        rc = al_export_format(r, &format);
    if (rc == AL_OK && !empty) { /* the count for the audit entry (a page of none) */
        json_t *none = json_array();
        rc = visit_store_unvisited(r->db, r->arena, scope, first, next, on, 0, 0, none, &total);
        json_decref(none);
    }
    if (rc == AL_OK)
        rc = audit(r, "visit.export", "region", 0, scope,
            json_pack("{s:s, s:s, s:I}", "month", month, "format", format, "rows",
                (json_int_t)total));
    if (rc != AL_OK)
        return rc;
    struct unvisited_ctx *x = al_arena_memdup(r->arena, &(struct unvisited_ctx){.r = r,
        .scope = scope, .first = al_arena_strdup(r->arena, first),
        .next = al_arena_strdup(r->arena, next), .on = al_arena_strdup(r->arena, on)},
        sizeof(*x));
    struct al_export_list l = {.title = al_arena_printf(r->arena, "%s 未探访的老人", month),
        .name = al_arena_printf(r->arena, "未探访老人-%s", month), .cols = unvisited_cols,
        .page = empty ? NULL : unvisited_page, .ctx = x, .key_col = VISIT_UNV_ELDER, .nkeys = 1,
        .page_rows = UNVISITED_PAGE};
    return al_export_list(r, format, &l, NULL);
}

static int
referrals_get(struct al_req *r)
{
    char first[11], next[11], on[11];
    const char *month, *scope;
    bool empty;
    int rc = month_arg(r, first, next, on, &month);
    if (rc == AL_OK)
        rc = list_scope(r, &scope, &empty);
    if (rc != AL_OK)
        return rc;
    /* The month's window in China Standard Time (UTC+8). */
    long days_first = 0, days_next = 0;
    visit_days_between("1970-01-01", first, &days_first);
    visit_days_between("1970-01-01", next, &days_next);
    int64_t from_at = (int64_t)days_first * 86400 - 8 * 3600;
    int64_t to_at = (int64_t)days_next * 86400 - 8 * 3600;
    int64_t referred = 0, closed = 0, on_time = 0;
    double mean_days = 0;
    if (!empty && (rc = visit_store_referral_stats(r->db, scope, from_at, to_at, &referred,
                       &closed, &on_time, &mean_days)) != AL_OK)
        return rc;
    return al_reply(r, 200,
        json_pack("{s:s, s:s, s:I, s:I, s:I, s:f, s:f, s:f}", "month", month, "region", scope,
            "referred", (json_int_t)referred, "closed", (json_int_t)closed, "closed_on_time",
            (json_int_t)on_time, "closure_rate", referred ? (double)closed / (double)referred : 0.0,
            "on_time_rate", referred ? (double)on_time / (double)referred : 0.0,
            "mean_days_to_close", mean_days));
}

static int
helpers_get(struct al_req *r)
{
    const char *scope;
    bool empty;
    int rc = list_scope(r, &scope, &empty);
    if (rc != AL_OK)
        return rc;
    json_t *items = json_array();
    if (!empty && (rc = visit_store_helpers(r->db, r->arena, scope, items)) != AL_OK) {
        json_decref(items);
        return rc;
    }
    size_t i;
    json_t *it;
    int64_t short_of = 0;
    json_array_foreach(items, i, it)
        if (!json_is_true(json_object_get(it, "meets")))
            short_of++;
    json_t *out = json_pack("{s:o, s:I, s:I}", "items", items, "total",
        (json_int_t)json_array_size(items), "short", (json_int_t)short_of);
    return al_reply(r, 200, out);
}

/* ---- campaigns (RULE-VISIT-070..073) ---- */

static json_t *
campaign_json(const struct visit_campaign *c)
{
    return json_pack("{s:I, s:s, s:s, s:s?, s:s, s:s, s:s, s:s, s:s, s:s?, s:I}", "id",
        (json_int_t)c->id, "name", c->name, "kind", c->kind, "kind_name",
        visit_campaign_kind_name(c->kind), "region_code", c->region_code, "regions", c->regions,
        "tiers", c->tiers, "start_date", c->start_date, "end_date", c->end_date, "note", c->note,
        "tasks", (json_int_t)c->tasks);
}

/* The campaign of :id if the caller may see it (organised inside their scope or by a region
 * holding it: RULE-VISIT-071), else 404 as a missing one; *manage: they may manage it. */
static int
visible_campaign(struct al_req *r, struct visit_campaign *c, bool *manage)
{
    int64_t id;
    int rc = al_req_param_id(r, "id", &id);
    if (rc == AL_OK)
        rc = visit_store_campaign_get(r->db, r->arena, id, c);
    bool inside = rc == AL_OK && region_in_scope(r->who->region_code, c->region_code);
    if (rc == AL_ENOTFOUND ||
        (rc == AL_OK && !inside && !region_in_scope(c->region_code, r->who->region_code)))
        return al_req_fail(r, AL_ENOTFOUND, NULL, "专项探访不存在或无权查看");
    *manage = inside;
    return rc;
}

/* A JSON array of 1..max texts joined by commas into *out; each checked by `ok`. */
static int
text_list(struct al_req *r, json_t *body, const char *key, const char *label, size_t max,
    bool (*ok)(struct al_req *, const char *), const char *bad, const char **out)
{
    json_t *arr = json_object_get(body, key), *v;
    size_t i;
    if (!json_is_array(arr) || json_array_size(arr) == 0 || json_array_size(arr) > max)
        return al_req_fail(r, AL_EINVAL, key, "%s应为 1 到 %zu 项的列表", label, max);
    char *text = al_arena_alloc(r->arena, json_array_size(arr) * 16 + 1);
    text[0] = '\0';
    json_array_foreach(arr, i, v) {
        const char *t = json_string_value(v);
        if (!t || strlen(t) > 12 || !ok(r, t))
            return al_req_fail(r, AL_EINVAL, key, "%s", bad);
        if (strstr(al_arena_printf(r->arena, ",%s,", text), al_arena_printf(r->arena, ",%s,", t)))
            continue; /* named twice */
        if (i)
            strcat(text, ",");
        strcat(text, t);
    }
    *out = text;
    return AL_OK;
}

static bool
region_ok(struct al_req *r, const char *code)
{
    return region_level(code) && region_in_scope(r->who->region_code, code);
}

static bool
tier_ok(struct al_req *r, const char *t)
{
    (void)r;
    int v = visit_tier_parse(t);
    return v >= VISIT_GENERAL && v <= VISIT_HIGH;
}

static int
campaign_create(struct al_req *r)
{
    json_t *body;
    struct visit_campaign c = {.region_code = r->who->region_code, .created_by = r->who->user_id};
    int rc = al_req_json(r, &body);
    if (rc == AL_OK)
        rc = al_json_get_str(body, "name", "名称", AL_REQUIRED | AL_PLAIN, 2, 40, &c.name, &r->err);
    if (rc == AL_OK)
        rc = al_json_get_str(body, "kind", "类型", AL_REQUIRED, 1, 10, &c.kind, &r->err);
    if (rc == AL_OK)
        rc = al_json_get_str(body, "start_date", "开始日期", AL_REQUIRED, 10, 10, &c.start_date,
            &r->err);
    if (rc == AL_OK)
        rc = al_json_get_str(body, "end_date", "结束日期", AL_REQUIRED, 10, 10, &c.end_date,
            &r->err);
    if (rc == AL_OK)
        rc = al_json_get_str(body, "note", "说明", 0, 0, 500, &c.note, &r->err);
    if (rc == AL_OK)
        rc = text_list(r, body, "regions", "覆盖区划", 50, region_ok,
            "覆盖区划应为本辖区内 2、4、6、9 或 12 位的区划代码", &c.regions);
    if (rc == AL_OK)
        rc = text_list(r, body, "tiers", "覆盖分级", 3, tier_ok,
            "覆盖分级应为 high（高风险）、key（重点）或 general（一般）", &c.tiers);
    if (rc != AL_OK)
        return rc;
    if (!visit_in_list(visit_campaign_kinds, c.kind))
        return al_req_fail(r, AL_EINVAL, "kind", "类型应为 weather（极端天气）、festival（节日）或 other（其他）");
    const char *field, *problem = visit_campaign_window_problem(c.start_date, c.end_date, r->today,
        &field);
    if (problem)
        return al_req_fail(r, AL_EINVAL, field, "%s", problem);
    if ((rc = al_db_begin(r->db)) != AL_OK)
        return rc;
    rc = visit_store_campaign_add(r->db, &c, r->now, &c.id);
    if (rc == AL_OK)
        rc = audit(r, "visit.campaign_create", "visit_campaign", c.id, c.region_code,
            campaign_json(&c));
    if ((rc = al_db_end(r->db, rc)) != AL_OK)
        return rc;
    return al_reply(r, 201, campaign_json(&c));
}

static int
campaigns_list(struct al_req *r)
{
    int64_t limit, offset, total = 0;
    int rc = al_query_limit(&r->query, &limit, &offset, &r->err);
    if (rc != AL_OK)
        return rc;
    json_t *items = json_array(), *it;
    if ((rc = visit_store_campaigns(r->db, r->arena, r->who->region_code, limit, offset, items,
             &total)) != AL_OK) {
        json_decref(items);
        return rc;
    }
    size_t i;
    json_array_foreach(items, i, it) {
        int64_t tasks = 0, done = 0;
        const char *kind = json_string_value(json_object_get(it, "kind"));
        json_object_set_new(it, "kind_name", json_string(visit_campaign_kind_name(kind)));
        /* RULE-VISIT-073: each campaign's figures inside the caller's scope. */
        if ((rc = visit_store_campaign_rate(r->db, r->who->region_code,
                 json_integer_value(json_object_get(it, "id")), &tasks, &done)) != AL_OK) {
            json_decref(items);
            return rc;
        }
        json_object_set_new(it, "scope_tasks", json_integer(tasks));
        json_object_set_new(it, "visited", json_integer(done));
        json_object_set_new(it, "rate", tasks ? json_real((double)done / (double)tasks) : json_null());
    }
    return al_reply_items(r, items, total);
}

static int
campaign_get(struct al_req *r)
{
    struct visit_campaign c;
    bool manage;
    int64_t tasks = 0, done = 0;
    int rc = visible_campaign(r, &c, &manage);
    if (rc == AL_OK)
        rc = visit_store_campaign_rate(r->db, r->who->region_code, c.id, &tasks, &done);
    if (rc != AL_OK)
        return rc;
    json_t *out = campaign_json(&c);
    json_object_set_new(out, "scope_tasks", json_integer(tasks));
    json_object_set_new(out, "visited", json_integer(done));
    json_object_set_new(out, "rate", tasks ? json_real((double)done / (double)tasks) : json_null());
    json_object_set_new(out, "can_manage", json_boolean(manage));
    json_object_set_new(out, "open", json_boolean(strcmp(r->today, c.end_date) <= 0));
    return al_reply(r, 200, out);
}

/* What a campaign's generation needs on the job thread (copied bytes, no pointers). */
struct campaign_arg {
    struct gen_who w;
    int64_t id;
};

/* RULE-VISIT-072: the campaign's tasks for each region it covers, counted (the caller's
 * transaction). */
static int
campaign_tasks(struct al_db *db, struct al_arena *a, struct al_job *job,
    const struct visit_campaign *c, int64_t user_id, int64_t now, int64_t *created)
{
    char *regions = al_arena_strdup(a, c->regions), *save = NULL;
    int64_t n = 1, done = 0;
    for (const char *p = c->regions; *p; p++)
        n += *p == ',';
    int rc = AL_OK;
    for (char *g = strtok_r(regions, ",", &save); g && rc == AL_OK;
         g = strtok_r(NULL, ",", &save)) {
        al_job_progress(job, "生成专项探访任务", done++, n);
        rc = visit_store_campaign_generate(db, c, g, user_id, now, created);
    }
    return rc;
}

/*
 * RULE-VISIT-082: the campaign's generation job: its tasks (RULE-VISIT-072)
 * and its audit entry (visit.campaign_generate) in one transaction, dated by
 * the job's start; refused once the window is over by then.
 */
static int
campaign_job(struct al_db *db, struct al_job *job, void *arg, json_t **result,
    struct al_errinfo *e)
{
    struct campaign_arg *g = arg;
    int64_t now = al_job_started(job), created = 0, tasks = 0, done = 0;
    char today[11];
    al_date_cst(now, today);
    struct al_arena a;
    al_arena_init(&a, 1 << 12);
    struct visit_campaign c;
    json_t *out = NULL;
    int rc = al_db_begin(db);
    if (rc == AL_OK && (rc = visit_store_campaign_get(db, &a, g->id, &c)) == AL_OK &&
        strcmp(today, c.end_date) > 0)
        rc = al_fail(e, AL_EUNPROC, "end_date", "专项探访已于 %s 结束，不能再生成任务", c.end_date);
    if (rc == AL_OK)
        rc = campaign_tasks(db, &a, job, &c, g->w.user_id, now, &created);
    if (rc == AL_OK)
        rc = visit_store_campaign_rate(db, c.region_code, c.id, &tasks, &done);
    if (rc == AL_OK) {
        out = json_pack("{s:I, s:I, s:I}", "id", (json_int_t)c.id, "tasks_created",
            (json_int_t)created, "tasks", (json_int_t)tasks);
        rc = gen_audit(db, &g->w, "visit.campaign_generate", "visit_campaign",
            al_arena_printf(&a, "%lld", (long long)c.id), out, now);
    }
    rc = al_db_end(db, rc);
    al_arena_fini(&a);
    return gen_end(db, job, &g->w, rc, out, result, e, "生成专项探访任务失败：数据库错误");
}

/*
 * RULE-VISIT-082: generating a campaign's tasks (RULE-VISIT-072) is a job:
 * 202 with it, followed through GET /api/v1/jobs/:id; one at a time for the
 * campaign's region (RULE-VISIT-083).
 */
static int
campaign_generate(struct al_req *r)
{
    struct visit_campaign c;
    bool manage;
    int rc = visible_campaign(r, &c, &manage);
    if (rc != AL_OK)
        return rc;
    if (!manage)
        return al_req_fail(r, AL_EPERM, NULL, "只能为本辖区组织的专项探访生成任务");
    if (strcmp(r->today, c.end_date) > 0)
        return al_req_fail(r, AL_EUNPROC, "end_date", "专项探访已于 %s 结束，不能再生成任务",
            c.end_date);
    struct campaign_arg g = {.id = c.id};
    int64_t job;
    if ((rc = gen_submit(r, "campaign", c.region_code, &g.w, "visit.campaign_generate",
             campaign_job, &g, sizeof(g), &job)) != AL_OK)
        return rc;
    return al_reply(r, 202, json_pack("{s:I, s:I}", "job_id", (json_int_t)job, "id",
                                (json_int_t)c.id));
}

static int
campaign_unvisited(struct al_req *r)
{
    struct visit_campaign c;
    bool manage;
    int64_t limit, offset, total = 0;
    int rc = visible_campaign(r, &c, &manage);
    if (rc == AL_OK)
        rc = al_query_limit(&r->query, &limit, &offset, &r->err);
    if (rc != AL_OK)
        return rc;
    json_t *items = json_array();
    if ((rc = visit_store_campaign_unvisited(r->db, r->arena, r->who->region_code, c.id, limit,
             offset, items, &total)) != AL_OK) {
        json_decref(items);
        return rc;
    }
    return al_reply_items(r, items, total);
}

static const struct al_route visit_routes[] = {
    {AL_GET, "/api/v1/visit-settings", settings_get, "visit.read", 0,
        "某地区生效的探访分级、频次和方式（含上级）"},
    {AL_PUT, "/api/v1/visit-settings/:tier", settings_put, "visit.manage", 0,
        "设置本级某一探访分级的对象类别、频次、方式和事件时限"},
    {AL_POST, "/api/v1/visit-tasks/generate", tasks_generate, "visit.manage", 0,
        "后台任务：重算探访分级并生成本期探访任务（重复执行不重复生成；同一地区同时只能有一个生成任务）"},
    {AL_GET, "/api/v1/visit-tasks", tasks_list, "visit.read", 0,
        "探访任务：本人（visitor=me）、今日及逾期（when=due）、逾期（when=overdue）"},
    {AL_POST, "/api/v1/visit-tasks", task_create, "visit.record", 0,
        "登记出院等事件，生成事件探访任务"},
    {AL_GET, "/api/v1/visit-targets/:id", target_get, "visit.read", 0,
        "某位老人的探访分级、探访人及指派记录"},
    {AL_PUT, "/api/v1/visit-targets/:id/condition", condition_put, "visit.record", 0,
        "登记或撤销老人危及生命的疾病或状况（高风险分级依据）"},
    {AL_POST, "/api/v1/visit-assignments", assign, "visit.manage", 0,
        "指派探访人（一位老人，或按村批量），保留历史"},
    {AL_POST, "/api/v1/visits", visit_create, "visit.record", 0,
        "登记探访记录（方式、位置核验、发现、需求和转介）"},
    {AL_GET, "/api/v1/visits", visits_list, "visit.read", 0, "探访记录"},
    {AL_GET, "/api/v1/visits/:id", visit_get, "visit.read", 0, "一条探访记录及其照片"},
    {AL_GET, "/api/v1/visit-needs", needs_list, "visit.read", 0, "需求和转介"},
    {AL_GET, "/api/v1/visit-needs/:id", need_get, "visit.read", 0, "需求详情及转介去向的状态"},
    {AL_POST, "/api/v1/visit-needs/:id/refer", need_refer, "visit.record", 0,
        "需求转介（能力评估、服务工单、床位、待遇核查）"},
    {AL_POST, "/api/v1/visit-needs/:id/close", need_close, "visit.manage", 0, "转介办结"},
    {AL_GET, "/api/v1/visit-campaigns", campaigns_list, "visit.read", 0,
        "专项探访（极端天气、节日）列表及各自在本辖区的探访率"},
    {AL_POST, "/api/v1/visit-campaigns", campaign_create, "visit.manage", 0,
        "新建专项探访（名称、时间窗口、覆盖分级和区划）"},
    {AL_GET, "/api/v1/visit-campaigns/:id", campaign_get, "visit.read", 0, "专项探访详情和探访率"},
    {AL_POST, "/api/v1/visit-campaigns/:id/generate", campaign_generate, "visit.manage", 0,
        "后台任务：生成专项探访任务（窗口内；重复执行不重复生成；同一地区同时只能有一个生成任务）"},
    {AL_GET, "/api/v1/visit-campaigns/:id/unvisited", campaign_unvisited, "visit.read", 0,
        "专项探访未探访名单"},
    {AL_GET, "/api/v1/visit-measures/rate", rate_get, "visit.read", 0,
        "月度探访率（分地区）"},
    {AL_GET, "/api/v1/visit-measures/unvisited/export", unvisited_export, "visit.read", 0,
        "导出当月未探访的老人（CSV/XLSX）"},
    {AL_GET, "/api/v1/visit-measures/unvisited", unvisited_list, "visit.read", 0,
        "当月未探访的老人"},
    {AL_GET, "/api/v1/visit-measures/referrals", referrals_get, "visit.read", 0,
        "转介办结率和办结用时"},
    {AL_GET, "/api/v1/visit-measures/helpers", helpers_get, "visit.read", 0,
        "各社区助老员配备（每社区 1 名，超过 500 位老人 2 名）"},
    {0},
};

static const struct al_job_kind visit_jobs[] = {
    {"visit.generate", generate_job},
    {"visit.campaign_generate", campaign_job},
    {0},
};

const struct al_module visit_module = {
    .name = "visit", .routes = visit_routes, .jobs = visit_jobs};
