#include <string.h>

#include "app/modules.h"
#include "audit/audit.h"
#include "auth/auth.h"
#include "core/db.h"
#include "core/http.h"
#include "core/log.h"

static int checked_route(struct al_req *r);

/*
 * RULE-DB-111: a handler that returns with its transaction still open (an early return that
 * missed al_db_end) is a bug, logged with its route; the transaction is rolled back so that it
 * neither holds the write lock for the connection's next request nor lands half a change.
 */
int
app_dispatch(struct al_req *r)
{
    int rc = checked_route(r);
    if (r->db && al_db_in_tx(r->db)) {
        al_error("%s %s returned with its transaction open: rolled back",
            al_method_name(r->method), r->match.route->path);
        al_db_rollback(r->db);
    }
    return rc;
}

static int
checked_route(struct al_req *r)
{
    const struct al_route *rt = r->match.route;
    if (strcmp(rt->permission, AL_PUBLIC) == 0)
        return rt->handler(r);
    int rc = auth_authenticate(r);
    if (rc != AL_OK)
        return rc;
    if (r->who->must_change_password && !(rt->flags & AL_ROUTE_PWCHANGE_OK))
        return al_req_fail(r, AL_EPWCHANGE, NULL, NULL);
    if (r->method != AL_GET && (rc = auth_check_csrf(r)) != AL_OK)
        return rc;
    if (strcmp(rt->permission, AL_SIGNED_IN) != 0 &&
        !auth_role_has(r->db, r->who->role, rt->permission)) {
        /* RULE-AUDIT-002: refusals are audited too. */
        struct audit_entry e = {.action = "access.denied", .target_type = "route",
            .target_id = rt->path, .region_code = r->who->region_code, .outcome = "denied",
            .detail = json_pack("{s:s, s:s}", "method", al_method_name(r->method),
                "permission", rt->permission)};
        audit_append(r, &e);
        return al_req_fail(r, AL_EPERM, NULL, "没有执行此操作的权限（需要 %s）", rt->permission);
    }
    return rt->handler(r);
}
