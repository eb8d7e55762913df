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

/* One transfer as it is posted: its two sides, their schemes and the accounts it moves. */
struct post {
    const struct tb_transfer_in *in;
    bool has_from, has_to;
    struct tb_member from, to;
    struct tb_party pf, pt;
    int64_t issuer;       /* RULE-TB-043: the need's scheme issuing service hours, or 0 */
    struct tb_scheme s1, s2; /* the scheme the hours leave, the one they land in */
    int64_t src, dst;     /* the accounts the hours leave and land in */
    int64_t c1, c2;       /* the clearing accounts of the alliance (inter-scheme only) */
};

/* Which sides of category `c` are members (the others are the scheme's issue or fund account). */
static int
check_sides(const struct tb_transfer_in *in, struct al_errinfo *e)
{
    int c = in->category;
    bool want_from = c == TB_REDEEM || c == TB_GIFT || c == TB_DONATE || c == TB_EXPIRE;
    bool want_to = c == TB_SERVICE || c == TB_REDEEM || c == TB_GIFT || c == TB_GRANT;
    if (c == 0)
        return al_fail(e, AL_EINVAL, "category",
            "类别应为 service、redeem、gift、donate、grant 或 topup");
    if (in->from_member > 0 && !want_from)
        return al_fail(e, AL_EINVAL, "from_member_id", "%s不从成员账户转出",
            tb_category_label(c));
    if (in->to_member > 0 && !want_to && c != TB_DONATE)
        return al_fail(e, AL_EINVAL, "to_member_id", "%s不转入成员账户", tb_category_label(c));
    return AL_OK;
}

/* The member sides with their party facts, then the schemes of both sides. */
static int
load_sides(struct al_db *db, struct al_arena *a, struct post *p, struct al_errinfo *e)
{
    const struct tb_transfer_in *in = p->in;
    int rc;
    if (p->has_from &&
        ((rc = load_member(db, a, in->from_member, "from_member_id", in->scope, 0, &p->from,
              e)) != AL_OK ||
            (rc = tb_ledger_party(db, a, &p->from, in->today, &p->pf)) != AL_OK))
        return rc;
    /* RULE-TB-043: service hours of a need are issued by the need's scheme (通存). */
    p->issuer = in->category == TB_SERVICE && in->scheme_id > 0 ? in->scheme_id : 0;
    if (p->has_to &&
        ((rc = load_member(db, a, in->to_member, "to_member_id", in->scope,
              p->has_from ? p->from.scheme_id : p->issuer, &p->to, e)) != AL_OK ||
            (rc = tb_ledger_party(db, a, &p->to, in->today, &p->pt)) != AL_OK))
        return rc;
    int64_t sid1 = p->has_from ? p->from.scheme_id
        : p->issuer            ? p->issuer
        : p->has_to            ? p->to.scheme_id
                               : in->scheme_id;
    int64_t sid2 = p->has_to ? p->to.scheme_id : sid1;
    if (!p->has_from && !p->has_to && sid1 <= 0)
        return al_fail(e, AL_EINVAL, "scheme_id", "应指定时间银行");
    /* A member's own scheme was scoped with the member; a scheme named alone is scoped here. */
    const char *scope = (p->has_from || p->has_to) && !p->issuer ? "" : in->scope;
    if ((rc = load_scheme(db, a, sid1, scope, &p->s1, e)) != AL_OK)
        return rc;
    if (sid2 == sid1)
        p->s2 = p->s1;
    else if ((rc = tb_store_scheme(db, a, sid2, &p->s2)) != AL_OK)
        return rc;
    return AL_OK;
}

/*
 * The accounts the hours leave and land in and, across schemes, the clearing accounts of
 * the accepted alliance (RULE-TB-031): its id into out->alliance_id.
 */
static int
route(struct al_db *db, struct al_arena *a, struct post *p, struct tb_transfer_out *out,
    struct al_errinfo *e)
{
    int c = p->in->category;
    p->src = c == TB_SERVICE || c == TB_TOPUP ? p->s1.issue_account
        : c == TB_GRANT                       ? p->s1.fund_account
                                              : p->from.account_id;
    /* RULE-TB-061: expired hours go back to the issue account they came from. */
    p->dst = p->has_to ? p->to.account_id
        : c == TB_EXPIRE ? p->s1.issue_account
                         : p->s1.fund_account;
    if (p->s1.id == p->s2.id)
        return AL_OK;
    struct tb_alliance al;
    int rc = tb_store_alliance_between(db, a, p->s1.id, p->s2.id, &al);
    if (rc != AL_OK && rc != AL_ENOTFOUND)
        return rc;
    if (rc == AL_ENOTFOUND || strcmp(al.status, "accepted") != 0)
        return al_fail(e, AL_EUNPROC, "to_member_id", "「%s」与「%s」没有生效的通存通兑联盟",
            p->s1.name, p->s2.name);
    if ((rc = tb_store_clearing(db, p->s1.id, al.id, &p->c1)) != AL_OK ||
        (rc = tb_store_clearing(db, p->s2.id, al.id, &p->c2)) != AL_OK)
        return rc;
    out->alliance_id = al.id;
    return AL_OK;
}

/*
 * Write the checked transfer: its legs (through both clearings across schemes) and, when the
 * receiver passes their cap, the excess donated to their scheme's fund (RULE-TB-021).
 * `to_balance` is the receiver's balance before.
 */
static int
write_legs(struct al_db *db, const struct post *p, int64_t to_balance,
    struct tb_transfer_out *out)
{
    const struct tb_transfer_in *in = p->in;
    int64_t sid1 = p->s1.id, sid2 = p->s2.id;
    struct tb_leg legs[4];
    int n = 0;
    legs[n++] = (struct tb_leg){p->src, sid1, -in->minutes};
    if (sid1 != sid2) {
        legs[n++] = (struct tb_leg){p->c1, sid1, in->minutes};
        legs[n++] = (struct tb_leg){p->c2, sid2, -in->minutes};
    }
    legs[n++] = (struct tb_leg){p->dst, sid2, in->minutes};
    int rc = tb_store_transfer(db, sid1, in->category, in->minutes, 0, out->alliance_id,
        in->need_id, in->note, in->category == TB_GIFT ? in->relation : NULL, legs, n, in->by,
        in->now, &out->id);
    int64_t excess = p->has_to ? tb_cap_excess(&p->s2.rules, to_balance, in->minutes) : 0;
    if (rc != AL_OK || excess <= 0)
        return rc;
    struct tb_leg cap[2] = {{p->dst, sid2, -excess}, {p->s2.fund_account, sid2, excess}};
    int64_t cap_id;
    rc = tb_store_transfer(db, sid2, TB_CAP_DONATE, excess, out->id, 0, in->need_id,
        "超过存储上限的时间自动捐入公益时间基金", NULL, cap, 2, in->by, in->now, &cap_id);
    if (rc == AL_OK)
        out->cap_donated_min = excess;
    return rc;
}

int
tb_ledger_post(struct al_db *db, struct al_arena *a, const struct tb_transfer_in *in,
    struct tb_transfer_out *out, struct al_errinfo *e)
{
    struct post p = {.in = in, .has_from = in->from_member > 0, .has_to = in->to_member > 0};
    memset(out, 0, sizeof(*out));
    out->from_balance = out->to_balance = -1;
    int rc = check_sides(in, e);
    if (rc == AL_OK)
        rc = load_sides(db, a, &p, e);
    if (rc == AL_OK)
        rc = route(db, a, &p, out, e);
    if (rc != AL_OK)
        return rc;

    /* RULE-TB-032: lock every account this may touch (with the cap's fund) before reading. */
    int64_t ids[5] = {p.src, p.dst, p.has_to ? p.s2.fund_account : p.dst, p.c1 ? p.c1 : p.src,
        p.c2 ? p.c2 : p.src};
    int64_t bal[5] = {0};
    if ((rc = tb_store_lock(db, ids, 5, bal)) != AL_OK)
        return rc == AL_ENOTFOUND ? AL_EDB : rc;
    if (p.has_from)
        p.pf.balance_min = bal[0];
    if (p.has_to)
        p.pt.balance_min = bal[1];
    if ((rc = tb_check_transfer(&p.s1.rules, in->category, in->minutes,
             p.has_from ? &p.pf : NULL, p.has_to ? &p.pt : NULL, in->relation, bal[0], e)) !=
            AL_OK ||
        (rc = write_legs(db, &p, bal[1], out)) != AL_OK)
        return rc;

    /* RULE-TB-080: audited under the member's region, not the caller's. */
    out->region_code = p.has_from ? p.from.region_code
        : p.has_to                ? p.to.region_code
                                  : p.s1.region_code;
    out->to_region_code = p.has_to ? p.to.region_code : NULL;
    if (p.has_from)
        out->from_balance = bal[0] - in->minutes;
    if (p.has_to)
        out->to_balance = bal[1] + in->minutes - out->cap_donated_min;
    return AL_OK;
}
