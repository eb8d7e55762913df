/*
 * What every handler of an order does after a write (service.c, service_family.c,
 * service_flow.c): its audit entry and the dispatch board's event (RULE-SVC-013, RULE-SVC-030,
 * RULE-SVC-180).
 */
#include "audit/audit.h"
#include "core/events.h"
#include "core/http.h"
#include "core/json.h"
#include "service/service.h"
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
    int64_t provider = 0;
    /* RULE-SVC-180: the provider whose station has it (0: none yet), for provider accounts. */
    if (service_store_order_provider(db, id, &provider) != AL_OK)
        provider = 0;
    json_t *p = json_pack("{s:I, s:s, s:s, s:I, s:I}", "id", (json_int_t)id, "region_code", region,
        "status", status, "caregiver_id", (json_int_t)caregiver, "provider_id",
        (json_int_t)provider);
    const char *text = p ? al_json_dump(a, p, NULL) : NULL;
    if (text)
        al_events_publish(db, SERVICE_CHANNEL, text);
    json_decref(p);
}
