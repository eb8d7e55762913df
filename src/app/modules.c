#include "app/modules.h"
#include "assess/assess.h"
#include "audit/audit.h"
#include "auth/auth.h"
#include "dashboard/dashboard.h"
#include "elder/elder.h"
#include "identify/identify.h"
#include "import/import.h"
#include "region/region.h"
#include "system/system.h"
#include "user/user.h"

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
    NULL,
};
