/*
 * The time bank's rules (issue 16), pure: categories of transfers, the regional rules
 * (cap, group hours, redemption age, gifts, donations, fund grants), the per-scheme sum of
 * a transfer's legs, and small texts.  No database, no clock.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/geo.h"
#include "core/json.h"
#include "timebank/timebank_int.h"

/* Nanjing's cap of 1,500 hours, Shanghai's redemption ages, Nanjing's gift age, no expiry. */
const struct tb_rules tb_rules_default = {.cap_min = 1500 * 60, .redeem_age = 65,
    .redeem_age_difficulty = 60, .gift_min_age = 60, .key_elder_age = 80,
    .group_donate_only = true, .expiry_months = 0};

static const struct {
    const char *name, *label;
} cats[] = {
    {NULL, NULL},
    {"service", "服务存入"},
    {"redeem", "兑换服务"},
    {"gift", "赠与亲属"},
    {"donate", "捐赠"},
    {"grant", "基金资助"},
    {"topup", "基金注入"},
    {"cap_donate", "超上限捐赠"},
    {"expire", "过期失效"},
};

int
tb_category_parse(const char *s)
{
    for (int i = 1; s && i < (int)(sizeof(cats) / sizeof(cats[0])); i++)
        if (strcmp(s, cats[i].name) == 0)
            return i;
    return 0;
}

const char *
tb_category_name(int c)
{
    return c > 0 && c < (int)(sizeof(cats) / sizeof(cats[0])) ? cats[c].name : "";
}

const char *
tb_category_label(int c)
{
    return c > 0 && c < (int)(sizeof(cats) / sizeof(cats[0])) ? cats[c].label : "";
}

/* RULE-TB-024: 直系亲属 (lineal relatives) and the spouse. */
bool
tb_relation_direct(const char *relation)
{
    static const char *const ok[] = {"spouse", "parent", "child", "grandparent", "grandchild",
        NULL};
    for (int i = 0; relation && ok[i]; i++)
        if (strcmp(relation, ok[i]) == 0)
            return true;
    return false;
}

int64_t
tb_cap_excess(const struct tb_rules *r, int64_t balance, int64_t credit)
{
    /* RULE-TB-021: hours above the cap are donated to the scheme's fund. */
    if (r->cap_min <= 0 || balance + credit <= r->cap_min)
        return 0;
    int64_t room = r->cap_min > balance ? r->cap_min - balance : 0;
    return credit - room;
}

bool
tb_key_elder(const struct tb_rules *r, const struct tb_party *p)
{
    /* RULE-TB-026: an elder of the registry in special difficulty, or of the key age. */
    return p->elder && (p->difficulty || (p->age >= 0 && p->age >= r->key_elder_age));
}

bool
tb_may_redeem(const struct tb_rules *r, const struct tb_party *p)
{
    /* RULE-TB-023: from the redemption age; earlier for elders in special difficulty. */
    if (p->age < 0)
        return false;
    return p->age >= r->redeem_age || (p->difficulty && p->age >= r->redeem_age_difficulty);
}

/* The spender's side: verified, holding the hours, not a group spending (RULE-TB-012, 022). */
static int
check_spender(const struct tb_rules *r, int category, int64_t minutes, const struct tb_party *p,
    struct al_errinfo *e)
{
    if (!p->verified)
        return al_fail(e, AL_EUNPROC, "from_member_id", "转出方尚未通过审核，不能使用时间");
    if (p->is_group && r->group_donate_only && category != TB_DONATE)
        return al_fail(e, AL_EUNPROC, "category", "团体志愿者的时间只能捐赠");
    if (p->balance_min < minutes) /* RULE-TB-012 */
        return al_fail(e, AL_EUNPROC, "minutes", "转出方余额不足：余额 %lld 分钟，需要 %lld 分钟",
            (long long)p->balance_min, (long long)minutes);
    return AL_OK;
}

const char *
tb_gone_reason(const char *elder_status)
{
    /* RULE-TB-069: the registry's status of an elder who left it. */
    if (!elder_status)
        return NULL;
    if (strcmp(elder_status, "deceased") == 0)
        return "已去世";
    if (strcmp(elder_status, "moved_out") == 0)
        return "已迁出";
    if (strcmp(elder_status, "cancelled") == 0)
        return "已注销";
    return NULL;
}

int
tb_check_transfer(const struct tb_rules *r, int category, int64_t minutes,
    const struct tb_party *from, const struct tb_party *to, const char *relation,
    int64_t fund_balance, struct al_errinfo *e)
{
    if (minutes <= 0 || minutes > 1000000)
        return al_fail(e, AL_EINVAL, "minutes", "时长应在 1 到 1000000 分钟之间");
    if (from && to && from->member_id == to->member_id)
        return al_fail(e, AL_EINVAL, "to_member_id", "转入方不能是转出方本人");
    /* RULE-TB-069: an elder who died or moved away neither spends nor receives (expiry aside). */
    if (category != TB_EXPIRE && from && from->gone)
        return al_fail(e, AL_ECONFLICT, "from_member_id", "转出方老人%s，不能使用时间",
            from->gone);
    if (to && to->gone)
        return al_fail(e, AL_ECONFLICT, "to_member_id", "转入方老人%s，不能接收时间", to->gone);
    int rc;
    switch (category) {
    case TB_EXPIRE:
        /* RULE-TB-061: what expired leaves the member's account, never beyond its balance. */
        if (!from || to)
            return al_fail(e, AL_EINVAL, "from_member_id", "过期失效只从成员账户转回发行账户");
        if (from->balance_min < minutes)
            return al_fail(e, AL_EUNPROC, "minutes", "过期时长 %lld 分钟超过余额 %lld 分钟",
                (long long)minutes, (long long)from->balance_min);
        return AL_OK;
    case TB_SERVICE:
        if (!to)
            return al_fail(e, AL_EINVAL, "to_member_id", "服务存入应指定志愿者");
        if (!to->verified)
            return al_fail(e, AL_EUNPROC, "to_member_id", "志愿者尚未通过审核，不能存入时间");
        return AL_OK;
    case TB_REDEEM:
        if (!from || !to)
            return al_fail(e, AL_EINVAL, from ? "to_member_id" : "from_member_id",
                "兑换服务应指定使用时间的成员和提供服务的志愿者");
        if ((rc = check_spender(r, category, minutes, from, e)) != AL_OK)
            return rc;
        if (!tb_may_redeem(r, from))
            return al_fail(e, AL_EUNPROC, "from_member_id",
                "未到兑换年龄：年满 %d 周岁（特殊困难老年人 %d 周岁）方可兑换服务",
                r->redeem_age, r->redeem_age_difficulty);
        if (!to->verified)
            return al_fail(e, AL_EUNPROC, "to_member_id", "提供服务的志愿者尚未通过审核");
        return AL_OK;
    case TB_GIFT:
        if (!from || !to)
            return al_fail(e, AL_EINVAL, from ? "to_member_id" : "from_member_id",
                "赠与应指定赠与人和受赠亲属");
        if ((rc = check_spender(r, category, minutes, from, e)) != AL_OK)
            return rc;
        if (!tb_relation_direct(relation))
            return al_fail(e, AL_EINVAL, "relation",
                "亲属关系应为 spouse（配偶）、parent（父母）、child（子女）、grandparent（祖父母、"
                "外祖父母）或 grandchild（孙子女、外孙子女）");
        if (to->is_group || to->age < r->gift_min_age)
            return al_fail(e, AL_EUNPROC, "to_member_id", "只能赠与年满 %d 周岁的直系亲属",
                r->gift_min_age);
        return AL_OK;
    case TB_DONATE:
        if (!from)
            return al_fail(e, AL_EINVAL, "from_member_id", "捐赠应指定捐赠人");
        if ((rc = check_spender(r, category, minutes, from, e)) != AL_OK)
            return rc;
        if (to && !(to->elder && to->difficulty))
            return al_fail(e, AL_EUNPROC, "to_member_id",
                "只能捐赠给公益时间基金或特殊困难老年人");
        return AL_OK;
    case TB_GRANT:
        if (!to)
            return al_fail(e, AL_EINVAL, "to_member_id", "基金资助应指定老年人");
        if (!tb_key_elder(r, to))
            return al_fail(e, AL_EUNPROC, "to_member_id",
                "基金只资助重点老人：特殊困难老年人或年满 %d 周岁的登记老人", r->key_elder_age);
        if (fund_balance < minutes)
            return al_fail(e, AL_EUNPROC, "minutes", "公益时间基金余额不足：余额 %lld 分钟",
                (long long)fund_balance);
        return AL_OK;
    case TB_TOPUP:
        return AL_OK;
    default:
        return al_fail(e, AL_EINVAL, "category",
            "类别应为 service、redeem、gift、donate、grant 或 topup");
    }
}

int
tb_categories_check(const char *list, struct al_errinfo *e)
{
    int n = 0;
    const char *p = list;
    if (!list || !*list)
        return al_fail(e, AL_EINVAL, "categories", "服务类别不能为空");
    while (*p) {
        const char *end = strchr(p, '|');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        size_t chars = al_utf8_len(p, len);
        if (chars < 1 || chars > 20 || !al_text_is_plain(p, len))
            return al_fail(e, AL_EINVAL, "categories", "服务类别第 %d 项应为 1 到 20 个字", n + 1);
        for (const char *q = list; q < p;) {
            const char *qe = strchr(q, '|');
            if ((size_t)(qe - q) == len && memcmp(q, p, len) == 0)
                return al_fail(e, AL_EINVAL, "categories", "服务类别第 %d 项重复", n + 1);
            q = qe + 1;
        }
        if (++n > 30)
            return al_fail(e, AL_EINVAL, "categories", "服务类别最多 30 项");
        if (!end)
            break;
        p = end + 1;
        if (!*p)
            return al_fail(e, AL_EINVAL, "categories", "服务类别第 %d 项应为 1 到 20 个字", n + 1);
    }
    return AL_OK;
}

bool
tb_categories_has(const char *list, const char *cat)
{
    size_t n = strlen(cat);
    for (const char *p = list; p && *p;) {
        const char *end = strchr(p, '|');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len == n && memcmp(p, cat, n) == 0)
            return true;
        p = end ? end + 1 : p + len;
    }
    return false;
}

json_t *
tb_categories_json(const char *list)
{
    json_t *arr = json_array();
    for (const char *p = list; p && *p;) {
        const char *end = strchr(p, '|');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        json_array_append_new(arr, json_stringn(p, len));
        p = end ? end + 1 : p + len;
    }
    return arr;
}

bool
tb_legs_balanced(const struct tb_leg *legs, int n, int64_t *bad_scheme)
{
    /* RULE-TB-010: within each scheme the legs of a transfer sum to zero. */
    for (int i = 0; i < n; i++) {
        int64_t sum = 0;
        for (int j = 0; j < n; j++)
            if (legs[j].scheme_id == legs[i].scheme_id)
                sum += legs[j].amount_min;
        if (sum != 0) {
            *bad_scheme = legs[i].scheme_id;
            return false;
        }
    }
    return true;
}

const char *
tb_hours_text(struct al_arena *a, int64_t minutes)
{
    const char *sign = minutes < 0 ? "-" : "";
    int64_t m = minutes < 0 ? -minutes : minutes;
    if (m % 60 == 0)
        return al_arena_printf(a, "%s%lld 小时", sign, (long long)(m / 60));
    return al_arena_printf(a, "%s%lld 小时 %lld 分钟", sign, (long long)(m / 60),
        (long long)(m % 60));
}

void
tb_confirm_code(const unsigned char rnd[2], char out[5])
{
    unsigned v = ((unsigned)rnd[0] << 8 | rnd[1]) % 10000;
    snprintf(out, 5, "%04u", v);
}

int
tb_need_allowed(const char *status, int action, struct al_errinfo *e)
{
    /* RULE-TB-040: open → taken → done; taken → disputed → done or cancelled. */
    bool ok = false;
    switch (action) {
    case TB_N_TAKE:
        ok = strcmp(status, "open") == 0;
        break;
    case TB_N_DONE:
    case TB_N_CONFIRM:
    case TB_N_DISPUTE:
        ok = strcmp(status, "taken") == 0;
        break;
    case TB_N_RESOLVE:
        ok = strcmp(status, "disputed") == 0;
        break;
    case TB_N_CANCEL:
        ok = strcmp(status, "open") == 0 || strcmp(status, "taken") == 0;
        break;
    default:
        break;
    }
    if (ok)
        return AL_OK;
    return al_fail(e, AL_ECONFLICT, "status", "需求当前状态为“%s”，不能进行此操作",
        tb_need_status_label(status));
}

int
tb_need_minutes_check(int64_t minutes, struct al_errinfo *e)
{
    if (minutes < 1 || minutes > 720) /* RULE-TB-042 */
        return al_fail(e, AL_EINVAL, "minutes", "服务时长应在 1 到 720 分钟之间");
    return AL_OK;
}

const char *
tb_need_status_label(const char *status)
{
    static const char *const map[][2] = {{"open", "待接单"}, {"taken", "已接单"},
        {"done", "已完成"}, {"disputed", "有争议"}, {"cancelled", "已取消"}};
    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
        if (strcmp(status, map[i][0]) == 0)
            return map[i][1];
    return status;
}

/* Days since 1970-01-01 of a civil date (H. Hinnant's days_from_civil). */
static int64_t
days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

bool
tb_parse_local_time(const char *s, int64_t *out)
{
    int y, mo, d, h, mi;
    char sep;
    int n = 0;
    if (!s || strlen(s) != 16 || sscanf(s, "%4d-%2d-%2d%c%2d:%2d%n", &y, &mo, &d, &sep, &h, &mi,
                                      &n) != 6 || n != 16 || (sep != ' ' && sep != 'T'))
        return false;
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (y < 2000 || y > 2100 || mo < 1 || mo > 12 || d < 1 ||
        d > mdays[mo - 1] + (mo == 2 && leap) || h < 0 || h > 23 || mi < 0 || mi > 59)
        return false;
    *out = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 - 8 * 3600;
    return true;
}

int64_t
tb_expiry_due(int64_t credits_before, int64_t debits)
{
    /*
     * RULE-TB-061: hours are spent first in, first out, so every debit so far (spends,
     * gifts, donations, earlier expiries) consumed the oldest deposits first; what is left of
     * the deposits made before the cut-off is what expires now.  Run again, the expiry just
     * posted is one of the debits and nothing more is due.
     */
    int64_t d = credits_before - (debits < 0 ? -debits : debits);
    return d > 0 ? d : 0;
}

bool
tb_months_before(const char *date, int months, char out[11])
{
    /* RULE-TB-060: the same day `months` months earlier, the last of a shorter month. */
    int y, m, d, n = 0;
    if (!date || months < 0 || sscanf(date, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 || n != 10 ||
        m < 1 || m > 12 || d < 1 || d > 31)
        return false;
    int64_t idx = (int64_t)y * 12 + (m - 1) - months;
    if (idx < 0 || idx >= 10000 * 12)
        return false;
    y = (int)(idx / 12);
    m = (int)(idx % 12) + 1;
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    int last = mdays[m - 1] + (m == 2 && leap);
    snprintf(out, 11, "%04u-%02u-%02u", (unsigned)y % 10000u, (unsigned)m % 100u,
        (unsigned)(d > last ? last : d) % 100u);
    return true;
}

int64_t
tb_day_start(const char *date)
{
    /* 00:00 China time (UTC+8) of "YYYY-MM-DD" as unix seconds; -1 when not a date. */
    int64_t t;
    char buf[17];
    if (!date || strlen(date) != 10)
        return -1;
    snprintf(buf, sizeof(buf), "%s 00:00", date);
    return tb_parse_local_time(buf, &t) ? t : -1;
}

bool
tb_target_reached(int64_t elder_volunteers, int64_t elders, int target_pct)
{
    /* RULE-TB-064: elder volunteers reach the region's target share of all elders. */
    return elders > 0 && elder_volunteers * 100 >= elders * (int64_t)target_pct;
}

int
tb_pos_read(const json_t *set, double *lat, double *lng, bool *has, struct al_errinfo *e)
{
    /* RULE-TB-066: a point is both coordinates or none. */
    json_t *la = json_object_get(set, "lat"), *ln = json_object_get(set, "lng");
    *has = false;
    if (!la && !ln)
        return AL_OK;
    if (!json_is_number(la) || !json_is_number(ln))
        return al_fail(e, AL_EINVAL, la ? "lng" : "lat", "位置应同时填写纬度和经度");
    *lat = json_number_value(la);
    *lng = json_number_value(ln);
    *has = true;
    return AL_OK;
}

struct near_row {
    json_t *item;
    double d;
    bool has;
    size_t seq;
};

static int
near_cmp(const void *x, const void *y)
{
    const struct near_row *a = x, *b = y;
    if (a->has != b->has)
        return a->has ? -1 : 1;
    if (a->has && a->d != b->d)
        return a->d < b->d ? -1 : 1;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

size_t
tb_nearby_order(json_t *items, double lat, double lng, double radius_m)
{
    /* RULE-TB-066: nearest first, within the radius; needs without a position last. */
    size_t n = json_array_size(items), k = 0;
    if (n == 0)
        return 0;
    struct near_row *rows = calloc(n, sizeof(*rows));
    if (!rows)
        return n;
    for (size_t i = 0; i < n; i++) {
        json_t *it = json_array_get(items, i);
        json_t *la = json_object_get(it, "lat"), *ln = json_object_get(it, "lng");
        struct near_row row = {.item = json_incref(it), .seq = i};
        if (json_is_number(la) && json_is_number(ln)) {
            row.has = true;
            row.d = al_geo_distance_m(lat, lng, json_number_value(la), json_number_value(ln));
            if (row.d > radius_m) {
                json_decref(it);
                continue;
            }
        }
        rows[k++] = row;
    }
    qsort(rows, k, sizeof(*rows), near_cmp);
    json_array_clear(items);
    for (size_t i = 0; i < k; i++) {
        json_object_set_new(rows[i].item, "distance_m",
            rows[i].has ? json_integer((json_int_t)(rows[i].d + 0.5)) : json_null());
        json_array_append_new(items, rows[i].item);
    }
    free(rows);
    return k;
}

bool
tb_card_valid(const char *s)
{
    /* RULE-TB-070: what the card systems print: 8..20 digits or capital letters. */
    size_t n = s ? strlen(s) : 0;
    if (n < 8 || n > 20)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'A' && s[i] <= 'Z')))
            return false;
    return true;
}

void
tb_card_mask(const char *s, char *out, size_t size)
{
    /*
     * RULE-TB-070: the first 4 and the last 4 characters, the rest hidden (as ID numbers); a
     * number shorter than 12 shows its last 4 only, so that at least 4 stay hidden.
     */
    size_t n = strlen(s), k = 0, head = n >= 12 ? 4 : 0;
    for (size_t i = 0; i < n && k + 1 < size; i++)
        out[k++] = i < head || i + 4 >= n ? s[i] : '*';
    out[k] = '\0';
}

const char *
tb_sget(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

int64_t
tb_iget(const json_t *o, const char *k, int64_t dflt)
{
    json_t *v = json_object_get(o, k);
    return json_is_integer(v) ? json_integer_value(v) : dflt;
}
