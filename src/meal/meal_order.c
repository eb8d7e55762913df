/*
 * A family member orders delivery for their elder from the phone (issue 17, RULE-MEAL-060..064):
 * the canteens within their delivery radius of the elder's home, the day's menus with price and
 * the subsidy the elder would get, an order, a cancel before the cut-off, and the canteen's
 * delivery list.  The family ↔ elder link is the registry's consent (elder_consents), read by
 * elder_linked_scope (elder.h) as /api/v1/my/elders does.  Routed by meal.c.
 */
#include <string.h>

#include "audit/audit.h"
#include "core/geo.h"
#include "core/http.h"
#include "core/idcard.h"
#include "core/json.h"
#include "core/query.h"
#include "elder/elder.h"
#include "meal/meal_int.h"
#include "region/region.h"


/* The elder of the path, linked to the caller by an active consent (404 otherwise). */
static int
linked_elder(struct al_req *r, int64_t id, struct elder_home *h)
{
    const char *scope = NULL;
    int rc = id > 0 ? elder_linked_scope(r->db, r->arena, r->who->user_id, id, &scope)
                    : AL_ENOTFOUND;
    if (rc == AL_ENOTFOUND)
        return al_req_fail(r, AL_ENOTFOUND, NULL, "老年人档案不存在");
    if (rc != AL_OK)
        return rc;
    if ((rc = elder_home_of(r->db, r->arena, id, h)) == AL_ENOTFOUND)
        return al_req_fail(r, AL_ENOTFOUND, NULL, "老年人档案不存在");
    return rc;
}

static int
path_elder(struct al_req *r, int64_t *id, struct elder_home *h)
{
    int rc = al_req_param_id(r, "id", id);
    if (rc != AL_OK)
        return al_req_fail(r, AL_ENOTFOUND, NULL, "老年人档案不存在");
    return linked_elder(r, *id, h);
}

int
meal_order_options(struct al_db *db, struct al_arena *a, int64_t now, int64_t elder_id,
    const struct elder_home *h, const char *date, json_t *out)
{
    struct meal_diner d;
    json_t *all = json_array();
    int rc = meal_store_delivery_canteens(db, a, all);
    if (rc == AL_OK)
        rc = meal_store_diner(db, a, elder_id, &d);
    size_t i;
    json_t *c;
    json_array_foreach(all, i, c)
    {
        if (rc != AL_OK)
            break;
        double dist = al_geo_distance_m(h->lat, h->lng,
            json_real_value(json_object_get(c, "lat")), json_real_value(json_object_get(c, "lng")));
        if (dist > (double)json_integer_value(json_object_get(c, "delivery_radius_m")))
            continue;
        struct meal_canteen mc;
        struct meal_window w[MEAL_KINDS];
        struct al_errinfo ignored = {0};
        int nw = 0;
        json_t *menus = json_array();
        if ((rc = meal_store_canteen(db, a, json_integer_value(json_object_get(c, "id")), &mc)) !=
                AL_OK ||
            (rc = meal_store_menus(db, a, mc.id, date, date, menus)) != AL_OK ||
            meal_windows_read(json_object_get(c, "windows"), w, &nw, &ignored) != AL_OK) {
            json_decref(menus);
            continue;
        }
        size_t k;
        json_t *m;
        json_array_foreach(menus, k, m)
        {
            int kind = meal_kind_of(json_string_value(json_object_get(m, "meal")));
            int from = -1;
            for (int j = 0; j < nw; j++)
                if (w[j].meal == kind)
                    from = w[j].from_min;
            int64_t price = json_integer_value(json_object_get(m, "price_fen"));
            struct meal_decision dec;
            int64_t rule_id = 0;
            const char *tags = NULL;
            if ((rc = meal_store_decide(db, a, &mc, &d, date, kind, price, &dec, &rule_id,
                     &tags)) != AL_OK)
                break;
            int64_t cutoff = from >= 0 ? meal_order_cutoff(date, from) : -1;
            json_object_set_new(m, "meal_name", json_string(kind >= 0 ? meal_labels[kind] : ""));
            json_object_set_new(m, "subsidy_fen", json_integer(dec.subsidy_fen));
            json_object_set_new(m, "pay_fen", json_integer(dec.diner_fen));
            json_object_set_new(m, "flag", json_string(dec.flag));
            json_object_set_new(m, "cutoff", json_integer(cutoff));
            json_object_set_new(m, "cutoff_at",
                cutoff >= 0 ? json_string(al_json_time(a, cutoff)) : json_null());
            json_object_set_new(m, "open", json_boolean(cutoff >= 0 && now < cutoff));
        }
        json_object_set_new(c, "distance_m", json_integer((json_int_t)(dist + 0.5)));
        json_object_set_new(c, "menus", menus);
        json_object_del(c, "lat");
        json_object_del(c, "lng");
        json_array_append(out, c);
    }
    json_decref(all);
    return rc;
}

/* The options of `date` without the internal cut-off in unix seconds. */
static int
options_of(struct al_req *r, int64_t elder_id, const struct elder_home *h, const char *date,
    json_t *out)
{
    int rc = meal_order_options(r->db, r->arena, r->now, elder_id, h, date, out);
    size_t i, k;
    json_t *c, *m;
    json_array_foreach(out, i, c)
        json_array_foreach(json_object_get(c, "menus"), k, m)
            json_object_del(m, "cutoff");
    return rc;
}

int
meal_order_quote(struct al_db *db, struct al_arena *a, int64_t now, int64_t elder_id,
    const struct elder_home *h, int64_t canteen_id, int64_t menu_id, struct meal_order *o)
{
    const char *mdate, *mmeal, *mname;
    int64_t price = 0;
    int rc = meal_store_menu(db, a, canteen_id, menu_id, &mdate, &mmeal, &mname, &price);
    if (rc == AL_ENOTFOUND)
        return AL_EINVAL;
    if (rc != AL_OK)
        return rc;
    /* The menu must be one of the options: a canteen reaching the home, still open to order. */
    json_t *opts = json_array(), *pick = NULL, *c, *m;
    if (h->has_geo && (rc = meal_order_options(db, a, now, elder_id, h, mdate, opts)) != AL_OK) {
        json_decref(opts);
        return rc;
    }
    size_t i, k;
    json_array_foreach(opts, i, c)
        if (json_integer_value(json_object_get(c, "id")) == canteen_id)
            json_array_foreach(json_object_get(c, "menus"), k, m)
                if (json_integer_value(json_object_get(m, "id")) == menu_id)
                    pick = m;
    rc = !pick ? AL_EUNPROC : !json_is_true(json_object_get(pick, "open")) ? AL_ECONFLICT : AL_OK;
    if (rc == AL_OK)
        *o = (struct meal_order){.elder_id = elder_id, .canteen_id = canteen_id,
            .menu_id = menu_id, .price_fen = price,
            .subsidy_fen = json_integer_value(json_object_get(pick, "subsidy_fen")),
            .cutoff_at = json_integer_value(json_object_get(pick, "cutoff")),
            .region_code = h->region_code, .served_date = mdate, .meal = mmeal,
            .address = h->address};
    json_decref(opts);
    return rc;
}

int
meal_my_options(struct al_req *r)
{
    int64_t id;
    struct elder_home h;
    int rc = path_elder(r, &id, &h);
    if (rc != AL_OK)
        return rc;
    const char *date = al_query_opt(&r->query, "date");
    if (!date)
        date = r->today;
    if (!al_date_valid(date) || strcmp(date, r->today) < 0)
        return al_req_fail(r, AL_EINVAL, "date", "日期应为今天或以后，格式 YYYY-MM-DD");
    json_t *out = json_pack("{sI ss ss ss sb}", "elder_id", (json_int_t)id, "name", h.name,
        "address", h.address, "date", date, "located", h.has_geo);
    json_t *items = json_array();
    json_object_set_new(out, "canteens", items);
    /* RULE-MEAL-060: without the home's coordinates no canteen can be said to reach it. */
    if (h.has_geo && strcmp(h.status, "active") == 0 &&
        (rc = options_of(r, id, &h, date, items)) != AL_OK) {
        json_decref(out);
        return rc;
    }
    json_object_set_new(out, "status", json_string(h.status));
    return al_reply(r, 200, out);
}

int
meal_my_orders(struct al_req *r)
{
    int64_t id;
    struct elder_home h;
    int rc = path_elder(r, &id, &h);
    if (rc != AL_OK)
        return rc;
    json_t *items = json_array();
    if ((rc = meal_store_orders_of(r->db, r->arena, id, r->today, items)) != AL_OK) {
        json_decref(items);
        return rc;
    }
    return al_reply_items(r, items, -1);
}

int
meal_body_menu(struct al_req *r, const json_t *body, int64_t *canteen_id, int64_t *menu_id)
{
    bool present;
    int rc = al_json_get_int(body, "canteen_id", "助餐点", AL_REQUIRED, 1, INT64_MAX, canteen_id,
        &present, &r->err);
    if (rc == AL_OK)
        rc = al_json_get_int(body, "menu_id", "套餐", AL_REQUIRED, 1, INT64_MAX, menu_id,
            &present, &r->err);
    return rc;
}

int
meal_my_order_create(struct al_req *r)
{
    int64_t id, cid = 0, menu_id = 0;
    struct elder_home h;
    json_t *body;
    const char *note = NULL;
    int rc = path_elder(r, &id, &h);
    if (rc == AL_OK)
        rc = al_req_json(r, &body);
    if (rc == AL_OK)
        rc = meal_body_menu(r, body, &cid, &menu_id);
    if (rc == AL_OK)
        rc = al_json_get_str(body, "note", "备注", AL_PLAIN, 0, 100, &note, &r->err);
    if (rc != AL_OK)
        return rc;
    /* RULE-MEAL-061: an elder who died or moved away gets no new order. */
    if (strcmp(h.status, "active") != 0)
        return al_req_fail(r, AL_ECONFLICT, "elder_id", "老人已不在册，不能预订送餐");
    struct meal_order o;
    rc = meal_order_quote(r->db, r->arena, r->now, id, &h, cid, menu_id, &o);
    if (rc == AL_EINVAL)
        return al_req_fail(r, rc, "menu_id", "该助餐点没有这个套餐");
    if (rc == AL_EUNPROC)
        return al_req_fail(r, rc, "canteen_id", "该助餐点不在老人住址的送餐范围内");
    if (rc == AL_ECONFLICT)
        return al_req_fail(r, rc, "menu_id", "已过预订截止时间（供餐前 %d 分钟）",
            MEAL_ORDER_CUTOFF_MIN);
    if (rc != AL_OK)
        return rc;
    int kind = meal_kind_of(o.meal);
    o.ordered_by = r->who->user_id;
    o.note = note;
    int64_t oid = 0;
    if ((rc = al_db_begin(r->db)) != AL_OK)
        return rc;
    rc = meal_store_order_add(r->db, &o, r->now, &oid);
    if (rc == AL_ECONFLICT) /* RULE-MEAL-063 */
        al_req_fail(r, rc, "menu_id", "老人当天的%s已预订，如需更换请先取消",
            kind >= 0 ? meal_labels[kind] : "这一餐");
    if (rc == AL_OK) {
        struct audit_entry e = {.action = "meal.order", .target_type = "meal_order",
            .target_id = al_arena_printf(r->arena, "%lld", (long long)oid),
            .region_code = h.region_code, .outcome = "success",
            .detail = json_pack("{sI sI ss ss sI}", "elder_id", (json_int_t)id, "canteen_id",
                (json_int_t)cid, "date", o.served_date, "meal", o.meal, "subsidy_fen",
                (json_int_t)o.subsidy_fen)};
        rc = audit_append(r, &e);
    }
    if ((rc = al_db_end(r->db, rc)) != AL_OK)
        return rc;
    json_t *items = json_array(), *m;
    size_t i;
    if ((rc = meal_store_orders_of(r->db, r->arena, id, o.served_date, items)) != AL_OK)
        return rc;
    json_array_foreach(items, i, m)
        if (json_integer_value(json_object_get(m, "id")) == oid)
            return al_reply(r, 201, json_incref(m));
    return AL_EINTERNAL;
}

int
meal_my_order_cancel(struct al_req *r)
{
    int64_t id, version = 0;
    bool present;
    struct meal_order o;
    struct elder_home h;
    json_t *body;
    int rc = al_req_param_id(r, "id", &id);
    if (rc == AL_OK && (rc = meal_store_order(r->db, r->arena, id, &o)) == AL_ENOTFOUND)
        rc = al_req_fail(r, AL_ENOTFOUND, NULL, "预订不存在");
    if (rc == AL_OK && (rc = linked_elder(r, o.elder_id, &h)) == AL_ENOTFOUND)
        rc = al_req_fail(r, AL_ENOTFOUND, NULL, "预订不存在");
    if (rc == AL_OK)
        rc = al_req_json(r, &body);
    if (rc == AL_OK)
        rc = al_json_get_int(body, "version", "版本", AL_REQUIRED, 1, INT64_MAX, &version,
            &present, &r->err);
    if (rc != AL_OK)
        return rc;
    if (strcmp(o.status, "ordered") != 0)
        return al_req_fail(r, AL_ECONFLICT, "status", "该预订已取消");
    /* RULE-MEAL-062: cancelled before the cut-off only: the kitchen has cooked after it. */
    if (r->now >= o.cutoff_at)
        return al_req_fail(r, AL_ECONFLICT, "status", "已过取消截止时间（供餐前 %d 分钟）",
            MEAL_ORDER_CUTOFF_MIN);
    if ((rc = al_db_begin(r->db)) != AL_OK)
        return rc;
    rc = meal_store_order_cancel(r->db, id, version, r->who->user_id, r->now);
    if (rc == AL_ECONFLICT)
        al_req_fail(r, rc, "version", "预订已被修改，请刷新后重试");
    if (rc == AL_OK) {
        struct audit_entry e = {.action = "meal.order_cancel", .target_type = "meal_order",
            .target_id = al_arena_printf(r->arena, "%lld", (long long)id),
            .region_code = o.region_code, .outcome = "success",
            .detail = json_pack("{sI ss ss}", "elder_id", (json_int_t)o.elder_id, "date",
                o.served_date, "meal", o.meal)};
        rc = audit_append(r, &e);
    }
    if ((rc = al_db_end(r->db, rc)) != AL_OK)
        return rc;
    return al_reply(r, 200, json_pack("{sI ss sI}", "id", (json_int_t)id, "status", "cancelled",
        "version", (json_int_t)(version + 1)));
}

int
meal_deliveries(struct al_req *r)
{
    /* RULE-MEAL-064: the canteen staff's delivery list of a day, by meal. */
    int64_t id;
    struct meal_canteen c;
    int rc = al_req_param_id(r, "id", &id);
    if (rc == AL_OK && ((rc = meal_store_canteen(r->db, r->arena, id, &c)) == AL_ENOTFOUND ||
                           (rc == AL_OK && !region_in_scope(r->who->region_code,
                                               c.region_code))))
        rc = al_req_fail(r, AL_ENOTFOUND, "canteen_id", "助餐点不存在");
    if (rc != AL_OK)
        return rc;
    const char *date = al_query_opt(&r->query, "date");
    if (!date)
        date = r->today;
    if (!al_date_valid(date))
        return al_req_fail(r, AL_EINVAL, "date", "日期格式应为 YYYY-MM-DD");
    json_t *items = json_array();
    if ((rc = meal_store_deliveries(r->db, r->arena, id, date, items)) != AL_OK) {
        json_decref(items);
        return rc;
    }
    return al_reply(r, 200, json_pack("{ss ss so sI}", "canteen_name", c.name, "date", date,
        "items", items, "total", (json_int_t)json_array_size(items)));
}
