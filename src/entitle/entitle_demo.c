/*
 * Demo data of the service list (`anlao serve --demo`): the officers who approve the demo
 * county's list (province 52 贵州省, city 5203 遵义市), an approved province list that raises
 * 高龄津贴 and adds an item of its own, and a county draft.  The national list comes from the
 * migration (sql/021).
 */
#include <string.h>

#include "audit/audit.h"
#include "core/db.h"
#include "core/json.h"
#include "entitle/entitle.h"
#include "entitle/entitle_int.h"
#include "user/user.h"

static int
officers(struct al_db *db, struct al_arena *a, const char *password, struct al_errinfo *e)
{
    static const struct {
        const char *username, *name, *region;
    } people[] = {
        {"gz_civil", "贵州省民政厅 杨帆", "52"},
        {"zy_civil", "遵义市民政局 何静", "5203"},
    };
    for (size_t i = 0; i < sizeof(people) / sizeof(people[0]); i++) {
        struct user_new in = {.username = people[i].username, .display_name = people[i].name,
            .role = "civil_officer", .region_code = people[i].region, .password = password,
            .must_change_password = 0};
        int64_t id;
        int rc = user_create_direct(db, a, &in, "seed", &id, NULL, e);
        if (rc != AL_OK && rc != AL_ECONFLICT)
            return rc;
    }
    e->message[0] = '\0';
    e->field = NULL;
    return AL_OK;
}

static int
put(struct al_db *db, int64_t change, const char *region, const char *key, json_t *item)
{
    int rc = entitle_store_item_put(db, change, region, key, item);
    json_decref(item);
    return rc;
}

/* The province's approved list: 高龄津贴 raised to 每月 100 元, 助浴补贴 added. */
static int
province_list(struct al_db *db)
{
    int64_t id = 0;
    static const char *const from_draft[] = {"draft", NULL}, *const from_sub[] = {"submitted", NULL};
    int rc = entitle_store_change_new(db, "52", "贵州省基本养老服务清单（演示）", "2024-01-01",
        "gz_civil", 0, &id);
    if (rc == AL_OK)
        rc = put(db, id, "52", "gaoling_jintie",
            json_pack("{s:s, s:s, s:i, s:s, s:s}", "kind", "raise", "standard_kind", "amount",
                "amount_fen", 10000, "period", "month", "standard_text", "演示：省级提高标准"));
    if (rc == AL_OK)
        rc = put(db, id, "52", "zhuyu_butie",
            json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:s, s:s, s:s, s:i, s:i, s:i, s:i,"
                      " s:s, s:s, s:s, s:s, s:s, s:i, s:i}",
                "kind", "add", "category", "care", "name", "助浴服务补贴", "target_group",
                "失能、半失能老年人", "content", "上门助浴服务", "standard_kind", "frequency",
                "times", 2, "period", "month", "standard_text", "演示项目", "provider_type",
                "养老服务机构", "fund_national_pct", 0, "fund_province_pct", 40,
                "fund_city_pct", 30, "fund_county_pct", 30, "legal_doc", "演示文件（待核对）",
                "legal_article", "", "effective_from", "2024-01-01", "status", "to_check",
                "rule_text", "能力等级 >= 1", "rule_version", 1, "rule_checked", 0));
    if (rc == AL_OK)
        rc = entitle_store_change_move(db, id, 1, from_draft, "submitted", "gz_civil", NULL, 0);
    if (rc == AL_OK)
        rc = entitle_store_change_move(db, id, 2, from_sub, "approved", "admin", NULL, 0);
    return rc;
}

int
entitle_seed_demo(struct al_db *db, struct al_arena *a, const char *password,
    struct al_errinfo *e)
{
    int rc = officers(db, a, password, e);
    if (rc != AL_OK)
        return rc;
    int64_t have = 0;
    al_db_count(db, "SELECT count(*) FROM entitle_changes WHERE region_code = '52'", NULL, &have);
    if (have)
        return AL_OK;
    if ((rc = al_db_begin(db)) != AL_OK)
        return al_fail(e, rc, NULL, "演示数据写入失败：数据库错误");
    rc = province_list(db);
    if (rc == AL_OK) {
        struct audit_entry ae = {.action = "entitle.seed_demo", .target_type = "entitle_change",
            .region_code = "52", .outcome = "success"};
        rc = audit_append_as(db, 0, "seed", "local", &ae);
    }
    if ((rc = al_db_end(db, rc)) != AL_OK)
        return al_fail(e, rc, NULL, "演示数据写入失败：基本养老服务清单");
    return AL_OK;
}
