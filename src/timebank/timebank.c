/*
 * Routes and thin handlers of the time bank (issue 16).  Rules in timebank_logic.c, SQL in
 * timebank_store.c, every transfer through tb_ledger_post (timebank_ledger.c).
 */
#include <string.h>

#include "audit/audit.h"
#include "auth/auth.h"
#include "core/dbq.h"
#include "core/fields.h"
#include "core/http.h"
#include "core/idcard.h"
#include "core/jobs.h"
#include "core/json.h"
#include "elder/elder.h"
#include "region/region.h"
#include "user/user.h"
#include "timebank/timebank.h"
#include "timebank/timebank_int.h"

static int
audit(struct al_req *r, const char *action, const char *type, int64_t id, const char *region,
    json_t *detail)
{
    struct audit_entry e = {.action = action, .target_type = type,
        .target_id = al_arena_printf(r->arena, "%lld", (long long)id), .region_code = region,
        .outcome = "success", .detail = detail};
    return audit_append(r, &e);
}

/* Scheme `id` in the caller's region (404 otherwise). */
static int
scheme_in_scope(struct al_req *r, int64_t id, struct tb_scheme *s)
{
    int rc = tb_store_scheme(r->db, r->arena, id, s);
    if (rc == AL_ENOTFOUND || (rc == AL_OK && !region_in_scope(r->who->region_code,
                                                  s->region_code)))
        return al_req_fail(r, AL_ENOTFOUND, "scheme_id", "时间银行不存在");
    return rc;
}

/* ---- schemes (RULE-TB-001, 002, 020) ---- */

static const struct al_field scheme_fields[] = {
    {"name", "名称", AL_FT_TEXT, AL_F_REQUIRED | AL_F_PLAIN, .min = 2, .max = 40},
    {"region_code", "所属区划", AL_FT_TEXT, AL_F_REQUIRED | AL_F_PLAIN, .min = 6, .max = 12},
    {"categories", "服务类别", AL_FT_TEXTS, AL_F_REQUIRED, .max = 30, .item_max = 20},
    {"cap_hours", "存储上限（小时）", AL_FT_INT, 0, .min = 0, .max = 100000},
    {"redeem_age", "兑换年龄", AL_FT_INT, 0, .min = 50, .max = 100},
    {"redeem_age_difficulty", "特殊困难老年人兑换年龄", AL_FT_INT, 0, .min = 50, .max = 100},
    {"gift_min_age", "受赠亲属最低年龄", AL_FT_INT, 0, .min = 0, .max = 100},
    {"key_elder_age", "重点老人年龄", AL_FT_INT, 0, .min = 60, .max = 120},
    {"group_donate_only", "团体时间只能捐赠", AL_FT_BOOL, 0, .min = 0},
    {"expiry_months", "有效期（月）", AL_FT_INT, 0, .min = 0, .max = 120}, /* RULE-TB-060 */
    {0},
};

/* The fields read into `s` (over its current values); categories joined with '|'. */
static int
scheme_apply(struct al_req *r, json_t *set, struct tb_scheme *s)
{
    if (tb_sget(set, "name"))
        s->name = tb_sget(set, "name");
    json_t *cats = json_object_get(set, "categories");
    if (cats) {
        const char *joined = "";
        size_t i;
        json_t *c;
        json_array_foreach(cats, i, c)
        {
            if (strchr(json_string_value(c), '|'))
                return al_req_fail(r, AL_EINVAL, "categories", "服务类别不能含有“|”");
            joined = al_arena_printf(r->arena, "%s%s%s", joined, i ? "|" : "",
                json_string_value(c));
        }
        int rc = tb_categories_check(joined, &r->err);
        if (rc != AL_OK)
            return rc;
        s->categories = joined;
    }
    struct tb_rules *ru = &s->rules;
    ru->cap_min = tb_iget(set, "cap_hours", ru->cap_min / 60) * 60; /* RULE-TB-021 */
    ru->redeem_age = (int)tb_iget(set, "redeem_age", ru->redeem_age);
    ru->redeem_age_difficulty = (int)tb_iget(set, "redeem_age_difficulty",
        ru->redeem_age_difficulty);
    ru->gift_min_age = (int)tb_iget(set, "gift_min_age", ru->gift_min_age);
    ru->key_elder_age = (int)tb_iget(set, "key_elder_age", ru->key_elder_age);
    ru->group_donate_only = tb_iget(set, "group_donate_only", ru->group_donate_only) == 1;
    ru->expiry_months = (int)tb_iget(set, "expiry_months", ru->expiry_months);
    if (ru->redeem_age_difficulty > ru->redeem_age)
        return al_req_fail(r, AL_EINVAL, "redeem_age_difficulty",
            "特殊困难老年人兑换年龄不能高于兑换年龄");
    return AL_OK;
}

static int
scheme_create(struct al_req *r)
{
    json_t *body, *set = json_object();
    struct tb_scheme s = {.rules = tb_rules_default};
    int64_t id = 0;
    int rc = al_req_json(r, &body);
    if (rc == AL_OK)
        rc = al_fields_read(body, scheme_fields, AL_FIELDS_CREATE, set, &r->err);
    if (rc == AL_OK)
        rc = scheme_apply(r, set, &s);
    if (rc != AL_OK)
        goto out;
    s.region_code = tb_sget(set, "region_code");
    /* RULE-TB-001: a scheme belongs to a county or township in the caller's region. */
    int level = region_level(s.region_code);
    if ((level != 3 && level != 4) || !region_name(r->db, r->arena, s.region_code)) {
        rc = al_req_fail(r, AL_EINVAL, "region_code", "所属区划应为存在的县（6 位）或乡镇/街道（9 位）");
        goto out;
    }
    if (!region_in_scope(r->who->region_code, s.region_code)) {
        rc = al_req_fail(r, AL_EPERM, "region_code", "只能在本辖区设立时间银行");
        goto out;
    }
    if ((rc = al_db_begin(r->db)) != AL_OK)
        goto out;
    rc = tb_store_scheme_create(r->db, &s, r->who->username, r->now, &id);
    if (rc == AL_ECONFLICT)
        al_req_fail(r, rc, "name", "本区划已有同名时间银行");
    if (rc == AL_OK)
        rc = audit(r, "timebank.scheme_create", "tb_scheme", id, s.region_code,
            json_pack("{ss}", "name", s.name));
    if ((rc = al_db_end(r->db, rc)) == AL_OK && (rc = tb_store_scheme(r->db, r->arena, id, &s)) ==
        AL_OK)
        rc = al_reply(r, 201, tb_scheme_json(&s));
out:
    json_decref(set);
    return rc;
}

static int
scheme_list(struct al_req *r)
{
    json_t *items = json_array();
    int rc = tb_store_schemes(r->db, r->arena, r->who->region_code, items);
    if (rc != AL_OK) {
        json_decref(items);
        return rc;
    }
    return al_reply_items(r, items, -1);
}

static int
scheme_get(struct al_req *r)
{
    int64_t id;
    struct tb_scheme s;
    int64_t issue = 0, fund = 0;
    int rc = al_req_param_id(r, "id", &id);
    if (rc == AL_OK)
        rc = scheme_in_scope(r, id, &s);
    if (rc == AL_OK)
        rc = tb_store_balance(r->db, s.issue_account, &issue);
    if (rc == AL_OK)
        rc = tb_store_balance(r->db, s.fund_account, &fund);
    if (rc != AL_OK)
        return rc;
    json_t *o = tb_scheme_json(&s);
    json_object_set_new(o, "issued_min", json_integer(-issue));
    json_object_set_new(o, "fund_min", json_integer(fund));
    return al_reply(r, 200, o);
}

static int
scheme_update(struct al_req *r)
{
    int64_t id, version = 0;
    json_t *body, *set = json_object();
    struct tb_scheme s;
    bool has_version = false;
    int rc = al_req_param_id(r, "id", &id);
    if (rc == AL_OK)
        rc = al_req_json(r, &body);
    if (rc == AL_OK)
        rc = al_json_get_int(body, "version", "版本", AL_REQUIRED, 1, INT64_MAX, &version,
            &has_version, &r->err);
    if (rc == AL_OK)
        rc = scheme_in_scope(r, id, &s);
    if (rc == AL_OK) {
        json_object_del(body, "region_code"); /* a scheme stays where it was set up */
        rc = al_fields_read(body, scheme_fields, 0, set, &r->err);
    }
    if (rc == AL_OK)
        rc = scheme_apply(r, set, &s);
    if (rc != AL_OK)
        goto out;
    s.version = version;
    if ((rc = al_db_begin(r->db)) != AL_OK)
        goto out;
    rc = tb_store_scheme_update(r->db, &s);
    if (rc == AL_ECONFLICT)
        al_req_fail(r, rc, "version", "时间银行已被他人修改，请刷新后重试");
    if (rc == AL_OK)
        rc = audit(r, "timebank.scheme_update", "tb_scheme", id, s.region_code, json_incref(set));
    if ((rc = al_db_end(r->db, rc)) == AL_OK &&
        (rc = tb_store_scheme(r->db, r->arena, id, &s)) == AL_OK)
        rc = al_reply(r, 200, tb_scheme_json(&s));
out:
    json_decref(set);
    return rc;
}

/* ---- alliances (RULE-TB-003, 004) ---- */

static int
alliance_list(struct al_req *r)
{
    json_t *items = json_array();
    int rc = tb_store_alliances(r->db, r->arena, r->who->region_code, items);
    if (rc != AL_OK) {
        json_decref(items);
        return rc;
    }
    return al_reply_items(r, items, -1);
}

static int
alliance_create(struct al_req *r)
{
    json_t *body;
    int64_t sid = 0, pid = 0, id = 0;
    bool present;
    const char *note = NULL;
    struct tb_scheme s, p;
    int rc = al_req_json(r, &body);
    if (rc == AL_OK)
        rc = al_json_get_int(body, "scheme_id", "本方时间银行", AL_REQUIRED, 1, INT64_MAX, &sid,
            &present, &r->err);
    if (rc == AL_OK)
        rc = al_json_get_int(body, "partner_id", "对方时间银行", AL_REQUIRED, 1, INT64_MAX, &pid,
            &present, &r->err);
    if (rc == AL_OK)
        rc = al_json_get_str(body, "note", "说明", AL_PLAIN, 0, 200, &note, &r->err);
    if (rc == AL_OK)
        rc = scheme_in_scope(r, sid, &s);
    if (rc != AL_OK)
        return rc;
    if (sid == pid)
        return al_req_fail(r, AL_EINVAL, "partner_id", "不能与本方时间银行结盟");
    rc = tb_store_scheme(r->db, r->arena, pid, &p);
    if (rc == AL_ENOTFOUND)
        return al_req_fail(r, AL_ENOTFOUND, "partner_id", "对方时间银行不存在");
    if (rc != AL_OK || (rc = al_db_begin(r->db)) != AL_OK)
        return rc;
    rc = tb_store_alliance_create(r->db, sid < pid ? sid : pid, sid < pid ? pid : sid, sid, note,
        r->who->username, r->now, &id);
    if (rc == AL_ECONFLICT)
        al_req_fail(r, rc, "partner_id", "两个时间银行之间已有联盟");
    if (rc == AL_OK)
        rc = audit(r, "timebank.alliance_propose", "tb_alliance", id, s.region_code,
            json_pack("{sI sI}", "scheme_id", (json_int_t)sid, "partner_id", (json_int_t)pid));
    if ((rc = al_db_end(r->db, rc)) != AL_OK)
        return rc;
    return al_reply(r, 201, json_pack("{sI ss}", "id", (json_int_t)id, "status", "proposed"));
}

static int
alliance_status(struct al_req *r)
{
    static const char *const statuses[] = {"accepted", "suspended", NULL};
    static const struct al_field fields[] = {
        {"status", "状态", AL_FT_ENUM, AL_F_REQUIRED | AL_F_EXACT, .allowed = statuses,
            .hint = "应为 accepted（生效）或 suspended（暂停）"},
        {"version", "版本", AL_FT_INT, AL_F_REQUIRED, .min = 1, .max = INT64_MAX},
        {0},
    };
    int64_t id;
    json_t *body, *set = json_object();
    struct tb_alliance al;
    struct tb_scheme lo, hi;
    int rc = al_req_param_id(r, "id", &id);
    if (rc == AL_OK)
        rc = al_req_json(r, &body);
    if (rc == AL_OK)
        rc = al_fields_read(body, fields, AL_FIELDS_CREATE, set, &r->err);
    if (rc == AL_OK && (rc = tb_store_alliance(r->db, r->arena, id, &al)) == AL_ENOTFOUND)
        rc = al_req_fail(r, AL_ENOTFOUND, NULL, "联盟不存在");
    if (rc == AL_OK)
        rc = tb_store_scheme(r->db, r->arena, al.lo, &lo);
    if (rc == AL_OK)
        rc = tb_store_scheme(r->db, r->arena, al.hi, &hi);
    if (rc != AL_OK)
        goto out;
    const char *scope = r->who->region_code, *to = tb_sget(set, "status");
    bool in_lo = region_in_scope(scope, lo.region_code), in_hi = region_in_scope(scope, hi.region_code);
    if (!in_lo && !in_hi) {
        rc = al_req_fail(r, AL_ENOTFOUND, NULL, "联盟不存在");
        goto out;
    }
    /* RULE-TB-003: the partner accepts; either side suspends and resumes. */
    const struct tb_scheme *partner = al.proposer == al.lo ? &hi : &lo;
    if (strcmp(al.status, "proposed") == 0 && strcmp(to, "accepted") == 0 &&
        !region_in_scope(scope, partner->region_code)) {
        rc = al_req_fail(r, AL_EPERM, "status", "联盟应由对方时间银行（%s）确认", partner->name);
        goto out;
    }
    if (strcmp(al.status, to) == 0 ||
        (strcmp(al.status, "proposed") == 0 && strcmp(to, "suspended") == 0)) {
        rc = al_req_fail(r, AL_ECONFLICT, "status", "联盟当前状态不能改为%s",
            strcmp(to, "accepted") == 0 ? "生效" : "暂停");
        goto out;
    }
    al.version = tb_iget(set, "version", 0);
    if ((rc = al_db_begin(r->db)) != AL_OK)
        goto out;
    rc = tb_store_alliance_status(r->db, &al, to, r->who->username, r->now);
    if (rc == AL_ECONFLICT)
        al_req_fail(r, rc, "version", "联盟已被他人修改，请刷新后重试");
    if (rc == AL_OK)
        rc = audit(r, "timebank.alliance_status", "tb_alliance", id,
            in_lo ? lo.region_code : hi.region_code,
            json_pack("{ss ss}", "from", al.status, "to", to));
    if ((rc = al_db_end(r->db, rc)) == AL_OK)
        rc = al_reply(r, 200, json_pack("{sI ss}", "id", (json_int_t)id, "status", to));
out:
    json_decref(set);
    return rc;
}

/* ---- members (RULE-TB-005..007) ---- */

/* RULE-TB-044: a volunteer's own sign-in (`user_id`, 0 for none) has the volunteer role and
 * one membership.  AL_OK, or the failure answered. */
static int
member_user_check(struct al_req *r, int64_t user_id)
{
    if (user_id <= 0)
        return AL_OK;
    json_t *u = NULL;
    struct tb_member other;
    int rc = user_get_json(r->db, r->arena, user_id, &u);
    const char *role = rc == AL_OK ? tb_sget(u, "role") : NULL;
    bool vol = role && strcmp(role, "volunteer") == 0;
    json_decref(u);
    if (rc == AL_ENOTFOUND || (rc == AL_OK && !vol))
        return al_req_fail(r, AL_EINVAL, "user_id", "志愿者账号应为“志愿者”角色的用户");
    if (rc == AL_OK && (rc = tb_store_member_of_user(r->db, r->arena, user_id, &other)) == AL_OK)
        return al_req_fail(r, AL_ECONFLICT, "user_id", "该账号已关联志愿者");
    return rc == AL_ENOTFOUND ? AL_OK : rc;
}

/* Who joins: an elder of the registry under the record's name and region (RULE-TB-006), or a
 * named group, or an adult individual (RULE-TB-005).  AL_OK, or the failure answered. */
static int
member_who(struct al_req *r, struct tb_member *m)
{
    bool group = strcmp(m->kind, "group") == 0;
    if (m->elder_id > 0) {
        struct elder_brief b;
        int rc = elder_brief_get(r->db, r->arena, m->elder_id, &b);
        if (rc == AL_ENOTFOUND ||
            (rc == AL_OK && !region_in_scope(r->who->region_code, b.region_code)))
            return al_req_fail(r, AL_ENOTFOUND, "elder_id", "登记老人不存在");
        if (rc != AL_OK)
            return rc;
        if (group)
            return al_req_fail(r, AL_EINVAL, "kind", "登记老人只能以个人身份加入");
        m->name = b.name;
        m->region_code = b.region_code;
        m->birth_date = NULL;
        return AL_OK;
    }
    if (!m->name)
        return al_req_fail(r, AL_EINVAL, "name", "姓名/名称不能为空");
    if (!group && !m->birth_date)
        return al_req_fail(r, AL_EINVAL, "birth_date", "个人志愿者应填写出生日期");
    if (!group && al_age_on(m->birth_date, r->today) < 18)
        return al_req_fail(r, AL_EUNPROC, "birth_date", "志愿者应年满 18 周岁");
    return AL_OK;
}

static int
member_create(struct al_req *r)
{
    static const char *const kinds[] = {"individual", "group", NULL};
    static const struct al_field fields[] = {
        {"scheme_id", "时间银行", AL_FT_INT, AL_F_REQUIRED, .min = 1, .max = INT64_MAX},
        {"kind", "志愿者类型", AL_FT_ENUM, AL_F_REQUIRED | AL_F_EXACT, .allowed = kinds,
            .hint = "应为 individual（个人）或 group（团体）"},
        {"name", "姓名/名称", AL_FT_TEXT, AL_F_PLAIN, .min = 1, .max = 40},
        {"phone", "联系电话", AL_FT_TEXT, AL_F_PLAIN, .min = 5, .max = 20},
        {"birth_date", "出生日期", AL_FT_DATE, 0, .min = 0},
        {"elder_id", "登记老人", AL_FT_INT, 0, .min = 1, .max = INT64_MAX},
        {"region_code", "所在区划", AL_FT_TEXT, AL_F_PLAIN, .min = 6, .max = 12},
        {"group_type", "团体类型", AL_FT_TEXT, AL_F_PLAIN, .min = 1, .max = 20},
        {"training", "培训记录", AL_FT_TEXT, AL_F_PLAIN, .min = 0, .max = 200},
        {"conduct_signed", "已签署行为守则", AL_FT_BOOL, 0, .min = 0},
        {"user_id", "志愿者账号", AL_FT_INT, 0, .min = 1, .max = INT64_MAX},
        {"lat", "住址或站点纬度", AL_FT_REAL, 0, .lo = 3.0, .hi = 54.0, .hint = "应为中国境内的纬度"},
        {"lng", "住址或站点经度", AL_FT_REAL, 0, .lo = 73.0, .hi = 136.0,
            .hint = "应为中国境内的经度"},
        {0},
    };
    json_t *body, *set = json_object();
    struct tb_scheme s;
    struct tb_member m = {0};
    int64_t id = 0;
    int rc = al_req_json(r, &body);
    if (rc == AL_OK)
        rc = al_fields_read(body, fields, AL_FIELDS_CREATE, set, &r->err);
    if (rc == AL_OK)
        rc = scheme_in_scope(r, tb_iget(set, "scheme_id", 0), &s);
    if (rc != AL_OK)
        goto out;
    m.scheme_id = s.id;
    m.kind = tb_sget(set, "kind");
    m.name = tb_sget(set, "name");
    m.phone = tb_sget(set, "phone");
    m.birth_date = tb_sget(set, "birth_date");
    m.group_type = tb_sget(set, "group_type");
    m.elder_id = tb_iget(set, "elder_id", 0);
    m.region_code = tb_sget(set, "region_code") ? tb_sget(set, "region_code") : s.region_code;
    m.user_id = tb_iget(set, "user_id", 0);
    /* RULE-TB-066: where the volunteer sets out from (home or station). */
    if ((rc = tb_pos_read(set, &m.lat, &m.lng, &m.has_pos, &r->err)) != AL_OK)
        goto out;
    if ((rc = member_user_check(r, m.user_id)) != AL_OK || (rc = member_who(r, &m)) != AL_OK)
        goto out;
    if (!region_in_scope(s.region_code, m.region_code) ||
        !region_in_scope(r->who->region_code, m.region_code)) {
        rc = al_req_fail(r, AL_EINVAL, "region_code", "所在区划应在该时间银行的区划内");
        goto out;
    }
    if ((rc = al_db_begin(r->db)) != AL_OK)
        goto out;
    rc = tb_store_member_create(r->db, &m, tb_sget(set, "training"),
        (int)tb_iget(set, "conduct_signed", 0), r->who->username, r->now, &id);
    if (rc == AL_ECONFLICT)
        al_req_fail(r, rc, "elder_id", "该老人已是本时间银行成员");
    if (rc == AL_OK && m.has_pos)
        rc = tb_store_position(r->db, "tb_members", id, m.lat, m.lng);
    if (rc == AL_OK)
        rc = audit(r, "timebank.member_create", "tb_member", id, m.region_code,
            json_pack("{sI ss}", "scheme_id", (json_int_t)s.id, "kind", m.kind));
    if ((rc = al_db_end(r->db, rc)) == AL_OK)
        rc = al_reply(r, 201, json_pack("{sI ss}", "id", (json_int_t)id, "status", "pending"));
out:
    json_decref(set);
    return rc;
}

/* Member `id` in the caller's region (404 otherwise). */
static int
member_in_scope(struct al_req *r, int64_t id, struct tb_member *m)
{
    int rc = tb_store_member(r->db, r->arena, id, m);
    if (rc == AL_ENOTFOUND || (rc == AL_OK && !region_in_scope(r->who->region_code,
                                                  m->region_code)))
        return al_req_fail(r, AL_ENOTFOUND, NULL, "成员不存在");
    return rc;
}

static json_t *
member_json(struct al_req *r, const struct tb_member *m, const struct tb_party *p)
{
    char masked[32] = "";
    if (m->phone)
        al_phone_mask(m->phone, masked, sizeof(masked));
    return json_pack("{sI sI sI ss ss ss ss ss? ss ss? sI sb si sb sI}", "id", (json_int_t)m->id,
        "version", (json_int_t)m->version, "scheme_id", (json_int_t)m->scheme_id, "region_code",
        m->region_code, "kind", m->kind, "name", m->name, "status", m->status, "phone_masked",
        m->phone ? masked : NULL, "balance_text",
        tb_hours_text(r->arena, p->balance_min), "group_type",
        m->group_type, "elder_id", (json_int_t)m->elder_id,
        "difficulty", p->difficulty, "age", p->age, "may_redeem",
        tb_may_redeem(&tb_rules_default, p) && !p->is_group, "balance_min",
        (json_int_t)p->balance_min);
}

/* RULE-TB-062: what of the member's hours expires within 30 days, for their page. */
int
tb_expiry_json(struct al_req *r, const struct tb_member *m, const struct tb_scheme *s, json_t *o)
{
    int64_t soon = 0;
    char by[11];
    int rc = tb_expiry_soon(r->db, m->account_id, s->rules.expiry_months, r->now, 30, &soon, by);
    if (rc != AL_OK)
        return rc;
    json_object_set_new(o, "expiry", json_pack("{si sI ss? ss}", "months",
        s->rules.expiry_months, "expiring_min", (json_int_t)soon, "by", *by ? by : NULL,
        "text", soon > 0 ? al_arena_printf(r->arena, "%s 前将有 %s过期失效", by,
                                tb_hours_text(r->arena, soon))
        : s->rules.expiry_months > 0 ? "30 天内没有到期的时间"
                                     : "时间长期有效"));
    return AL_OK;
}

static int
member_get(struct al_req *r)
{
    int64_t id;
    struct tb_member m;
    struct tb_party p;
    struct tb_scheme s;
    int rc = al_req_param_id(r, "id", &id);
    if (rc == AL_OK)
        rc = member_in_scope(r, id, &m);
    if (rc == AL_OK)
        rc = tb_ledger_party(r->db, r->arena, &m, r->today, &p);
    if (rc == AL_OK)
        rc = tb_store_balance(r->db, m.account_id, &p.balance_min);
    if (rc == AL_OK)
        rc = tb_store_scheme(r->db, r->arena, m.scheme_id, &s);
    if (rc != AL_OK)
        return rc;
    json_t *o = member_json(r, &m, &p);
    json_object_set_new(o, "may_redeem", json_boolean(!p.is_group && tb_may_redeem(&s.rules, &p)));
    json_object_set_new(o, "scheme_name", json_string(s.name));
    json_object_set_new(o, "card_masked", m.card_masked ? json_string(m.card_masked) : json_null());
    if ((rc = tb_expiry_json(r, &m, &s, o)) != AL_OK) {
        json_decref(o);
        return rc;
    }
    return al_reply(r, 200, o);
}

static int
member_list(struct al_req *r)
{
    int64_t limit, offset, scheme = 0, total = 0;
    struct al_params p;
    int rc = al_query_limit(&r->query, &limit, &offset, &r->err);
    if (rc == AL_OK)
        rc = al_query_int(&r->query, "scheme_id", "时间银行", 0, INT64_MAX, 0, &scheme, &r->err);
    if (rc != AL_OK)
        return rc;
    /* RULE-TB-051: drill-down from the measures by area, within the caller's region. */
    const char *region = al_query_opt(&r->query, "region");
    if (region && ((*region && region_level(region) == 0) ||
                      !region_in_scope(r->who->region_code, region)))
        return al_req_fail(r, AL_ENOTFOUND, "region", "区划不存在或不在您的辖区内");
    al_params_init(&p, r->arena);
    region_params(&p, region ? region : r->who->region_code);
    json_t *items = json_array();
    rc = tb_store_members(r->db, &p, scheme, al_query_opt(&r->query, "q"), limit, offset, items,
        &total);
    if (rc != AL_OK) {
        json_decref(items);
        return rc;
    }
    return al_reply_items(r, items, total);
}

static int
member_verify(struct al_req *r)
{
    int64_t id, version = 0;
    bool present;
    json_t *body;
    struct tb_member m;
    int rc = al_req_param_id(r, "id", &id);
    if (rc == AL_OK)
        rc = al_req_json(r, &body);
    if (rc == AL_OK)
        rc = al_json_get_int(body, "version", "版本", AL_REQUIRED, 1, INT64_MAX, &version,
            &present, &r->err);
    if (rc == AL_OK)
        rc = member_in_scope(r, id, &m);
    if (rc == AL_OK && (rc = al_db_begin(r->db)) == AL_OK) {
        /* RULE-TB-007: a helper or officer verifies once; until then no hours move. */
        rc = tb_store_member_verify(r->db, id, version, r->who->username, r->now);
        if (rc == AL_ECONFLICT)
            al_req_fail(r, rc, "version", "成员已审核或已被他人修改，请刷新后重试");
        if (rc == AL_OK)
            rc = audit(r, "timebank.member_verify", "tb_member", id, m.region_code, NULL);
        rc = al_db_end(r->db, rc);
    }
    if (rc != AL_OK)
        return rc;
    return al_reply(r, 200, json_pack("{sI ss}", "id", (json_int_t)id, "status", "verified"));
}

static int
member_statement(struct al_req *r)
{
    int64_t id, limit, offset, total = 0;
    struct tb_member m;
    int rc = al_req_param_id(r, "id", &id);
    if (rc == AL_OK)
        rc = member_in_scope(r, id, &m);
    if (rc == AL_OK)
        rc = al_query_limit(&r->query, &limit, &offset, &r->err);
    if (rc != AL_OK)
        return rc;
    json_t *items = json_array();
    if ((rc = tb_store_statement(r->db, r->arena, m.account_id, limit, offset, items, &total)) !=
        AL_OK) {
        json_decref(items);
        return rc;
    }
    return al_reply_items(r, items, total);
}

/* ---- transfers (RULE-TB-010..033) ---- */

static int
transfer_create(struct al_req *r)
{
    static const char *const cats[] = {"service", "redeem", "gift", "donate", "grant", "topup",
        NULL};
    static const struct al_field fields[] = {
        {"category", "类别", AL_FT_ENUM, AL_F_REQUIRED | AL_F_EXACT, .allowed = cats,
            .hint = "应为 service、redeem、gift、donate、grant 或 topup"},
        {"minutes", "时长（分钟）", AL_FT_INT, AL_F_REQUIRED, .min = 1, .max = 1000000},
        {"from_member_id", "转出成员", AL_FT_INT, 0, .min = 1, .max = INT64_MAX},
        {"to_member_id", "转入成员", AL_FT_INT, 0, .min = 1, .max = INT64_MAX},
        {"scheme_id", "时间银行", AL_FT_INT, 0, .min = 1, .max = INT64_MAX},
        {"relation", "亲属关系", AL_FT_TEXT, AL_F_PLAIN, .min = 1, .max = 20},
        {"note", "说明", AL_FT_TEXT, AL_F_PLAIN, .min = 0, .max = 200},
        {0},
    };
    json_t *body, *set = json_object();
    struct tb_transfer_out res;
    int rc = al_req_json(r, &body);
    if (rc == AL_OK)
        rc = al_fields_read(body, fields, AL_FIELDS_CREATE, set, &r->err);
    if (rc != AL_OK)
        goto out;
    struct tb_transfer_in in = {.category = tb_category_parse(tb_sget(set, "category")),
        .scheme_id = tb_iget(set, "scheme_id", 0), .from_member = tb_iget(set, "from_member_id", 0),
        .to_member = tb_iget(set, "to_member_id", 0), .minutes = tb_iget(set, "minutes", 0),
        .relation = tb_sget(set, "relation"), .note = tb_sget(set, "note"), .today = r->today,
        .by = r->who->username, .now = r->now, .scope = r->who->region_code};
    /* RULE-TB-026: the public fund is the officers' to fill and grant from. */
    if ((in.category == TB_GRANT || in.category == TB_TOPUP) &&
        !auth_role_has(r->db, r->who->role, "timebank.manage")) {
        rc = al_req_fail(r, AL_EPERM, "category", "基金注入与资助需要“设立时间银行”的权限");
        goto out;
    }
    if ((rc = al_db_begin(r->db)) != AL_OK)
        goto out;
    rc = tb_ledger_post(r->db, r->arena, &in, &res, &r->err);
    if (rc == AL_OK)
        rc = audit(r, "timebank.transfer", "tb_transfer", res.id, res.region_code, /* TB-080 */
            json_pack("{ss sI sI sI sI sI ss?}", "category", tb_category_name(in.category),
                "minutes", (json_int_t)in.minutes, "from_member_id", (json_int_t)in.from_member,
                "to_member_id", (json_int_t)in.to_member, "alliance_id",
                (json_int_t)res.alliance_id, "cap_donated_min", (json_int_t)res.cap_donated_min,
                "to_region_code", res.to_region_code));
    if ((rc = al_db_end(r->db, rc)) == AL_OK)
        rc = al_reply(r, 201, json_pack("{sI sI sI sI sI}", "id", (json_int_t)res.id,
            "alliance_id", (json_int_t)res.alliance_id, "cap_donated_min",
            (json_int_t)res.cap_donated_min, "from_balance_min", (json_int_t)res.from_balance,
            "to_balance_min", (json_int_t)res.to_balance));
out:
    json_decref(set);
    return rc;
}

int
timebank_verify(struct al_db *db, int64_t *checked, char *msg, size_t size)
{
    return tb_store_verify(db, checked, msg, size);
}

static int
ledger_verify(struct al_req *r)
{
    int64_t n = 0;
    char msg[384];
    int rc = tb_store_verify(r->db, &n, msg, sizeof(msg));
    if (rc != AL_OK && rc != AL_ECONFLICT)
        return rc;
    return al_reply(r, 200, json_pack("{sb sI ss}", "ok", rc == AL_OK, "movements",
        (json_int_t)n, "message", msg));
}

static const struct al_route timebank_routes[] = {
    {AL_GET, "/api/v1/timebank/schemes", scheme_list, "timebank.read", 0, "时间银行列表"},
    {AL_POST, "/api/v1/timebank/schemes", scheme_create, "timebank.manage", 0, "设立时间银行"},
    {AL_GET, "/api/v1/timebank/schemes/:id", scheme_get, "timebank.read", 0, "时间银行详情与规则"},
    {AL_PATCH, "/api/v1/timebank/schemes/:id", scheme_update, "timebank.manage", 0,
        "修改时间银行规则与服务类别"},
    {AL_GET, "/api/v1/timebank/alliances", alliance_list, "timebank.read", 0, "通存通兑联盟"},
    {AL_POST, "/api/v1/timebank/alliances", alliance_create, "timebank.manage", 0, "提议联盟"},
    {AL_POST, "/api/v1/timebank/alliances/:id/status", alliance_status, "timebank.manage", 0,
        "确认、暂停或恢复联盟"},
    {AL_GET, "/api/v1/timebank/members", member_list, "timebank.read", 0, "志愿者与成员"},
    {AL_POST, "/api/v1/timebank/members", member_create, "timebank.operate", 0, "登记志愿者"},
    {AL_GET, "/api/v1/timebank/members/export", tb_members_export, "timebank.read", 0,
        "导出志愿者（CSV/XLSX）"},
    {AL_GET, "/api/v1/timebank/measures", tb_measures, "timebank.read", 0,
        "时间银行指标：老年志愿者占比、每月服务时长、需求与基金"},
    {AL_GET, "/api/v1/timebank/measures/export", tb_measures_export, "timebank.read", 0,
        "导出老年志愿者占比（CSV/XLSX）"},
    {AL_GET, "/api/v1/timebank/settings", tb_settings_get, "timebank.read", 0,
        "时间银行区域参数：老年志愿者占比目标、附近需求半径（本级或上级设置）"},
    {AL_PUT, "/api/v1/timebank/settings", tb_settings_put, "timebank.manage", 0,
        "设置本辖区的时间银行区域参数"},
    {AL_PUT, "/api/v1/timebank/members/:id/card", tb_card_put, "timebank.operate", 0,
        "关联或解除成员的市民卡（加密保存，脱敏显示）"},
    {AL_GET, "/api/v1/timebank/card-export", tb_card_export, "timebank.manage", 0,
        "导出市民卡交换文件：期间每位成员的存入、使用与余额（CSV/XLSX，留痕）"},
    {AL_GET, "/api/v1/timebank/members/:id", member_get, "timebank.read", 0, "成员详情与余额"},
    {AL_POST, "/api/v1/timebank/members/:id/verify", member_verify, "timebank.operate", 0,
        "审核志愿者"},
    {AL_GET, "/api/v1/timebank/members/:id/statement", member_statement, "timebank.read", 0,
        "成员账户明细"},
    {AL_POST, "/api/v1/timebank/transfers", transfer_create, "timebank.operate", 0,
        "记入时间：服务存入、兑换、赠与、捐赠、基金注入与资助"},
    {AL_POST, "/api/v1/timebank/expiry", tb_expiry_start, "timebank.manage", 0,
        "时间过期清理（后台任务，返回 job_id）：按先存先用，超过有效期未使用的时间转回发行账户"},
    {AL_GET, "/api/v1/timebank/verify", ledger_verify, "timebank.manage", 0, "校验时间银行账本"},
    {AL_GET, "/api/v1/timebank/needs", tb_need_list, "timebank.read", 0, "服务需求（可按状态、逾期筛选）"},
    {AL_POST, "/api/v1/timebank/needs", tb_need_create, "timebank.operate", 0,
        "为老人发布服务需求（返回老人确认码）"},
    {AL_GET, "/api/v1/timebank/needs/:id", tb_need_get, "timebank.read", 0, "服务需求详情"},
    {AL_POST, "/api/v1/timebank/needs/:id/assign", tb_need_assign, "timebank.operate", 0,
        "指派志愿者"},
    {AL_POST, "/api/v1/timebank/needs/:id/done", tb_need_done, "timebank.operate", 0,
        "代志愿者登记服务时长"},
    {AL_POST, "/api/v1/timebank/needs/:id/confirm", tb_need_confirm, "timebank.operate", 0,
        "老人确认（确认码或助老员代确认），双方确认后记入时间"},
    {AL_POST, "/api/v1/timebank/needs/:id/dispute", tb_need_dispute, "timebank.operate", 0,
        "登记争议"},
    {AL_POST, "/api/v1/timebank/needs/:id/resolve", tb_need_resolve, "timebank.operate", 0,
        "处理争议：认定时长或取消"},
    {AL_POST, "/api/v1/timebank/needs/:id/cancel", tb_need_cancel, "timebank.operate", 0,
        "取消需求"},
    {AL_GET, "/api/v1/my/elders/:id/timebank-needs", tb_my_needs, "timebank.family", 0,
        "家属：老人所在的时间银行与老人的互助需求"},
    {AL_POST, "/api/v1/my/elders/:id/timebank-needs", tb_my_need_create, "timebank.family", 0,
        "家属：为老人发布互助需求"},
    {AL_GET, "/api/v1/timebank/me", tb_me, "timebank.self", 0, "志愿者本人：我的时间"},
    {AL_GET, "/api/v1/timebank/me/statement", tb_me_statement, "timebank.self", 0,
        "志愿者本人：账户明细"},
    {AL_GET, "/api/v1/timebank/me/needs", tb_me_needs, "timebank.self", 0,
        "志愿者本人：附近需求与我的服务"},
    {AL_POST, "/api/v1/timebank/me/needs/:id/take", tb_me_take, "timebank.self", 0,
        "志愿者本人：接单"},
    {AL_POST, "/api/v1/timebank/me/needs/:id/done", tb_me_done, "timebank.self", 0,
        "志愿者本人：登记时长（可附老人确认码）"},
    {AL_POST, "/api/v1/timebank/me/needs/:id/dispute", tb_me_dispute, "timebank.self", 0,
        "志愿者本人：对已接的需求提出争议（交助老员处理）"},
    {0},
};

static const struct al_job_kind timebank_jobs[] = {
    {"timebank.expire", tb_expire_job},
    {0},
};

const struct al_module timebank_module = {.name = "timebank", .routes = timebank_routes,
    .jobs = timebank_jobs};
