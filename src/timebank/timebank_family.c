/*
 * A family member (or the elder) posts a mutual-aid need for their elder from the phone
 * (issue 16: "an elder, a family member or a helper posts a need", RULE-TB-082).  The family ↔
 * elder link is the registry's consent (elder_linked_scope, as /api/v1/my/elders); the need
 * goes to the scheme of the deepest region at or above the elder's home, and is written by the
 * helper's path (tb_need_post).  Routed by timebank.c.
 */
#include <string.h>

#include "core/fields.h"
#include "core/http.h"
#include "core/query.h"
#include "elder/elder.h"
#include "timebank/timebank_int.h"

/* The elder of the path, linked to the caller by an active consent (404 otherwise). */
static int
linked_elder(struct al_req *r, int64_t *id, struct elder_brief *b)
{
    const char *scope = NULL;
    int rc = al_req_param_id(r, "id", id);
    if (rc == AL_OK)
        rc = elder_linked_scope(r->db, r->arena, r->who->user_id, *id, &scope);
    if (rc == AL_OK)
        rc = elder_brief_get(r->db, r->arena, *id, b);
    if (rc == AL_ENOTFOUND || rc == AL_EINVAL)
        return al_req_fail(r, AL_ENOTFOUND, NULL, "老年人档案不存在");
    return rc;
}

/* RULE-TB-082: the elder's scheme (with its categories) and the elder's needs, newest first. */
int
tb_my_needs(struct al_req *r)
{
    int64_t id, total = 0;
    struct elder_brief b;
    struct tb_scheme s;
    int rc = linked_elder(r, &id, &b);
    if (rc != AL_OK)
        return rc;
    json_t *out = json_pack("{sI ss}", "elder_id", (json_int_t)id, "elder_name", b.name);
    rc = tb_store_scheme_covering(r->db, r->arena, b.region_code, &s);
    json_object_set_new(out, "scheme", rc == AL_OK ? tb_scheme_json(&s) : json_null());
    json_t *items = json_array();
    struct tb_need_filter f = {.scope = "", .elder_id = id, .limit = 50};
    if ((rc == AL_OK || rc == AL_ENOTFOUND) &&
        (rc = tb_store_needs(r->db, r->arena, &f, items, &total)) == AL_OK) {
        json_object_set_new(out, "items", items);
        json_object_set_new(out, "total", json_integer(total));
        return al_reply(r, 200, out);
    }
    json_decref(items);
    json_decref(out);
    return rc;
}

/*
 * RULE-TB-082: a need for the linked elder: category of the scheme's list, time, duration,
 * place and a note; paid by the scheme; at the elder's address coordinates when known.  The
 * answer carries the confirmation code the elder tells the volunteer (RULE-TB-041).
 */
int
tb_my_need_create(struct al_req *r)
{
    static const struct al_field fields[] = {
        {"category", "服务类别", AL_FT_TEXT, AL_F_REQUIRED | AL_F_PLAIN, .min = 1, .max = 20},
        {"starts_at", "服务时间", AL_FT_TEXT, AL_F_REQUIRED | AL_F_PLAIN, .min = 16, .max = 16},
        {"duration_min", "预计时长（分钟）", AL_FT_INT, AL_F_REQUIRED, .min = 15, .max = 480},
        {"place", "服务地点", AL_FT_TEXT, AL_F_REQUIRED | AL_F_PLAIN, .min = 2, .max = 100},
        {"note", "说明", AL_FT_TEXT, AL_F_PLAIN, .min = 0, .max = 200},
        {0},
    };
    int64_t id;
    struct elder_brief b;
    struct elder_home h = {0};
    struct tb_scheme s = {0};
    json_t *body, *set = json_object();
    int rc = linked_elder(r, &id, &b);
    if (rc == AL_OK)
        rc = al_req_json(r, &body);
    if (rc == AL_OK)
        rc = al_fields_read(body, fields, AL_FIELDS_CREATE, set, &r->err);
    if (rc == AL_OK && strcmp(b.status, "active") != 0)
        rc = al_req_fail(r, AL_EUNPROC, "elder_id", "老人不在册，不能发布需求");
    if (rc == AL_OK && (rc = tb_store_scheme_covering(r->db, r->arena, b.region_code, &s)) ==
                           AL_ENOTFOUND)
        rc = al_req_fail(r, AL_EUNPROC, "elder_id", "老人所在地区尚未设立时间银行");
    if (rc == AL_OK && (rc = elder_home_of(r->db, r->arena, id, &h)) == AL_OK &&
        !tb_categories_has(s.categories, tb_sget(set, "category")))
        rc = al_req_fail(r, AL_EINVAL, "category", "服务类别应为本时间银行的类别之一");
    struct tb_need n = {.scheme_id = s.id, .elder_id = id, .elder_name = b.name,
        .region_code = b.region_code, .category = tb_sget(set, "category"),
        .place = tb_sget(set, "place"), .note = tb_sget(set, "note"),
        .duration_min = tb_iget(set, "duration_min", 60), .pay_from = "scheme",
        .has_pos = rc == AL_OK && h.has_geo, .lat = h.lat, .lng = h.lng};
    if (rc == AL_OK && !tb_parse_local_time(tb_sget(set, "starts_at"), &n.starts_at))
        rc = al_req_fail(r, AL_EINVAL, "starts_at", "服务时间格式应为 YYYY-MM-DD HH:MM");
    if (rc == AL_OK)
        rc = tb_need_post(r, &n);
    json_decref(set);
    return rc;
}
