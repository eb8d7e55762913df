/*
 * What every handler of an order does after a write (service.c, service_family.c,
 * service_flow.c): its audit entry and the dispatch board's event (RULE-SVC-013, RULE-SVC-030,
 * RULE-SVC-180).
 */
#include <string.h>

#include "audit/audit.h"
#include "core/events.h"
#include "core/http.h"
#include "core/json.h"
#include "service/service.h"
#include "service/service_admin_int.h"
#include "service/service_int.h"

int
service_audit(struct al_req *r, const char *action, int64_t id, const char *region,
    json_t *detail)
{
    struct audit_entry e = {.action = action, .target_type = "service_order",
        .target_id = al_arena_printf(r->arena, "%lld", (long long)id), .region_code = region,
        .outcome = "success", .detail = detail};
    return audit_append(r, &e);
}

void
service_publish(struct al_db *db, struct al_arena *a, int64_t id, const char *region,
    const char *status, int64_t caregiver)
{
    int64_t provider = 0, station = 0;
    /* RULE-SVC-180, RULE-SVC-210: the station that has it and its provider (0: none yet), for
     * provider and station accounts. */
    if (service_store_order_provider(db, id, &provider, &station) != AL_OK)
        provider = station = 0;
    json_t *p = json_pack("{s:I, s:s, s:s, s:I, s:I, s:I}", "id", (json_int_t)id, "region_code",
        region, "status", status, "caregiver_id", (json_int_t)caregiver, "provider_id",
        (json_int_t)provider, "station_id", (json_int_t)station);
    const char *text = p ? al_json_dump(a, p, NULL) : NULL;
    if (text)
        al_events_publish(db, SERVICE_CHANNEL, text);
    json_decref(p);
}

int
service_code_reply(struct al_req *r, const struct svc_order *o)
{
    const char *code = NULL;
    int tries = 0;
    int rc = service_store_confirm_info(r->db, r->arena, o->id, &code, &tries);
    if (rc != AL_OK)
        return rc;
    if (strcmp(o->status, "completed") != 0 || !code)
        return al_req_fail(r, AL_ECONFLICT, "status", "订单当前状态为「%s」，没有待确认的确认码",
            service_state_zh(service_state_parse(o->status)));
    /* RULE-SVC-151: every reading of the code is audited. */
    if ((rc = service_audit(r, "service.confirm_code_read", o->id, o->region_code, NULL)) != AL_OK)
        return rc;
    return al_reply(r, 200, json_pack("{s:s, s:i, s:i}", "code", code, "tries", tries,
                                "tries_left",
                                tries >= SVC_CONFIRM_TRIES ? 0 : SVC_CONFIRM_TRIES - tries));
}

/* The rating of the body: 1–5, an optional comment and complaint (empty: none). */
static int
rating_read(struct al_req *r, int64_t *rating, const char **comment, const char **complaint)
{
    json_t *body;
    int rc = al_req_json(r, &body);
    if (rc == AL_OK)
        rc = al_json_get_int(body, "rating", "评分", AL_REQUIRED, 1, 5, rating, NULL, &r->err);
    if (rc == AL_OK)
        rc = al_json_get_str(body, "comment", "评价内容", AL_PLAIN, 0, 500, comment, &r->err);
    if (rc == AL_OK)
        rc = al_json_get_str(body, "complaint", "投诉内容", AL_PLAIN, 0, 500, complaint, &r->err);
    if (rc == AL_OK && *complaint && !**complaint)
        *complaint = NULL;
    return rc;
}

int
service_rate(struct al_req *r, const struct svc_order *o, const char *by, int *to)
{
    int64_t rating = 0;
    const char *comment = NULL, *complaint = NULL;
    int rc = rating_read(r, &rating, &comment, &complaint), from = service_state_parse(o->status);
    if (rc != AL_OK)
        return rc;
    if (service_move(from, SVC_RATE, to) != AL_OK) /* RULE-SVC-012 */
        return al_req_fail(r, AL_ECONFLICT, "status", "订单当前状态为「%s」，不能%s",
            service_state_zh(from), service_action_zh(SVC_RATE));
    const char *next = service_state_id(*to);
    if ((rc = al_db_begin(r->db)) != AL_OK)
        return rc;
    rc = service_store_move(r->db, o, next, "rate", -1, -1, NULL, r->who->username, r->now);
    if (rc == AL_ECONFLICT)
        al_req_fail(r, AL_ECONFLICT, NULL, "订单已被他人更新，请刷新后重试");
    if (rc == AL_OK)
        rc = service_store_rate(r->db, o->id, (int)rating, comment, complaint);
    if (rc == AL_OK && complaint) /* RULE-SVC-120: into the supervision queue */
        rc = service_complaint_open(r, o->id, complaint);
    if (rc == AL_OK)
        rc = service_audit(r, "service.order_rate", o->id, o->region_code,
            json_pack("{s:I, s:b, s:s?}", "rating", (json_int_t)rating, "complaint",
                complaint != NULL, "by", by));
    if ((rc = al_db_end(r->db, rc)) != AL_OK)
        return rc;
    service_publish(r->db, r->arena, o->id, o->region_code, next, o->caregiver_id);
    return AL_OK;
}
