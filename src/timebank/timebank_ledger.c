/*
 * The ledger's one write path (issue 16): every transfer, whoever posts it (an officer, a
 * helper for a member without a phone, a confirmed need, the demo), goes through
 * tb_ledger_post inside the caller's transaction.
 */
#include <string.h>

#include "core/idcard.h"
#include "elder/elder.h"
#include "region/region.h"
#include "timebank/timebank_int.h"

int
tb_ledger_party(struct al_db *db, struct al_arena *a, const struct tb_member *m,
    const char *today, struct tb_party *p)
{
    memset(p, 0, sizeof(*p));
    p->member_id = m->id;
    p->scheme_id = m->scheme_id;
    p->is_group = strcmp(m->kind, "group") == 0;
    p->verified = strcmp(m->status, "verified") == 0;
    p->age = -1;
    if (m->elder_id > 0) {
        struct elder_brief b;
        int rc = elder_brief_get(db, a, m->elder_id, &b);
        if (rc != AL_OK)
            return rc;
        p->elder = true;
        p->difficulty = b.special;
        p->gone = tb_gone_reason(b.status); /* RULE-TB-069 */
        if (b.birth_date)
            p->age = al_age_on(b.birth_date, today);
    } else if (m->birth_date && !p->is_group) {
        p->age = al_age_on(m->birth_date, today);
    }
    return AL_OK;
}

/* Member `id` visible to the caller: in scope, or (`allied_to` > 0) in a scheme allied to it. */
static int
load_member(struct al_db *db, struct al_arena *a, int64_t id, const char *field,
    const char *scope, int64_t allied_to, struct tb_member *m, struct al_errinfo *e)
{
    int rc = tb_store_member(db, a, id, m);
    if (rc == AL_ENOTFOUND)
        return al_fail(e, AL_ENOTFOUND, field, "成员不存在");
    if (rc != AL_OK)
        return rc;
    if (region_in_scope(scope, m->region_code))
        return AL_OK;
    /* RULE-TB-033: a member of an allied scheme outside the caller's region may receive. */
    struct tb_alliance al;
    if (allied_to > 0 && allied_to != m->scheme_id &&
        tb_store_alliance_between(db, a, allied_to, m->scheme_id, &al) == AL_OK &&
        strcmp(al.status, "accepted") == 0)
        return AL_OK;
    return al_fail(e, AL_ENOTFOUND, field, "成员不存在");
}

static int
load_scheme(struct al_db *db, struct al_arena *a, int64_t id, const char *scope,
    struct tb_scheme *s, struct al_errinfo *e)
{
    int rc = tb_store_scheme(db, a, id, s);
    if (rc == AL_ENOTFOUND || (rc == AL_OK && !region_in_scope(scope, s->region_code)))
        return al_fail(e, AL_ENOTFOUND, "scheme_id", "时间银行不存在");
    return rc;
}

int
tb_ledger_post(struct al_db *db, struct al_arena *a, const struct tb_transfer_in *in,
    struct tb_transfer_out *out, struct al_errinfo *e)
{
    struct tb_member from, to;
    struct tb_party pf, pt;
    struct tb_scheme s1, s2;
    bool has_from = in->from_member > 0, has_to = in->to_member > 0;
    int c = in->category;
    int rc;
    memset(out, 0, sizeof(*out));
    out->from_balance = out->to_balance = -1;

    /* Which sides are members: the others are the scheme's issue or fund account. */
    bool want_from = c == TB_REDEEM || c == TB_GIFT || c == TB_DONATE || c == TB_EXPIRE;
    bool want_to = c == TB_SERVICE || c == TB_REDEEM || c == TB_GIFT || c == TB_GRANT;
    if (c == 0)
        return al_fail(e, AL_EINVAL, "category",
            "类别应为 service、redeem、gift、donate、grant 或 topup");
    if (has_from && !want_from)
        return al_fail(e, AL_EINVAL, "from_member_id", "%s不从成员账户转出",
            tb_category_label(c));
    if (has_to && !want_to && c != TB_DONATE)
        return al_fail(e, AL_EINVAL, "to_member_id", "%s不转入成员账户", tb_category_label(c));

    if (has_from) {
        if ((rc = load_member(db, a, in->from_member, "from_member_id", in->scope, 0, &from, e)) !=
                AL_OK ||
            (rc = tb_ledger_party(db, a, &from, in->today, &pf)) != AL_OK)
            return rc;
    }
    /* RULE-TB-043: service hours of a need are issued by the need's scheme (通存). */
    int64_t issuer = c == TB_SERVICE && in->scheme_id > 0 ? in->scheme_id : 0;
    if (has_to) {
        if ((rc = load_member(db, a, in->to_member, "to_member_id", in->scope,
                 has_from ? from.scheme_id : issuer, &to, e)) != AL_OK ||
            (rc = tb_ledger_party(db, a, &to, in->today, &pt)) != AL_OK)
            return rc;
    }
    /* The schemes of the two sides. */
    int64_t sid1 = has_from ? from.scheme_id : issuer ? issuer : has_to ? to.scheme_id
                                                                      : in->scheme_id;
    int64_t sid2 = has_to ? to.scheme_id : sid1;
    if (!has_from && !has_to && sid1 <= 0)
        return al_fail(e, AL_EINVAL, "scheme_id", "应指定时间银行");
    if ((rc = load_scheme(db, a, sid1, (has_from || has_to) && !issuer ? "" : in->scope, &s1,
             e)) != AL_OK)
        return rc;
    if (sid2 == sid1)
        s2 = s1;
    else if ((rc = tb_store_scheme(db, a, sid2, &s2)) != AL_OK)
        return rc;

    /* The accounts the hours leave and land in. */
    int64_t src = c == TB_SERVICE || c == TB_TOPUP ? s1.issue_account
        : c == TB_GRANT                            ? s1.fund_account
                                                   : from.account_id;
    /* RULE-TB-061: expired hours go back to the issue account they came from. */
    int64_t dst = has_to ? to.account_id : c == TB_EXPIRE ? s1.issue_account : s1.fund_account;

    /* RULE-TB-031: across schemes only under an accepted alliance, through both clearings. */
    int64_t c1 = 0, c2 = 0;
    if (sid1 != sid2) {
        struct tb_alliance al;
        rc = tb_store_alliance_between(db, a, sid1, sid2, &al);
        if (rc != AL_OK && rc != AL_ENOTFOUND)
            return rc;
        if (rc == AL_ENOTFOUND || strcmp(al.status, "accepted") != 0)
            return al_fail(e, AL_EUNPROC, "to_member_id",
                "「%s」与「%s」没有生效的通存通兑联盟", s1.name, s2.name);
        if ((rc = tb_store_clearing(db, sid1, al.id, &c1)) != AL_OK ||
            (rc = tb_store_clearing(db, sid2, al.id, &c2)) != AL_OK)
            return rc;
        out->alliance_id = al.id;
    }

    /* RULE-TB-032: lock every account this may touch (with the cap's fund) before reading. */
    int64_t ids[6] = {src, dst, has_to ? s2.fund_account : dst, c1 ? c1 : src, c2 ? c2 : src};
    int64_t bal[6] = {0};
    if ((rc = tb_store_lock(db, ids, 5, bal)) != AL_OK)
        return rc == AL_ENOTFOUND ? AL_EDB : rc;
    if (has_from)
        pf.balance_min = bal[0];
    if (has_to)
        pt.balance_min = bal[1];
    if ((rc = tb_check_transfer(&s1.rules, c, in->minutes, has_from ? &pf : NULL,
             has_to ? &pt : NULL, in->relation, bal[0], e)) != AL_OK)
        return rc;

    struct tb_leg legs[4];
    int n = 0;
    legs[n++] = (struct tb_leg){src, sid1, -in->minutes};
    if (sid1 != sid2) {
        legs[n++] = (struct tb_leg){c1, sid1, in->minutes};
        legs[n++] = (struct tb_leg){c2, sid2, -in->minutes};
    }
    legs[n++] = (struct tb_leg){dst, sid2, in->minutes};
    if ((rc = tb_store_transfer(db, sid1, c, in->minutes, 0, out->alliance_id, in->need_id,
             in->note, c == TB_GIFT ? in->relation : NULL, legs, n, in->by, in->now, &out->id)) !=
        AL_OK)
        return rc;
    int64_t to_after = bal[1] + in->minutes;

    /* RULE-TB-021: what passes the receiver's cap goes to their scheme's fund. */
    int64_t excess = has_to ? tb_cap_excess(&s2.rules, bal[1], in->minutes) : 0;
    if (excess > 0) {
        struct tb_leg cap[2] = {{dst, sid2, -excess}, {s2.fund_account, sid2, excess}};
        int64_t cap_id;
        if ((rc = tb_store_transfer(db, sid2, TB_CAP_DONATE, excess, out->id, 0, in->need_id,
                 "超过存储上限的时间自动捐入公益时间基金", NULL, cap, 2, in->by, in->now,
                 &cap_id)) != AL_OK)
            return rc;
        out->cap_donated_min = excess;
        to_after -= excess;
    }
    /* RULE-TB-080: audited under the member's region, not the caller's. */
    out->region_code = has_from ? from.region_code : has_to ? to.region_code : s1.region_code;
    out->to_region_code = has_to ? to.region_code : NULL;
    if (has_from)
        out->from_balance = bal[0] - in->minutes;
    if (has_to)
        out->to_balance = to_after;
    return AL_OK;
}
