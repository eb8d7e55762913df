/*
 * Home services: the reason and resolution codes of the manual fix of a visit as settings
 * (RULE-SVC-194..196): listed to everyone who sees the visits, added, deactivated, activated
 * again and deleted while unused by the officers (service.config, RULE-SVC-203), audited.
 * SQL in service_evv_store.c.
 */
#include <string.h>

#include "audit/audit.h"
#include "core/http.h"
#include "core/json.h"
#include "service/service.h"
#include "service/service_int.h"

static int
code_audit(struct al_req *r, const char *action, const char *kind, const char *code,
    json_t *detail)
{
    struct audit_entry e = {.action = action, .target_type = "service_fix_code",
        .target_id = al_arena_printf(r->arena, "%s:%s", kind, code),
        .region_code = r->who->region_code, .outcome = "success", .detail = detail};
    return audit_append(r, &e);
}

/* RULE-SVC-194: both tables, active codes first, each with how many fixes name it. */
static int
codes_get(struct al_req *r)
{
    json_t *reasons = json_array(), *resolutions = json_array();
    int rc = service_store_fix_codes(r->db, r->arena, "reason", reasons);
    if (rc == AL_OK)
        rc = service_store_fix_codes(r->db, r->arena, "resolution", resolutions);
    if (rc != AL_OK) {
        json_decref(reasons);
        json_decref(resolutions);
        return rc;
    }
    return al_reply(r, 200, json_pack("{s:o, s:o}", "reasons", reasons, "resolutions",
                                resolutions));
}

/* The code of the path (:kind reason or resolution, :code) into *c; 404 when there is none. */
static int
path_code(struct al_req *r, const char **kind, const char **code, struct svc_fix_code *c)
{
    *kind = al_req_param(r, "kind");
    *code = al_req_param(r, "code");
    int rc = AL_ENOTFOUND;
    if (*kind && *code && (strcmp(*kind, "reason") == 0 || strcmp(*kind, "resolution") == 0))
        rc = service_store_fix_code(r->db, r->arena, *kind, *code, c);
    if (rc == AL_ENOTFOUND)
        return al_req_fail(r, AL_ENOTFOUND, NULL, "代码不存在");
    return rc;
}

static bool
code_chars_ok(const char *s)
{
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
            return false;
    return true;
}

/* RULE-SVC-195: a new active code {kind, code, name, payable (resolutions; default true)}. */
static int
code_add(struct al_req *r)
{
    json_t *body;
    const char *kind = NULL, *code = NULL, *name = NULL;
    bool payable = true, has = false;
    int rc = al_req_json(r, &body);
    if (rc == AL_OK)
        rc = al_json_get_str(body, "kind", "代码类别", AL_REQUIRED, 1, 16, &kind, &r->err);
    if (rc == AL_OK && strcmp(kind, "reason") != 0 && strcmp(kind, "resolution") != 0)
        rc = al_req_fail(r, AL_EINVAL, "kind", "代码类别应为 reason（异常原因）或 resolution（处理结果）");
    if (rc == AL_OK)
        rc = al_json_get_str(body, "code", "代码", AL_REQUIRED, 2, 32, &code, &r->err);
    if (rc == AL_OK && !code_chars_ok(code))
        rc = al_req_fail(r, AL_EINVAL, "code", "代码只能由小写字母、数字和下划线组成");
    if (rc == AL_OK)
        rc = al_json_get_str(body, "name", "名称", AL_REQUIRED, 2, 40, &name, &r->err);
    if (rc == AL_OK)
        rc = al_json_get_bool(body, "payable", "是否结算", 0, &payable, &has, &r->err);
    if (rc == AL_OK && strcmp(kind, "reason") == 0 && has && !payable)
        rc = al_req_fail(r, AL_EINVAL, "payable", "只有处理结果可以设为不予结算");
    if (rc != AL_OK || (rc = al_db_begin(r->db)) != AL_OK)
        return rc;
    rc = service_store_fix_code_add(r->db, kind, code, name, payable, r->who->username, r->now);
    if (rc == AL_ECONFLICT)
        al_req_fail(r, AL_ECONFLICT, "code", "代码 %s 已存在（停用的代码可以重新启用）", code);
    if (rc == AL_OK)
        rc = code_audit(r, "service.fix_code_create", kind, code,
            json_pack("{s:s, s:s, s:s, s:b}", "kind", kind, "code", code, "name", name,
                "payable", payable));
    if ((rc = al_db_end(r->db, rc)) != AL_OK)
        return rc;
    struct svc_fix_code c;
    if ((rc = service_store_fix_code(r->db, r->arena, kind, code, &c)) != AL_OK)
        return rc;
    return al_reply(r, 201, json_pack("{s:s, s:s, s:s, s:b, s:b, s:I}", "kind", kind, "code",
                                code, "name", c.name, "payable", c.payable, "active", c.active,
                                "in_use", (json_int_t)c.in_use));
}

/* RULE-SVC-195: deactivate or activate again; the fixes that name it keep it. */
static int
code_set(struct al_req *r, bool active)
{
    const char *kind, *code;
    struct svc_fix_code c;
    int rc = path_code(r, &kind, &code, &c);
    if (rc != AL_OK)
        return rc;
    if (c.active == active)
        return al_req_fail(r, AL_ECONFLICT, "active", "代码 %s 已%s", code,
            active ? "启用" : "停用");
    if ((rc = al_db_begin(r->db)) != AL_OK)
        return rc;
    rc = service_store_fix_code_set(r->db, kind, code, active);
    if (rc == AL_ECONFLICT)
        al_req_fail(r, AL_ECONFLICT, "active", "代码 %s 已被他人修改，请刷新后重试", code);
    if (rc == AL_OK)
        rc = code_audit(r, active ? "service.fix_code_activate" : "service.fix_code_deactivate",
            kind, code, json_pack("{s:s, s:s, s:I}", "kind", kind, "code", code, "in_use",
                            (json_int_t)c.in_use));
    if ((rc = al_db_end(r->db, rc)) != AL_OK)
        return rc;
    return al_reply(r, 200, json_pack("{s:s, s:s, s:s, s:b, s:b, s:I}", "kind", kind, "code",
                                code, "name", c.name, "payable", c.payable, "active", active,
                                "in_use", (json_int_t)c.in_use));
}

static int
code_deactivate(struct al_req *r)
{
    return code_set(r, false);
}

static int
code_activate(struct al_req *r)
{
    return code_set(r, true);
}

/* RULE-SVC-195: a code no fix names may be deleted; one in use only deactivated (409). */
static int
code_delete(struct al_req *r)
{
    const char *kind, *code;
    struct svc_fix_code c;
    int rc = path_code(r, &kind, &code, &c);
    if (rc != AL_OK)
        return rc;
    if (c.in_use > 0)
        return al_req_fail(r, AL_ECONFLICT, "code", "代码 %s 已被 %lld 条处理记录使用，不能删除，只能停用",
            code, (long long)c.in_use);
    if ((rc = al_db_begin(r->db)) != AL_OK)
        return rc;
    rc = service_store_fix_code_delete(r->db, kind, code);
    if (rc == AL_ECONFLICT)
        al_req_fail(r, AL_ECONFLICT, "code", "代码 %s 已被使用，不能删除，只能停用", code);
    if (rc == AL_OK)
        rc = code_audit(r, "service.fix_code_delete", kind, code,
            json_pack("{s:s, s:s, s:s}", "kind", kind, "code", code, "name", c.name));
    if ((rc = al_db_end(r->db, rc)) != AL_OK)
        return rc;
    return al_reply(r, 200, json_pack("{s:s, s:s, s:b}", "kind", kind, "code", code, "deleted",
                                1));
}

static const struct al_route service_evv_routes[] = {
    {AL_GET, "/api/v1/service/fix-codes", codes_get, "service.read", 0,
        "上门记录异常处理代码表（异常原因、处理结果，含停用的）"},
    {AL_POST, "/api/v1/service/fix-codes", code_add, "service.config", 0,
        "新增异常原因或处理结果代码（kind、code、name，处理结果可设 payable=false 不予结算）"},
    {AL_POST, "/api/v1/service/fix-codes/:kind/:code/deactivate", code_deactivate,
        "service.config", 0, "停用异常处理代码"},
    {AL_POST, "/api/v1/service/fix-codes/:kind/:code/activate", code_activate, "service.config",
        0, "重新启用异常处理代码"},
    {AL_DELETE, "/api/v1/service/fix-codes/:kind/:code", code_delete, "service.config", 0,
        "删除未被使用的异常处理代码（已使用的只能停用）"},
    {0},
};

const struct al_module service_evv_module = {.name = "service_evv", .routes = service_evv_routes};
