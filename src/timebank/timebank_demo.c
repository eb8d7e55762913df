/*
 * Demo data of the time bank (issue 16) in the demo county 凤冈县 (520327): two schemes with
 * an accepted alliance, volunteers, service hours, the public fund, an inter-scheme spend and
 * open needs, written through the same store and ledger as the API.
 */
#include <string.h>
#include <time.h>

#include "core/idcard.h"
#include "elder/elder.h"
#include "user/user.h"
#include "timebank/timebank.h"
#include "timebank/timebank_int.h"

static const char demo_cats[] =
    "打扫卫生|陪伴聊天|陪同就医|代购物品|智能手机帮教|防诈骗宣讲|理发|读书读报";

static int
scheme(struct al_db *db, const char *region, const char *name, int64_t now, int64_t *id)
{
    struct tb_scheme s = {.region_code = region, .name = name, .categories = demo_cats,
        .rules = tb_rules_default};
    return tb_store_scheme_create(db, &s, "seed", now, id);
}

static int
member(struct al_db *db, struct al_arena *a, int64_t sid, const char *region, const char *kind, const char *name,
    const char *phone, const char *birth, int64_t elder, int64_t user, int64_t now, int64_t *id)
{
    struct elder_brief b;
    if (elder > 0 && elder_brief_get(db, a, elder, &b) == AL_OK) {
        name = b.name;
        region = b.region_code;
    }
    struct tb_member m = {.scheme_id = sid, .region_code = region, .kind = kind, .name = name,
        .phone = phone, .birth_date = birth, .elder_id = elder, .user_id = user,
        .group_type = strcmp(kind, "group") == 0 ? "企业" : NULL};
    int rc = tb_store_member_create(db, &m, "时间银行志愿服务岗前培训（4 学时）", 1, "seed", now,
        id);
    if (rc == AL_OK)
        rc = tb_store_member_verify(db, *id, 1, "seed", now);
    return rc;
}

static int
post(struct al_db *db, struct al_arena *a, int cat, int64_t scheme_id, int64_t from, int64_t to,
    int64_t minutes, const char *note, const char *today, int64_t now, struct al_errinfo *e)
{
    struct tb_transfer_in in = {.category = cat, .scheme_id = scheme_id, .from_member = from,
        .to_member = to, .minutes = minutes, .note = note, .today = today, .by = "seed",
        .now = now, .scope = "", .relation = cat == TB_GIFT ? "parent" : NULL};
    struct tb_transfer_out out;
    return tb_ledger_post(db, a, &in, &out, e);
}

/* The first elders (by id) of `region` aged `min_age`+, in special difficulty when `special`. */
static int64_t
find_elder(struct al_db *db, struct al_arena *a, const char *region, int min_age, bool special,
    const char *today, int64_t after)
{
    struct elder_brief b;
    for (int64_t id = after + 1; id < after + 400; id++) {
        if (elder_brief_get(db, a, id, &b) != AL_OK)
            continue;
        if (strncmp(b.region_code, region, strlen(region)) == 0 &&
            strcmp(b.status, "active") == 0 && al_age_on(b.birth_date, today) >= min_age &&
            (!special || b.special))
            return id;
    }
    return 0;
}

/* RULE-TB-066: a demo need at its elder's address coordinates, when the registry has them. */
static int
need_here(struct al_db *db, struct al_arena *a, const struct tb_need *n, int64_t now)
{
    int64_t id;
    struct elder_home h;
    int rc = tb_store_need_create(db, n, "seed", now, &id);
    if (rc == AL_OK && (rc = elder_home_of(db, a, n->elder_id, &h)) == AL_OK && h.has_geo)
        rc = tb_store_position(db, "tb_needs", id, h.lat, h.lng);
    return rc;
}

/* A volunteer's own sign-in (role volunteer); 0 when it cannot be made. */
static int64_t
volunteer_user(struct al_db *db, struct al_arena *a, const char *username, const char *name,
    const char *region, const char *password, struct al_errinfo *e)
{
    struct user_new in = {.username = username, .display_name = name, .role = "volunteer",
        .region_code = region, .password = password, .must_change_password = 0};
    int64_t id = 0;
    if (user_create_direct(db, a, &in, "seed", &id, NULL, e) != AL_OK)
        id = 0;
    e->message[0] = '\0';
    e->field = NULL;
    return id;
}

/* The demo as it is written: the schemes, the members and the registry's elders it uses. */
struct demo {
    struct al_db *db;
    struct al_arena *a;
    struct al_errinfo *e;
    char today[11];
    int64_t now;
    int64_t u1, u2;             /* the volunteers' sign-ins */
    int64_t lq, jx;             /* the two schemes */
    int64_t v1, v2, v3, g1, w1, w2; /* volunteers, a group, the other township's volunteers */
    int64_t e1, e2;             /* the registry's elders: one who banks time, one key elder */
    int64_t eld, key;           /* their members (0 without demo elders) */
};

/* The two schemes and their accepted alliance (凤冈县通存通兑试点). */
static int
seed_schemes(struct demo *d)
{
    int64_t al_id = 0;
    int rc = scheme(d->db, "520327001", "龙泉街道时间银行", d->now, &d->lq);
    if (rc == AL_OK)
        rc = scheme(d->db, "520327101", "进化镇时间银行", d->now, &d->jx);
    if (rc == AL_OK)
        rc = tb_store_alliance_create(d->db, d->lq, d->jx, d->lq, "凤冈县通存通兑试点", "seed",
            d->now, &al_id);
    if (rc == AL_OK)
        rc = tb_store_alliance_status(d->db, &(struct tb_alliance){.id = al_id, .version = 1,
            .lo = d->lq, .hi = d->jx, .proposer = d->lq, .status = "proposed"}, "accepted",
            "seed", d->now);
    return rc;
}

/* Volunteers of both schemes, a company's team, and elders of the registry when there are. */
static int
seed_members(struct demo *d)
{
    struct al_db *db = d->db;
    struct al_arena *a = d->a;
    int64_t lq = d->lq, jx = d->jx, now = d->now;
    int rc = member(db, a, lq, "520327001001", "individual", "王秀兰", "13985200101",
        "1961-03-08", 0, d->u1, now, &d->v1);
    if (rc == AL_OK)
        rc = member(db, a, lq, "520327001002", "individual", "陈建国", "13985200102",
            "1958-11-20", 0, 0, now, &d->v2);
    if (rc == AL_OK)
        rc = member(db, a, lq, "520327001", "individual", "刘婷", "13985200103", "1995-06-01", 0,
            0, now, &d->v3);
    if (rc == AL_OK)
        rc = member(db, a, lq, "520327001", "group", "凤冈县茶业公司志愿服务队", "08515212345",
            NULL, 0, 0, now, &d->g1);
    if (rc == AL_OK)
        rc = member(db, a, jx, "520327101", "individual", "杨光明", "13985200201", "1963-02-14",
            0, d->u2, now, &d->w1);
    if (rc == AL_OK)
        rc = member(db, a, jx, "520327101", "individual", "张秀英", "13985200202", "1966-09-30",
            0, 0, now, &d->w2);
    if (rc != AL_OK)
        return rc;
    /* Elders of the registry, when the demo has them: one who banked time, one key elder. */
    d->e1 = find_elder(db, a, "520327001", 66, false, d->today, 0);
    d->e2 = find_elder(db, a, "520327001", 60, true, d->today, d->e1);
    if (d->e1)
        rc = member(db, a, lq, NULL, "individual", "", NULL, NULL, d->e1, 0, now, &d->eld);
    if (rc == AL_OK && d->e2 && d->e2 != d->e1)
        rc = member(db, a, lq, NULL, "individual", "", NULL, NULL, d->e2, 0, now, &d->key);
    return rc;
}

/* Hours: services, a group's donation, the fund filled and granted, a spend across schemes. */
static int
seed_hours(struct demo *d)
{
    static const struct {
        int cat;
        int from, to; /* 1..6: v1, v2, v3, g1, w1, w2; 7: the elder volunteer; 8: the key elder */
        int64_t minutes;
        const char *note;
    } hours[] = {
        {TB_SERVICE, 0, 1, 1260, "陪伴聊天、代购物品（累计）"},
        {TB_SERVICE, 0, 2, 540, "陪同就医"},
        {TB_SERVICE, 0, 3, 300, "智能手机帮教"},
        {TB_SERVICE, 0, 4, 960, "防诈骗宣讲（团体）"},
        {TB_DONATE, 4, 0, 960, "团体时间捐入公益时间基金"},
        {TB_TOPUP, 0, 0, 6000, "县级公益时间基金年度注入"},
        {TB_SERVICE, 0, 5, 420, "打扫卫生"},
        {TB_SERVICE, 0, 6, 180, "理发"},
        /* 通存通兑: 王秀兰 (龙泉) spends hours on 杨光明's (进化镇) service. */
        {TB_REDEEM, 1, 5, 120, "通存通兑：进化镇陪同就医"},
        {TB_SERVICE, 0, 7, 600, "老年志愿者：陪伴高龄老人"},
        {TB_GRANT, 0, 8, 600, "公益时间基金资助重点老人"},
    };
    const int64_t who[] = {0, d->v1, d->v2, d->v3, d->g1, d->w1, d->w2, d->eld, d->key};
    int rc = AL_OK;
    for (size_t i = 0; rc == AL_OK && i < sizeof(hours) / sizeof(hours[0]); i++) {
        if ((hours[i].to >= 7 && !who[hours[i].to]))
            continue; /* no demo elders */
        rc = post(d->db, d->a, hours[i].cat, hours[i].cat == TB_TOPUP ? d->lq : 0,
            who[hours[i].from], who[hours[i].to], hours[i].minutes, hours[i].note, d->today,
            d->now, d->e);
    }
    return rc;
}

/* One open need of elder `elder` at `hours` from now (negative: overdue). */
static int
seed_need(struct demo *d, int64_t elder, const char *category, const char *place, int hours)
{
    struct elder_brief b;
    int rc = elder_brief_get(d->db, d->a, elder, &b);
    if (rc != AL_OK)
        return rc;
    struct tb_need n = {.scheme_id = d->lq, .duration_min = 90, .pay_from = "scheme",
        .confirm_code = "2468", .elder_id = elder, .elder_name = b.name,
        .region_code = b.region_code, .category = category, .place = place,
        .starts_at = (d->now / 3600 + hours) * 3600};
    return need_here(d->db, d->a, &n, d->now);
}

/*
 * RULE-TB-081: 王秀兰 (lq_volunteer) has a home position, so her nearby needs come by distance:
 * in 龙泉街道, near the first elder when the demo has elders.  杨光明 (jx_volunteer) stays
 * without one (his list is by time).  Then the needs of the registry's elders: one coming,
 * one overdue (open past its time), one for the key elder.
 */
static int
seed_needs(struct demo *d)
{
    double lat = 27.9517, lng = 107.7196;
    struct elder_home home;
    int rc = AL_OK;
    if (d->e1 && (rc = elder_home_of(d->db, d->a, d->e1, &home)) == AL_OK && home.has_geo) {
        lat = home.lat + 0.004;
        lng = home.lng + 0.003;
    }
    if (rc == AL_OK)
        rc = tb_store_position(d->db, "tb_members", d->v1, lat, lng);
    if (rc == AL_OK && d->e1)
        rc = seed_need(d, d->e1, "陪同就医", "凤冈县人民医院门诊楼", 24);
    if (rc == AL_OK && d->e1)
        rc = seed_need(d, d->e1, "打扫卫生", "老人家中", -30);
    if (rc == AL_OK && d->key)
        rc = seed_need(d, d->e2, "陪伴聊天", "老人家中", 50);
    return rc;
}

int
timebank_seed_demo(struct al_db *db, struct al_arena *a, const char *password,
    struct al_errinfo *e)
{
    int64_t schemes = 0;
    if (al_db_count(db, "SELECT count(*) FROM tb_schemes", NULL, &schemes) != AL_OK)
        return al_fail(e, AL_EDB, NULL, "演示数据写入失败：时间银行");
    if (schemes > 0)
        return AL_OK;
    struct demo d = {.db = db, .a = a, .e = e};
    al_today_cst(d.today);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    d.now = ts.tv_sec;
    /* Sign-ins first: user_create_direct writes in its own transaction. */
    d.u1 = volunteer_user(db, a, "lq_volunteer", "志愿者 王秀兰", "520327001", password, e);
    d.u2 = volunteer_user(db, a, "jx_volunteer", "志愿者 杨光明", "520327101", password, e);
    int rc = al_db_begin(db);
    if (rc == AL_OK)
        rc = seed_schemes(&d);
    if (rc == AL_OK)
        rc = seed_members(&d);
    if (rc == AL_OK)
        rc = seed_hours(&d);
    if (rc == AL_OK)
        rc = seed_needs(&d);
    if (rc != AL_OK && !e->message[0])
        al_fail(e, rc, NULL, "演示数据写入失败：时间银行");
    rc = al_db_end(db, rc);
    if (rc != AL_OK && !e->message[0])
        al_fail(e, rc, NULL, "演示数据写入失败：时间银行");
    return rc;
}
