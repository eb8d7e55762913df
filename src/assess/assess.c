/* Routes and thin handlers of the assess module. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "assess/assess.h"
#include "assess/assess_int.h"
#include "audit/audit.h"
#include "auth/auth.h"
#include "core/export.h"
#include "core/http.h"
#include "core/idcard.h"
#include "core/json.h"
#include "core/query.h"
#include "elder/elder.h"
#include "region/region.h"

static const char *
id_text(struct al_req *r, int64_t id)
{
    return al_arena_printf(r->arena, "%lld", (long long)id);
}

/*
 * The elder of an assessment, if the caller may see them (RULE-SCOPE-001:
 * else 404); their record status into *status when not NULL.
 */
static int
visible_elder(struct al_req *r, int64_t elder_id, const char **region, const char **status)
{
    int rc = elder_region_of(r->db, r->arena, elder_id, region, status);
    if (rc == AL_ENOTFOUND || (rc == AL_OK && !region_in_scope(r->who->region_code, *region)))
        return al_req_fail(r, AL_ENOTFOUND, "elder_id", "老年人档案不存在");
    return rc;
}

/*
 * RULE-ASSESS-021: visible_elder, and in the registry (active): an elder who
 * moved out, died or was cancelled is not assessed (409 naming the status).
 */
static int
assessable_elder(struct al_req *r, int64_t elder_id, const char **region, const char *what)
{
    const char *status = NULL;
    int rc = visible_elder(r, elder_id, region, &status);
    if (rc == AL_OK && !assess_elder_assessable(status))
        return al_req_fail(r, AL_ECONFLICT, "elder_id", "老人档案状态为“%s”，不能%s",
            assess_elder_status_name(status), what);
    return rc;
}

/* Assessment :id of the path, if the caller may see it (else 404, as a missing one). */
static int
visible_assessment(struct al_req *r, struct assess_row *row)
{
    int64_t id;
    int rc = al_req_param_id(r, "id", &id);
    if (rc == AL_OK)
        rc = assess_store_row(r->db, r->arena, id, row);
    if (rc == AL_ENOTFOUND ||
        (rc == AL_OK && !region_in_scope(r->who->region_code, row->region_code)))
        return al_req_fail(r, AL_ENOTFOUND, NULL, "评估记录不存在");
    return rc;
}

/* May the caller see item scores (assess.read), or the level only (assess.read_level)? */
static bool
reads_scores(struct al_req *r)
{
    return auth_role_has(r->db, r->who->role, "assess.read");
}

/* ---- reading the form ---- */

static bool
one_of(const char *v, const char *const *list, int n)
{
    for (int i = 0; i < n; i++)
        if (v && strcmp(v, list[i]) == 0)
            return true;
    return false;
}

static int
read_items(struct al_req *r, json_t *items, bool incomplete, struct assess_input *in,
    bool *complete)
{
    if (!json_is_array(items) || json_array_size(items) != ASSESS_ITEMS)
        return al_req_fail(r, AL_EINVAL, "items", "评估项目应为按标准顺序排列的 26 个整数");
    *complete = true;
    for (int i = 0; i < ASSESS_ITEMS; i++) {
        json_t *v = json_array_get(items, (size_t)i);
        const struct assess_item *it = &assess_items[i];
        if (json_is_null(v) && incomplete) {
            *complete = false; /* a draft saved as the assessor goes */
            continue;
        }
        if (!json_is_integer(v))
            return al_req_fail(r, AL_EINVAL, it->code, "%s %s 未填写或不是整数", it->code, it->name);
        json_int_t x = json_integer_value(v);
        if (x < 0 || x > it->max)
            return al_req_fail(r, AL_EINVAL, it->code, "%s %s 的得分应在 0 到 %d 之间", it->code,
                it->name, it->max);
        in->items[i] = (int)x;
    }
    return AL_OK;
}

/* A form part's failure names the member inside the part: "health.pain", "needs.daily_care". */
static int
in_part(struct al_req *r, const char *part, const char *key, int rc)
{
    if (rc != AL_OK)
        r->err.field = al_arena_printf(r->arena, "%s.%s", part, key);
    return rc;
}

/* RULE-FIELD-002: the health items, from assess_health_fields. */
static int
read_health(struct al_req *r, json_t *health)
{
    if (!health)
        return AL_OK;
    if (!json_is_object(health))
        return al_req_fail(r, AL_EINVAL, "health", "健康状况应为对象");
    const char *unknown = al_fields_unknown(health, assess_health_fields);
    if (unknown)
        return al_req_fail(r, AL_EINVAL, "health", "健康状况中没有“%s”这一项", unknown);
    int rc = al_fields_read(health, assess_health_fields, 0, json_object(), &r->err);
    return in_part(r, "health", r->err.field, rc);
}

/* RULE-FIELD-002: each area of needs is {needed, items, notes}, read from a table named for it. */
static int
read_needs(struct al_req *r, json_t *needs)
{
    if (!needs)
        return AL_OK;
    if (!json_is_object(needs))
        return al_req_fail(r, AL_EINVAL, "needs", "需求评估应为对象");
    const char *key;
    json_t *v;
    json_object_foreach(needs, key, v)
    {
        const struct assess_need *nd = NULL;
        for (int i = 0; i < ASSESS_NEEDS; i++)
            if (strcmp(assess_needs[i].key, key) == 0)
                nd = &assess_needs[i];
        if (!nd)
            return al_req_fail(r, AL_EINVAL, "needs", "需求评估中没有“%s”这一类", key);
        if (!json_is_object(v))
            return al_req_fail(r, AL_EINVAL, al_arena_printf(r->arena, "needs.%s", key),
                "%s应为对象（needed、items、notes）", nd->name);
        const struct al_field area[] = {
            {"needed", al_arena_printf(r->arena, "%s的 needed", nd->name), AL_FT_BOOL,
                AL_F_EXACT, .hint = " 应为是或否"},
            {"items", al_arena_printf(r->arena, "%s的服务项目", nd->name), AL_FT_TEXTS,
                AL_F_EXACT, .allowed = nd->options, .hint = "应为列表"},
            {"notes", "备注", AL_FT_TEXT, 0, .max = 500},
            {0},
        };
        int rc = al_fields_read(v, area, 0, json_object(), &r->err);
        if (rc != AL_OK)
            return in_part(r, "needs", key, rc);
    }
    return AL_OK;
}

/*
 * Read and check a whole form into `rec` (items in range, coma, diagnoses,
 * risk events, health, needs, place, date: not after `today`) and compute the
 * result when every item is there.  With `incomplete`, unanswered items may be null.
 */
static int
read_form(struct al_req *r, json_t *body, bool incomplete, const char *today,
    struct assess_record *rec)
{
    struct assess_input in;
    memset(&in, 0, sizeof(in));
    const char *reason;
    int rc = al_json_get_str(body, "reason", "评估原因", AL_REQUIRED, 1, 20, &reason, &r->err);
    if (rc != AL_OK)
        return rc;
    bool ok = false;
    for (int i = 0; i < ASSESS_REASONS; i++)
        ok = ok || !strcmp(reason, assess_reasons[i].id);
    if (!ok)
        return al_req_fail(r, AL_EINVAL, "reason",
            "评估原因应为 first（首次）、routine（常规）、immediate（即时）、reassessment（复评）或 other");
    rec->reason = reason;
    bool present = false;
    if ((rc = al_json_get_bool(body, "coma", "昏迷", 0, &in.coma, &present, &r->err)) != AL_OK)
        return rc;
    rec->coma = in.coma;
    json_t *items = json_object_get(body, "items");
    bool complete = in.coma;
    if (items && json_is_null(items))
        items = NULL;
    if (!in.coma || items) {
        if (!items && incomplete) {
            complete = false;
        } else {
            bool all = false;
            if ((rc = read_items(r, items, incomplete, &in, &all)) != AL_OK)
                return rc;
            complete = in.coma || all;
        }
    }
    rec->items = items;
    json_t *dx = json_object_get(body, "diagnoses");
    if (dx && !json_is_null(dx) && !json_is_array(dx))
        return al_req_fail(r, AL_EINVAL, "diagnoses", "疾病诊断应为 ICD-10 编码列表");
    size_t i;
    json_t *d;
    json_array_foreach(dx, i, d)
    {
        if (!json_is_string(d) ||
            assess_icd10(json_string_value(d), &in.dementia, &in.mental_disorder) != AL_OK)
            return al_req_fail(r, AL_EINVAL, "diagnoses",
                "疾病诊断第 %zu 项不是 ICD-10 编码或范围（如 F03、F03.9、F00-F03）", i + 1);
    }
    rec->diagnoses = json_is_array(dx) ? dx : NULL;
    json_t *risks = json_object_get(body, "risk_events");
    if (risks && !json_is_null(risks) && !json_is_object(risks))
        return al_req_fail(r, AL_EINVAL, "risk_events", "近 30 天照护风险事件应为对象");
    const char *key;
    json_t *v;
    json_object_foreach(risks, key, v)
    {
        bool known = false;
        for (int k = 0; k < ASSESS_RISKS; k++)
            known = known || !strcmp(key, assess_risk_keys[k]);
        if (!known)
            return al_req_fail(r, AL_EINVAL, "risk_events",
                "风险事件类型应为 fall、choking、self_harm、wandering 或 other");
    }
    for (int k = 0; k < ASSESS_RISKS && json_is_object(risks); k++) {
        int64_t n = 0;
        if ((rc = al_json_get_int(risks, assess_risk_keys[k], "风险事件次数", 0, 0, 3, &n, &present,
                 &r->err)) != AL_OK) {
            r->err.field = al_arena_printf(r->arena, "risk_events.%s", assess_risk_keys[k]);
            return rc;
        }
        in.risk_events[k] = (int)n;
    }
    rec->risks = json_is_object(risks) ? risks : NULL;
    json_t *health = json_object_get(body, "health"), *needs = json_object_get(body, "needs");
    if (json_is_null(health))
        health = NULL;
    if (json_is_null(needs))
        needs = NULL;
    if ((rc = read_health(r, health)) != AL_OK || (rc = read_needs(r, needs)) != AL_OK)
        return rc;
    rec->health = health;
    rec->needs = needs;
    if ((rc = al_json_get_str(body, "organisation", "评估机构", 0, 0, 100, &rec->organisation,
             &r->err)) != AL_OK ||
        (rc = al_json_get_str(body, "place", "评估地点", 0, 0, 100, &rec->place, &r->err)) != AL_OK ||
        (rc = al_json_get_str(body, "assessed_on", "评估日期", 0, 0, 10, &rec->assessed_on,
             &r->err)) != AL_OK)
        return rc;
    if (!rec->assessed_on || !*rec->assessed_on)
        rec->assessed_on = al_arena_strdup(r->arena, today);
    else if (!assess_date_ok(rec->assessed_on) || strcmp(rec->assessed_on, today) > 0)
        return al_req_fail(r, AL_EINVAL, "assessed_on", "评估日期应为不晚于今天的日期（YYYY-MM-DD）");
    rec->computed = complete;
    if (complete) {
        struct assess_settings s;
        if ((rc = assess_settings_load(r->db, &s)) != AL_OK)
            return rc;
        assess_compute(&in, &s, &rec->result);
    }
    return AL_OK;
}

static json_t *
result_json(const struct assess_record *rec)
{
    const struct assess_result *res = &rec->result;
    if (!rec->computed)
        return json_pack("{s:n, s:n, s:n, s:n, s:n, s:[]}", "total", "domain_scores",
            "preliminary_level", "final_level", "final_level_name", "rules");
    json_t *domains = json_object(), *rules = json_array();
    for (int i = 0; i < ASSESS_DOMAINS; i++)
        json_object_set_new(domains, assess_domain_names[i], json_integer(res->domain[i]));
    for (int i = 0; i < res->nrules; i++)
        json_array_append_new(rules, json_string(res->rules[i]));
    json_t *o = json_pack("{s:i, s:i, s:s, s:o}", "preliminary_level", res->preliminary,
        "final_level", res->final, "final_level_name", assess_level_names[res->final], "rules",
        rules);
    json_object_set_new(o, "total", rec->coma ? json_null() : json_integer(res->total));
    json_object_set_new(o, "domain_scores", rec->coma ? json_null() : domains);
    if (rec->coma)
        json_decref(domains);
    return o;
}

/* Audit + event for one step of assessment `id`, inside the caller's transaction. */
static int
record_step(struct al_req *r, int64_t now, int64_t id, const char *region, const char *action,
    const char *note, json_t *detail)
{
    int rc = assess_store_event(r->db, id, action, r->who->user_id, r->who->username, note, now);
    if (rc == AL_OK) {
        struct audit_entry e = {.action = al_arena_printf(r->arena, "assess.%s", action),
            .target_type = "assessment", .target_id = id_text(r, id), .region_code = region,
            .outcome = "success", .detail = detail};
        rc = audit_append(r, &e);
    }
    return rc;
}

/* ---- handlers ---- */

static int
assess_create(struct al_req *r)
{
    json_t *body;
    int64_t elder_id, request_id = 0;
    bool incomplete = false, present;
    const char *region;
    int rc = al_req_json(r, &body);
    if (rc == AL_OK)
        rc = al_json_get_int(body, "elder_id", "老人", AL_REQUIRED, 1, INT64_MAX, &elder_id, NULL,
            &r->err);
    if (rc == AL_OK)
        rc = al_json_get_bool(body, "incomplete", "未完成", 0, &incomplete, &present, &r->err);
    if (rc == AL_OK)
        rc = al_json_get_int(body, "request_id", "评估申请", 0, 1, INT64_MAX, &request_id, &present,
            &r->err);
    if (rc != AL_OK)
        return rc;
    struct assess_record rec = {.elder_id = elder_id, .user_id = r->who->user_id,
        .request_id = request_id};
    if ((rc = read_form(r, body, incomplete, r->today, &rec)) != AL_OK)
        return rc;
    if ((rc = assessable_elder(r, elder_id, &region, "新建评估")) != AL_OK)
        return rc;
    rec.region_code = region;
    /* RULE-ASSESS-014: an assessment answering a request must be for its elder; a
     * re-assessment answers the request a dispute opened. */
    if (request_id) {
        struct assess_request q;
        const char *status;
        rc = assess_store_request_get(r->db, r->arena, request_id, &q, &status);
        if (rc == AL_ENOTFOUND || (rc == AL_OK && q.elder_id != elder_id))
            return al_req_fail(r, AL_EINVAL, "request_id", "评估申请不存在或不是这位老人的");
        if (rc != AL_OK)
            return rc;
        if (strcmp(status, "open") != 0)
            return al_req_fail(r, AL_ECONFLICT, "request_id", "该评估申请已经完成");
        rec.supersedes_id = q.disputed_id;
    }
    if (!strcmp(rec.reason, "reassessment") && !rec.supersedes_id)
        return al_req_fail(r, AL_EINVAL, "request_id", "复评须关联异议产生的评估申请（request_id）");
    int64_t id = 0;
    if ((rc = al_db_begin(r->db)) != AL_OK)
        return rc;
    rc = assess_store_insert(r->db, &rec, r->now, &id);
    if (rc == AL_OK)
        rc = record_step(r, r->now, id, region, "create", NULL,
            json_pack("{s:I, s:s, s:b}", "elder_id", (json_int_t)elder_id, "reason", rec.reason,
                "complete", rec.computed));
    if ((rc = al_db_end(r->db, rc)) != AL_OK)
        return rc;
    json_t *out = result_json(&rec);
    json_object_set_new(out, "id", json_integer(id));
    json_object_set_new(out, "elder_id", json_integer(elder_id));
    json_object_set_new(out, "status", json_string("draft"));
    json_object_set_new(out, "version", json_integer(1));
    json_object_set_new(out, "assessed_on", json_string(rec.assessed_on));
    return al_reply(r, 201, out);
}

static int
wrong_state(struct al_req *r, const char *status, const char *what)
{
    return al_req_fail(r, AL_ECONFLICT, "status", "该评估当前为“%s”，不能%s",
        assess_status_name(status), what);
}

/* The version a step applies to: required, and the current one (else 409). */
static int
read_version(struct al_req *r, json_t *body, const struct assess_row *row)
{
    int64_t version;
    int rc = al_json_get_int(body, "version", "版本", AL_REQUIRED, 1, INT64_MAX, &version, NULL,
        &r->err);
    if (rc == AL_OK && version != row->version)
        return al_req_fail(r, AL_ECONFLICT, "version", "评估已被他人修改，请刷新后重试");
    return rc;
}

/*
 * What every step on an assessment starts with: the assessment of the path, if
 * the caller may see it (else 404), and the body naming its current version
 * (else 400, or 409 when stale).
 */
static int
step_target(struct al_req *r, struct assess_row *row, json_t **body)
{
    int rc = visible_assessment(r, row);
    if (rc == AL_OK)
        rc = al_req_json(r, body);
    if (rc == AL_OK)
        rc = read_version(r, *body, row);
    return rc;
}

static int
assess_patch(struct al_req *r)
{
    struct assess_row row;
    json_t *body;
    int rc = step_target(r, &row, &body);
    if (rc != AL_OK)
        return rc;
    if (!assess_next_status(row.status, ASSESS_STEP_SAVE))
        return wrong_state(r, row.status, "修改");
    /* The stored form, then what the request changes (fields it leaves out stay). */
    json_t *merged = json_object();
    const char *key;
    json_t *v;
    json_object_foreach(row.form_json, key, v)
    {
        json_t *parsed = json_is_string(v) && strcmp(key, "organisation") && strcmp(key, "place")
                             ? json_loads(json_string_value(v), 0, NULL)
                             : json_incref(v);
        json_object_set_new(merged, key, parsed ? parsed : json_null());
    }
    json_object_set_new(merged, "reason", json_string(row.reason));
    json_object_set_new(merged, "coma", json_boolean(row.coma));
    if (row.assessed_on)
        json_object_set_new(merged, "assessed_on", json_string(row.assessed_on));
    json_object_update(merged, body);
    struct assess_record rec = {.elder_id = row.elder_id, .region_code = row.region_code};
    if ((rc = read_form(r, merged, true, r->today, &rec)) != AL_OK)
        return rc;
    int count = 0;
    bool mine = false, changed = false;
    if ((rc = al_db_begin(r->db)) != AL_OK)
        return rc;
    rc = assess_store_update_form(r->db, row.id, row.version, &rec, r->now, &changed);
    if (rc == AL_ECONFLICT)
        al_req_fail(r, AL_ECONFLICT, "version", "评估已被他人修改，请刷新后重试");
    /* RULE-ASSESS-011: a signature covers what was signed; a change voids them. */
    if (rc == AL_OK && changed)
        rc = assess_store_signed(r->db, row.id, 0, &count, &mine);
    if (rc == AL_OK && count)
        rc = assess_store_clear_signatures(r->db, row.id);
    /* RULE-AUDIT-002: the rewrite (and the signatures it voids) is audited with its event. */
    if (rc == AL_OK && changed)
        rc = record_step(r, r->now, row.id, row.region_code, "save",
            count ? "修改后原有签名作废" : NULL, json_pack("{s:i}", "signatures_cleared", count));
    if ((rc = al_db_end(r->db, rc)) != AL_OK)
        return rc;
    json_t *out = result_json(&rec);
    json_object_set_new(out, "id", json_integer(row.id));
    json_object_set_new(out, "status", json_string("draft"));
    json_object_set_new(out, "version", json_integer(row.version + (changed ? 1 : 0)));
    json_object_set_new(out, "changed", json_boolean(changed));
    json_object_set_new(out, "signatures_cleared", json_integer(count));
    return al_reply(r, 200, out);
}

static int
assess_get(struct al_req *r)
{
    struct assess_row row;
    int rc = visible_assessment(r, &row);
    if (rc != AL_OK)
        return rc;
    bool full = reads_scores(r);
    /* RULE-ASSESS-018: level-only readers see results, not assessments under way. */
    if (!full && !assess_is_result(row.status))
        return al_req_fail(r, AL_ENOTFOUND, NULL, "评估记录不存在");
    json_t *out = NULL;
    if ((rc = assess_store_get_json(r->db, r->arena, row.id, full, &out)) != AL_OK)
        return rc;
    return al_reply(r, 200, out);
}

/* The filters of the assessment list (and its export), checked. */
static int
list_filter(struct al_req *r, struct assess_filter *out)
{
    struct assess_filter f = {.scope = r->who->region_code,
        .status = al_query_opt(&r->query, "status"), .reason = al_query_opt(&r->query, "reason"),
        .region = al_query_opt(&r->query, "region"), .q = al_query_opt(&r->query, "q"),
        .results_only = !reads_scores(r)};
    if (f.status && !assess_status_valid(f.status))
        return al_req_fail(r, AL_EINVAL, "status",
            "状态应为 draft、submitted、reviewed、published、disputed 或 superseded");
    bool known = !f.reason;
    for (int i = 0; i < ASSESS_REASONS && !known; i++)
        known = !strcmp(f.reason, assess_reasons[i].id);
    if (!known)
        return al_req_fail(r, AL_EINVAL, "reason",
            "评估原因应为 first、routine、immediate、reassessment 或 other");
    if (f.region && !region_level(f.region))
        return al_req_fail(r, AL_EINVAL, "region", "区划代码应为 2、4、6、9 或 12 位数字");
    if (f.q && al_utf8_len(f.q, strlen(f.q)) > 50)
        return al_req_fail(r, AL_EINVAL, "q", "姓名最多 50 个字");
    *out = f;
    return AL_OK;
}

static int
assess_list(struct al_req *r)
{
    struct assess_filter f;
    int64_t page, size, total = 0;
    int rc = al_query_page(&r->query, &page, &size, &r->err);
    if (rc == AL_OK)
        rc = list_filter(r, &f);
    if (rc != AL_OK)
        return rc;
    f.limit = size;
    f.offset = (page - 1) * size;
    json_t *items = json_array();
    if ((rc = assess_store_list(r->db, r->arena, &f, items, &total)) != AL_OK)
        return rc;
    return al_reply(r, 200, json_pack("{s:o, s:I, s:I, s:I}", "items", items, "total",
                                (json_int_t)total, "page", (json_int_t)page, "page_size",
                                (json_int_t)size));
}

/* 3 级 · 中度失能, or 未完成 without a final level. */
static const char *
xcell_level(struct al_export_cell *c)
{
    if (al_stmt_null(c->st, c->col))
        return "未完成";
    int64_t level = al_stmt_int(c->st, c->col);
    snprintf(c->buf, c->size, "%lld 级 · %s", (long long)level,
        level >= 0 && level < 5 ? assess_level_names[level] : "");
    return c->buf;
}

static const char *
xcell_status(struct al_export_cell *c)
{
    return assess_status_name(al_stmt_text(c->st, c->col));
}

static const struct al_export_col export_cols[] = {AL_XCOL("编号", ASSESS_X_ID),
    AL_XCOL("姓名", ASSESS_X_ELDER_NAME), AL_XCOL("评估日期", ASSESS_X_ASSESSED_ON),
    AL_XCOLF("评估等级", ASSESS_X_FINAL_LEVEL, xcell_level),
    AL_XCOLF("状态", ASSESS_X_STATUS, xcell_status), AL_XCOL("有效期至", ASSESS_X_VALID_UNTIL),
    AL_XCOL_END};

#define EXPORT_PAGE 500

struct export_ctx {
    struct al_req *r;
    const struct assess_filter *f;
};

static struct al_stmt *
export_page(void *ctx, const char *const *after)
{
    struct export_ctx *x = ctx;
    return assess_store_export_page(x->r->db, x->r->arena, x->f, after ? after[0] : NULL,
        EXPORT_PAGE);
}

/* RULE-UI-005: the assessment list, filtered as on the page, as CSV or XLSX; audited. */
static int
assess_export(struct al_req *r)
{
    struct assess_filter f;
    const char *format;
    int64_t total = 0;
    int rc = al_export_format(r, &format);
    if (rc == AL_OK)
        rc = list_filter(r, &f);
    json_t *items = json_array();
    f.limit = 0;
    f.offset = 0;
    if (rc == AL_OK)
        rc = assess_store_list(r->db, r->arena, &f, items, &total); /* the count */
    json_decref(items);
    if (rc == AL_OK) {
        struct audit_entry e = {.action = "assess.export", .target_type = "assessment",
            .region_code = r->who->region_code, .outcome = "success",
            .detail = json_pack("{s:s, s:s?, s:s?, s:I}", "format", format, "status", f.status,
                "q", f.q, "rows", (json_int_t)total)};
        rc = audit_append(r, &e);
    }
    if (rc != AL_OK)
        return rc;
    struct al_export_list l = {.title = "评估记录", .name = "评估记录", .cols = export_cols,
        .page = export_page, .ctx = al_arena_memdup(r->arena, /* RULE-DB-113 */
            &(struct export_ctx){r, al_arena_memdup(r->arena, &f, sizeof(f))},
            sizeof(struct export_ctx)), .key_col = ASSESS_X_ID,
        .nkeys = 1, .page_rows = EXPORT_PAGE};
    return al_export_list(r, format, &l, NULL);
}

static int
assess_history(struct al_req *r)
{
    int64_t elder_id;
    const char *region;
    int rc = al_req_param_id(r, "id", &elder_id);
    if (rc == AL_OK)
        rc = visible_elder(r, elder_id, &region, NULL);
    if (rc != AL_OK)
        return rc;
    json_t *items = json_array();
    if ((rc = assess_store_history(r->db, r->arena, elder_id, reads_scores(r), items)) != AL_OK)
        return rc;
    return al_reply_items(r, items, -1);
}

/* RULE-ASSESS-011: sign as one of the assessors, with a qualification valid today. */
static int
assess_sign(struct al_req *r)
{
    struct assess_row row;
    json_t *body;
    int rc = step_target(r, &row, &body);
    if (rc != AL_OK)
        return rc;
    if (!assess_next_status(row.status, ASSESS_STEP_SIGN))
        return wrong_state(r, row.status, "签名");
    const char *cert, *expires;
    rc = assess_store_qualification(r->db, r->arena, r->who->user_id, &cert, &expires);
    if (rc == AL_ENOTFOUND)
        return al_req_fail(r, AL_EPERM, NULL, "未登记评估员资格，不能签名；请联系民政部门登记资格证书");
    if (rc != AL_OK)
        return rc;
    if (!assess_qualified(expires, r->today))
        return al_req_fail(r, AL_EPERM, NULL, "评估员资格已于 %s 到期，不能签名", expires);
    struct assess_settings s;
    int count = 0, count_disputed = 0;
    bool mine = false, signed_disputed = false;
    if ((rc = assess_settings_load(r->db, &s)) != AL_OK ||
        (rc = assess_store_signed(r->db, row.id, r->who->user_id, &count, &mine)) != AL_OK)
        return rc;
    if (mine)
        return al_req_fail(r, AL_ECONFLICT, NULL, "您已经签过名");
    if (count >= s.assessors)
        return al_req_fail(r, AL_ECONFLICT, NULL, "已有 %d 位评估员签名", count);
    if (row.supersedes_id &&
        (rc = assess_store_signed(r->db, row.supersedes_id, r->who->user_id, &count_disputed,
             &signed_disputed)) != AL_OK)
        return rc;
    if (signed_disputed)
        return al_req_fail(r, AL_ECONFLICT, NULL, "复评须由原评估以外的评估员完成，您签过被异议的评估");
    if ((rc = al_db_begin(r->db)) != AL_OK)
        return rc;
    rc = assess_store_sign(r->db, row.id, r->who->user_id, cert, r->now);
    if (rc == AL_ECONFLICT)
        al_req_fail(r, AL_ECONFLICT, NULL, "您已经签过名");
    if (rc == AL_OK)
        rc = assess_store_set_status(r->db, row.id, row.version, row.status, NULL, r->now);
    if (rc == AL_OK)
        rc = record_step(r, r->now, row.id, row.region_code, "sign", cert,
            json_pack("{s:s}", "certificate_no", cert));
    if ((rc = al_db_end(r->db, rc)) != AL_OK)
        return rc;
    return al_reply(r, 200, json_pack("{s:I, s:I, s:i, s:i}", "id", (json_int_t)row.id, "version",
                                (json_int_t)row.version + 1, "signatures", count + 1, "required",
                                s.assessors));
}

static int
assess_submit(struct al_req *r)
{
    struct assess_row row;
    json_t *body;
    int rc = step_target(r, &row, &body);
    if (rc != AL_OK)
        return rc;
    const char *next = assess_next_status(row.status, ASSESS_STEP_SUBMIT);
    if (!next)
        return wrong_state(r, row.status, "提交");
    if (!row.complete)
        return al_req_fail(r, AL_ECONFLICT, "items", "还有评估项目未填写，不能提交");
    struct assess_settings s;
    int count = 0;
    bool mine = false;
    if ((rc = assess_settings_load(r->db, &s)) != AL_OK ||
        (rc = assess_store_signed(r->db, row.id, 0, &count, &mine)) != AL_OK)
        return rc;
    if (count < s.assessors)
        return al_req_fail(r, AL_ECONFLICT, "signatures", "需要 %d 位评估员签名，目前 %d 位",
            s.assessors, count);
    if ((rc = al_db_begin(r->db)) != AL_OK)
        return rc;
    rc = assess_store_set_status(r->db, row.id, row.version, next, NULL, r->now);
    if (rc == AL_OK)
        rc = record_step(r, r->now, row.id, row.region_code, "submit", NULL, NULL);
    if ((rc = al_db_end(r->db, rc)) != AL_OK)
        return rc;
    return al_reply(r, 200, json_pack("{s:I, s:s, s:I}", "id", (json_int_t)row.id, "status", next,
                                "version", (json_int_t)row.version + 1));
}

static int
assess_review(struct al_req *r)
{
    struct assess_row row;
    json_t *body;
    const char *decision, *note;
    int rc = step_target(r, &row, &body);
    if (rc == AL_OK)
        rc = al_json_get_str(body, "decision", "审核结论", AL_REQUIRED, 1, 10, &decision, &r->err);
    if (rc == AL_OK)
        rc = al_json_get_str(body, "note", "审核意见", 0, 0, 500, &note, &r->err);
    if (rc != AL_OK)
        return rc;
    bool approve = !strcmp(decision, "approve");
    if (!approve && strcmp(decision, "return") != 0)
        return al_req_fail(r, AL_EINVAL, "decision", "审核结论应为 approve（通过）或 return（退回）");
    if (!approve && (!note || !*note))
        return al_req_fail(r, AL_EINVAL, "note", "退回时请填写审核意见");
    const char *next =
        assess_next_status(row.status, approve ? ASSESS_STEP_APPROVE : ASSESS_STEP_RETURN);
    if (!next)
        return wrong_state(r, row.status, "审核");
    struct assess_status_extra x = {.review_note = note};
    if ((rc = al_db_begin(r->db)) != AL_OK)
        return rc;
    rc = assess_store_set_status(r->db, row.id, row.version, next, &x, r->now);
    /* Returned for correction: the assessors sign again what they change. */
    if (rc == AL_OK && !approve)
        rc = assess_store_clear_signatures(r->db, row.id);
    if (rc == AL_OK)
        rc = record_step(r, r->now, row.id, row.region_code, approve ? "approve" : "return", note,
            NULL);
    if ((rc = al_db_end(r->db, rc)) != AL_OK)
        return rc;
    return al_reply(r, 200, json_pack("{s:I, s:s, s:I}", "id", (json_int_t)row.id, "status", next,
                                "version", (json_int_t)row.version + 1));
}

/*
 * RULE-ASSESS-015: publishing sets the elder's ability level and the categories
 * derived from it, with the assessment as their evidence, in the same
 * transaction; the validity starts; earlier results are superseded.
 */
static int
assess_publish(struct al_req *r)
{
    struct assess_row row;
    json_t *body;
    int rc = step_target(r, &row, &body);
    if (rc != AL_OK)
        return rc;
    const char *next = assess_next_status(row.status, ASSESS_STEP_PUBLISH);
    if (!next)
        return wrong_state(r, row.status, "发布");
    const char *region;
    if ((rc = assessable_elder(r, row.elder_id, &region, "发布评估结果")) != AL_OK)
        return rc;
    struct assess_settings s;
    if ((rc = assess_settings_load(r->db, &s)) != AL_OK)
        return rc;
    char until[11];
    if (!row.assessed_on || !assess_valid_until(row.assessed_on, s.validity_months, until))
        return al_req_fail(r, AL_ECONFLICT, "assessed_on", "评估日期无效，不能发布");
    struct assess_status_extra x = {.valid_until = until, .published = true};
    const char *ref = al_arena_printf(r->arena, "assessment:%lld", (long long)row.id);
    struct elder_evidence ev = {"assessment", ref, row.assessed_on};
    int64_t later_id = 0;
    const char *later_on = NULL;
    if ((rc = al_db_begin(r->db)) != AL_OK)
        return rc;
    /* RULE-ASSESS-019: an older result never replaces a later one in force. */
    rc = assess_store_later_result(r->db, r->arena, row.elder_id, row.id, row.assessed_on,
        &later_id, &later_on);
    if (rc == AL_OK && later_id)
        rc = al_req_fail(r, AL_ECONFLICT, "assessed_on",
            "这位老人已有评估日期更晚（%s）的评估结果 #%lld，不能发布较早的评估", later_on,
            (long long)later_id);
    if (rc == AL_OK)
        rc = assess_store_set_status(r->db, row.id, row.version, next, &x, r->now);
    if (rc == AL_OK)
        rc = assess_store_supersede(r->db, row.elder_id, row.id, r->who->user_id,
            r->who->username, r->now);
    if (rc == AL_OK && row.request_id)
        rc = assess_store_request_done(r->db, row.request_id, row.id, r->now);
    if (rc == AL_OK) {
        json_t *set = json_pack("{s:i}", "ability_level", row.final_level);
        rc = elder_apply(r->db, r->arena, row.elder_id, set, &ev, r->who->user_id,
            r->who->username, "assessment", r->now, NULL);
        json_decref(set);
    }
    if (rc == AL_OK)
        rc = record_step(r, r->now, row.id, row.region_code, "publish", until,
            json_pack("{s:I, s:i, s:s}", "elder_id", (json_int_t)row.elder_id, "final_level",
                row.final_level, "valid_until", until));
    if ((rc = al_db_end(r->db, rc)) != AL_OK)
        return rc;
    return al_reply(r, 200, json_pack("{s:I, s:s, s:I, s:s, s:i}", "id", (json_int_t)row.id,
                                "status", next, "version", (json_int_t)row.version + 1,
                                "valid_until", until, "final_level", row.final_level));
}

/* RULE-ASSESS-016: a dispute keeps the result in the history and opens a re-assessment. */
static int
assess_dispute(struct al_req *r)
{
    struct assess_row row;
    json_t *body;
    const char *reason;
    int rc = step_target(r, &row, &body);
    if (rc == AL_OK)
        rc = al_json_get_str(body, "reason", "异议理由", AL_REQUIRED, 2, 500, &reason, &r->err);
    if (rc != AL_OK)
        return rc;
    const char *next = assess_next_status(row.status, ASSESS_STEP_DISPUTE);
    if (!next)
        return wrong_state(r, row.status, "登记异议");
    const char *region;
    if ((rc = assessable_elder(r, row.elder_id, &region, "登记异议（无法复评）")) != AL_OK)
        return rc;
    int64_t request_id = 0;
    struct assess_status_extra x = {.disputed_reason = reason};
    struct assess_request q = {.elder_id = row.elder_id, .disputed_id = row.id,
        .user_id = r->who->user_id, .region_code = row.region_code, .reason = "reassessment",
        .source = "dispute", .note = reason};
    if ((rc = al_db_begin(r->db)) != AL_OK)
        return rc;
    rc = assess_store_set_status(r->db, row.id, row.version, next, &x, r->now);
    if (rc == AL_OK)
        rc = assess_store_request_create(r->db, &q, r->now, &request_id);
    if (rc == AL_OK)
        rc = record_step(r, r->now, row.id, row.region_code, "dispute", reason,
            json_pack("{s:I}", "request_id", (json_int_t)request_id));
    if ((rc = al_db_end(r->db, rc)) != AL_OK)
        return rc;
    return al_reply(r, 200, json_pack("{s:I, s:s, s:I, s:I}", "id", (json_int_t)row.id, "status",
                                next, "version", (json_int_t)row.version + 1, "request_id",
                                (json_int_t)request_id));
}

/*
 * The due list's filter: the window (within_days) and the scope it reads — the
 * caller's, narrowed by `region` — or NULL when `region` lies outside it (an
 * empty list).  AL_OK, or a 400 naming the field.
 */
static int
due_filter(struct al_req *r, int64_t *window, const char **scope)
{
    *scope = r->who->region_code;
    int rc = al_query_int(&r->query, "within_days", "天数", 0, 365, 30, window, &r->err);
    if (rc != AL_OK)
        return rc;
    const char *region = al_query_opt(&r->query, "region");
    if (region && !region_level(region))
        return al_req_fail(r, AL_EINVAL, "region", "区划代码应为 2、4、6、9 或 12 位数字");
    if (region && region_in_scope(r->who->region_code, region))
        *scope = region;
    else if (region && !region_in_scope(region, r->who->region_code))
        *scope = NULL;
    return AL_OK;
}

/*
 * RULE-ASSESS-013: the due list within the caller's scope (a narrower `region`
 * filters, a broader one changes nothing, one beside it is empty, as in the
 * list): open requests first, then the results by end of validity.  New array
 * in *items.
 */
static int
due_items(struct al_req *r, int64_t *window, json_t **items)
{
    *items = NULL;
    const char *scope;
    int rc = due_filter(r, window, &scope);
    if (rc != AL_OK)
        return rc;
    *items = json_array();
    if (!scope)
        return AL_OK;
    json_t *requests = json_array();
    if ((rc = assess_store_requests(r->db, r->arena, scope, "open", true, requests)) != AL_OK) {
        json_decref(requests);
        return rc;
    }
    size_t i;
    json_t *q;
    json_array_foreach(requests, i, q)
        json_object_set_new(q, "kind", json_string("request"));
    json_array_extend(*items, requests);
    json_decref(requests);
    return assess_store_due(r->db, scope, r->today, (int)*window, *items);
}

/* RULE-UI-002: the due list pages (page, page_size), its total the whole list's. */
static int
assess_due(struct al_req *r)
{
    int64_t window, page, size;
    json_t *all = NULL;
    int rc = al_query_page(&r->query, &page, &size, &r->err);
    if (rc == AL_OK)
        rc = due_items(r, &window, &all);
    if (rc != AL_OK) {
        json_decref(all);
        return rc;
    }
    json_t *items = json_array();
    size_t n = json_array_size(all);
    for (size_t i = (size_t)((page - 1) * size); i < n && i < (size_t)(page * size); i++)
        json_array_append(items, json_array_get(all, i));
    json_decref(all);
    return al_reply(r, 200, json_pack("{s:o, s:I, s:I, s:I, s:s, s:I}", "items", items, "total",
                                (json_int_t)n, "page", (json_int_t)page, "page_size",
                                (json_int_t)size, "today", r->today, "within_days",
                                (json_int_t)window));
}

/* ---- the due list exported (RULE-UI-002): its requests, then its results ---- */

static const char *
xcell_request_kind(struct al_export_cell *c)
{
    const char *v = al_stmt_text(c->st, c->col);
    return v && !strcmp(v, "reassessment") ? "异议复评" : "即时评估";
}

/* Who asked, in Chinese, and the note: 家属或本人提出异议：… */
static const char *
xcell_request_note(struct al_export_cell *c)
{
    static const char *const sources[][2] = {{"dispute", "家属或本人提出异议"},
        {"officer", "工作人员申请"}, {"alarm", "报警后状况变化"}, {"visit", "探访发现状况变化"},
        {"family", "家属申请"}};
    const char *src = al_stmt_text(c->st, ASSESS_RQ_SOURCE), *note = al_stmt_text(c->st, c->col);
    src = src ? src : "";
    for (size_t k = 0; k < sizeof(sources) / sizeof(sources[0]); k++)
        if (!strcmp(sources[k][0], src))
            src = sources[k][1];
    return note && *note ? al_arena_printf(c->a, "%s：%s", src, note) : src;
}

static const char *
xcell_empty(struct al_export_cell *c)
{
    (void)c;
    return NULL;
}

/* What the due cells read: the window and the request's date. */
struct due_on {
    int64_t window;
    const char *today;
};

/* RULE-ASSESS-013 on the request's date: the days left (negative: past). */
static enum assess_due
due_days(struct al_export_cell *c, long *days)
{
    const struct due_on *on = c->user;
    *days = 0;
    return assess_due_state(al_stmt_text(c->st, ASSESS_DX_VALID_UNTIL), on->today,
        (int)on->window, days);
}

static const char *
xcell_due_kind(struct al_export_cell *c)
{
    long days;
    return due_days(c, &days) == ASSESS_DUE_EXPIRED ? "已过期" : "即将到期";
}

static const char *
xcell_due_days(struct al_export_cell *c)
{
    long days;
    bool expired = due_days(c, &days) == ASSESS_DUE_EXPIRED;
    snprintf(c->buf, c->size, expired ? "已过 %ld 天" : "还有 %ld 天", expired ? -days : days);
    return c->buf;
}

static const char *const due_headers[] = {"序号", "类型", "姓名", "村（社区）", "评估等级",
    "有效期至", "说明"};
static const struct al_export_col due_request_cols[] = {AL_XCOLF(due_headers[0], 0,
    al_xcell_row_number), AL_XCOLF(due_headers[1], ASSESS_RQ_REASON, xcell_request_kind),
    AL_XCOL(due_headers[2], ASSESS_RQ_ELDER_NAME), AL_XCOL(due_headers[3], ASSESS_RQ_REGION_NAME),
    AL_XCOLF(due_headers[4], 0, xcell_empty), AL_XCOLF(due_headers[5], 0, xcell_empty),
    AL_XCOLF(due_headers[6], ASSESS_RQ_NOTE, xcell_request_note), AL_XCOL_END};
static const struct al_export_col due_result_cols[] = {AL_XCOLF(due_headers[0], 0,
    al_xcell_row_number), AL_XCOLF(due_headers[1], 0, xcell_due_kind),
    AL_XCOL(due_headers[2], ASSESS_DX_ELDER_NAME), AL_XCOL(due_headers[3], ASSESS_DX_REGION_NAME),
    AL_XCOLF(due_headers[4], ASSESS_DX_FINAL_LEVEL, xcell_level),
    AL_XCOL(due_headers[5], ASSESS_DX_VALID_UNTIL),
    AL_XCOLF(due_headers[6], 0, xcell_due_days), AL_XCOL_END};

/*
 * RULE-UI-002: the due list as CSV or XLSX, as the page shows it (its open
 * requests, then the results due), every row; audited with the row count.
 */
static int
assess_due_export(struct al_req *r)
{
    int64_t window;
    const char *format, *scope;
    int rc = al_export_format(r, &format);
    if (rc == AL_OK)
        rc = due_filter(r, &window, &scope);
    if (rc != AL_OK)
        return rc;
    const char *title = al_arena_printf(r->arena, "到期复评与评估申请（%lld 天内到期或已过期）",
        (long long)window);
    struct al_export *x = NULL;
    if ((rc = al_export_open(r, format, title, 7, due_headers, &x)) != AL_OK)
        return rc;
    struct due_on on = {window, r->today};
    if (scope)
        rc = al_export_stmt(x, assess_store_requests_stmt(r->db, scope, "open", true),
            due_request_cols, NULL);
    if (scope && rc == AL_OK)
        rc = al_export_stmt(x, assess_store_due_stmt(r->db, scope, r->today, (int)window),
            due_result_cols, &on);
    if (rc == AL_OK) {
        const char *region = al_query_opt(&r->query, "region");
        struct audit_entry e = {.action = "assess.due_export", .target_type = "assessment",
            .region_code = r->who->region_code, .outcome = "success",
            .detail = json_pack("{s:s, s:I, s:s?, s:I}", "format", format, "within_days",
                (json_int_t)window, "region", region, "rows", (json_int_t)al_export_rows(x))};
        rc = audit_append(r, &e);
    }
    if (rc != AL_OK) {
        al_export_abort(x);
        return rc;
    }
    return al_export_reply(x, al_arena_printf(r->arena, "到期复评-%s", r->today));
}

static int
request_create(struct al_req *r)
{
    json_t *body;
    int64_t elder_id, id = 0;
    const char *reason, *source, *note, *region;
    int rc = al_req_json(r, &body);
    if (rc == AL_OK)
        rc = al_json_get_int(body, "elder_id", "老人", AL_REQUIRED, 1, INT64_MAX, &elder_id, NULL,
            &r->err);
    if (rc == AL_OK)
        rc = al_json_get_str(body, "reason", "申请原因", AL_REQUIRED, 1, 20, &reason, &r->err);
    if (rc == AL_OK)
        rc = al_json_get_str(body, "source", "来源", 0, 0, 20, &source, &r->err);
    if (rc == AL_OK)
        rc = al_json_get_str(body, "note", "说明", 0, 0, 500, &note, &r->err);
    if (rc != AL_OK)
        return rc;
    if (strcmp(reason, "immediate") != 0)
        return al_req_fail(r, AL_EINVAL, "reason",
            "申请原因应为 immediate（状况变化，即时评估）；复评由登记异议产生");
    static const char *const sources[] = {"officer", "alarm", "visit", "family"};
    if (!source || !*source)
        source = "officer";
    if (!one_of(source, sources, 4))
        return al_req_fail(r, AL_EINVAL, "source", "来源应为 officer、alarm、visit 或 family");
    if ((rc = assessable_elder(r, elder_id, &region, "申请评估")) != AL_OK)
        return rc;
    struct assess_request q = {.elder_id = elder_id, .user_id = r->who->user_id,
        .region_code = region, .reason = reason, .source = source, .note = note};
    if ((rc = al_db_begin(r->db)) != AL_OK)
        return rc;
    rc = assess_store_request_create(r->db, &q, r->now, &id);
    if (rc == AL_OK) {
        struct audit_entry e = {.action = "assess.request", .target_type = "elder",
            .target_id = id_text(r, elder_id), .region_code = region, .outcome = "success",
            .detail = json_pack("{s:I, s:s}", "request_id", (json_int_t)id, "source", source)};
        rc = audit_append(r, &e);
    }
    if ((rc = al_db_end(r->db, rc)) != AL_OK)
        return rc;
    return al_reply(r, 201, json_pack("{s:I, s:I, s:s, s:s, s:s}", "id", (json_int_t)id,
                                "elder_id", (json_int_t)elder_id, "reason", reason, "source",
                                source, "status", "open"));
}

static int
request_list(struct al_req *r)
{
    const char *status = al_query_opt(&r->query, "status");
    if (status && strcmp(status, "open") && strcmp(status, "done"))
        return al_req_fail(r, AL_EINVAL, "status", "状态应为 open 或 done");
    json_t *items = json_array();
    int rc = assess_store_requests(r->db, r->arena, r->who->region_code, status, false, items);
    if (rc != AL_OK)
        return rc;
    return al_reply_items(r, items, -1);
}

static int
assessors_list(struct al_req *r)
{
    json_t *items = json_array();
    int rc = assess_store_assessors(r->db, r->who->region_code, r->today, items);
    if (rc != AL_OK)
        return rc;
    return al_reply_items(r, items, -1);
}

static int
qualify(struct al_req *r)
{
    int64_t user_id;
    json_t *body;
    const char *cert, *org, *expires, *region;
    bool assessor = false;
    int rc = al_req_param_id(r, "id", &user_id);
    if (rc == AL_OK)
        rc = al_req_json(r, &body);
    if (rc == AL_OK)
        rc = al_json_get_str(body, "certificate_no", "资格证书编号", AL_REQUIRED, 2, 40, &cert,
            &r->err);
    if (rc == AL_OK)
        rc = al_json_get_str(body, "organisation", "发证机构", 0, 0, 100, &org, &r->err);
    if (rc == AL_OK)
        rc = al_json_get_str(body, "expires_on", "有效期至", AL_REQUIRED, 10, 10, &expires, &r->err);
    if (rc != AL_OK)
        return rc;
    if (!assess_date_ok(expires))
        return al_req_fail(r, AL_EINVAL, "expires_on", "有效期至应为日期（YYYY-MM-DD）");
    rc = assess_store_user(r->db, r->arena, user_id, &region, &assessor);
    if (rc == AL_ENOTFOUND || (rc == AL_OK && !region_in_scope(r->who->region_code, region)))
        return al_req_fail(r, AL_ENOTFOUND, NULL, "用户不存在");
    if (rc != AL_OK)
        return rc;
    if (!assessor)
        return al_req_fail(r, AL_EINVAL, "user", "该用户不是评估员，不能登记评估员资格");
    if ((rc = al_db_begin(r->db)) != AL_OK)
        return rc;
    rc = assess_store_qualify(r->db, user_id, cert, org, expires, r->who->user_id, r->now);
    if (rc == AL_OK) {
        struct audit_entry e = {.action = "assess.qualify", .target_type = "user",
            .target_id = id_text(r, user_id), .region_code = region, .outcome = "success",
            .detail = json_pack("{s:s, s:s}", "certificate_no", cert, "expires_on", expires)};
        rc = audit_append(r, &e);
    }
    if ((rc = al_db_end(r->db, rc)) != AL_OK)
        return rc;
    return al_reply(r, 200, json_pack("{s:I, s:s, s:s?, s:s, s:b}", "user_id",
                                (json_int_t)user_id, "certificate_no", cert, "organisation", org,
                                "expires_on", expires, "qualified",
                                assess_qualified(expires, r->today)));
}

/* RULE-ASSESS-017: legacy MZ/T 039-2013 results keep their own scale, never converted. */
static int
legacy_create(struct al_req *r)
{
    json_t *body;
    int64_t elder_id, level, adl = -1, id = 0;
    bool has_adl = false;
    const char *on, *ref, *region;
    int rc = al_req_json(r, &body);
    if (rc == AL_OK)
        rc = al_json_get_int(body, "elder_id", "老人", AL_REQUIRED, 1, INT64_MAX, &elder_id, NULL,
            &r->err);
    if (rc == AL_OK)
        rc = al_json_get_int(body, "level", "旧标准等级", AL_REQUIRED, 0, 3, &level, NULL, &r->err);
    if (rc == AL_OK)
        rc = al_json_get_int(body, "adl_score", "日常生活活动得分", 0, 0, 100, &adl, &has_adl,
            &r->err);
    if (rc == AL_OK)
        rc = al_json_get_str(body, "assessed_on", "评估日期", AL_REQUIRED, 10, 10, &on, &r->err);
    if (rc == AL_OK)
        rc = al_json_get_str(body, "reference", "原始记录编号", 0, 0, 100, &ref, &r->err);
    if (rc != AL_OK)
        return rc;
    if (!assess_date_ok(on) || strcmp(on, r->today) > 0)
        return al_req_fail(r, AL_EINVAL, "assessed_on", "评估日期应为不晚于今天的日期（YYYY-MM-DD）");
    if ((rc = visible_elder(r, elder_id, &region, NULL)) != AL_OK)
        return rc;
    struct assess_legacy l = {.elder_id = elder_id, .user_id = r->who->user_id,
        .region_code = region, .assessed_on = on, .reference = ref, .level = (int)level,
        .adl_score = has_adl ? (int)adl : -1};
    if ((rc = al_db_begin(r->db)) != AL_OK)
        return rc;
    rc = assess_store_legacy_insert(r->db, &l, r->now, &id);
    if (rc == AL_OK && !id)
        rc = al_req_fail(r, AL_ECONFLICT, "assessed_on", "这位老人该日期的该等级结果已经录入");
    if (rc == AL_OK) {
        struct audit_entry e = {.action = "assess.legacy", .target_type = "elder",
            .target_id = id_text(r, elder_id), .region_code = region, .outcome = "success",
            .detail = json_pack("{s:I, s:I}", "legacy_id", (json_int_t)id, "level",
                (json_int_t)level)};
        rc = audit_append(r, &e);
    }
    if ((rc = al_db_end(r->db, rc)) != AL_OK)
        return rc;
    return al_reply(r, 201, json_pack("{s:I, s:I, s:s, s:I, s:s, s:s}", "id", (json_int_t)id,
                                "elder_id", (json_int_t)elder_id, "scale", "MZ/T 039-2013",
                                "legacy_level", (json_int_t)level, "legacy_level_name",
                                assess_legacy_level_names[level], "assessed_on", on));
}

static int
needs_get(struct al_req *r)
{
    int64_t elder_id;
    const char *region;
    int rc = al_req_param_id(r, "id", &elder_id);
    if (rc == AL_OK)
        rc = visible_elder(r, elder_id, &region, NULL);
    if (rc != AL_OK)
        return rc;
    json_t *out = NULL;
    rc = assess_store_needs(r->db, elder_id, &out);
    if (rc == AL_ENOTFOUND)
        return al_req_fail(r, AL_ENOTFOUND, NULL, "这位老人还没有已发布的评估");
    if (rc != AL_OK)
        return rc;
    return al_reply(r, 200, out);
}

/* The form itself: items with their option texts, and the context lists (RULE-ASSESS-001). */
static int
assess_form(struct al_req *r)
{
    json_t *items = json_array();
    for (int i = 0; i < ASSESS_ITEMS; i++) {
        json_t *opts = json_array();
        for (int k = 0; k < 5 && assess_item_options[i].options[k].text; k++) {
            const struct assess_option *o = &assess_item_options[i].options[k];
            json_t *jo = json_pack("{s:i, s:s}", "score", o->score, "text", o->text);
            if (assess_option_uncertain(i, o->score))
                json_object_set_new(jo, "uncertain", json_true());
            json_array_append_new(opts, jo);
        }
        json_array_append_new(items, json_pack("{s:s, s:s, s:s, s:i, s:s, s:o}", "code",
                                         assess_items[i].code, "name", assess_items[i].name,
                                         "hint", assess_item_options[i].hint, "max",
                                         assess_items[i].max, "domain",
                                         assess_domain_names[assess_items[i].domain], "options",
                                         opts));
    }
    json_t *levels = json_array(), *reasons = json_array(), *risks = json_array(),
           *counts = json_array(), *diseases = json_array(), *health = json_array(),
           *needs = json_array(), *domains = json_array();
    for (int i = 0; i < 5; i++)
        json_array_append_new(levels,
            json_pack("{s:i, s:s}", "level", i, "name", assess_level_names[i]));
    for (int i = 0; i < ASSESS_DOMAINS; i++)
        json_array_append_new(domains, json_string(assess_domain_names[i]));
    for (int i = 0; i < ASSESS_REASONS; i++)
        json_array_append_new(reasons, json_pack("{s:s, s:s}", "id", assess_reasons[i].id, "name",
                                           assess_reasons[i].name));
    for (int i = 0; i < ASSESS_RISKS; i++)
        json_array_append_new(risks, json_pack("{s:s, s:s}", "key", assess_risk_keys[i], "name",
                                         assess_risk_names[i]));
    static const char *const count_names[] = {"无", "1 次", "2 次", "3 次及以上"};
    for (int i = 0; i < 4; i++)
        json_array_append_new(counts, json_pack("{s:i, s:s}", "value", i, "name", count_names[i]));
    for (int i = 0; i < ASSESS_DISEASES; i++)
        json_array_append_new(diseases, json_pack("{s:s, s:s}", "code", assess_diseases[i].id,
                                            "name", assess_diseases[i].name));
    for (const struct al_field *h = assess_health_fields; h->key; h++) {
        json_t *vals = json_array();
        for (int k = 0; h->allowed[k]; k++)
            json_array_append_new(vals, json_string(h->allowed[k]));
        json_array_append_new(health, json_pack("{s:s, s:s, s:o, s:b}", "key", h->key, "name",
                                          h->label, "options", vals, "multiple",
                                          (h->flags & AL_F_MANY) != 0));
    }
    for (int i = 0; i < ASSESS_NEEDS; i++) {
        json_t *opts = json_array();
        for (int k = 0; k < assess_needs[i].n; k++)
            json_array_append_new(opts, json_string(assess_needs[i].options[k]));
        json_array_append_new(needs, json_pack("{s:s, s:s, s:o}", "key", assess_needs[i].key,
                                         "name", assess_needs[i].name, "options", opts));
    }
    struct assess_settings s;
    int rc = assess_settings_load(r->db, &s);
    if (rc != AL_OK)
        return rc;
    json_t *legacy = json_array();
    for (int i = 0; i < 4; i++)
        json_array_append_new(legacy, json_pack("{s:i, s:s}", "level", i, "name",
                                          assess_legacy_level_names[i]));
    json_t *out = json_pack("{s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "scale",
        "GB/T 42195-2022", "items", items, "domains", domains, "levels", levels, "reasons",
        reasons, "risk_types", risks, "risk_counts", counts, "diseases", diseases, "health_items",
        health, "needs", needs, "legacy_levels", legacy);
    json_object_set_new(out, "settings", json_pack("{s:i, s:i, s:i, s:b}", "assessors_required",
                                             s.assessors, "validity_months", s.validity_months,
                                             "coma_level", s.coma_level, "adjust_stack",
                                             s.adjust_stack));
    return al_reply(r, 200, out);
}

/* Static paths before /assessments/:id: the router takes the first match. */
static const struct al_route assess_routes[] = {
    {AL_GET, "/api/v1/assessments/form", assess_form, "assess.read_level", 0,
        "评估表：26 个项目及各选项文字、表头信息（原因、风险事件、疾病、健康状况）、需求评估"},
    {AL_GET, "/api/v1/assessments/due/export", assess_due_export, "assess.read_level", 0,
        "导出到期复评与评估申请（format=xlsx|csv，within_days、region 同列表；留痕）"},
    {AL_GET, "/api/v1/assessments/due", assess_due, "assess.read_level", 0,
        "到期复评：有效期 within_days（默认 30）天内到期或已过期的评估及待办的评估申请"
        "（region 筛选，分页）"},
    {AL_POST, "/api/v1/assessments/legacy", legacy_create, "assess.import_legacy", 0,
        "录入旧标准（MZ/T 039-2013）评估结果，保留原有 4 级，不换算"},
    {AL_GET, "/api/v1/assessments/export", assess_export, "assess.read_level", 0,
        "导出评估记录（format=xlsx|csv，筛选同列表；留痕）"},
    {AL_GET, "/api/v1/assessments", assess_list, "assess.read_level", 0,
        "评估列表（本辖区；q 按老人姓名、status、reason、region 筛选，分页）"},
    {AL_POST, "/api/v1/assessments", assess_create, "assess.create", 0,
        "新建能力评估草稿（incomplete=true 时可先存未填项），返回总分、维度得分和等级"},
    {AL_GET, "/api/v1/assessments/:id", assess_get, "assess.read_level", 0,
        "一份评估（有 assess.read 时含各项得分，否则只有等级）"},
    {AL_PATCH, "/api/v1/assessments/:id", assess_patch, "assess.create", 0,
        "修改草稿（需当前 version；修改后原有签名作废）"},
    {AL_POST, "/api/v1/assessments/:id/sign", assess_sign, "assess.create", 0,
        "评估员签名（资格须在有效期内；复评须由原评估以外的评估员）"},
    {AL_POST, "/api/v1/assessments/:id/submit", assess_submit, "assess.create", 0,
        "提交审核（各项已填、签名人数达到要求）"},
    {AL_POST, "/api/v1/assessments/:id/review", assess_review, "assess.review", 0,
        "审核：approve 通过或 return 退回（须填意见）"},
    {AL_POST, "/api/v1/assessments/:id/publish", assess_publish, "assess.review", 0,
        "发布：同一事务内更新老人的能力等级和失能类别"},
    {AL_POST, "/api/v1/assessments/:id/dispute", assess_dispute, "assess.review", 0,
        "登记异议：保留原结果并产生复评申请"},
    {AL_GET, "/api/v1/elders/:id/assessments", assess_history, "assess.read_level", 0,
        "老人的评估历史（含旧标准结果）"},
    {AL_GET, "/api/v1/elders/:id/needs", needs_get, "assess.read_level", 0,
        "老人最近一次已发布评估中的需求评估"},
    {AL_POST, "/api/v1/assessment-requests", request_create, "assess.review", 0,
        "申请即时评估（状况变化：报警、走访发现等）"},
    {AL_GET, "/api/v1/assessment-requests", request_list, "assess.read_level", 0,
        "评估申请（status=open|done）"},
    {AL_GET, "/api/v1/assessors", assessors_list, "assess.read_level", 0,
        "本辖区评估员及其资格证书、有效期"},
    {AL_PUT, "/api/v1/users/:id/qualification", qualify, "assess.qualify", 0,
        "登记或更新评估员资格（证书编号、有效期）"},
    {0},
};

const struct al_module assess_module = {.name = "assess", .routes = assess_routes};
