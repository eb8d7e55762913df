/* Demo data of the user module: the demo county's accounts (`anlao seed --demo`). */
#include <stddef.h>

#include "core/db.h"
#include "core/err.h"
#include "user/user.h"

int
user_seed_demo(struct al_db *db, struct al_arena *a, const char *password, struct al_errinfo *e)
{
    static const struct {
        const char *username, *name, *role, *region;
    } people[] = {
        {"fg_civil", "凤冈县民政局 王芳", "civil_officer", "520327"},
        {"lq_officer", "龙泉街道 李明", "township_officer", "520327001"},
        {"jx_officer", "进化镇 张伟", "township_officer", "520327101"},
        {"lq_helper", "龙泉街道助老员 刘洋", "helper", "520327001"},
        {"fg_assessor", "评估员 陈静", "assessor", "520327"},
        {"fg_assessor2", "评估员 周敏", "assessor", "520327"},
        {"fg_assessor3", "评估员 吴刚（资格已过期）", "assessor", "520327"},
        {"fg_provider", "服务机构 赵磊", "provider_admin", "520327"},
        {"fg_caregiver", "护理员 孙丽", "caregiver", "520327001"},
    };
    for (size_t i = 0; i < sizeof(people) / sizeof(people[0]); i++) {
        struct user_new in = {.username = people[i].username, .display_name = people[i].name,
            .role = people[i].role, .region_code = people[i].region, .password = password,
            .must_change_password = 0};
        int64_t id;
        int rc = user_create_direct(db, a, &in, "seed", &id, NULL, e);
        if (rc != AL_OK && rc != AL_ECONFLICT) /* an account already there is kept */
            return rc;
    }
    e->message[0] = '\0';
    e->field = NULL;
    return AL_OK;
}
