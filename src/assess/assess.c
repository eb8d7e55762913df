/* Routes and thin handlers of the assess module. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "assess/assess.h"
#include "assess/assess_int.h"
#include "audit/audit.h"
#include "core/http.h"
#include "core/json.h"
#include "elder/elder.h"
#include "region/region.h"

static const char *const reasons[] = {"first", "routine", "immediate", "reassessment", "other"};

/* The elder of an assessment, if the caller may see them (RULE-SCOPE-001: else 404). */
static int
visible_elder(struct al_req *r, int64_t elder_id, const char **region)
{
    int rc = elder_region_of(r->db, r->arena, elder_id, region);
    if (rc == AL_ENOTFOUND || (rc == AL_OK && !region_in_scope(r->who->region_code, *region)))
        return al_req_fail(r, AL_ENOTFOUND, "elder_id", "老年人档案不存在");
    return rc;
}

/* Read and check the form: items (26, each in its range), coma, diagnoses, risk events. */
static int
read_form(struct al_req *r, json_t *body, struct assess_input *in)
{
    memset(in, 0, sizeof(*in));
    bool present = false;
    int rc = al_json_get_bool(body, "coma", "昏迷", 0, &in->coma, &present, &r->err);
    if (rc != AL_OK)
        return rc;
    json_t *items = json_object_get(body, "items");
    if (!in->coma || items) {
        if (!json_is_array(items) || json_array_size(items) != ASSESS_ITEMS)
            return al_req_fail(r, AL_EINVAL, "items", "评估项目应为按标准顺序排列的 26 个整数");
        for (int i = 0; i < ASSESS_ITEMS; i++) {
            json_t *v = json_array_get(items, (size_t)i);
            const struct assess_item *it = &assess_items[i];
            if (!json_is_integer(v))
                return al_req_fail(r, AL_EINVAL, it->code, "%s %s 未填写或不是整数", it->code, it->name);
            json_int_t x = json_integer_value(v);
            if (x < 0 || x > it->max)
                return al_req_fail(r, AL_EINVAL, it->code, "%s %s 的得分应在 0 到 %d 之间", it->code,
                    it->name, it->max);
            in->items[i] = (int)x;
        }
    }
    json_t *dx = json_object_get(body, "diagnoses");
    if (dx && !json_is_array(dx))
        return al_req_fail(r, AL_EINVAL, "diagnoses", "疾病诊断应为 ICD-10 编码列表");
    size_t i;
    json_t *d;
    json_array_foreach(dx, i, d)
    {
        if (!json_is_string(d) || assess_icd10(json_string_value(d), &in->dementia,
                                      &in->mental_disorder) != 0)
            return al_req_fail(r, AL_EINVAL, "diagnoses",
                "疾病诊断第 %zu 项不是 ICD-10 编码或范围（如 F03、F03.9、F00-F03）", i + 1);
    }
    json_t *risks = json_object_get(body, "risk_events");
    if (risks && !json_is_object(risks))
        return al_req_fail(r, AL_EINVAL, "risk_events", "近 30 天照护风险事件应为对象");
    for (int k = 0; k < ASSESS_RISKS && risks; k++) {
        int64_t n = 0;
        bool has = false;
        rc = al_json_get_int(risks, assess_risk_keys[k], "风险事件次数", 0, 0, 3, &n, &has, &r->err);
        if (rc != AL_OK) {
            r->err.field = al_arena_printf(r->arena, "risk_events.%s", assess_risk_keys[k]);
            return rc;
        }
        in->risk_events[k] = (int)n;
    }
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
    return AL_OK;
}

static json_t *
result_json(const struct assess_result *res, bool coma)
{
    json_t *domains = json_object(), *rules = json_array();
    for (int i = 0; i < ASSESS_DOMAINS; i++)
        json_object_set_new(domains, assess_domain_names[i], json_integer(res->domain[i]));
    for (int i = 0; i < res->nrules; i++)
        json_array_append_new(rules, json_string(res->rules[i]));
    json_t *o = json_pack("{s:i, s:i, s:s, s:o}", "preliminary_level", res->preliminary,
        "final_level", res->final, "final_level_name", assess_level_names[res->final], "rules",
        rules);
    json_object_set_new(o, "total", coma ? json_null() : json_integer(res->total));
    json_object_set_new(o, "domain_scores", coma ? json_null() : domains);
    return o;
}

static int
assess_create(struct al_req *r)
{
    json_t *body;
    int64_t elder_id;
    const char *reason, *region;
    int rc = al_req_json(r, &body);
    if (rc == AL_OK)
        rc = al_json_get_int(body, "elder_id", "老人", AL_REQUIRED, 1, INT64_MAX, &elder_id, NULL,
            &r->err);
    if (rc == AL_OK)
        rc = al_json_get_str(body, "reason", "评估原因", AL_REQUIRED, 1, 20, &reason, &r->err);
    if (rc != AL_OK)
        return rc;
    bool ok = false;
    for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
        ok = ok || !strcmp(reason, reasons[i]);
    if (!ok)
        return al_req_fail(r, AL_EINVAL, "reason",
            "评估原因应为 first（首次）、routine（常规）、immediate（即时）、reassessment（复评）或 other");
    if ((rc = visible_elder(r, elder_id, &region)) != AL_OK)
        return rc;
    struct assess_input in;
    if ((rc = read_form(r, body, &in)) != AL_OK)
        return rc;
    struct assess_settings s;
    if ((rc = assess_settings_load(r->db, &s)) != AL_OK)
        return rc;
    struct assess_result res;
    assess_compute(&in, &s, &res);
    int64_t id = 0;
    if ((rc = al_db_begin(r->db)) != AL_OK)
        return rc;
    rc = assess_store_insert(r->db, elder_id, region, reason, json_object_get(body, "items"),
        in.coma, json_object_get(body, "diagnoses"), json_object_get(body, "risk_events"), &res,
        r->who->user_id, (int64_t)time(NULL), &id);
    if (rc == AL_OK) {
        struct audit_entry e = {.action = "assess.create", .target_type = "assessment",
            .target_id = al_arena_printf(r->arena, "%lld", (long long)id), .region_code = region,
            .outcome = "success",
            .detail = json_pack("{s:I, s:i}", "elder_id", (json_int_t)elder_id, "final_level",
                res.final)};
        rc = audit_append(r, &e);
    }
    if (rc == AL_OK)
        rc = al_db_commit(r->db);
    else
        al_db_rollback(r->db);
    if (rc != AL_OK)
        return rc;
    json_t *out = result_json(&res, in.coma);
    json_object_set_new(out, "id", json_integer(id));
    json_object_set_new(out, "elder_id", json_integer(elder_id));
    json_object_set_new(out, "status", json_string("draft"));
    return al_reply(r, 201, out);
}

static int
assess_history(struct al_req *r)
{
    int64_t elder_id;
    const char *region;
    int rc = al_req_param_id(r, "id", &elder_id);
    if (rc == AL_OK)
        rc = visible_elder(r, elder_id, &region);
    if (rc != AL_OK)
        return rc;
    json_t *items = json_array();
    if ((rc = assess_store_history(r->db, r->arena, elder_id, items)) != AL_OK)
        return rc;
    return al_reply(r, 200, json_pack("{s:o, s:I}", "items", items, "total",
                                (json_int_t)json_array_size(items)));
}

/* The form itself: items with codes, names, ranges and domains, for the tablet form. */
static int
assess_form(struct al_req *r)
{
    json_t *items = json_array();
    for (int i = 0; i < ASSESS_ITEMS; i++)
        json_array_append_new(items, json_pack("{s:s, s:s, s:i, s:s}", "code", assess_items[i].code,
                                         "name", assess_items[i].name, "max", assess_items[i].max,
                                         "domain", assess_domain_names[assess_items[i].domain]));
    json_t *levels = json_array();
    for (int i = 0; i < 5; i++)
        json_array_append_new(levels, json_pack("{s:i, s:s}", "level", i, "name", assess_level_names[i]));
    return al_reply(r, 200, json_pack("{s:s, s:o, s:o}", "scale", "GB/T 42195-2022", "items", items,
                                "levels", levels));
}

static const struct al_route assess_routes[] = {
    {AL_GET, "/api/v1/assessments/form", assess_form, "assess.read", 0,
        "评估表：26 个项目的编号、名称、分值范围和维度"},
    {AL_POST, "/api/v1/assessments", assess_create, "assess.create", 0,
        "新建能力评估草稿，返回总分、维度得分、初步等级和最终等级"},
    {AL_GET, "/api/v1/elders/:id/assessments", assess_history, "assess.read", 0, "老人的评估历史"},
    {0},
};

const struct al_module assess_module = {.name = "assess", .routes = assess_routes};
