/*
 * Needs and service of the time bank (issue 16, RULE-TB-040..045): a helper posts a need of
 * an elder, a volunteer takes it (or a helper assigns it), the volunteer reports the minutes
 * and the elder confirms them with a short code (or a helper on their behalf); both done, the
 * hours move through tb_ledger_post in the same transaction.  A dispute goes to the helper.
 * The volunteer's own routes (/api/v1/timebank/me…) are here too.  Routed by timebank.c.
 */
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "auth/auth.h"
#include "core/crypto.h"
#include "core/fields.h"
#include "core/geo.h"
#include "core/http.h"
#include "core/idcard.h"
#include "core/json.h"
#include "elder/elder.h"
#include "region/region.h"
#include "timebank/timebank_int.h"

/* RULE-TB-066: at most this many candidate needs in the box are ordered by distance. */
#define TB_NEARBY_MAX 1000

static int
audit_need(struct al_req *r, const char *action, const struct tb_need *n, json_t *detail)
{
    struct audit_entry e = {.action = action, .target_type = "tb_need",
        .target_id = al_arena_printf(r->arena, "%lld", (long long)n->id),
        .region_code = n->region_code, .outcome = "success", .detail = detail};
    return audit_append(r, &e);
}

static json_t *
need_json(struct al_req *r, const struct tb_need *n, bool with_code)
{
    json_t *o = json_pack("{sI sI sI sI ss ss ss ss ss sI ss ss ss sI sI sb sb sI}", "id",
        (json_int_t)n->id, "version", (json_int_t)n->version, "scheme_id",
        (json_int_t)n->scheme_id, "elder_id", (json_int_t)n->elder_id, "elder_name",
        n->elder_name, "region_code", n->region_code, "category", n->category, "place", n->place,
        "starts_at", al_json_time(r->arena, n->starts_at), "duration_min",
        (json_int_t)n->duration_min, "pay_from", n->pay_from, "status", n->status, "status_name",
        tb_need_status_label(n->status), "member_id", (json_int_t)n->member_id, "served_min",
        (json_int_t)n->served_min, "volunteer_ok", n->volunteer_ok, "elder_ok", n->elder_ok,
        "transfer_id", (json_int_t)n->transfer_id);
    json_object_set_new(o, "note", json_string(n->note ? n->note : ""));
    json_object_set_new(o, "dispute", n->dispute ? json_string(n->dispute) : json_null());
    if (with_code)
        json_object_set_new(o, "confirm_code", json_string(n->confirm_code));
    return o;
}

/* Need `id` in the caller's region (404 otherwise). */
static int
need_in_scope(struct al_req *r, int64_t id, struct tb_need *n)
{
    int rc = tb_store_need(r->db, r->arena, id, n);
    if (rc == AL_ENOTFOUND || (rc == AL_OK && !region_in_scope(r->who->region_code,
                                                  n->region_code)))
        return al_req_fail(r, AL_ENOTFOUND, NULL, "需求不存在");
    return rc;
}

/*
 * Both sides confirmed (or a helper resolved): move the minutes served, from the scheme's
 * issue account or the elder's own hours, to the volunteer (RULE-TB-043).
 */
static int
settle(struct al_req *r, struct tb_need *n)
{
    struct tb_transfer_in in = {.category = strcmp(n->pay_from, "elder") == 0 ? TB_REDEEM
                                                                               : TB_SERVICE,
        .scheme_id = n->scheme_id, .from_member = strcmp(n->pay_from, "elder") == 0 ? n->payer_id
                                                                                  : 0,
        .to_member = n->member_id, .minutes = n->served_min,
        .note = al_arena_printf(r->arena, "%s（需求 #%lld）", n->category, (long long)n->id),
        .need_id = n->id, .today = r->today, .by = r->who->username, .now = r->now,
        .scope = ""};
    if (in.category == TB_REDEEM)
        in.scheme_id = 0;
    struct tb_transfer_out out;
    int rc = tb_ledger_post(r->db, r->arena, &in, &out, &r->err);
    if (rc == AL_OK) {
        n->transfer_id = out.id;
        n->status = "done";
    }
    return rc;
}

/* Write the need (at its version) and its audit entry; settle first when both confirmed. */
static int
save(struct al_req *r, struct tb_need *n, const char *action, const char *resolved_by,
    json_t *detail)
{
    int rc = al_db_begin(r->db);
    if (rc != AL_OK) {
        json_decref(detail);
        return rc;
    }
    if (strcmp(n->status, "taken") == 0 && n->volunteer_ok && n->elder_ok)
        rc = settle(r, n);
    else if (strcmp(n->status, "done") == 0 && !n->transfer_id)
        rc = settle(r, n); /* a resolved dispute */
    if (rc == AL_OK && (rc = tb_store_need_update(r->db, n, resolved_by)) == AL_ECONFLICT)
        al_req_fail(r, rc, "version", "需求已被他人修改，请刷新后重试");
    if (rc == AL_OK)
        rc = audit_need(r, action, n, detail);
    else
        json_decref(detail);
    if ((rc = al_db_end(r->db, rc)) != AL_OK)
        return rc;
    n->version++;
    return al_reply(r, 200, need_json(r, n, false));
}

/* The need named by the path, in scope, at the body's version; the body into *body. */
static int
need_for_change(struct al_req *r, struct tb_need *n, json_t **body)
{
    int64_t id, version = 0;
    bool present;
    int rc = al_req_param_id(r, "id", &id);
    if (rc == AL_OK)
        rc = al_req_json(r, body);
    if (rc == AL_OK)
        rc = al_json_get_int(*body, "version", "版本", AL_REQUIRED, 1, INT64_MAX, &version,
            &present, &r->err);
    if (rc == AL_OK)
        rc = need_in_scope(r, id, n);
    if (rc == AL_OK && n->version != version)
        rc = al_req_fail(r, AL_ECONFLICT, "version", "需求已被他人修改，请刷新后重试");
    return rc;
}

/* ---- the helper's routes ---- */

int
tb_need_create(struct al_req *r)
{
    static const char *const pays[] = {"scheme", "elder", NULL};
    static const struct al_field fields[] = {
        {"scheme_id", "时间银行", AL_FT_INT, AL_F_REQUIRED, .min = 1, .max = INT64_MAX},
        {"elder_id", "老人", AL_FT_INT, AL_F_REQUIRED, .min = 1, .max = INT64_MAX},
        {"category", "服务类别", AL_FT_TEXT, AL_F_REQUIRED | AL_F_PLAIN, .min = 1, .max = 20},
        {"starts_at", "服务时间", AL_FT_TEXT, AL_F_REQUIRED | AL_F_PLAIN, .min = 16, .max = 16},
        {"duration_min", "预计时长（分钟）", AL_FT_INT, AL_F_REQUIRED, .min = 15, .max = 480},
        {"place", "服务地点", AL_FT_TEXT, AL_F_REQUIRED | AL_F_PLAIN, .min = 2, .max = 100},
        {"note", "说明", AL_FT_TEXT, AL_F_PLAIN, .min = 0, .max = 200},
        {"pay_from", "时间来源", AL_FT_ENUM, AL_F_EXACT, .allowed = pays,
            .hint = "应为 scheme（时间银行发放）或 elder（老人自己的时间）"},
        {"payer_id", "支付时间的成员", AL_FT_INT, 0, .min = 1, .max = INT64_MAX},
        {"lat", "纬度", AL_FT_REAL, 0, .lo = 3.0, .hi = 54.0, .hint = "应为中国境内的纬度"},
        {"lng", "经度", AL_FT_REAL, 0, .lo = 73.0, .hi = 136.0, .hint = "应为中国境内的经度"},
        {0},
    };
    json_t *body, *set = json_object();
    struct tb_scheme s;
    struct elder_brief b;
    struct tb_need n = {0};
    int rc = al_req_json(r, &body);
    if (rc == AL_OK)
        rc = al_fields_read(body, fields, AL_FIELDS_CREATE, set, &r->err);
    if (rc == AL_OK && ((rc = tb_store_scheme(r->db, r->arena, tb_iget(set, "scheme_id", 0), &s)) ==
                               AL_ENOTFOUND ||
                           (rc == AL_OK && !region_in_scope(r->who->region_code,
                                               s.region_code))))
        rc = al_req_fail(r, AL_ENOTFOUND, "scheme_id", "时间银行不存在");
    if (rc != AL_OK)
        goto out;
    n.scheme_id = s.id;
    n.elder_id = tb_iget(set, "elder_id", 0);
    n.category = tb_sget(set, "category");
    n.place = tb_sget(set, "place");
    n.note = tb_sget(set, "note");
    n.duration_min = tb_iget(set, "duration_min", 60);
    n.pay_from = tb_sget(set, "pay_from") ? tb_sget(set, "pay_from") : "scheme";
    n.payer_id = tb_iget(set, "payer_id", 0);
    /* RULE-TB-040: the elder of the registry, in the caller's and the scheme's area. */
    rc = elder_brief_get(r->db, r->arena, n.elder_id, &b);
    if (rc == AL_ENOTFOUND || (rc == AL_OK && (!region_in_scope(r->who->region_code,
                                                   b.region_code) ||
                                                  !region_in_scope(s.region_code,
                                                      b.region_code)))) {
        rc = al_req_fail(r, AL_ENOTFOUND, "elder_id", "该时间银行区域内没有这位老人");
        goto out;
    }
    if (rc != AL_OK)
        goto out;
    if (strcmp(b.status, "active") != 0) {
        rc = al_req_fail(r, AL_EUNPROC, "elder_id", "老人不在册，不能发布需求");
        goto out;
    }
    n.region_code = b.region_code;
    n.elder_name = b.name;
    /* RULE-TB-066: a picked point, else the elder's address coordinates when known. */
    if ((rc = tb_pos_read(set, &n.lat, &n.lng, &n.has_pos, &r->err)) != AL_OK)
        goto out;
    if (!n.has_pos) {
        struct elder_home h;
        if ((rc = elder_home_of(r->db, r->arena, n.elder_id, &h)) != AL_OK)
            goto out;
        n.has_pos = h.has_geo;
        n.lat = h.lat;
        n.lng = h.lng;
    }
    if (!tb_categories_has(s.categories, n.category)) {
        rc = al_req_fail(r, AL_EINVAL, "category", "服务类别应为本时间银行的类别之一");
        goto out;
    }
    if (!tb_parse_local_time(tb_sget(set, "starts_at"), &n.starts_at)) {
        rc = al_req_fail(r, AL_EINVAL, "starts_at", "服务时间格式应为 YYYY-MM-DD HH:MM");
        goto out;
    }
    if (strcmp(n.pay_from, "elder") == 0) {
        /* RULE-TB-043: the elder's own member account pays (in any scheme the caller sees). */
        struct tb_member m;
        if (n.payer_id <= 0) {
            rc = al_req_fail(r, AL_EINVAL, "payer_id", "用老人自己的时间时应指定其成员账户");
            goto out;
        }
        rc = tb_store_member(r->db, r->arena, n.payer_id, &m);
        if (rc == AL_OK && m.elder_id != n.elder_id)
            rc = al_req_fail(r, AL_EINVAL, "payer_id", "支付时间的成员应为该老人本人");
        if (rc == AL_ENOTFOUND)
            rc = al_req_fail(r, AL_ENOTFOUND, "payer_id", "成员不存在");
        if (rc != AL_OK)
            goto out;
    } else {
        n.payer_id = 0;
    }
    rc = tb_need_post(r, &n);
out:
    json_decref(set);
    return rc;
}

int
tb_need_post(struct al_req *r, struct tb_need *n)
{
    char hex[5];
    al_crypto_random_hex(hex, 2);
    unsigned long v = strtoul(hex, NULL, 16);
    unsigned char rnd[2] = {(unsigned char)(v >> 8), (unsigned char)v};
    char code[5];
    tb_confirm_code(rnd, code); /* RULE-TB-041 */
    n->confirm_code = code;
    int64_t id = 0;
    int rc = al_db_begin(r->db);
    if (rc != AL_OK)
        return rc;
    rc = tb_store_need_create(r->db, n, r->who->username, r->now, &id);
    n->id = id;
    if (rc == AL_OK && n->has_pos)
        rc = tb_store_position(r->db, "tb_needs", id, n->lat, n->lng);
    if (rc == AL_OK)
        rc = audit_need(r, "timebank.need_create", n,
            json_pack("{sI ss}", "scheme_id", (json_int_t)n->scheme_id, "category", n->category));
    if ((rc = al_db_end(r->db, rc)) == AL_OK && (rc = tb_store_need(r->db, r->arena, id, n)) ==
        AL_OK)
        rc = al_reply(r, 201, need_json(r, n, true));
    return rc;
}

int
tb_need_list(struct al_req *r)
{
    static const char *const statuses[] = {"open", "taken", "done", "disputed", "cancelled", NULL};
    struct tb_need_filter f = {.scope = r->who->region_code,
        .status = al_query_opt(&r->query, "status")};
    int64_t total = 0, overdue = 0;
    int rc = al_query_limit(&r->query, &f.limit, &f.offset, &r->err);
    if (rc == AL_OK)
        rc = al_query_int(&r->query, "scheme_id", "时间银行", 0, INT64_MAX, 0, &f.scheme_id,
            &r->err);
    if (rc == AL_OK)
        rc = al_query_int(&r->query, "overdue", "已逾期", 0, 1, 0, &overdue, &r->err);
    /* RULE-TB-068: the helper's need picker searches by volunteer and by text. */
    if (rc == AL_OK)
        rc = al_query_int(&r->query, "member_id", "志愿者", 0, INT64_MAX, 0, &f.member_id,
            &r->err);
    if (rc != AL_OK)
        return rc;
    f.q = al_query_opt(&r->query, "q");
    if (f.q && !*f.q)
        f.q = NULL;
    if (f.status) {
        bool known = false;
        for (int i = 0; statuses[i]; i++)
            known = known || strcmp(f.status, statuses[i]) == 0;
        if (!known)
            return al_req_fail(r, AL_EINVAL, "status",
                "状态应为 open、taken、done、disputed 或 cancelled");
    }
    f.overdue_at = overdue ? r->now : 0;
    json_t *items = json_array();
    if ((rc = tb_store_needs(r->db, r->arena, &f, items, &total)) != AL_OK) {
        json_decref(items);
        return rc;
    }
    return al_reply_items(r, items, total);
}

int
tb_need_get(struct al_req *r)
{
    int64_t id;
    struct tb_need n;
    int rc = al_req_param_id(r, "id", &id);
    if (rc == AL_OK)
        rc = need_in_scope(r, id, &n);
    if (rc != AL_OK)
        return rc;
    /* RULE-TB-041: the code is shown to those who may confirm for the elder. */
    return al_reply(r, 200,
        need_json(r, &n, auth_role_has(r->db, r->who->role, "timebank.operate")));
}

/* A verified volunteer (not a group? groups serve too) of the need's scheme or an allied one. */
static int
check_taker(struct al_req *r, const struct tb_need *n, int64_t member_id, const char *field,
    const char *scope)
{
    struct tb_member m;
    struct tb_alliance al;
    int rc = tb_store_member(r->db, r->arena, member_id, &m);
    if (rc == AL_ENOTFOUND)
        return al_req_fail(r, AL_ENOTFOUND, field, "志愿者不存在");
    if (rc != AL_OK)
        return rc;
    bool allied = m.scheme_id == n->scheme_id ||
        (tb_store_alliance_between(r->db, r->arena, m.scheme_id, n->scheme_id, &al) == AL_OK &&
            strcmp(al.status, "accepted") == 0);
    if (!allied || (scope && !region_in_scope(scope, m.region_code) && m.scheme_id ==
                                                                           n->scheme_id))
        return al_req_fail(r, AL_ENOTFOUND, field, "志愿者不存在");
    if (strcmp(m.status, "verified") != 0)
        return al_req_fail(r, AL_EUNPROC, field, "志愿者尚未通过审核");
    if (m.elder_id == n->elder_id)
        return al_req_fail(r, AL_EUNPROC, field, "老人不能为自己服务");
    return AL_OK;
}

int
tb_need_assign(struct al_req *r)
{
    struct tb_need n;
    json_t *body;
    int64_t member = 0;
    bool present;
    int rc = need_for_change(r, &n, &body);
    if (rc == AL_OK)
        rc = al_json_get_int(body, "member_id", "志愿者", AL_REQUIRED, 1, INT64_MAX, &member,
            &present, &r->err);
    if (rc == AL_OK)
        rc = tb_need_allowed(n.status, TB_N_TAKE, &r->err);
    if (rc == AL_OK)
        rc = check_taker(r, &n, member, "member_id", NULL);
    if (rc != AL_OK)
        return rc;
    n.member_id = member;
    n.status = "taken";
    return save(r, &n, "timebank.need_assign", NULL,
        json_pack("{sI}", "member_id", (json_int_t)member));
}

/* RULE-TB-041: the elder's code, compared without early exit; 5 wrong ones make a dispute. */
static int
check_code(struct al_req *r, struct tb_need *n, const char *code)
{
    unsigned diff = 1;
    if (code && strlen(code) == 4) {
        diff = 0;
        for (int i = 0; i < 4; i++)
            diff |= (unsigned)(code[i] ^ n->confirm_code[i]);
    }
    if (!diff)
        return AL_OK;
    n->code_fails++;
    bool locked = n->code_fails >= 5;
    if (locked) {
        n->status = "disputed";
        n->dispute = "确认码连续错误 5 次，转助老员处理";
    }
    int rc = al_db_begin(r->db);
    if (rc == AL_OK && (rc = tb_store_need_update(r->db, n, NULL)) == AL_OK)
        rc = audit_need(r, "timebank.need_code_fail", n,
            json_pack("{sI}", "fails", (json_int_t)n->code_fails));
    if ((rc = al_db_end(r->db, rc)) != AL_OK)
        return rc;
    return al_req_fail(r, AL_EUNPROC, "code", locked ? "确认码连续错误 5 次，需求已转助老员处理"
                                                     : "确认码不正确");
}

int
tb_need_done(struct al_req *r)
{
    struct tb_need n;
    json_t *body;
    int64_t minutes = 0;
    bool present;
    int rc = need_for_change(r, &n, &body);
    if (rc == AL_OK)
        rc = al_json_get_int(body, "minutes", "服务时长（分钟）", AL_REQUIRED, INT64_MIN,
            INT64_MAX, &minutes, &present, &r->err);
    if (rc == AL_OK)
        rc = tb_need_minutes_check(minutes, &r->err);
    if (rc == AL_OK)
        rc = tb_need_allowed(n.status, TB_N_DONE, &r->err);
    if (rc != AL_OK)
        return rc;
    /* RULE-TB-042: the helper reports for a volunteer without a phone. */
    n.served_min = minutes;
    n.volunteer_ok = true;
    return save(r, &n, "timebank.need_done", NULL,
        json_pack("{sI ss}", "minutes", (json_int_t)minutes, "on_behalf", "helper"));
}

int
tb_need_confirm(struct al_req *r)
{
    struct tb_need n;
    json_t *body;
    const char *code = NULL;
    int rc = need_for_change(r, &n, &body);
    if (rc == AL_OK)
        rc = al_json_get_str(body, "code", "确认码", AL_PLAIN, 0, 8, &code, &r->err);
    if (rc == AL_OK)
        rc = tb_need_allowed(n.status, TB_N_CONFIRM, &r->err);
    if (rc == AL_OK && code && *code)
        rc = check_code(r, &n, code);
    if (rc != AL_OK)
        return rc;
    /* RULE-TB-041: by the elder's code, or the helper on the elder's behalf (audited so). */
    n.elder_ok = true;
    return save(r, &n, "timebank.need_confirm", NULL,
        json_pack("{ss}", "by", code && *code ? "code" : "helper"));
}

int
tb_need_dispute(struct al_req *r)
{
    struct tb_need n;
    json_t *body;
    const char *reason = NULL;
    int rc = need_for_change(r, &n, &body);
    if (rc == AL_OK)
        rc = al_json_get_str(body, "reason", "争议原因", AL_REQUIRED | AL_PLAIN, 2, 200, &reason,
            &r->err);
    if (rc == AL_OK)
        rc = tb_need_allowed(n.status, TB_N_DISPUTE, &r->err);
    if (rc != AL_OK)
        return rc;
    n.status = "disputed";
    n.dispute = reason;
    return save(r, &n, "timebank.need_dispute", NULL, json_pack("{ss}", "reason", reason));
}

int
tb_need_resolve(struct al_req *r)
{
    struct tb_need n;
    json_t *body;
    int64_t minutes = -1;
    bool present;
    int rc = need_for_change(r, &n, &body);
    if (rc == AL_OK)
        rc = al_json_get_int(body, "minutes", "认定时长（分钟）", AL_REQUIRED, 0, 720, &minutes,
            &present, &r->err);
    if (rc == AL_OK)
        rc = tb_need_allowed(n.status, TB_N_RESOLVE, &r->err);
    if (rc != AL_OK)
        return rc;
    /* RULE-TB-045: the helper decides: the minutes to move, or 0 to cancel. */
    if (minutes > 0 && !n.member_id)
        return al_req_fail(r, AL_EUNPROC, "minutes", "该需求没有接单的志愿者，只能取消（0 分钟）");
    n.served_min = minutes;
    n.status = minutes > 0 ? "done" : "cancelled";
    return save(r, &n, "timebank.need_resolve", r->who->username,
        json_pack("{sI}", "minutes", (json_int_t)minutes));
}

int
tb_need_cancel(struct al_req *r)
{
    struct tb_need n;
    json_t *body;
    int rc = need_for_change(r, &n, &body);
    if (rc == AL_OK)
        rc = tb_need_allowed(n.status, TB_N_CANCEL, &r->err);
    if (rc != AL_OK)
        return rc;
    n.status = "cancelled";
    return save(r, &n, "timebank.need_cancel", NULL, NULL);
}

/* ---- the volunteer's own routes (RULE-TB-044) ---- */

static int
me_member(struct al_req *r, struct tb_member *m)
{
    int rc = tb_store_member_of_user(r->db, r->arena, r->who->user_id, m);
    if (rc == AL_ENOTFOUND)
        return al_req_fail(r, AL_ENOTFOUND, NULL, "您还没有加入时间银行，请联系社区助老员登记");
    return rc;
}

int
tb_me(struct al_req *r)
{
    struct tb_member m;
    struct tb_party p;
    struct tb_scheme s;
    int rc = me_member(r, &m);
    if (rc == AL_OK)
        rc = tb_ledger_party(r->db, r->arena, &m, r->today, &p);
    if (rc == AL_OK)
        rc = tb_store_balance(r->db, m.account_id, &p.balance_min);
    if (rc == AL_OK)
        rc = tb_store_scheme(r->db, r->arena, m.scheme_id, &s);
    if (rc != AL_OK)
        return rc;
    json_t *o = json_pack("{sI ss ss sI ss ss ss sb}", "id", (json_int_t)m.id, "name", m.name,
        "status", m.status, "scheme_id", (json_int_t)s.id, "scheme_name", s.name, "kind", m.kind,
        "balance_text", tb_hours_text(r->arena, p.balance_min), "may_redeem",
        !p.is_group && tb_may_redeem(&s.rules, &p));
    if ((rc = tb_expiry_json(r, &m, &s, o)) != AL_OK) { /* RULE-TB-062 */
        json_decref(o);
        return rc;
    }
    return al_reply(r, 200, o);
}

int
tb_me_statement(struct al_req *r)
{
    struct tb_member m;
    int64_t limit, offset, total = 0, bal = 0;
    int rc = me_member(r, &m);
    if (rc == AL_OK)
        rc = al_query_limit(&r->query, &limit, &offset, &r->err);
    if (rc == AL_OK)
        rc = tb_store_balance(r->db, m.account_id, &bal);
    if (rc != AL_OK)
        return rc;
    json_t *items = json_array();
    if ((rc = tb_store_statement(r->db, r->arena, m.account_id, limit, offset, items, &total)) !=
        AL_OK) {
        json_decref(items);
        return rc;
    }
    return al_reply(r, 200, json_pack("{so sI sI ss}", "items", items, "total", (json_int_t)total,
        "balance_min", (json_int_t)bal, "balance_text", tb_hours_text(r->arena, bal)));
}

int
tb_me_needs(struct al_req *r)
{
    struct tb_member m;
    const char *view = al_query_opt(&r->query, "view");
    struct tb_need_filter f = {0};
    int64_t total = 0;
    int rc = me_member(r, &m);
    if (rc == AL_OK)
        rc = al_query_limit(&r->query, &f.limit, &f.offset, &r->err);
    if (rc != AL_OK)
        return rc;
    if (view && strcmp(view, "mine") == 0) {
        f.scope = "";
        f.member_id = m.id;
    } else if (!view || strcmp(view, "nearby") == 0) {
        f.nearby_of = m.scheme_id;
    } else {
        return al_req_fail(r, AL_EINVAL, "view", "视图应为 nearby（附近需求）或 mine（我的服务）");
    }
    /* RULE-TB-066: from the volunteer's home or station (an elder's: their address). */
    int64_t radius = 0, limit = f.limit, offset = f.offset;
    double lat = m.lat, lng = m.lng;
    bool pos = m.has_pos;
    if (f.nearby_of > 0 && !pos && m.elder_id > 0) {
        struct elder_home h;
        if ((rc = elder_home_of(r->db, r->arena, m.elder_id, &h)) != AL_OK)
            return rc;
        pos = h.has_geo;
        lat = h.lat;
        lng = h.lng;
    }
    if (f.nearby_of > 0 && pos) {
        if ((rc = tb_store_setting(r->db, NULL, m.region_code, TB_SET_RADIUS, &radius, NULL)) !=
            AL_OK)
            return rc == AL_ENOTFOUND ? AL_EDB : rc;
        double dlat, dlng;
        al_geo_box(lat, (double)radius, &dlat, &dlng);
        f.box = true;
        f.lat_lo = lat - dlat;
        f.lat_hi = lat + dlat;
        f.lng_lo = lng - dlng;
        f.lng_hi = lng + dlng;
        f.limit = TB_NEARBY_MAX; /* all candidates in the box, ordered and paged here */
        f.offset = 0;
    }
    json_t *items = json_array();
    if ((rc = tb_store_needs(r->db, r->arena, &f, items, &total)) != AL_OK) {
        json_decref(items);
        return rc;
    }
    if (f.box) {
        total = (int64_t)tb_nearby_order(items, lat, lng, (double)radius);
        json_t *page = json_array();
        for (int64_t i = offset; i < total && i < offset + limit; i++)
            json_array_append(page, json_array_get(items, (size_t)i));
        json_decref(items);
        items = page;
    }
    json_t *o = json_pack("{so sI sb}", "items", items, "total", (json_int_t)total,
        "by_distance", f.box);
    if (f.box)
        json_object_set_new(o, "radius_m", json_integer(radius));
    return al_reply(r, 200, o);
}

/* The need by path for the volunteer: visible when open nearby or taken by them. */
static int
me_need(struct al_req *r, struct tb_member *m, struct tb_need *n, json_t **body)
{
    int64_t id, version = 0;
    bool present;
    int rc = me_member(r, m);
    if (rc == AL_OK)
        rc = al_req_param_id(r, "id", &id);
    if (rc == AL_OK)
        rc = al_req_json(r, body);
    if (rc == AL_OK)
        rc = al_json_get_int(*body, "version", "版本", AL_REQUIRED, 1, INT64_MAX, &version,
            &present, &r->err);
    if (rc == AL_OK && (rc = tb_store_need(r->db, r->arena, id, n)) == AL_ENOTFOUND)
        rc = al_req_fail(r, AL_ENOTFOUND, NULL, "需求不存在");
    if (rc == AL_OK && n->version != version)
        rc = al_req_fail(r, AL_ECONFLICT, "version", "需求已被他人修改，请刷新后重试");
    return rc;
}

int
tb_me_take(struct al_req *r)
{
    struct tb_member m;
    struct tb_need n;
    json_t *body;
    int rc = me_need(r, &m, &n, &body);
    if (rc == AL_OK)
        rc = check_taker(r, &n, m.id, NULL, NULL);
    if (rc == AL_OK)
        rc = tb_need_allowed(n.status, TB_N_TAKE, &r->err);
    if (rc != AL_OK)
        return rc;
    n.member_id = m.id;
    n.status = "taken";
    return save(r, &n, "timebank.need_take", NULL, json_pack("{sI}", "member_id",
        (json_int_t)m.id));
}

int
tb_me_done(struct al_req *r)
{
    struct tb_member m;
    struct tb_need n;
    json_t *body;
    int64_t minutes = 0;
    bool present;
    const char *code = NULL;
    int rc = me_need(r, &m, &n, &body);
    if (rc == AL_OK && n.member_id != m.id)
        rc = al_req_fail(r, AL_ENOTFOUND, NULL, "需求不存在");
    if (rc == AL_OK)
        rc = al_json_get_int(body, "minutes", "服务时长（分钟）", AL_REQUIRED, INT64_MIN,
            INT64_MAX, &minutes, &present, &r->err);
    if (rc == AL_OK)
        rc = tb_need_minutes_check(minutes, &r->err);
    if (rc == AL_OK)
        rc = al_json_get_str(body, "code", "老人确认码", AL_PLAIN, 0, 8, &code, &r->err);
    if (rc == AL_OK)
        rc = tb_need_allowed(n.status, TB_N_DONE, &r->err);
    if (rc == AL_OK && code && *code)
        rc = check_code(r, &n, code);
    if (rc != AL_OK)
        return rc;
    /* RULE-TB-041, 042: the volunteer reports; the elder's code on their phone confirms too. */
    n.served_min = minutes;
    n.volunteer_ok = true;
    if (code && *code)
        n.elder_ok = true;
    return save(r, &n, "timebank.need_done", NULL,
        json_pack("{sI sb}", "minutes", (json_int_t)minutes, "elder_code", code && *code));
}

int
tb_me_dispute(struct al_req *r)
{
    struct tb_member m;
    struct tb_need n;
    json_t *body;
    const char *reason = NULL;
    int rc = me_need(r, &m, &n, &body);
    /* RULE-TB-068: only the volunteer who took the need disputes it from the phone. */
    if (rc == AL_OK && n.member_id != m.id)
        rc = al_req_fail(r, AL_ENOTFOUND, NULL, "需求不存在");
    if (rc == AL_OK)
        rc = al_json_get_str(body, "reason", "争议原因", AL_REQUIRED | AL_PLAIN, 2, 200, &reason,
            &r->err);
    if (rc == AL_OK)
        rc = tb_need_allowed(n.status, TB_N_DISPUTE, &r->err);
    if (rc != AL_OK)
        return rc;
    n.status = "disputed";
    n.dispute = al_arena_printf(r->arena, "志愿者%s：%s", m.name, reason);
    return save(r, &n, "timebank.need_dispute", NULL,
        json_pack("{ss sI}", "reason", reason, "member_id", (json_int_t)m.id));
}
