#include "app/modules.h"
#include "core/db.h"
#include "alarm/alarm.h"
#include "assess/assess.h"
#include "attach/attach.h"
#include "audit/audit.h"
#include "auth/auth.h"
#include "bed/bed.h"
#include "dashboard/dashboard.h"
#include "device/device.h"
#include "elder/elder.h"
#include "entitle/entitle.h"
#include "identify/identify.h"
#include "import/import.h"
#include "meal/meal.h"
#include "region/region.h"
#include "service/service.h"
#include "system/system.h"
#include "timebank/timebank.h"
#include "user/user.h"
#include "visit/visit.h"

const struct al_module *const app_modules[] = {
    &system_module,
    &auth_module,
    &user_module,
    &region_module,
    &audit_module,
    &dashboard_module,
    &elder_module,
    &import_module,
    &identify_module,
    &assess_module,
    &entitle_module,
    &visit_module,
    &timebank_module,
    &service_module,
    &service_admin_module,
    &service_flow_module,
    &service_evv_module,
    &service_family_module,
    &meal_module,
    &entitle_run_module,
    &device_module,
    &alarm_module,
    &bed_module,
    &attach_module,
    NULL,
};

/* Records that take photos and documents (src/attach, docs/attachments.md). */
const struct attach_owner *const attach_owners[] = {
    &bed_attach_owner,
    &service_attach_owner,
    &visit_attach_owner,
    NULL,
};

/* Is `permission` in the permissions table?  (A failed read counts as no.) */
static bool
permission_known(void *ctx, const char *permission)
{
    int64_t n = 0;
    return al_db_count(ctx, "SELECT count(*) FROM permissions WHERE id = ?", permission, &n) ==
               AL_OK && n > 0;
}

int
app_routes_check(struct al_db *db, char *msg, size_t msg_size)
{
    return al_router_check(app_modules, permission_known, db, msg, msg_size);
}
