/*
 * Home services: management of providers, stations, caregivers and items, and the list of
 * certificates to renew (RULE-SVC-100..105, RULE-SVC-110..113).  Each kind is one description
 * (struct reg_kind) driving the same thin handlers; the SQL is in service_registry_store.c.
 */
#include <stdio.h>
#include <string.h>

#include "audit/audit.h"
#include "core/idcard.h"
#include "core/json.h"
#include "core/query.h"
#include "region/region.h"
#include "service/service.h"
#include "service/service_admin_int.h"
#include "service/service_registry_int.h"

#define EXPORT_PAGE 500

static const char *const statuses[] = {"active", "inactive", NULL};
static const char *const credits[] = {"good", "warning", "barred", NULL};

static int
check_phone(const struct al_field *f, const char *value, struct al_errinfo *e)
{
    const char *p = *value ? al_phone_problem(value) : NULL;
    return p ? al_fail(e, AL_EINVAL, f->key, "%s", p) : AL_OK;
}

static int
check_code(const struct al_field *f, const char *value, struct al_errinfo *e)
{
    for (const char *c = value; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '_'))
            return al_fail(e, AL_EINVAL, f->key, "服务项目代码只能包含小写字母、数字和下划线");
    return AL_OK;
}

/* A filter of the address that must be one of `allowed`; NULL when absent. */
static int
query_enum(struct al_req *r, const char *key, const char *label, const char *const *allowed,
    const char **out)
{
    *out = al_query_opt(&r->query, key);
    for (int i = 0; *out && allowed[i]; i++)
        if (strcmp(*out, allowed[i]) == 0)
            return AL_OK;
    return *out ? al_req_fail(r, AL_EINVAL, key, "%s筛选条件不正确", label) : AL_OK;
}

static int
query_id(struct al_req *r, const char *key, const char *label, int64_t *out)
{
    return al_query_int(&r->query, key, label, 1, INT64_MAX, 0, out, &r->err);
}

/* RULE-SVC-100: a region code of the body exists and lies in the caller's scope. */
static int
region_ok(struct al_req *r, const char *code, const char *field, const char *what)
{
    if (!code || !region_in_scope(r->who->region_code, code) ||
        !region_name(r->db, r->arena, code))
        return al_req_fail(r, AL_EINVAL, field, "%s不存在或不在本辖区内", what);
    return AL_OK;
}

static const char *
jtext(json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

/* ---- Chinese cells of the exports ---- */

static const char *
x_status(struct al_export_cell *c)
{
    const char *v = al_stmt_text(c->st, c->col);
    return v && (strcmp(v, "active") == 0 || strcmp(v, "1") == 0) ? "启用" : "停用";
}

static const char *
x_credit(struct al_export_cell *c)
{
    const char *v = al_stmt_text(c->st, c->col);
    return !v ? NULL : strcmp(v, "good") == 0 ? "良好" : strcmp(v, "warning") == 0 ? "警示" : "失信限制";
}

static const char *
x_skills(struct al_export_cell *c)
{
    const char *v = al_stmt_text(c->st, c->col);
    size_t used = 0;
    c->buf[0] = '\0';
    while (v && *v) {
        const char *e = strchr(v, ',');
        size_t len = e ? (size_t)(e - v) : strlen(v);
        char code[32];
        snprintf(code, sizeof(code), "%.*s", (int)(len < 31 ? len : 31), v);
        const char *zh = service_skill_zh(code);
        used += (size_t)snprintf(c->buf + used, used < c->size ? c->size - used : 0, "%s%s",
            used ? "、" : "", zh ? zh : code);
        if (used >= c->size)
            break;
        v = e ? e + 1 : NULL;
    }
    return c->buf;
}

static const char *
x_yuan(struct al_export_cell *c)
{
    long long f = (long long)al_stmt_int(c->st, c->col);
    snprintf(c->buf, c->size, "%lld.%02lld", f / 100, f % 100);
    return c->buf;
}

static const char *
x_yes(struct al_export_cell *c)
{
    return al_stmt_int(c->st, c->col) ? "是" : "否";
}

static const char *
x_hours(struct al_export_cell *c)
{
    int s = (int)al_stmt_int(c->st, c->col), e = (int)al_stmt_int(c->st, c->col + 1);
    snprintf(c->buf, c->size, "%02d:%02d-%02d:%02d", s / 60, s % 60, e / 60, e % 60);
    return c->buf;
}

static const char *
x_cert_state(struct al_export_cell *c)
{
    const char *v = al_stmt_text(c->st, c->col);
    if (!v)
        return "无证书";
    const char *s = service_cert_state(v, c->user);
    return strcmp(s, "expired") == 0 ? "已过期" : strcmp(s, "expiring") == 0 ? "30 天内到期" : "有效";
}

static json_t *
col_cert_state(const struct al_row_ctx *c, struct al_stmt *st, int col)
{
    const char *v = al_stmt_text(st, col);
    return v ? json_string(service_cert_state(v, c->user)) : json_null();
}

/* ---- providers ---- */

static const struct al_field provider_fields[] = {
    {"name", "机构名称", AL_FT_TEXT, AL_F_REQUIRED | AL_F_PLAIN, .min = 1, .max = 60},
    {"region_code", "注册区划", AL_FT_TEXT, AL_F_REQUIRED, .min = 6, .max = 12},
    {"phone", "联系电话", AL_FT_TEXT, AL_F_NULLABLE | AL_F_PLAIN, .max = 20},
    {"contact", "联系人", AL_FT_TEXT, AL_F_PLAIN, .max = 30},
    {"address", "地址", AL_FT_TEXT, AL_F_PLAIN, .max = 200},
    {"credit_status", "信用状态", AL_FT_ENUM, 0, .allowed = credits,
        .hint = "应为 good（良好）、warning（警示）或 barred（失信限制）"},
    {"credit_note", "信用说明", AL_FT_TEXT, AL_F_PLAIN, .max = 200},
    {"status", "状态", AL_FT_ENUM, 0, .allowed = statuses, .hint = "应为 active（启用）或 inactive（停用）"},
    {0},
};

static const struct al_page_sql provider_page = {
    .cols = "p.id, p.name, p.region_code, g.name, p.phone, p.contact, p.address,"
            " p.credit_status, p.credit_note, p.status, p.version,"
            " (SELECT count(*) FROM svc_stations s WHERE s.provider_id = p.id"
            " AND s.status = 'active'),"
            " (SELECT count(*) FROM svc_caregivers c WHERE c.provider_id = p.id"
            " AND c.status = 'active'), p.created_at",
    .from = " FROM svc_providers p LEFT JOIN regions g ON g.code = p.region_code",
    .order = " ORDER BY p.id"};

static const struct al_col provider_cols[] = {AL_COL(0, "id", AL_COL_INT),
    AL_COL(1, "name", AL_COL_TEXT), AL_COL(2, "region_code", AL_COL_TEXT),
    AL_COL(3, "region_name", AL_COL_TEXT), AL_COL(4, "phone", AL_COL_TEXT),
    AL_COL(5, "contact", AL_COL_TEXT), AL_COL(6, "address", AL_COL_TEXT),
    AL_COL(7, "credit_status", AL_COL_TEXT), AL_COL(8, "credit_note", AL_COL_TEXT),
    AL_COL(9, "status", AL_COL_TEXT), AL_COL(10, "version", AL_COL_INT),
    AL_COL(11, "stations", AL_COL_INT), AL_COL(12, "caregivers", AL_COL_INT),
    AL_COL(13, "created_at", AL_COL_TIME), AL_COL_END};

static const struct al_export_col provider_xcols[] = {AL_XCOLF("序号", 0, al_xcell_row_number),
    AL_XCOL("机构名称", 1), AL_XCOL("注册区划", 3), AL_XCOL("联系电话", 4),
    AL_XCOL("联系人", 5), AL_XCOLF("信用状态", 7, x_credit), AL_XCOL("信用说明", 8),
    AL_XCOLF("状态", 9, x_status), AL_XCOL("服务站数", 11), AL_XCOL("护理员数", 12),
    AL_XCOL_END};

static int
provider_where(struct al_req *r, int64_t mine, struct al_params *p, const char **where)
{
    const char *status, *credit;
    int rc = query_enum(r, "status", "状态", statuses, &status);
    if (rc == AL_OK)
        rc = query_enum(r, "credit_status", "信用状态", credits, &credit);
    if (rc != AL_OK)
        return rc;
    region_params(p, r->who->region_code);
    al_param_int(p, mine);
    al_param_text(p, status);
    al_param_text(p, credit);
    al_param_text(p, al_query_opt(&r->query, "q"));
    *where = " WHERE p.region_code >= ?1 AND p.region_code < ?2 AND (?3 = 0 OR p.id = ?3)"
             " AND (CAST(?4 AS TEXT) IS NULL OR p.status = ?4)"
             " AND (CAST(?5 AS TEXT) IS NULL OR p.credit_status = ?5)"
             " AND (CAST(?6 AS TEXT) IS NULL OR instr(p.name, ?6) > 0)";
    return AL_OK;
}

/* RULE-SVC-100, RULE-SVC-106, RULE-SVC-113. */
static int
provider_check(struct al_req *r, int64_t mine, json_t *body, json_t *set,
    const struct reg_row *old)
{
    (void)body;
    if (mine && !old)
        return al_req_fail(r, AL_EPERM, NULL, "服务机构账号不能新建服务机构");
    static const char *const officers_only[] = {"credit_status", "credit_note", "status",
        "region_code", NULL};
    for (int i = 0; mine && officers_only[i]; i++)
        if (json_object_get(set, officers_only[i]))
            return al_req_fail(r, AL_EPERM, officers_only[i],
                "信用状态、启停与注册区划只能由民政部门修改");
    if (json_object_get(set, "region_code"))
        return region_ok(r, jtext(set, "region_code"), "region_code", "注册区划");
    return AL_OK;
}

/* ---- stations ---- */

static const struct al_field station_fields[] = {
    {"provider_id", "所属服务机构", AL_FT_INT, AL_F_REQUIRED, .min = 1, .max = INT64_MAX},
    {"region_code", "所在区划", AL_FT_TEXT, AL_F_REQUIRED, .min = 6, .max = 12},
    {"name", "服务站名称", AL_FT_TEXT, AL_F_REQUIRED | AL_F_PLAIN, .min = 1, .max = 60},
    {"address", "地址", AL_FT_TEXT, AL_F_REQUIRED | AL_F_PLAIN, .min = 1, .max = 200},
    {"lat", "纬度", AL_FT_REAL, AL_F_REQUIRED, .lo = 3.0, .hi = 54.0, .hint = "应为中国境内的纬度"},
    {"lng", "经度", AL_FT_REAL, AL_F_REQUIRED, .lo = 73.0, .hi = 136.0, .hint = "应为中国境内的经度"},
    {"radius_min", "服务半径（分钟）", AL_FT_INT, AL_F_REQUIRED, .min = 1, .max = 180},
    {"phone", "联系电话", AL_FT_TEXT, AL_F_NULLABLE | AL_F_PLAIN, .max = 20},
    {"status", "状态", AL_FT_ENUM, 0, .allowed = statuses, .hint = "应为 active（启用）或 inactive（停用）"},
    {0},
};

static const struct al_page_sql station_page = {
    .cols = "s.id, s.name, s.provider_id, p.name, s.region_code, g.name, s.address, s.lat,"
            " s.lng, s.radius_min, s.phone, s.status, s.version,"
            " (SELECT count(*) FROM svc_caregivers c WHERE c.station_id = s.id"
            " AND c.status = 'active'), s.created_at",
    .from = " FROM svc_stations s JOIN svc_providers p ON p.id = s.provider_id"
            " LEFT JOIN regions g ON g.code = s.region_code",
    .order = " ORDER BY s.id"};

static const struct al_col station_cols[] = {AL_COL(0, "id", AL_COL_INT),
    AL_COL(1, "name", AL_COL_TEXT), AL_COL(2, "provider_id", AL_COL_INT),
    AL_COL(3, "provider_name", AL_COL_TEXT), AL_COL(4, "region_code", AL_COL_TEXT),
    AL_COL(5, "region_name", AL_COL_TEXT), AL_COL(6, "address", AL_COL_TEXT),
    AL_COL(7, "lat", AL_COL_DOUBLE), AL_COL(8, "lng", AL_COL_DOUBLE),
    AL_COL(9, "radius_min", AL_COL_INT), AL_COL(10, "phone", AL_COL_TEXT),
    AL_COL(11, "status", AL_COL_TEXT), AL_COL(12, "version", AL_COL_INT),
    AL_COL(13, "caregivers", AL_COL_INT), AL_COL(14, "created_at", AL_COL_TIME), AL_COL_END};

static const struct al_export_col station_xcols[] = {AL_XCOLF("序号", 0, al_xcell_row_number),
    AL_XCOL("服务站名称", 1), AL_XCOL("所属机构", 3), AL_XCOL("所在区划", 5),
    AL_XCOL("地址", 6), AL_XCOL("服务半径（分钟）", 9), AL_XCOL("联系电话", 10),
    AL_XCOLF("状态", 11, x_status), AL_XCOL("护理员数", 13), AL_XCOL_END};

static int
station_where(struct al_req *r, int64_t mine, struct al_params *p, const char **where)
{
    const char *status;
    int64_t provider = 0;
    int rc = query_enum(r, "status", "状态", statuses, &status);
    if (rc == AL_OK)
        rc = query_id(r, "provider_id", "服务机构", &provider);
    if (rc != AL_OK)
        return rc;
    region_params(p, r->who->region_code);
    al_param_int(p, mine);
    al_param_int(p, provider);
    al_param_text(p, status);
    al_param_text(p, al_query_opt(&r->query, "q"));
    *where = " WHERE s.region_code >= ?1 AND s.region_code < ?2"
             " AND (?3 = 0 OR s.provider_id = ?3) AND (?4 = 0 OR s.provider_id = ?4)"
             " AND (CAST(?5 AS TEXT) IS NULL OR s.status = ?5)"
             " AND (CAST(?6 AS TEXT) IS NULL OR instr(s.name, ?6) > 0)";
    return AL_OK;
}


/* RULE-SVC-100: the regions a station serves: 1 to 50 existing codes in the caller's scope. */
static int
serves_check(struct al_req *r, json_t *serves)
{
    if (!json_is_array(serves) || json_array_size(serves) < 1 || json_array_size(serves) > 50)
        return al_req_fail(r, AL_EINVAL, "serves", "服务区域应为 1 到 50 个区划代码");
    size_t i;
    json_t *v;
    json_array_foreach(serves, i, v)
    {
        const char *code = json_string_value(v);
        if (!code || !region_in_scope(r->who->region_code, code) ||
            !region_name(r->db, r->arena, code))
            return al_req_fail(r, AL_EINVAL, "serves", "服务区域第 %zu 项不存在或不在本辖区内",
                i + 1);
    }
    return AL_OK;
}

static int
station_check(struct al_req *r, int64_t mine, json_t *body, json_t *set,
    const struct reg_row *old)
{
    json_t *pid = json_object_get(set, "provider_id");
    if (pid && old && json_integer_value(pid) != old->provider_id)
        return al_req_fail(r, AL_EINVAL, "provider_id", "服务站的所属服务机构不能修改");
    if (pid && !old) {
        struct reg_row pr;
        int rc = service_reg_row(r->db, r->arena, &service_reg_provider, pid, &pr);
        if (rc != AL_OK && rc != AL_ENOTFOUND)
            return rc;
        if (rc == AL_ENOTFOUND || !region_in_scope(r->who->region_code, pr.region_code) ||
            (mine && pr.provider_id != mine))
            return al_req_fail(r, AL_EINVAL, "provider_id", "所属服务机构不存在或不在本辖区内");
    }
    int rc = AL_OK;
    if (json_object_get(set, "region_code"))
        rc = region_ok(r, jtext(set, "region_code"), "region_code", "所在区划");
    if (rc == AL_OK && (!old || json_object_get(body, "serves")))
        rc = serves_check(r, json_object_get(body, "serves"));
    return rc;
}

static int
station_after(struct al_req *r, json_t *body, int64_t id)
{
    json_t *serves = json_object_get(body, "serves");
    return serves ? service_reg_serves_put(r->db, id, serves) : AL_OK;
}

/* ---- caregivers ---- */

static const struct al_field caregiver_fields[] = {
    {"station_id", "所属服务站", AL_FT_INT, AL_F_REQUIRED, .min = 1, .max = INT64_MAX},
    {"name", "姓名", AL_FT_TEXT, AL_F_REQUIRED | AL_F_PLAIN, .min = 1, .max = 30},
    {"phone", "手机号", AL_FT_TEXT, AL_F_NULLABLE | AL_F_PLAIN, .max = 20, .check = check_phone},
    {"skills", "技能", AL_FT_TEXTS, AL_F_REQUIRED | AL_F_EXACT, .min = 1, .max = 5,
        .item_max = 20, .allowed = service_skills,
        .hint = "应为 general、cleaning、bathing、medical、nursing 中的一项或几项"},
    {"work_start_min", "上班时间（分钟）", AL_FT_INT, 0, .min = 0, .max = 1439},
    {"work_end_min", "下班时间（分钟）", AL_FT_INT, 0, .min = 1, .max = 1440},
    {"status", "状态", AL_FT_ENUM, 0, .allowed = statuses, .hint = "应为 active（启用）或 inactive（停用）"},
    {0},
};

static const struct al_field cert_fields[] = {
    {"skill", "证书对应技能", AL_FT_ENUM, AL_F_REQUIRED, .allowed = service_skills},
    {"name", "证书名称", AL_FT_TEXT, AL_F_REQUIRED | AL_F_PLAIN, .min = 1, .max = 60},
    {"number", "证书编号", AL_FT_TEXT, AL_F_PLAIN, .max = 40},
    {"valid_until", "有效期至", AL_FT_DATE, AL_F_REQUIRED, .min = 0},
    {0},
};

static const struct al_page_sql caregiver_page = {
    .cols = "c.id, c.name, c.phone, c.provider_id, p.name, c.station_id, s.name, c.region_code,"
            " c.skills, c.work_start_min, c.work_end_min, c.status, c.version,"
            " (SELECT min(x.valid_until) FROM svc_certificates x WHERE x.caregiver_id = c.id),"
            " c.created_at",
    .from = " FROM svc_caregivers c JOIN svc_stations s ON s.id = c.station_id"
            " JOIN svc_providers p ON p.id = c.provider_id",
    .order = " ORDER BY c.id"};

static const struct al_col caregiver_cols[] = {AL_COL(0, "id", AL_COL_INT),
    AL_COL(1, "name", AL_COL_TEXT), AL_COLF(2, "phone_masked", al_col_phone_masked),
    AL_COL(3, "provider_id", AL_COL_INT), AL_COL(4, "provider_name", AL_COL_TEXT),
    AL_COL(5, "station_id", AL_COL_INT), AL_COL(6, "station_name", AL_COL_TEXT),
    AL_COL(7, "region_code", AL_COL_TEXT), AL_COL(8, "skills", AL_COL_TEXT),
    AL_COL(9, "work_start_min", AL_COL_INT), AL_COL(10, "work_end_min", AL_COL_INT),
    AL_COL(11, "status", AL_COL_TEXT), AL_COL(12, "version", AL_COL_INT),
    AL_COL(13, "first_cert_until", AL_COL_TEXT), AL_COLF(13, "cert_state", col_cert_state),
    AL_COL(14, "created_at", AL_COL_TIME), AL_COL_END};

static const struct al_export_col caregiver_xcols[] = {AL_XCOLF("序号", 0, al_xcell_row_number),
    AL_XCOL("姓名", 1), AL_XCOLF("手机号", 2, al_xcell_phone_masked), AL_XCOL("所属机构", 4),
    AL_XCOL("服务站", 6), AL_XCOLF("技能", 8, x_skills), AL_XCOLF("工作时间", 9, x_hours),
    AL_XCOLF("状态", 11, x_status), AL_XCOL("最早证书到期日", 13),
    AL_XCOLF("证书状态", 13, x_cert_state), AL_XCOL_END};

static int
caregiver_where(struct al_req *r, int64_t mine, struct al_params *p, const char **where)
{
    const char *status, *skill;
    int64_t provider = 0, station = 0;
    int rc = query_enum(r, "status", "状态", statuses, &status);
    if (rc == AL_OK)
        rc = query_enum(r, "skill", "技能", service_skills, &skill);
    if (rc == AL_OK)
        rc = query_id(r, "provider_id", "服务机构", &provider);
    if (rc == AL_OK)
        rc = query_id(r, "station_id", "服务站", &station);
    if (rc != AL_OK)
        return rc;
    region_params(p, r->who->region_code);
    al_param_int(p, mine);
    al_param_int(p, provider);
    al_param_int(p, station);
    al_param_text(p, status);
    al_param_text(p, al_query_opt(&r->query, "q"));
    al_param_text(p, skill);
    *where = " WHERE c.region_code >= ?1 AND c.region_code < ?2"
             " AND (?3 = 0 OR c.provider_id = ?3) AND (?4 = 0 OR c.provider_id = ?4)"
             " AND (?5 = 0 OR c.station_id = ?5)"
             " AND (CAST(?6 AS TEXT) IS NULL OR c.status = ?6)"
             " AND (CAST(?7 AS TEXT) IS NULL OR instr(c.name, ?7) > 0)"
             " AND (CAST(?8 AS TEXT) IS NULL OR instr(',' || c.skills || ',', ',' || ?8 || ',') > 0)";
    return AL_OK;
}

extern const struct reg_kind service_reg_station;

/* RULE-SVC-103: certificates as the form sends them, each checked, replacing body's array. */
static int
certs_check(struct al_req *r, json_t *body)
{
    json_t *certs = json_object_get(body, "certificates");
    if (!json_is_array(certs) || json_array_size(certs) > 8)
        return al_req_fail(r, AL_EINVAL, "certificates", "证书应为至多 8 项的列表");
    json_t *out = json_array();
    size_t i;
    json_t *c;
    json_array_foreach(certs, i, c)
    {
        json_t *set = json_object();
        int rc = json_is_object(c) ? al_fields_read(c, cert_fields, AL_FIELDS_CREATE, set,
                                         &r->err)
                                   : AL_EINVAL;
        if (rc != AL_OK)
            return al_req_fail(r, AL_EINVAL, "certificates", "证书第 %zu 项：%s", i + 1,
                json_is_object(c) ? r->err.message : "格式不正确");
        if (!json_object_get(set, "number"))
            json_object_set_new(set, "number", json_string(""));
        json_array_append_new(out, set);
    }
    json_object_set_new(body, "certificates", out);
    return AL_OK;
}

static int
caregiver_check(struct al_req *r, int64_t mine, json_t *body, json_t *set,
    const struct reg_row *old)
{
    json_t *sid = json_object_get(set, "station_id");
    if (sid) { /* RULE-SVC-103: provider and region follow the home station */
        struct reg_row st;
        int rc = service_reg_row(r->db, r->arena, &service_reg_station, sid, &st);
        if (rc != AL_OK && rc != AL_ENOTFOUND)
            return rc;
        if (rc == AL_ENOTFOUND || !region_in_scope(r->who->region_code, st.region_code) ||
            (mine && st.provider_id != mine) || strcmp(st.status, "active") != 0 ||
            (old && old->provider_id != st.provider_id))
            return al_req_fail(r, AL_EINVAL, "station_id",
                old ? "所属服务站不存在、已停用或不属于本机构" : "所属服务站不存在、已停用或不在本辖区内");
        json_object_set_new(set, "provider_id", json_integer(st.provider_id));
        json_object_set_new(set, "region_code", json_string(st.region_code));
    }
    json_t *skills = json_object_get(set, "skills");
    if (skills) {
        const char *joined = "";
        size_t i;
        json_t *v;
        json_array_foreach(skills, i, v)
            joined = al_arena_printf(r->arena, "%s%s%s", joined, i ? "," : "",
                json_string_value(v));
        json_object_set_new(set, "skills", json_string(joined));
    }
    json_t *ws = json_object_get(set, "work_start_min"), *we = json_object_get(set, "work_end_min");
    if ((ws != NULL) != (we != NULL))
        return al_req_fail(r, AL_EINVAL, ws ? "work_end_min" : "work_start_min",
            "上班时间与下班时间应一起填写");
    if (ws && json_integer_value(ws) >= json_integer_value(we))
        return al_req_fail(r, AL_EINVAL, "work_end_min", "下班时间应晚于上班时间");
    return json_object_get(body, "certificates") ? certs_check(r, body) : AL_OK;
}

static int
caregiver_after(struct al_req *r, json_t *body, int64_t id)
{
    json_t *certs = json_object_get(body, "certificates");
    return certs ? service_reg_certs_put(r->db, id, certs) : AL_OK;
}

/* ---- items ---- */

static const struct al_field item_fields[] = {
    {"code", "服务项目代码", AL_FT_TEXT, AL_F_REQUIRED | AL_F_PLAIN, .min = 2, .max = 20,
        .check = check_code},
    {"name", "服务项目名称", AL_FT_TEXT, AL_F_REQUIRED | AL_F_PLAIN, .min = 1, .max = 30},
    {"category", "类别", AL_FT_TEXT, AL_F_REQUIRED | AL_F_PLAIN, .min = 1, .max = 20},
    {"price_fen", "价格（分）", AL_FT_INT, AL_F_REQUIRED, .min = 0, .max = 10000000},
    {"planned_min", "计划时长（分钟）", AL_FT_INT, AL_F_REQUIRED, .min = 5, .max = 480},
    {"skill", "所需技能", AL_FT_ENUM, AL_F_REQUIRED, .allowed = service_skills},
    {"cert_required", "需持证上岗", AL_FT_BOOL, 0, .min = 0},
    {"entitle_item_key", "可用补贴项目", AL_FT_TEXT, AL_F_NULLABLE | AL_F_PLAIN, .max = 40},
    {"sort", "排序", AL_FT_INT, 0, .min = 0, .max = 9999},
    {"active", "启用", AL_FT_BOOL, 0, .min = 0},
    {0},
};

static const struct al_page_sql item_page = {
    .cols = "i.code, i.name, i.category, i.price_fen, i.planned_min, i.skill, i.cert_required,"
            " i.entitle_item_key, i.sort, i.active, i.version",
    .from = " FROM svc_items i",
    .order = " ORDER BY i.sort, i.code"};

static const struct al_col item_cols[] = {AL_COL(0, "code", AL_COL_TEXT),
    AL_COL(1, "name", AL_COL_TEXT), AL_COL(2, "category", AL_COL_TEXT),
    AL_COL(3, "price_fen", AL_COL_INT), AL_COL(4, "planned_min", AL_COL_INT),
    AL_COL(5, "skill", AL_COL_TEXT), AL_COL(6, "cert_required", AL_COL_BOOL),
    AL_COL(7, "entitle_item_key", AL_COL_TEXT), AL_COL(8, "sort", AL_COL_INT),
    AL_COL(9, "active", AL_COL_BOOL), AL_COL(10, "version", AL_COL_INT), AL_COL_END};

static const struct al_export_col item_xcols[] = {AL_XCOLF("序号", 0, al_xcell_row_number),
    AL_XCOL("代码", 0), AL_XCOL("服务项目", 1), AL_XCOL("类别", 2),
    AL_XCOLF("价格（元）", 3, x_yuan), AL_XCOL("计划时长（分钟）", 4),
    AL_XCOLF("所需技能", 5, x_skills), AL_XCOLF("需持证上岗", 6, x_yes),
    AL_XCOL("可用补贴项目", 7), AL_XCOLF("状态", 9, x_status), AL_XCOL_END};

static int
item_where(struct al_req *r, int64_t mine, struct al_params *p, const char **where)
{
    (void)mine;
    int64_t active = -1;
    int rc = al_query_int(&r->query, "active", "启用", 0, 1, -1, &active, &r->err);
    if (rc != AL_OK)
        return rc;
    al_param_int(p, active);
    al_param_text(p, al_query_opt(&r->query, "q"));
    *where = " WHERE (?1 < 0 OR i.active = ?1) AND (CAST(?2 AS TEXT) IS NULL OR instr(i.name, ?2) > 0)";
    return AL_OK;
}

/* RULE-SVC-104: items are the bureau's list, shared by every provider. */
static int
item_check(struct al_req *r, int64_t mine, json_t *body, json_t *set, const struct reg_row *old)
{
    (void)body;
    if (mine)
        return al_req_fail(r, AL_EPERM, NULL, "服务项目由民政部门维护");
    if (old && json_object_get(set, "code"))
        return al_req_fail(r, AL_EINVAL, "code", "服务项目代码不能修改");
    const char *key = jtext(set, "entitle_item_key");
    if (key) {
        /*
         * THE SEAM to the basic service list (issue 12): entitle.h offers no look-up of an
         * item key yet, so this reads entitle_items as service_quota_left does.
         */
        bool yes = false;
        int rc = service_reg_exists(r->db, "SELECT count(*) FROM entitle_items WHERE item_key = ?",
            key, &yes);
        if (rc != AL_OK)
            return rc;
        if (!yes)
            return al_req_fail(r, AL_EINVAL, "entitle_item_key", "可用补贴项目不在基本养老服务清单中");
    }
    return AL_OK;
}

/* ---- certificates to renew (RULE-SVC-105): a list and its export, no writes ---- */

static const struct al_page_sql cert_page = {
    .cols = "x.id, x.caregiver_id, c.name, c.station_id, s.name, c.provider_id, p.name, x.skill,"
            " x.name, x.number, x.valid_until, c.status",
    .from = " FROM svc_certificates x JOIN svc_caregivers c ON c.id = x.caregiver_id"
            " JOIN svc_stations s ON s.id = c.station_id"
            " JOIN svc_providers p ON p.id = c.provider_id",
    .order = " ORDER BY x.valid_until, x.id"};

static const struct al_col cert_list_cols[] = {AL_COL(0, "id", AL_COL_INT),
    AL_COL(1, "caregiver_id", AL_COL_INT), AL_COL(2, "caregiver_name", AL_COL_TEXT),
    AL_COL(3, "station_id", AL_COL_INT), AL_COL(4, "station_name", AL_COL_TEXT),
    AL_COL(5, "provider_id", AL_COL_INT), AL_COL(6, "provider_name", AL_COL_TEXT),
    AL_COL(7, "skill", AL_COL_TEXT), AL_COL(8, "name", AL_COL_TEXT),
    AL_COL(9, "number", AL_COL_TEXT), AL_COL(10, "valid_until", AL_COL_TEXT),
    AL_COLF(10, "state", col_cert_state), AL_COL(11, "caregiver_status", AL_COL_TEXT),
    AL_COL_END};

static const struct al_export_col cert_xcols[] = {AL_XCOLF("序号", 0, al_xcell_row_number),
    AL_XCOL("护理员", 2), AL_XCOL("服务站", 4), AL_XCOL("服务机构", 6),
    AL_XCOLF("技能", 7, x_skills), AL_XCOL("证书名称", 8), AL_XCOL("证书编号", 9),
    AL_XCOL("有效期至", 10), AL_XCOLF("状态", 10, x_cert_state), AL_XCOL_END};

static int
cert_where(struct al_req *r, int64_t mine, struct al_params *p, const char **where)
{
    static const char *const states[] = {"expired", "expiring", "attention", NULL};
    const char *state;
    int rc = query_enum(r, "state", "证书状态", states, &state);
    if (rc != AL_OK)
        return rc;
    char *limit = al_arena_alloc(r->arena, 11);
    service_date_plus(r->today, SVC_CERT_WARN_DAYS, limit);
    region_params(p, r->who->region_code);
    al_param_int(p, mine);
    al_param_text(p, r->today);
    al_param_text(p, limit);
    /* Each text names ?4 and ?5 (PostgreSQL types every parameter from the text); ?4 < ?5. */
    const char *cond = !state || strcmp(state, "attention") == 0
                           ? " AND (x.valid_until < ?4 OR x.valid_until <= ?5)"
                       : strcmp(state, "expired") == 0
                           ? " AND x.valid_until < ?4 AND x.valid_until < ?5"
                           : " AND x.valid_until >= ?4 AND x.valid_until <= ?5";
    *where = al_arena_printf(r->arena,
        " WHERE c.region_code >= ?1 AND c.region_code < ?2 AND (?3 = 0 OR c.provider_id = ?3)"
        " AND c.status = 'active'%s", cond);
    return AL_OK;
}

/* ---- the kinds ---- */

const struct reg_kind service_reg_provider = {.name = "provider", .zh = "服务机构",
    .table = "svc_providers", .key_col = "id", .list_key = "p.id", .int_key = true,
    .has_created = true,
    .load_sql = "SELECT version, region_code, id, status FROM svc_providers WHERE id = ?",
    .fields = provider_fields, .page = &provider_page, .cols = provider_cols,
    .xcols = provider_xcols, .xkey = 0, .where = provider_where, .check = provider_check};

const struct reg_kind service_reg_station = {.name = "station", .zh = "服务站",
    .table = "svc_stations", .key_col = "id", .list_key = "s.id", .int_key = true,
    .has_created = true,
    .load_sql = "SELECT version, region_code, provider_id, status FROM svc_stations WHERE id = ?",
    .fields = station_fields, .page = &station_page, .cols = station_cols,
    .xcols = station_xcols, .xkey = 0, .where = station_where, .check = station_check,
    .after = station_after};

static const struct reg_kind caregiver_kind = {.name = "caregiver", .zh = "护理员",
    .table = "svc_caregivers", .key_col = "id", .list_key = "c.id", .int_key = true,
    .has_created = true,
    .load_sql = "SELECT version, region_code, provider_id, status FROM svc_caregivers WHERE id = ?",
    .fields = caregiver_fields, .page = &caregiver_page, .cols = caregiver_cols,
    .xcols = caregiver_xcols, .xkey = 0, .where = caregiver_where, .check = caregiver_check,
    .after = caregiver_after};

static const struct reg_kind item_kind = {.name = "item", .zh = "服务项目", .table = "svc_items",
    .key_col = "code", .list_key = "i.code", .int_key = false, .has_created = false,
    .load_sql = "SELECT version, '', 0, CASE WHEN active = 1 THEN 'active' ELSE 'inactive' END"
                " FROM svc_items WHERE code = ?",
    .fields = item_fields, .page = &item_page, .cols = item_cols, .xcols = item_xcols,
    .xkey = -1, .where = item_where, .check = item_check};

static const struct reg_kind cert_kind = {.name = "certificate", .zh = "护理员证书",
    .list_key = "x.id", .int_key = true, .page = &cert_page, .cols = cert_list_cols,
    .xcols = cert_xcols, .xkey = 0, .where = cert_where};

/* ---- the handlers every kind shares ---- */

/* The key of the path as JSON (an id, or an item's code). */
static int
path_key(struct al_req *r, const struct reg_kind *k, json_t **key)
{
    if (!k->int_key) {
        const char *code = al_req_param(r, "code");
        *key = json_string(code ? code : "");
        return AL_OK;
    }
    int64_t id;
    int rc = al_req_param_id(r, "id", &id);
    *key = rc == AL_OK ? json_integer(id) : NULL;
    return rc;
}

/*
 * RULE-SVC-212: the caller's provider into *mine (0: an officer); a station account keeps the
 * network of its provider read-only: its writes are refused (403), the provider's to make.
 */
static int
writer_provider(struct al_req *r, int64_t *mine)
{
    struct svc_account acct;
    int rc = service_user_account(r->db, r->who->user_id, &acct);
    *mine = acct.provider;
    if (rc == AL_OK && acct.station)
        rc = al_req_fail(r, AL_EPERM, NULL, "服务站账号不能修改服务网络档案，请由服务机构或民政部门修改");
    return rc;
}

/* RULE-SVC-101, RULE-SVC-112: the record of the path if the caller may see it, else 404. */
static int
visible(struct al_req *r, const struct reg_kind *k, int64_t mine, json_t **key,
    struct reg_row *row)
{
    int rc = path_key(r, k, key);
    if (rc == AL_OK)
        rc = service_reg_row(r->db, r->arena, k, *key, row);
    if (rc == AL_ENOTFOUND ||
        (rc == AL_OK && k->int_key &&
            (!region_in_scope(r->who->region_code, row->region_code) ||
                (mine && row->provider_id != mine))))
        return al_req_fail(r, AL_ENOTFOUND, NULL, "%s不存在", k->zh);
    return rc;
}

static int
reg_audit(struct al_req *r, const struct reg_kind *k, const char *verb, json_t *key,
    const char *region, json_t *detail)
{
    struct audit_entry e = {.action = al_arena_printf(r->arena, "service.%s_%s", k->name, verb),
        .target_type = al_arena_printf(r->arena, "svc_%s", k->name),
        .target_id = key ? (json_is_integer(key)
                                   ? al_arena_printf(r->arena, "%lld",
                                         (long long)json_integer_value(key))
                                   : json_string_value(key))
                         : NULL,
        .region_code = region && *region ? region : r->who->region_code, .outcome = "success",
        .detail = detail};
    return audit_append(r, &e);
}

static int
reg_list(struct al_req *r, const struct reg_kind *k)
{
    int64_t mine = 0, limit, offset, total = 0;
    struct al_params p;
    const char *where;
    al_params_init(&p, r->arena);
    int rc = service_user_provider(r->db, r->who->user_id, &mine);
    if (rc == AL_OK)
        rc = k->where(r, mine, &p, &where);
    if (rc == AL_OK)
        rc = al_query_limit(&r->query, &limit, &offset, &r->err);
    if (rc != AL_OK)
        return rc;
    json_t *items = json_array();
    rc = al_db_page(r->db, &p, k->page, where, limit, offset,
        &(struct al_rows){.cols = k->cols, .user = r->today}, items, &total);
    return rc == AL_OK ? al_reply_items(r, items, total) : rc;
}

static int
reg_get(struct al_req *r, const struct reg_kind *k)
{
    int64_t mine = 0;
    json_t *key, *out = NULL;
    struct reg_row row;
    int rc = service_user_provider(r->db, r->who->user_id, &mine);
    if (rc == AL_OK)
        rc = visible(r, k, mine, &key, &row);
    if (rc == AL_OK)
        rc = service_reg_get(r->db, r->arena, k, key, r->today, &out);
    return rc == AL_OK ? al_reply(r, 200, out) : rc;
}

/* RULE-SVC-101, RULE-SVC-102: create (`old` NULL) or edit at a version; audited. */
static int
reg_write(struct al_req *r, const struct reg_kind *k, bool creating)
{
    int64_t mine = 0, version = 0, id = 0;
    json_t *body, *key = NULL, *set = json_object();
    struct reg_row row;
    int rc = writer_provider(r, &mine);
    if (rc == AL_OK && !creating)
        rc = visible(r, k, mine, &key, &row);
    if (rc == AL_OK)
        rc = al_req_json(r, &body);
    if (rc == AL_OK && !creating)
        rc = al_json_get_int(body, "version", "版本号", AL_REQUIRED, 1, INT32_MAX, &version, NULL,
            &r->err);
    if (rc == AL_OK)
        rc = al_fields_read(body, k->fields, creating ? AL_FIELDS_CREATE : 0, set, &r->err);
    if (rc == AL_OK)
        rc = k->check(r, mine, body, set, creating ? NULL : &row);
    if (rc != AL_OK)
        return rc;
    json_t *changed = json_array();
    const char *col;
    json_t *v;
    json_object_foreach(set, col, v)
        json_array_append_new(changed, json_string(col));
    if ((rc = al_db_begin(r->db)) != AL_OK)
        return rc;
    if (creating) {
        rc = service_reg_insert(r->db, r->arena, k, set, r->now, &id);
        key = k->int_key ? json_integer(id) : json_incref(json_object_get(set, "code"));
        if (rc == AL_ECONFLICT)
            al_req_fail(r, AL_ECONFLICT, k->int_key ? NULL : "code", "%s已存在", k->zh);
    } else {
        rc = service_reg_update(r->db, r->arena, k, key, version, set);
        if (rc == AL_ECONFLICT)
            al_req_fail(r, AL_ECONFLICT, "version", "%s已被他人修改，请刷新后重试", k->zh);
        id = k->int_key ? json_integer_value(key) : 0;
    }
    if (rc == AL_OK && k->after)
        rc = k->after(r, body, id);
    if (rc == AL_OK)
        rc = reg_audit(r, k, creating ? "create" : "update", key,
            jtext(set, "region_code") ? jtext(set, "region_code") : creating ? NULL : row.region_code,
            json_pack("{s:o}", "fields", changed));
    if ((rc = al_db_end(r->db, rc)) != AL_OK)
        return rc;
    json_t *out = NULL;
    if ((rc = service_reg_get(r->db, r->arena, k, key, r->today, &out)) != AL_OK)
        return rc;
    return al_reply(r, creating ? 201 : 200, out);
}

/*
 * RULE-SVC-101: deactivate at a version (never a delete: orders, settlements and visits refer
 * to every record); audited.  Deactivating twice is 409.
 */
static int
reg_deactivate(struct al_req *r, const struct reg_kind *k)
{
    int64_t mine = 0, version = 0;
    json_t *body, *key;
    struct reg_row row;
    int rc = writer_provider(r, &mine);
    if (rc == AL_OK)
        rc = visible(r, k, mine, &key, &row);
    if (rc == AL_OK && mine && (k == &service_reg_provider || !k->int_key))
        rc = al_req_fail(r, AL_EPERM, NULL, "%s只能由民政部门停用", k->zh);
    if (rc == AL_OK)
        rc = al_req_json(r, &body);
    if (rc == AL_OK)
        rc = al_json_get_int(body, "version", "版本号", AL_REQUIRED, 1, INT32_MAX, &version, NULL,
            &r->err);
    if (rc == AL_OK && strcmp(row.status, "inactive") == 0)
        rc = al_req_fail(r, AL_ECONFLICT, "status", "%s已停用", k->zh);
    if (rc != AL_OK)
        return rc;
    json_t *set = k->int_key ? json_pack("{s:s}", "status", "inactive")
                             : json_pack("{s:i}", "active", 0);
    if ((rc = al_db_begin(r->db)) != AL_OK)
        return rc;
    rc = service_reg_update(r->db, r->arena, k, key, version, set);
    if (rc == AL_ECONFLICT)
        al_req_fail(r, AL_ECONFLICT, "version", "%s已被他人修改，请刷新后重试", k->zh);
    if (rc == AL_OK)
        rc = reg_audit(r, k, "deactivate", key, row.region_code, NULL);
    if ((rc = al_db_end(r->db, rc)) != AL_OK)
        return rc;
    json_t *out = NULL;
    if ((rc = service_reg_get(r->db, r->arena, k, key, r->today, &out)) != AL_OK)
        return rc;
    return al_reply(r, 200, out);
}

struct export_ctx {
    struct al_req *r;
    const struct reg_kind *k;
    struct al_params p;
    const char *where;
};

static struct al_stmt *
export_page(void *ctx, const char *const *after)
{
    struct export_ctx *x = ctx;
    if (x->k->xkey < 0) { /* a short list: every row at once */
        struct al_stmt *st = al_db_sql_text(x->r->db, al_arena_printf(x->r->arena,
            "SELECT %s%s%s%s", x->k->page->cols, x->k->page->from, x->where, x->k->page->order));
        if (st)
            al_params_bind(st, &x->p);
        return st;
    }
    return al_db_keyset(x->r->db, &x->p, x->k->page, x->where, x->k->list_key, false,
        after ? after[0] : NULL, EXPORT_PAGE);
}

/* RULE-SVC-101: the list as filtered on the page, CSV or XLSX, scoped like it; audited. */
static int
reg_export(struct al_req *r, const struct reg_kind *k)
{
    const char *format, *where;
    int64_t mine = 0, total = 0;
    struct al_params p;
    al_params_init(&p, r->arena);
    int rc = al_export_format(r, &format);
    if (rc == AL_OK)
        rc = service_user_provider(r->db, r->who->user_id, &mine);
    if (rc == AL_OK)
        rc = k->where(r, mine, &p, &where);
    json_t *items = json_array();
    if (rc == AL_OK) /* the count */
        rc = al_db_page(r->db, &p, k->page, where, 0, 0,
            &(struct al_rows){.cols = k->cols, .user = r->today}, items, &total);
    if (rc == AL_OK)
        rc = reg_audit(r, k, "export", NULL, NULL,
            json_pack("{s:s, s:I}", "format", format, "rows", (json_int_t)total));
    if (rc != AL_OK)
        return rc;
    struct export_ctx *x = al_arena_calloc(r->arena, sizeof(*x));
    x->r = r;
    x->k = k;
    al_params_init(&x->p, r->arena);
    if ((rc = k->where(r, mine, &x->p, &x->where)) != AL_OK)
        return rc;
    struct al_export_list l = {.title = k->zh, .name = al_arena_printf(r->arena, "%s名单", k->zh),
        .cols = k->xcols, .user = r->today, .page = export_page, .ctx = x,
        .key_col = k->xkey < 0 ? 0 : k->xkey, .nkeys = k->xkey < 0 ? 0 : 1,
        .page_rows = EXPORT_PAGE};
    return al_export_list(r, format, &l, NULL);
}

#define KIND_HANDLERS(n, k)                                                                    \
    static int n##_list(struct al_req *r) { return reg_list(r, k); }                          \
    static int n##_get(struct al_req *r) { return reg_get(r, k); }                            \
    static int n##_create(struct al_req *r) { return reg_write(r, k, true); }                 \
    static int n##_update(struct al_req *r) { return reg_write(r, k, false); }                \
    static int n##_deactivate(struct al_req *r) { return reg_deactivate(r, k); }              \
    static int n##_export(struct al_req *r) { return reg_export(r, k); }

KIND_HANDLERS(provider, &service_reg_provider)
KIND_HANDLERS(station, &service_reg_station)
KIND_HANDLERS(caregiver, &caregiver_kind)
KIND_HANDLERS(item, &item_kind)

static int
certs_list(struct al_req *r)
{
    return reg_list(r, &cert_kind);
}

static int
certs_export(struct al_req *r)
{
    return reg_export(r, &cert_kind);
}

#define A "/api/v1/service/admin"
#define KIND_ROUTES(n, path, id, zh)                                                           \
    {AL_GET, A "/" path, n##_list, "service.read", 0, zh "列表（q、status 等筛选，分页，total）"},       \
    {AL_GET, A "/" path "/export", n##_export, "service.read", 0, "导出" zh "列表（format=csv 或 xlsx）"}, \
    {AL_POST, A "/" path, n##_create, "service.manage", 0, "新建" zh},                                  \
    {AL_GET, A "/" path "/" id, n##_get, "service.read", 0, zh "详情"},                                 \
    {AL_PATCH, A "/" path "/" id, n##_update, "service.manage", 0, "修改" zh "（须带 version）"},        \
    {AL_POST, A "/" path "/" id "/deactivate", n##_deactivate, "service.manage", 0,                   \
        "停用" zh "（须带 version；不删除）"}

static const struct al_route admin_routes[] = {
    KIND_ROUTES(provider, "providers", ":id", "服务机构"),
    KIND_ROUTES(station, "stations", ":id", "服务站"),
    KIND_ROUTES(caregiver, "caregivers", ":id", "护理员"),
    KIND_ROUTES(item, "items", ":code", "服务项目"),
    {AL_GET, A "/certificates", certs_list, "service.read", 0,
        "护理员证书到期提醒（state=expired 已过期、expiring 30 天内到期，默认两者）"},
    {AL_GET, A "/certificates/export", certs_export, "service.read", 0, "导出证书到期提醒"},
    SERVICE_COMPLAINT_ROUTES,
    SERVICE_SETTINGS_ROUTES,
    SERVICE_ACCOUNT_ROUTES,
    {0},
};

const struct al_module service_admin_module = {.name = "service_admin", .routes = admin_routes};
