/*
 * Home services for the elder's family (and the elder): the visits of a linked elder, the
 * confirmation code to tell the caregiver, the rating after a visit, and ordering a service
 * (点菜式).  RULE-SVC-152..157.  A family or elder account reaches an elder only through an
 * active consent whose scope holds "services" (src/elder, elder_linked_scope); anything else is
 * 404 like a missing record.
 */
#include <string.h>

#include "audit/audit.h"
#include "core/events.h"
#include "core/http.h"
#include "core/json.h"
#include "elder/elder.h"
#include "service/service.h"
#include "service/service_flow_int.h"
#include "service/service_int.h"

#define FAMILY_AHEAD_DAYS 30 /* RULE-SVC-155: how far ahead a family may order */

/* RULE-SVC-152: the caller is linked to elder `elder_id` with the services scope, else 404. */
static int
linked(struct al_req *r, int64_t elder_id, const char *field)
{
    const char *scope = NULL;
    int rc = elder_linked_scope(r->db, r->arena, r->who->user_id, elder_id, &scope);
    if (rc == AL_ENOTFOUND || (rc == AL_OK && !strstr(scope, "\"services\"")))
        return al_req_fail(r, AL_ENOTFOUND, field, "老人不存在或未授权查看其服务");
    return rc;
}

/* The order of the path, of an elder the caller is linked to (RULE-SVC-152), else 404. */
static int
family_order(struct al_req *r, struct svc_order *o)
{
    int64_t id;
    int rc = al_req_param_id(r, "id", &id);
    if (rc == AL_OK)
        rc = service_store_order(r->db, r->arena, id, o);
    if (rc == AL_ENOTFOUND)
        return al_req_fail(r, AL_ENOTFOUND, NULL, "订单不存在");
    if (rc == AL_OK && (rc = linked(r, o->elder_id, NULL)) == AL_ENOTFOUND)
        return al_req_fail(r, AL_ENOTFOUND, NULL, "订单不存在");
    return rc;
}

/* RULE-SVC-153: a linked elder's visits (every linked elder's without elder_id), newest first. */
static int
family_orders(struct al_req *r)
{
    int64_t elder = 0, *ids = NULL;
    size_t n = 0;
    int rc = al_query_int(&r->query, "elder_id", "老人", 1, INT64_MAX, 0, &elder, &r->err);
    if (rc == AL_OK && elder)
        rc = linked(r, elder, "elder_id");
    if (rc == AL_OK && elder) {
        ids = &elder;
        n = 1;
    } else if (rc == AL_OK) {
        rc = elder_linked_ids(r->db, r->arena, r->who->user_id, "services", &ids, &n);
    }
    json_t *items = json_array();
    for (size_t i = 0; i < n && rc == AL_OK; i++)
        rc = service_flow_elder_orders(r->db, r->arena, ids[i], items);
    return rc == AL_OK ? al_reply_items(r, items, -1) : rc;
}

/* RULE-SVC-151, RULE-SVC-154: the code to tell the caregiver, while it is awaited; audited. */
static int
family_code(struct al_req *r)
{
    struct svc_order o;
    int rc = family_order(r, &o);
    return rc == AL_OK ? service_code_reply(r, &o) : rc;
}

/* RULE-SVC-156: the family rates a confirmed visit (1–5, a comment, a complaint). */
static int
family_rate(struct al_req *r)
{
    struct svc_order o;
    int to;
    int rc = family_order(r, &o);
    if (rc == AL_OK)
        rc = service_rate(r, &o, "family", &to);
    if (rc != AL_OK)
        return rc;
    return al_reply(r, 200, json_pack("{s:I, s:s, s:s}", "id", (json_int_t)o.id, "status",
        service_state_id(to), "status_name", service_state_zh(to)));
}

/*
 * RULE-SVC-155: the family orders one item (点菜式) for a linked elder in the registry, at a
 * time ahead (within FAMILY_AHEAD_DAYS), with a note; priced like any order, channel family
 * (or elder for the elder's own account), then dispatched like any other.
 */
static int
family_place(struct al_req *r)
{
    json_t *body;
    int64_t elder = 0;
    const char *item = NULL, *when = NULL, *note = NULL;
    int rc = al_req_json(r, &body);
    if (rc == AL_OK)
        rc = al_json_get_int(body, "elder_id", "老人", AL_REQUIRED, 1, INT64_MAX, &elder, NULL,
            &r->err);
    if (rc == AL_OK)
        rc = al_json_get_str(body, "item", "服务项目", AL_REQUIRED, 1, 32, &item, &r->err);
    if (rc == AL_OK)
        rc = al_json_get_str(body, "window_start", "上门时间", AL_REQUIRED, 16, 25, &when, &r->err);
    if (rc == AL_OK)
        rc = al_json_get_str(body, "note", "备注", AL_PLAIN, 0, 200, &note, &r->err);
    if (rc == AL_OK)
        rc = linked(r, elder, "elder_id");
    if (rc != AL_OK)
        return rc;
    struct elder_home home;
    if ((rc = elder_home_of(r->db, r->arena, elder, &home)) != AL_OK)
        return rc;
    if (strcmp(home.status, "active") != 0)
        return al_req_fail(r, AL_EUNPROC, "elder_id", "该老人不在册（已迁出、死亡或注销），不能下单");
    struct svc_one in = {.elder_id = elder, .home = &home, .item_code = item,
        .note = note ? note : "", .placed_by = r->who->username,
        .channel = strcmp(r->who->role, "elder") == 0 ? "elder" : "family"};
    if (!service_parse_time(when, &in.start))
        return al_req_fail(r, AL_EINVAL, "window_start", "上门时间格式应为 YYYY-MM-DDTHH:MM（北京时间）");
    if (in.start <= r->now)
        return al_req_fail(r, AL_EINVAL, "window_start", "上门时间应晚于现在");
    if (in.start > r->now + FAMILY_AHEAD_DAYS * 86400)
        return al_req_fail(r, AL_EINVAL, "window_start", "上门时间不能超过 %d 天以后",
            FAMILY_AHEAD_DAYS);
    struct svc_new_order o;
    int64_t id = 0;
    if ((rc = al_db_begin(r->db)) != AL_OK)
        return rc;
    rc = service_flow_place(r->db, r->arena, &in, r->now, &o, &id);
    if (rc == AL_ENOTFOUND)
        rc = al_req_fail(r, AL_EINVAL, "item", "服务项目 %s 不存在或已停用", item);
    if (rc == AL_OK)
        rc = service_audit(r, "service.order_place", id, o.region_code,
            json_pack("{s:I, s:I, s:I, s:I, s:b, s:s}", "elder_id", (json_int_t)elder,
                "total_fen", (json_int_t)o.total_fen, "entitled_fen", (json_int_t)o.entitled_fen,
                "elder_fen", (json_int_t)o.elder_fen, "beyond_quota", o.beyond, "channel",
                in.channel));
    if ((rc = al_db_end(r->db, rc)) != AL_OK)
        return rc;
    service_publish(r->db, r->arena, id, o.region_code, "created", 0);
    return al_reply(r, 201, json_pack("{s:I, s:s, s:s, s:I, s:I, s:I, s:b}", "id",
        (json_int_t)id, "status", "created", "status_name", service_state_zh(SVC_CREATED),
        "total_fen", (json_int_t)o.total_fen, "entitled_fen", (json_int_t)o.entitled_fen,
        "elder_fen", (json_int_t)o.elder_fen, "beyond_quota", o.beyond));
}

/* The items a family may order (the active service list with prices). */
static int
family_items(struct al_req *r)
{
    json_t *items = json_array();
    int rc = service_store_items(r->db, r->arena, items);
    return rc == AL_OK ? al_reply_items(r, items, -1) : rc;
}

static const struct al_route family_routes[] = {
    {AL_GET, "/api/v1/service/family/items", family_items, "service.family", 0,
        "家属/老人：可预约的上门服务项目与价格"},
    {AL_GET, "/api/v1/service/family/orders", family_orders, "service.family", 0,
        "家属/老人：已授权老人的上门服务（elder_id 必填）"},
    {AL_POST, "/api/v1/service/family/orders", family_place, "service.family", 0,
        "家属/老人：为已授权的老人预约上门服务（服务项目、时间、备注）"},
    {AL_GET, "/api/v1/service/family/orders/:id/confirm-code", family_code, "service.family", 0,
        "家属/老人：查看服务确认码（签出后，留痕）"},
    {AL_POST, "/api/v1/service/family/orders/:id/rate", family_rate, "service.family", 0,
        "家属/老人：评价已确认的服务（1–5 分、评价、投诉）"},
    {0},
};

const struct al_module service_family_module = {.name = "service_family", .routes = family_routes};
