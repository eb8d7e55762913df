/* Routes and thin handlers of the meal module (issue 17, 老年助餐). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "core/crypto.h"
#include "core/export.h"
#include "core/fields.h"
#include "core/http.h"
#include "core/idem.h"
#include "core/idcard.h"
#include "core/json.h"
#include "core/query.h"
#include "meal/meal.h"
#include "meal/meal_int.h"
#include "region/region.h"

static int
audit(struct al_req *r, const char *action, const char *type, int64_t id, const char *region,
    json_t *detail)
{
    struct audit_entry e = {.action = action, .target_type = type,
        .target_id = al_arena_printf(r->arena, "%lld", (long long)id), .region_code = region,
        .outcome = "success", .detail = detail};
    return audit_append(r, &e);
}

static const char *
jstr(const json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

/* Canteen :id of the path (or `id` when not 0) if the caller may see it (RULE-SCOPE-001). */
static int
visible_canteen(struct al_req *r, int64_t id, struct meal_canteen *c)
{
    int rc = id ? AL_OK : al_req_param_id(r, "id", &id);
    if (rc == AL_OK)
        rc = meal_store_canteen(r->db, r->arena, id, c);
    if (rc == AL_ENOTFOUND ||
        (rc == AL_OK && !region_in_scope(r->who->region_code, c->region_code)))
        return al_req_fail(r, AL_ENOTFOUND, "canteen_id", "助餐点不存在");
    return rc;
}

/* ---- canteens (RULE-MEAL-001..003) ---- */

static const char *const kinds[] = {"canteen", "point", NULL};
static const char *const statuses[] = {"open", "closed", NULL};

static const struct al_field canteen_fields[] = {
    {"region_code", "所在区划", AL_FT_TEXT, AL_F_REQUIRED, .min = 9, .max = 12},
    {"kind", "类型", AL_FT_ENUM, AL_F_REQUIRED, .allowed = kinds,
        .hint = "应为 canteen（老年食堂）或 point（助餐点）"},
    {"name", "名称", AL_FT_TEXT, AL_F_REQUIRED | AL_F_PLAIN, .min = 1, .max = 60},
    {"operator", "运营主体", AL_FT_TEXT, AL_F_REQUIRED | AL_F_PLAIN, .min = 1, .max = 60},
    {"address", "地址", AL_FT_TEXT, AL_F_REQUIRED | AL_F_PLAIN, .min = 1, .max = 200},
    {"lat", "纬度", AL_FT_REAL, AL_F_NULLABLE, .lo = 3.0, .hi = 54.0, .hint = "应为中国境内的纬度"},
    {"lng", "经度", AL_FT_REAL, AL_F_NULLABLE, .lo = 73.0, .hi = 136.0,
        .hint = "应为中国境内的经度"},
    {"capacity", "每餐接待能力", AL_FT_INT, AL_F_REQUIRED, .min = 0, .max = 100000},
    {"delivery_radius_m", "送餐半径（米）", AL_FT_INT, 0, .min = 0, .max = 50000},
    {"hours", "营业时间", AL_FT_TEXT, AL_F_PLAIN, .max = 100},
    {"licence_no", "食品经营许可证编号", AL_FT_TEXT, AL_F_REQUIRED | AL_F_PLAIN, .min = 1,
        .max = 40},
    {"licence_expiry", "许可证有效期至", AL_FT_DATE, AL_F_REQUIRED, .min = 0},
    {"status", "状态", AL_FT_ENUM, 0, .allowed = statuses, .hint = "应为 open（运营中）或 closed（停办）"},
    {0},
};

/* RULE-MEAL-001: the body of a canteen, checked (areas inside the caller's scope and real). */
static int
read_canteen(struct al_req *r, json_t *body, struct meal_canteen_in *in)
{
    json_t *set = json_object();
    int rc = al_fields_read(body, canteen_fields, AL_FIELDS_CREATE, set, &r->err);
    if (rc != AL_OK)
        return rc;
    *in = (struct meal_canteen_in){.region_code = jstr(set, "region_code"),
        .kind = jstr(set, "kind"), .name = jstr(set, "name"),
        .operator_name = jstr(set, "operator"), .address = jstr(set, "address"),
        .hours = jstr(set, "hours"), .licence_no = jstr(set, "licence_no"),
        .licence_expiry = jstr(set, "licence_expiry"),
        .status = json_object_get(set, "status") ? jstr(set, "status") : "open",
        .capacity = json_integer_value(json_object_get(set, "capacity")),
        .delivery_radius_m = json_integer_value(json_object_get(set, "delivery_radius_m"))};
    json_t *lat = json_object_get(set, "lat"), *lng = json_object_get(set, "lng");
    if (json_is_number(lat) != json_is_number(lng))
        return al_req_fail(r, AL_EINVAL, json_is_number(lat) ? "lng" : "lat", "经纬度应同时填写");
    if ((in->has_coords = json_is_number(lat))) {
        in->lat = json_number_value(lat);
        in->lng = json_number_value(lng);
    }
    if (!region_in_scope(r->who->region_code, in->region_code) ||
        !region_name(r->db, r->arena, in->region_code))
        return al_req_fail(r, AL_EINVAL, "region_code", "所在区划不存在或不在本辖区内");
    struct meal_window w[MEAL_KINDS];
    int n = 0;
    json_t *windows = json_object_get(body, "windows");
    if ((rc = meal_windows_read(windows, w, &n, &r->err)) != AL_OK)
        return rc;
    in->windows = al_json_dump(r->arena, windows, NULL);
    json_t *areas = json_object_get(body, "areas");
    if (!json_is_array(areas) || json_array_size(areas) == 0 || json_array_size(areas) > 200)
        return al_req_fail(r, AL_EINVAL, "areas", "服务的社区（村）应为 1 到 200 个区划代码");
    size_t i;
    json_t *v;
    json_array_foreach(areas, i, v)
    {
        const char *code = json_string_value(v);
        if (!code || strlen(code) != 12 || !region_in_scope(r->who->region_code, code) ||
            !region_name(r->db, r->arena, code))
            return al_req_fail(r, AL_EINVAL, "areas",
                "服务的社区（村）第 %zu 项应为本辖区内的 12 位社区或村区划代码", i + 1);
    }
    in->areas = areas;
    return AL_OK;
}

static int
canteens_list(struct al_req *r)
{
    char lo[16], hi[16];
    region_scope_bounds(r->who->region_code, lo, hi);
    struct meal_canteen_filter f = {.lo = lo, .hi = hi, .q = al_query_opt(&r->query, "q"),
        .licence = al_query_opt(&r->query, "licence"), .today = r->today};
    if (f.licence && strcmp(f.licence, "expired") && strcmp(f.licence, "expiring"))
        return al_req_fail(r, AL_EINVAL, "licence", "许可证筛选应为 expired（已过期）或 expiring（30 天内到期）");
    int rc = al_query_limit(&r->query, &f.limit, &f.offset, &r->err);
    if (rc != AL_OK)
        return rc;
    json_t *items = json_array();
    int64_t total = 0;
    if ((rc = meal_store_canteens(r->db, r->arena, &f, items, &total)) != AL_OK)
        return rc;
    return al_reply_items(r, items, total);
}

static int
canteen_get(struct al_req *r)
{
    struct meal_canteen c;
    int rc = visible_canteen(r, 0, &c);
    json_t *out = NULL;
    if (rc == AL_OK)
        rc = meal_store_canteen_json(r->db, r->arena, c.id, r->today, &out);
    return rc != AL_OK ? rc : al_reply(r, 200, out);
}

static int
canteen_write(struct al_req *r, int64_t id, int64_t version)
{
    json_t *body;
    struct meal_canteen_in in;
    int rc = al_req_json(r, &body);
    if (rc == AL_OK)
        rc = read_canteen(r, body, &in);
    if (rc != AL_OK)
        return rc;
    if ((rc = al_db_begin(r->db)) != AL_OK)
        return rc;
    int64_t out_id = 0;
    rc = meal_store_canteen_put(r->db, id, version, &in, r->who->username, r->now, &out_id);
    if (rc == AL_ECONFLICT && id)
        al_req_fail(r, AL_ECONFLICT, "version", "助餐点已被他人修改，请刷新后重试");
    if (rc == AL_OK)
        rc = audit(r, id ? "meal.canteen_update" : "meal.canteen_create", "meal_canteen", out_id,
            in.region_code, json_pack("{s:s, s:s}", "name", in.name, "licence_expiry",
                                in.licence_expiry));
    if ((rc = al_db_end(r->db, rc)) != AL_OK)
        return rc;
    json_t *out = NULL;
    if ((rc = meal_store_canteen_json(r->db, r->arena, out_id, r->today, &out)) != AL_OK)
        return rc;
    return al_reply(r, id ? 200 : 201, out);
}

static int
canteen_create(struct al_req *r)
{
    return canteen_write(r, 0, 0);
}

static int
canteen_update(struct al_req *r)
{
    struct meal_canteen c;
    json_t *body;
    int rc = visible_canteen(r, 0, &c);
    if (rc == AL_OK)
        rc = al_req_json(r, &body);
    if (rc != AL_OK)
        return rc;
    int64_t version = 0;
    bool present = false;
    if ((rc = al_json_get_int(body, "version", "版本号", AL_REQUIRED, 1, INT32_MAX, &version,
             &present, &r->err)) != AL_OK)
        return rc;
    return canteen_write(r, c.id, version);
}

/* ---- menus ---- */

static const char *const meal_values[] = {"breakfast", "lunch", "dinner", NULL};

static const struct al_field menu_fields[] = {
    {"date", "日期", AL_FT_DATE, AL_F_REQUIRED, .min = 0},
    {"meal", "餐次", AL_FT_ENUM, AL_F_REQUIRED, .allowed = meal_values,
        .hint = "应为 breakfast（早餐）、lunch（午餐）或 dinner（晚餐）"},
    {"name", "套餐名称", AL_FT_TEXT, AL_F_REQUIRED | AL_F_PLAIN, .min = 1, .max = 40},
    {"dishes", "菜品", AL_FT_TEXT, AL_F_PLAIN, .max = 200},
    {"price_fen", "价格（分）", AL_FT_INT, AL_F_REQUIRED, .min = 1, .max = 100000},
    {0},
};

static int
menus_list(struct al_req *r)
{
    struct meal_canteen c;
    int rc = visible_canteen(r, 0, &c);
    if (rc != AL_OK)
        return rc;
    const char *from = al_query_opt(&r->query, "from"), *to = al_query_opt(&r->query, "to");
    if (!from)
        from = r->today;
    if (!to)
        to = from;
    if (!al_date_valid(from) || !al_date_valid(to))
        return al_req_fail(r, AL_EINVAL, al_date_valid(from) ? "to" : "from", "日期格式应为 YYYY-MM-DD");
    json_t *items = json_array();
    if ((rc = meal_store_menus(r->db, r->arena, c.id, from, to, items)) != AL_OK)
        return rc;
    return al_reply_items(r, items, -1);
}

static int
menu_add(struct al_req *r)
{
    struct meal_canteen c;
    json_t *body, *set = json_object();
    int rc = visible_canteen(r, 0, &c);
    if (rc == AL_OK)
        rc = al_req_json(r, &body);
    if (rc == AL_OK)
        rc = al_fields_read(body, menu_fields, AL_FIELDS_CREATE, set, &r->err);
    if (rc != AL_OK)
        return rc;
    if ((rc = al_db_begin(r->db)) != AL_OK)
        return rc;
    int64_t id = 0;
    rc = meal_store_menu_add(r->db, c.id, jstr(set, "date"), jstr(set, "meal"),
        jstr(set, "name"), jstr(set, "dishes"),
        json_integer_value(json_object_get(set, "price_fen")), r->who->username, r->now, &id);
    if (rc == AL_ECONFLICT)
        al_req_fail(r, AL_ECONFLICT, "name", "当日该餐次已有同名套餐");
    if (rc == AL_OK)
        rc = audit(r, "meal.menu_add", "meal_menu", id, c.region_code, set);
    if ((rc = al_db_end(r->db, rc)) != AL_OK)
        return rc;
    json_object_set_new(set, "id", json_integer(id));
    return al_reply(r, 201, set);
}

/* ---- subsidy rules and caps (RULE-MEAL-010..012) ---- */

static const struct al_field rule_fields[] = {
    {"meal", "餐次", AL_FT_ENUM, AL_F_REQUIRED, .allowed = meal_values,
        .hint = "应为 breakfast（早餐）、lunch（午餐）或 dinner（晚餐）"},
    {"amount_fen", "补贴金额（分）", AL_FT_INT, AL_F_REQUIRED, .min = 1, .max = 100000},
    {"tags", "补贴对象", AL_FT_TEXTS, AL_F_EXACT, .max = 5, .hint = "应为老人类别的列表"},
    {"fund_national_pct", "中央资金比例", AL_FT_INT, 0, .min = 0, .max = 100},
    {"fund_province_pct", "省级资金比例", AL_FT_INT, 0, .min = 0, .max = 100},
    {"fund_city_pct", "市级资金比例", AL_FT_INT, 0, .min = 0, .max = 100},
    {"fund_county_pct", "县级资金比例", AL_FT_INT, 0, .min = 0, .max = 100},
    {"valid_from", "起始日期", AL_FT_DATE, AL_F_REQUIRED, .min = 0},
    {"valid_until", "终止日期", AL_FT_DATE, AL_F_NULLABLE, .min = 0},
    {0},
};

static int
tags_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int
rules_list(struct al_req *r)
{
    char lo[16], hi[16];
    region_scope_bounds(r->who->region_code, lo, hi);
    json_t *items = json_array();
    int rc = meal_store_rules(r->db, r->arena, lo, hi, r->who->region_code, items);
    if (rc != AL_OK)
        return rc;
    int64_t cap = 1;
    if ((rc = meal_store_cap_for(r->db, r->who->region_code, &cap)) != AL_OK)
        return rc;
    json_t *out = json_pack("{s:o, s:I, s:I}", "items", items, "total",
        (json_int_t)json_array_size(items), "daily_cap", (json_int_t)cap);
    return al_reply(r, 200, out);
}

static int
rule_add(struct al_req *r)
{
    json_t *body, *set = json_object();
    int rc = al_req_json(r, &body);
    if (rc == AL_OK)
        rc = al_fields_read(body, rule_fields, AL_FIELDS_CREATE, set, &r->err);
    if (rc != AL_OK)
        return rc;
    static const char *const pk[] = {"fund_national_pct", "fund_province_pct", "fund_city_pct",
        "fund_county_pct"};
    int pct[4], sum = 0;
    for (int i = 0; i < 4; i++)
        sum += pct[i] = (int)json_integer_value(json_object_get(set, pk[i]));
    if (sum != 100) /* RULE-MEAL-014 */
        return al_req_fail(r, AL_EINVAL, "fund_county_pct", "各级资金比例之和应为 100");
    const char *from = jstr(set, "valid_from"), *until = json_string_value(json_object_get(set,
                                                     "valid_until"));
    if (until && strcmp(until, from) < 0)
        return al_req_fail(r, AL_EINVAL, "valid_until", "终止日期不能早于起始日期");
    /* The tags sorted, without repeats, as one text. */
    json_t *tags = json_object_get(set, "tags");
    size_t n = json_array_size(tags);
    const char **t = al_arena_alloc(r->arena, sizeof(*t) * (n + 1));
    for (size_t i = 0; i < n; i++) {
        t[i] = json_string_value(json_array_get(tags, i));
        if (!meal_tag_valid(t[i])) /* RULE-MEAL-011, RULE-MEAL-072 */
            return al_req_fail(r, AL_EINVAL, "tags",
                "补贴对象第 %zu 项应为老人类别（高龄、低保等）或 item:服务清单项目代码", i + 1);
    }
    qsort(t, n, sizeof(*t), tags_cmp);
    const char *text = "";
    for (size_t i = 0; i < n; i++)
        if (i == 0 || strcmp(t[i], t[i - 1]))
            text = *text ? al_arena_printf(r->arena, "%s,%s", text, t[i]) : t[i];
    const char *region = r->who->region_code;
    if ((rc = al_db_begin(r->db)) != AL_OK)
        return rc;
    int64_t id = 0;
    rc = meal_store_rule_add(r->db, region, text, jstr(set, "meal"),
        json_integer_value(json_object_get(set, "amount_fen")), pct, from, until,
        r->who->username, r->now, &id);
    if (rc == AL_OK)
        rc = audit(r, "meal.rule_add", "meal_rule", id, region, set);
    if ((rc = al_db_end(r->db, rc)) != AL_OK)
        return rc;
    return al_reply(r, 201, json_pack("{s:I, s:s, s:s}", "id", (json_int_t)id, "region_code",
                                region, "tags", text));
}

static int
cap_set(struct al_req *r)
{
    json_t *body;
    int64_t cap = 0;
    bool present = false;
    int rc = al_req_json(r, &body);
    if (rc == AL_OK)
        rc = al_json_get_int(body, "daily_cap", "每日补贴餐次上限", AL_REQUIRED, 0, 3, &cap,
            &present, &r->err);
    if (rc != AL_OK)
        return rc;
    if ((rc = al_db_begin(r->db)) != AL_OK)
        return rc;
    rc = meal_store_cap_set(r->db, r->who->region_code, cap, r->who->username, r->now);
    if (rc == AL_OK)
        rc = audit(r, "meal.cap_set", "meal_cap", cap, r->who->region_code, NULL);
    if ((rc = al_db_end(r->db, rc)) != AL_OK)
        return rc;
    return al_reply(r, 200, json_pack("{s:s, s:I}", "region_code", r->who->region_code,
                                "daily_cap", (json_int_t)cap));
}

/* ---- cards (RULE-MEAL-020) ---- */

static int
card_put(struct al_req *r)
{
    json_t *body;
    int64_t elder_id = 0;
    bool present = false;
    const char *card_no = NULL;
    int rc = al_req_json(r, &body);
    if (rc == AL_OK)
        rc = al_json_get_int(body, "elder_id", "老人", AL_REQUIRED, 1, INT64_MAX, &elder_id,
            &present, &r->err);
    if (rc == AL_OK)
        rc = al_json_get_str(body, "card_no", "餐卡号", AL_REQUIRED | AL_PLAIN, 4, 32, &card_no,
            &r->err);
    if (rc != AL_OK)
        return rc;
    struct meal_diner d;
    rc = meal_store_diner(r->db, r->arena, elder_id, &d);
    if (rc == AL_ENOTFOUND || (rc == AL_OK && !region_in_scope(r->who->region_code,
                                                  d.e.region_code)))
        return al_req_fail(r, AL_ENOTFOUND, "elder_id", "老年人档案不存在");
    if (rc != AL_OK)
        return rc;
    char token[33];
    al_crypto_random_hex(token, 16);
    if ((rc = al_db_begin(r->db)) != AL_OK)
        return rc;
    rc = meal_store_card_put(r->db, elder_id, d.e.region_code, card_no, token, r->who->username,
        r->now);
    if (rc == AL_ECONFLICT)
        al_req_fail(r, AL_ECONFLICT, "card_no", "餐卡号已被其他老人使用");
    if (rc == AL_OK)
        rc = audit(r, "meal.card_issue", "elder", elder_id, d.e.region_code,
            json_pack("{s:s}", "card_no", card_no));
    if ((rc = al_db_end(r->db, rc)) != AL_OK)
        return rc;
    return al_reply(r, 200, json_pack("{s:I, s:s, s:s}", "elder_id", (json_int_t)elder_id,
                                "card_no", card_no, "qr_token", token));
}

/* ---- the counter (RULE-MEAL-013, -020..022, -040) ---- */

/* The diner the counter names: `qr`, `card` or `elder_id`, inside the caller's scope. */
static int
find_diner(struct al_req *r, json_t *body, struct meal_diner *d)
{
    const char *qr = json_string_value(json_object_get(body, "qr"));
    const char *card = json_string_value(json_object_get(body, "card"));
    json_t *eid = json_object_get(body, "elder_id");
    int rc;
    if (qr && *qr)
        rc = meal_store_diner_by_qr(r->db, r->arena, qr, d);
    else if (card && *card)
        rc = meal_store_diner_by_card(r->db, r->arena, card, d);
    else if (json_is_integer(eid))
        rc = meal_store_diner(r->db, r->arena, json_integer_value(eid), d);
    else
        return al_req_fail(r, AL_EINVAL, "card", "请扫描二维码、输入餐卡号或按姓名查找老人");
    if (rc == AL_ENOTFOUND ||
        (rc == AL_OK && !region_in_scope(r->who->region_code, d->e.region_code)))
        return al_req_fail(r, AL_ENOTFOUND, qr ? "qr" : card ? "card" : "elder_id",
            "未找到该就餐老人（二维码、餐卡号无效或不在本辖区）");
    return rc;
}

static int
decide(struct al_req *r, const struct meal_canteen *c, const struct meal_diner *d,
    const char *date, int meal, int64_t price_fen, struct meal_decision *out, int64_t *rule_id,
    const char **rule_tags)
{
    return meal_store_decide(r->db, r->arena, c, d, date, meal, price_fen, out, rule_id,
        rule_tags);
}

static json_t *
tags_json(const char *tags)
{
    json_t *out = json_array();
    const char *p = tags;
    while (p && *p) {
        const char *e = strchr(p, ',');
        char t[40];
        snprintf(t, sizeof(t), "%.*s", (int)(e ? (size_t)(e - p) : strlen(p)), p);
        json_array_append_new(out, json_string(meal_tag_label(t)));
        p = e ? e + 1 : NULL;
    }
    return out;
}

static json_t *
diner_json(const struct meal_diner *d)
{
    /* RULE-PII-001: the year of birth, never the date. */
    const struct elder_brief *e = &d->e;
    return json_pack("{s:I, s:s, s:s, s:i, s:s, s:o, s:s?, s:s, s:s?}", "id", (json_int_t)e->id,
        "name", e->name, "sex", e->sex, "birth_year", atoi(e->birth_date), "region_code",
        e->region_code, "tags", tags_json(d->tags), "card_no", d->card_no, "status", e->status,
        "status_date", strcmp(e->status, "active") ? e->status_date : NULL);
}

/* Minute of the day (China Standard Time) of unix time `t`. */
static int
cst_minute(int64_t t)
{
    return (int)(((t + 8 * 3600) % 86400) / 60);
}

static int
counter_identify(struct al_req *r)
{
    json_t *body;
    struct meal_canteen c;
    struct meal_diner d;
    int64_t cid = 0;
    bool present = false;
    int rc = al_req_json(r, &body);
    if (rc == AL_OK)
        rc = al_json_get_int(body, "canteen_id", "助餐点", AL_REQUIRED, 1, INT64_MAX, &cid,
            &present, &r->err);
    if (rc == AL_OK)
        rc = visible_canteen(r, cid, &c);
    if (rc == AL_OK)
        rc = find_diner(r, body, &d);
    if (rc != AL_OK)
        return rc;
    struct meal_window w[MEAL_KINDS];
    int nw = 0;
    meal_windows_read(json_loads(c.windows, 0, NULL), w, &nw, &r->err);
    const char *want = json_string_value(json_object_get(body, "meal"));
    if (want && meal_kind_of(want) < 0)
        return al_req_fail(r, AL_EINVAL, "meal", "餐次应为 breakfast（早餐）、lunch（午餐）或 dinner（晚餐）");
    int meal = want ? meal_kind_of(want) : meal_window_at(w, nw, cst_minute(r->now));
    json_t *out = json_pack("{s:o, s:s, s:s}", "diner", diner_json(&d), "date",
        r->today, "licence_state", meal_licence_state(c.licence_expiry, r->today));
    if (meal < 0) {
        json_object_set_new(out, "meal", json_null());
        json_object_set_new(out, "menus", json_array());
        return al_reply(r, 200, out);
    }
    json_object_set_new(out, "meal", json_string(meal_names[meal]));
    json_object_set_new(out, "meal_label", json_string(meal_labels[meal]));
    json_t *all = json_array(), *menus = json_array();
    if ((rc = meal_store_menus(r->db, r->arena, c.id, r->today, r->today, all)) != AL_OK)
        return rc;
    size_t i;
    json_t *m;
    json_array_foreach(all, i, m)
    {
        if (strcmp(jstr(m, "meal"), meal_names[meal]))
            continue;
        struct meal_decision dec;
        int64_t rule_id = 0;
        const char *rule_tags;
        if ((rc = decide(r, &c, &d, r->today, meal, json_integer_value(json_object_get(m,
                                                        "price_fen")),
                 &dec, &rule_id, &rule_tags)) != AL_OK)
            return rc;
        json_object_set_new(m, "subsidy_fen", json_integer(dec.subsidy_fen));
        json_object_set_new(m, "diner_fen", json_integer(dec.diner_fen));
        json_object_set_new(m, "flag", json_string(dec.flag));
        const char *fl = meal_flag_label(dec.flag);
        json_object_set_new(m, "flag_label", fl ? json_string(fl) : json_null());
        json_array_append(menus, m);
    }
    json_object_set_new(out, "menus", menus);
    return al_reply(r, 200, out);
}

static int
counter_search(struct al_req *r)
{
    const char *q = al_query_opt(&r->query, "q");
    if (!q || al_utf8_len(q, strlen(q)) < 1 || strlen(q) > 64)
        return al_req_fail(r, AL_EINVAL, "q", "请输入老人姓名");
    char lo[16], hi[16];
    region_scope_bounds(r->who->region_code, lo, hi); /* RULE-SCOPE-001 */
    json_t *items = json_array();
    int rc = meal_store_diner_search(r->db, r->arena, lo, hi, q, items);
    return rc != AL_OK ? rc : al_reply_items(r, items, -1);
}

/*
 * RULE-MEAL-021: a counter may send a meal again (after a cut).  The key goes through the
 * request idempotency helper (src/core/idem.h, al_idem_req_begin_body; scope "meal.record",
 * the counter user's): the same key and the same meal answer the record already made (200,
 * "replayed": true); a key used for another meal is 409 naming idem_key.  The body is hashed
 * with its keys sorted, so a resend that orders its fields differently is still the same meal.
 */
#define MEAL_IDEM_SCOPE "meal.record"

static const char *const kinds_meal[] = {"dine_in", "delivery", NULL};

/* What a counter sends for one meal (RULE-MEAL-021), read and checked. */
struct record_in {
    int64_t cid, menu_id, served_at;
    const char *key, *kind, *counter;
};

static int
record_body(struct al_req *r, json_t *body, struct record_in *in)
{
    bool present = false;
    *in = (struct record_in){.served_at = r->now};
    int rc = meal_body_menu(r, body, &in->cid, &in->menu_id);
    if (rc == AL_OK) /* RULE-MEAL-021 */
        rc = al_json_get_str(body, "idem_key", "幂等键", AL_REQUIRED | AL_PLAIN, 8, 64, &in->key,
            &r->err);
    if (rc == AL_OK && al_idem_key_check(in->key, &r->err) != AL_OK) {
        r->err = (struct al_errinfo){0};
        rc = al_req_fail(r, AL_EINVAL, "idem_key", "幂等键应为 8 到 64 位字母、数字或 - _ . :");
    }
    const char *hkey = al_req_header(r, AL_IDEM_HEADER);
    if (rc == AL_OK && hkey && strcmp(hkey, in->key) != 0)
        rc = al_req_fail(r, AL_EINVAL, "idem_key", "请求头 Idempotency-Key 与幂等键不一致");
    if (rc == AL_OK)
        rc = al_json_get_str(body, "kind", "就餐方式", AL_PLAIN, 0, 10, &in->kind, &r->err);
    if (rc == AL_OK)
        rc = al_json_get_str(body, "counter", "窗口", AL_PLAIN, 0, 40, &in->counter, &r->err);
    /* RULE-MEAL-021: a counter that was offline sends when the meal was served (40 days back). */
    if (rc == AL_OK)
        rc = al_json_get_int(body, "served_at", "就餐时间", 0, r->now - 40 * 86400, r->now + 300,
            &in->served_at, &present, &r->err);
    if (rc == AL_OK && in->kind && strcmp(in->kind, kinds_meal[0]) &&
        strcmp(in->kind, kinds_meal[1]))
        rc = al_req_fail(r, AL_EINVAL, "kind", "就餐方式应为 dine_in（堂食）或 delivery（送餐）");
    return rc;
}

static int
meal_record(struct al_req *r)
{
    json_t *body;
    struct meal_canteen c;
    struct meal_diner d;
    struct record_in in;
    int rc = al_req_json(r, &body);
    if (rc == AL_OK)
        rc = record_body(r, body, &in);
    if (rc != AL_OK)
        return rc;
    if ((rc = visible_canteen(r, in.cid, &c)) != AL_OK || (rc = find_diner(r, body, &d)) != AL_OK)
        return rc;
    struct al_idem_req x;
    if ((rc = al_idem_req_begin_body(r, MEAL_IDEM_SCOPE, in.key, body, "idem_key",
             "该幂等键已用于另一条就餐记录", &x)) != AL_OK ||
        x.replayed)
        return rc;
    if (strcmp(c.status, "open"))
        return al_req_fail(r, AL_ECONFLICT, "canteen_id", "该助餐点已停办，不能登记就餐");
    const char *mdate, *mmeal, *mname;
    int64_t price = 0;
    rc = meal_store_menu(r->db, r->arena, c.id, in.menu_id, &mdate, &mmeal, &mname, &price);
    if (rc == AL_ENOTFOUND)
        return al_req_fail(r, AL_EINVAL, "menu_id", "该助餐点没有这个套餐");
    if (rc != AL_OK)
        return rc;
    struct meal_record m = {.canteen_id = c.id, .elder_id = d.e.id, .menu_id = in.menu_id,
        .served_at = in.served_at, .canteen_region = c.region_code, .elder_region = d.e.region_code,
        .meal = mmeal, .kind = in.kind ? in.kind : "dine_in", .menu_name = mname, .idem_key = in.key,
        .counter = in.counter ? in.counter : "", .actor = r->who->username, .now = r->now,
        .price_fen = price};
    char date[11];
    al_date_cst(in.served_at, date);
    if (strcmp(date, mdate))
        return al_req_fail(r, AL_EUNPROC, "menu_id", "套餐日期（%s）与就餐日期（%s）不一致",
            mdate, date);
    m.served_date = date;
    m.month = al_arena_strndup(r->arena, date, 7);
    bool locked = false;
    int64_t id = 0;
    json_t *out = NULL;
    /*
     * RULE-MEAL-022: two counters may record the same diner's window at once; the unique
     * index lets one subsidised meal in.  The other's insert fails: decide again (now
     * charged in full, flagged) or answer its key's record.
     */
    for (int attempt = 0; attempt < 2; attempt++) {
        if ((rc = al_db_begin(r->db)) != AL_OK)
            return rc;
        /* RULE-MEAL-031, RULE-MEAL-065: the month's lock read inside the write, the canteen held shared. */
        rc = meal_store_canteen_lock(r->db, c.id, false);
        if (rc == AL_OK && (rc = meal_store_month_locked(r->db, c.id, m.month, &locked)) ==
                               AL_OK && locked)
            rc = al_req_fail(r, AL_ECONFLICT, "served_at", "%s 的结算单已审核，不能再登记就餐",
                m.month);
        if (rc == AL_OK)
            rc = decide(r, &c, &d, date, meal_kind_of(mmeal), price, &m.d, &m.rule_id, &m.tags);
        if (rc == AL_OK)
            rc = meal_store_record_add(r->db, &m, &id);
        if (rc == AL_OK)
            rc = audit(r, "meal.record", "meal_record", id, c.region_code,
                json_pack("{s:I, s:I, s:s, s:I, s:s}", "canteen_id", (json_int_t)c.id,
                    "elder_id", (json_int_t)d.e.id, "meal", mmeal, "subsidy_fen",
                    (json_int_t)m.d.subsidy_fen, "flag", m.d.flag));
        /* RULE-MEAL-021: the answer kept with the key, committed with the meal. */
        if (rc == AL_OK && (rc = meal_store_record_json(r->db, r->arena, id, &out)) == AL_OK)
            json_object_set_new(out, "replayed", json_false());
        rc = al_idem_req_keep(r, &x, 201, out, rc);
        if (locked && rc == AL_ECONFLICT)
            break; /* the month is approved: no second try */
        /* The same key won a race meanwhile (its answer, once), or the window's subsidy did. */
        if ((rc = al_idem_req_end(r, &x, rc)) != AL_ECONFLICT || x.replayed)
            break;
        r->err = (struct al_errinfo){0};
    }
    if (x.replayed)
        return rc;
    if (locked && rc == AL_ECONFLICT)
        return al_db_end(r->db, rc);
    if (rc != AL_OK)
        return rc;
    return al_reply(r, 201, out);
}

static int
meals_list(struct al_req *r)
{
    char lo[16], hi[16];
    region_scope_bounds(r->who->region_code, lo, hi);
    struct meal_record_filter f = {.lo = lo, .hi = hi, .month = al_query_opt(&r->query, "month"),
        .date = al_query_opt(&r->query, "date"), .flag = al_query_opt(&r->query, "flag")};
    int rc = al_query_int(&r->query, "canteen_id", "助餐点", 0, INT64_MAX, 0, &f.canteen_id,
        &r->err);
    if (rc == AL_OK)
        rc = al_query_limit(&r->query, &f.limit, &f.offset, &r->err);
    if (rc != AL_OK)
        return rc;
    if (f.month && !meal_month_valid(f.month))
        return al_req_fail(r, AL_EINVAL, "month", "月份格式应为 YYYY-MM");
    json_t *items = json_array();
    int64_t total = 0;
    if ((rc = meal_store_records(r->db, r->arena, &f, items, &total)) != AL_OK)
        return rc;
    return al_reply_items(r, items, total);
}

/* ---- statements (RULE-MEAL-030..032) ---- */

static int
statement_of(struct al_req *r, struct meal_canteen *c, const char **month, json_t **out)
{
    int rc = visible_canteen(r, 0, c);
    if (rc != AL_OK)
        return rc;
    *month = al_req_param(r, "month");
    if (!meal_month_valid(*month))
        return al_req_fail(r, AL_EINVAL, "month", "月份格式应为 YYYY-MM");
    rc = meal_store_statement_approved(r->db, r->arena, c->id, *month, out);
    if (rc == AL_ENOTFOUND) {
        rc = meal_store_statement_live(r->db, r->arena, c->id, *month, out);
        if (rc == AL_OK)
            json_object_set_new(*out, "status", json_string("open"));
    }
    if (rc == AL_OK) {
        json_object_set_new(*out, "canteen_name", json_string(c->name));
        json_object_set_new(*out, "licence_state",
            json_string(meal_licence_state(c->licence_expiry, r->today)));
    }
    return rc;
}

static int
statement_get(struct al_req *r)
{
    struct meal_canteen c;
    const char *month;
    json_t *out = NULL;
    int rc = statement_of(r, &c, &month, &out);
    return rc != AL_OK ? rc : al_reply(r, 200, out);
}

static int
statement_approve(struct al_req *r)
{
    struct meal_canteen c;
    const char *month;
    json_t *out = NULL;
    /*
     * RULE-MEAL-065: the statement approved is the one read inside the approval's own
     * transaction, with the canteen held exclusively: no meal of the month slips in between.
     */
    int rc = visible_canteen(r, 0, &c);
    if (rc != AL_OK)
        return rc;
    if ((rc = al_db_begin(r->db)) != AL_OK)
        return rc;
    rc = meal_store_canteen_lock(r->db, c.id, true);
    if (rc == AL_OK)
        rc = statement_of(r, &c, &month, &out);
    if (rc == AL_OK && !strcmp(jstr(out, "status"), "approved"))
        rc = al_req_fail(r, AL_ECONFLICT, "month", "%s 的结算单已审核", month);
    char this_month[8];
    snprintf(this_month, sizeof(this_month), "%.7s", r->today);
    if (rc == AL_OK && strcmp(month, this_month) >= 0)
        rc = al_req_fail(r, AL_EUNPROC, "month", "只能审核已结束月份的结算单");
    if (rc != AL_OK)
        return al_db_end(r->db, rc);
    json_object_del(out, "status");
    json_object_del(out, "licence_state");
    const char *text = al_json_dump(r->arena, out, NULL);
    rc = meal_store_statement_approve(r->db, c.id, c.region_code, month, text,
        r->who->username, r->now);
    if (rc == AL_ECONFLICT)
        al_req_fail(r, AL_ECONFLICT, "month", "%s 的结算单已审核", month);
    if (rc == AL_OK)
        rc = audit(r, "meal.statement_approve", "meal_canteen", c.id, c.region_code,
            json_pack("{s:s, s:O}", "month", month, "totals", json_object_get(out, "totals")));
    if ((rc = al_db_end(r->db, rc)) != AL_OK)
        return rc;
    if ((rc = statement_of(r, &c, &month, &out)) != AL_OK)
        return rc;
    return al_reply(r, 200, out);
}

static const char *
yuan(struct al_req *r, int64_t fen)
{
    return al_arena_printf(r->arena, "%s%lld.%02lld", fen < 0 ? "-" : "",
        (long long)(fen < 0 ? -fen : fen) / 100, (long long)(fen < 0 ? -fen : fen) % 100);
}

static const char *
tags_text(struct al_req *r, const char *tags)
{
    if (!tags || !*tags)
        return "（无补贴）";
    json_t *t = tags_json(tags);
    const char *out = "";
    size_t i;
    json_t *v;
    json_array_foreach(t, i, v)
        out = *out ? al_arena_printf(r->arena, "%s+%s", out, json_string_value(v))
                   : json_string_value(v);
    return out;
}

static int
statement_export(struct al_req *r)
{
    struct meal_canteen c;
    const char *month, *format;
    json_t *st = NULL;
    int rc = al_export_format(r, &format);
    if (rc == AL_OK)
        rc = statement_of(r, &c, &month, &st);
    if (rc != AL_OK)
        return rc;
    static const char *const headers[] = {"餐次", "补贴对象", "单价（元）", "份数", "金额（元）",
        "补贴（元）", "中央（元）", "省级（元）", "市级（元）", "县级（元）", "个人负担（元）"};
    static const char *const keys[] = {"amount_fen", "subsidy_fen", "fund_national_fen",
        "fund_province_fen", "fund_city_fen", "fund_county_fen", "diner_fen"};
    struct audit_entry e = {.action = "meal.statement_export", .target_type = "meal_canteen",
        .target_id = al_arena_printf(r->arena, "%lld", (long long)c.id),
        .region_code = c.region_code, .outcome = "success",
        .detail = json_pack("{s:s, s:s}", "month", month, "format", format)};
    if ((rc = audit_append(r, &e)) != AL_OK)
        return rc;
    struct al_export *x = NULL;
    const char *title = al_arena_printf(r->arena, "%s %s 助餐结算单（%s）", c.name, month,
        strcmp(jstr(st, "status"), "approved") ? "未审核" : "已审核");
    if ((rc = al_export_open(r, format, title, 11, headers, &x)) != AL_OK)
        return rc;
    size_t i;
    json_t *l;
    json_array_foreach(json_object_get(st, "lines"), i, l)
    {
        const char *cells[11] = {jstr(l, "meal_label"), tags_text(r, jstr(l, "tags")),
            yuan(r, json_integer_value(json_object_get(l, "price_fen"))),
            al_arena_printf(r->arena, "%lld",
                (long long)json_integer_value(json_object_get(l, "meals")))};
        for (int k = 0; k < 7; k++)
            cells[4 + k] = yuan(r, json_integer_value(json_object_get(l, keys[k])));
        al_export_row(x, cells);
    }
    json_t *t = json_object_get(st, "totals");
    const char *cells[11] = {"合计", "", "",
        al_arena_printf(r->arena, "%lld", (long long)json_integer_value(json_object_get(t,
                                              "meals")))};
    for (int k = 0; k < 7; k++)
        cells[4 + k] = yuan(r, json_integer_value(json_object_get(t, keys[k])));
    al_export_row(x, cells);
    return al_export_reply(x, al_arena_printf(r->arena, "助餐结算单-%lld-%s", (long long)c.id,
                                  month));
}

/* ---- measures (RULE-MEAL-050..052) ---- */

static int
measures_read(struct al_req *r, const char **month, json_t **out)
{
    *month = al_query_opt(&r->query, "month");
    if (!*month)
        *month = al_arena_strndup(r->arena, r->today, 7);
    if (!meal_month_valid(*month))
        return al_req_fail(r, AL_EINVAL, "month", "月份格式应为 YYYY-MM");
    char lo[16], hi[16];
    region_scope_bounds(r->who->region_code, lo, hi); /* RULE-SCOPE-002 */
    json_t *cov = NULL, *monthly = json_array(), *canteens = json_array();
    int rc = meal_store_coverage(r->db, r->arena, r->who->region_code, &cov);
    if (rc == AL_OK)
        rc = meal_store_monthly(r->db, r->arena, lo, hi, monthly);
    if (rc == AL_OK)
        rc = meal_store_diners_per_canteen(r->db, r->arena, lo, hi, *month, canteens);
    if (rc != AL_OK)
        return rc;
    *out = json_pack("{s:o, s:o, s:s, s:o}", "coverage", cov, "monthly", monthly, "month",
        *month, "canteens", canteens);
    return AL_OK;
}

static int
measures_get(struct al_req *r)
{
    const char *month;
    json_t *out = NULL;
    int rc = measures_read(r, &month, &out);
    return rc != AL_OK ? rc : al_reply(r, 200, out);
}

static const char *
pct_text(struct al_req *r, int64_t part, int64_t whole)
{
    if (whole == 0)
        return "—";
    return al_arena_printf(r->arena, "%.1f%%", 100.0 * (double)part / (double)whole);
}

static int
measures_export(struct al_req *r)
{
    const char *month, *format;
    json_t *m = NULL;
    int rc = al_export_format(r, &format);
    if (rc == AL_OK)
        rc = measures_read(r, &month, &m);
    if (rc != AL_OK)
        return rc;
    struct audit_entry e = {.action = "meal.measures_export", .region_code = r->who->region_code,
        .outcome = "success", .detail = json_pack("{s:s, s:s}", "month", month, "format",
                                          format)};
    if ((rc = audit_append(r, &e)) != AL_OK)
        return rc;
    static const char *const headers[] = {"区划代码", "乡镇（街道）", "老年食堂",
        "城市社区", "有助餐服务的社区", "社区覆盖率", "行政村", "有助餐服务的村", "村覆盖率"};
    struct al_export *x = NULL;
    if ((rc = al_export_open(r, format, "助餐服务覆盖情况", 9, headers, &x)) != AL_OK)
        return rc;
    json_t *cov = json_object_get(m, "coverage");
    size_t i;
    json_t *t;
    json_array_foreach(json_object_get(cov, "by_township"), i, t)
    {
        int64_t ut = json_integer_value(json_object_get(t, "urban_total"));
        int64_t us = json_integer_value(json_object_get(t, "urban_served"));
        int64_t rt = json_integer_value(json_object_get(t, "rural_total"));
        int64_t rs = json_integer_value(json_object_get(t, "rural_served"));
        const char *cells[9] = {jstr(t, "code"), jstr(t, "name"),
            json_is_true(json_object_get(t, "canteen")) ? "有" : "无",
            al_arena_printf(r->arena, "%lld", (long long)ut),
            al_arena_printf(r->arena, "%lld", (long long)us), pct_text(r, us, ut),
            al_arena_printf(r->arena, "%lld", (long long)rt),
            al_arena_printf(r->arena, "%lld", (long long)rs), pct_text(r, rs, rt)};
        al_export_row(x, cells);
    }
    json_t *u = json_object_get(cov, "urban"), *v = json_object_get(cov, "rural"),
           *tw = json_object_get(cov, "townships");
    int64_t ut = json_integer_value(json_object_get(u, "total"));
    int64_t us = json_integer_value(json_object_get(u, "served"));
    int64_t rt = json_integer_value(json_object_get(v, "total"));
    int64_t rs = json_integer_value(json_object_get(v, "served"));
    const char *cells[9] = {r->who->region_code, "合计",
        al_arena_printf(r->arena, "%lld/%lld",
            (long long)json_integer_value(json_object_get(tw, "with_canteen")),
            (long long)json_integer_value(json_object_get(tw, "total"))),
        al_arena_printf(r->arena, "%lld", (long long)ut),
        al_arena_printf(r->arena, "%lld", (long long)us), pct_text(r, us, ut),
        al_arena_printf(r->arena, "%lld", (long long)rt),
        al_arena_printf(r->arena, "%lld", (long long)rs), pct_text(r, rs, rt)};
    al_export_row(x, cells);
    return al_export_reply(x, "助餐服务覆盖情况");
}

static int
map_get(struct al_req *r)
{
    char lo[16], hi[16];
    region_scope_bounds(r->who->region_code, lo, hi); /* RULE-SCOPE-001 */
    json_t *out = NULL;
    int rc = meal_store_map(r->db, r->arena, lo, hi, &out);
    if (rc != AL_OK)
        return rc;
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(out, "canteens"), i, c)
        json_object_set_new(c, "licence_state",
            json_string(meal_licence_state(jstr(c, "licence_expiry"), r->today)));
    return al_reply(r, 200, out);
}

/* ---- a family member's view: the diner's card and QR token ---- */

static int
my_card(struct al_req *r)
{
    int64_t id;
    int rc = al_req_param_id(r, "id", &id);
    if (rc != AL_OK)
        return al_req_fail(r, AL_ENOTFOUND, NULL, "老年人档案不存在");
    /* Only through an active consent (as /my/elders/:id). */
    const char *scope = NULL;
    rc = elder_linked_scope(r->db, r->arena, r->who->user_id, id, &scope);
    if (rc == AL_ENOTFOUND)
        return al_req_fail(r, AL_ENOTFOUND, NULL, "老年人档案不存在");
    if (rc != AL_OK)
        return rc;
    const char *card = NULL, *token = NULL;
    rc = meal_store_card_token(r->db, r->arena, id, &card, &token);
    if (rc == AL_ENOTFOUND)
        return al_req_fail(r, AL_ENOTFOUND, NULL, "该老人尚未办理助餐卡");
    if (rc != AL_OK)
        return rc;
    return al_reply(r, 200, json_pack("{s:I, s:s?, s:s}", "elder_id", (json_int_t)id, "card_no",
                                card, "qr_token", token));
}

static const struct al_route meal_routes[] = {
    {AL_GET, "/api/v1/meal/canteens", canteens_list, "meal.read", 0,
        "助餐点列表：按名称/运营主体搜索，?licence=expired|expiring 为许可证监管清单"},
    {AL_POST, "/api/v1/meal/canteens", canteen_create, "meal.manage", 0,
        "新建老年食堂或助餐点（服务的社区/村、供餐时段、接待能力、送餐半径、食品经营许可证）"},
    {AL_GET, "/api/v1/meal/canteens/:id", canteen_get, "meal.read", 0, "助餐点详情"},
    {AL_PUT, "/api/v1/meal/canteens/:id", canteen_update, "meal.manage", 0,
        "修改助餐点（需提供 version）"},
    {AL_GET, "/api/v1/meal/canteens/:id/menus", menus_list, "meal.read", 0,
        "助餐点菜单（?from=&to= 日期，默认今天）"},
    {AL_POST, "/api/v1/meal/canteens/:id/menus", menu_add, "meal.menu", 0,
        "发布某日某餐次的套餐与价格（分）"},
    {AL_GET, "/api/v1/meal/canteens/:id/statements/:month", statement_get, "meal.read", 0,
        "助餐点月度结算单：按餐次、单价、补贴对象汇总，各级资金与个人负担"},
    {AL_GET, "/api/v1/meal/canteens/:id/statements/:month/export", statement_export, "meal.read",
        0, "导出月度结算单（?format=csv|xlsx）"},
    {AL_POST, "/api/v1/meal/canteens/:id/statements/:month/approve", statement_approve,
        "meal.approve", 0, "审核月度结算单（审核后该月就餐记录锁定）"},
    {AL_GET, "/api/v1/meal/rules", rules_list, "meal.read", 0,
        "助餐补贴规则（本级、上级与下级）与每日补贴餐次上限"},
    {AL_POST, "/api/v1/meal/rules", rule_add, "meal.manage", 0,
        "新增本级助餐补贴规则（补贴对象、餐次、金额、各级资金比例、有效期）"},
    {AL_PUT, "/api/v1/meal/caps", cap_set, "meal.manage", 0, "设置本级每人每日补贴餐次上限"},
    {AL_POST, "/api/v1/meal/cards", card_put, "meal.manage", 0,
        "为老人办理（或补办）助餐卡，生成新的二维码凭证"},
    {AL_POST, "/api/v1/meal/counter/identify", counter_identify, "meal.serve", 0,
        "助餐窗口：按二维码、餐卡号或档案识别老人，显示本餐次套餐、补贴与个人负担"},
    {AL_GET, "/api/v1/meal/counter/search", counter_search, "meal.serve", 0,
        "助餐窗口：按姓名查找本辖区老人"},
    {AL_POST, "/api/v1/meal/meals", meal_record, "meal.serve", 0,
        "登记一次就餐（idem_key 幂等；同一餐次只补贴一次）"},
    {AL_GET, "/api/v1/meal/meals", meals_list, "meal.read", 0,
        "就餐记录：助餐点、月份、日期、标记筛选，分页"},
    {AL_GET, "/api/v1/meal/measures", measures_get, "meal.read", 0,
        "助餐统计：社区/村覆盖率、有老年食堂的乡镇、每月就餐与补贴餐次、各助餐点就餐人数"},
    {AL_GET, "/api/v1/meal/measures/export", measures_export, "meal.read", 0,
        "导出助餐服务覆盖情况（?format=csv|xlsx）"},
    {AL_GET, "/api/v1/meal/map", map_get, "meal.read", 0,
        "助餐点分布：助餐点坐标、服务的社区/村（以在册老人坐标的平均值定位）"},
    {AL_GET, "/api/v1/my/elders/:id/meal-options", meal_my_options, "meal.order", 0,
        "家属：送餐范围内的助餐点、当天菜单、价格与补贴（?date=）"},
    {AL_GET, "/api/v1/my/elders/:id/meal-orders", meal_my_orders, "meal.order", 0,
        "家属：老人今天及以后的送餐预订"},
    {AL_POST, "/api/v1/my/elders/:id/meal-orders", meal_my_order_create, "meal.order", 0,
        "家属：为老人预订送餐（供餐前 2 小时截止）"},
    {AL_POST, "/api/v1/my/meal-orders/:id/cancel", meal_my_order_cancel, "meal.order", 0,
        "家属：截止前取消送餐预订"},
    {AL_GET, "/api/v1/meal/canteens/:id/deliveries", meal_deliveries, "meal.serve", 0,
        "助餐点：某日送餐清单（?date=）"},
    {AL_GET, "/api/v1/my/elders/:id/meal-card", my_card, "elder.read_linked", 0,
        "家属/老人：助餐卡号与二维码凭证"},
    {0},
};

const struct al_module meal_module = {.name = "meal", .routes = meal_routes};
