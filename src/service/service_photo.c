/*
 * Photos of a home visit (issue 13, RULE-SVC-170..173): the service order as an owner of
 * attachments (src/attach, docs/attachments.md), so the caregiver photographs the home before
 * and after the service and the officers see them on the order.
 */
#include <string.h>

#include "attach/attach.h"
#include "auth/auth.h"
#include "service/service.h"
#include "service/service_admin_int.h"
#include "service/service_int.h"

/*
 * RULE-SVC-171: who reaches the order's photos is who reaches the order: its caregiver (a
 * caregiver account reaches only the orders given to it, RULE-SVC-002), a provider account its
 * provider's orders (RULE-SVC-111), an officer the orders of the region (checked by the
 * attachment module against the region returned here).
 */
static int
order_reachable(struct al_req *r, const struct svc_order *o, bool *ok)
{
    int64_t me = 0;
    int rc = service_store_caregiver_of(r->db, r->who->user_id, &me);
    if (rc == AL_OK) {
        *ok = o->caregiver_id == me;
        return AL_OK;
    }
    if (rc != AL_ENOTFOUND)
        return rc;
    return service_order_visible(r, o->id, ok);
}

/* RULE-SVC-172: photos are taken at the home: from arrival until the visit is completed. */
static bool
takes_photos(const char *status)
{
    return strcmp(status, "arrived") == 0 || strcmp(status, "in_service") == 0 ||
           strcmp(status, "completed") == 0;
}

static int
order_locate(struct al_req *r, int64_t owner_id, bool write, const char **region)
{
    struct svc_order o;
    bool ok = false;
    int rc = service_store_order(r->db, r->arena, owner_id, &o);
    if (rc == AL_OK)
        rc = order_reachable(r, &o, &ok);
    if (rc != AL_OK)
        return rc;
    if (!ok)
        return AL_ENOTFOUND;
    *region = o.region_code;
    if (write && !takes_photos(o.status))
        return al_req_fail(r, AL_ECONFLICT, "owner_id", "订单当前状态为「%s」，不能上传服务照片",
            service_state_zh(service_state_parse(o.status)));
    return AL_OK;
}

static const char *const order_photo_tags[] = {"before", "after", "signature", NULL};

/* RULE-SVC-170: owner kind `order`: the caregiver attaches (service.visit), officers see. */
const struct attach_owner service_attach_owner = {.kind = "order", .name = "上门服务订单",
    .read_perm = "service.read", .write_perm = "service.visit", .tags = order_photo_tags,
    .tags_zh = " before（服务前）、after（服务后）或 signature（签名确认）",
    .locate = order_locate};
