/* Routes and thin handlers of the region module. */
#include <string.h>

#include "core/http.h"
#include "region/region.h"
#include "region/region_int.h"

/* Visible: inside the scope, or an ancestor of it (to show the path). */
static bool
visible(const char *scope, const char *code)
{
    return region_in_scope(scope, code) || strncmp(scope, code, strlen(code)) == 0;
}

static int
region_list(struct al_req *r)
{
    const char *scope = r->who->region_code;
    const char *parent = al_query_get(&r->query, "parent");
    json_t *items = json_array();
    int rc;
    if (!parent || !*parent) {
        if (!*scope) {
            rc = region_store_children(r->db, "", NULL, items);
        } else {
            json_t *self = NULL;
            rc = region_store_get(r->db, scope, &self);
            if (rc == AL_OK) {
                json_object_del(self, "parent");
                json_array_append_new(items, self);
            } else if (rc == AL_ENOTFOUND) {
                rc = AL_OK;
            }
        }
    } else {
        if (!region_level(parent))
            return al_req_fail(r, AL_EINVAL, "parent", "上级区划代码应为 2、4、6、9 或 12 位数字");
        if (!visible(scope, parent))
            return al_req_fail(r, AL_ENOTFOUND, "parent", "区划不存在");
        json_t *node = NULL;
        rc = region_store_get(r->db, parent, &node);
        json_decref(node);
        if (rc == AL_ENOTFOUND) /* the same answer as GET /regions/{code} */
            return al_req_fail(r, AL_ENOTFOUND, "parent", "区划不存在");
        bool ancestor = !region_in_scope(scope, parent);
        if (rc == AL_OK)
            rc = region_store_children(r->db, parent, ancestor ? scope : NULL, items);
    }
    if (rc != AL_OK)
        return rc;
    return al_reply_items(r, items, -1);
}

static int
region_get(struct al_req *r)
{
    const char *code = al_req_param(r, "code");
    if (!code || !region_level(code) || !visible(r->who->region_code, code))
        return al_req_fail(r, AL_ENOTFOUND, NULL, "区划不存在");
    json_t *out = NULL;
    int rc = region_store_get(r->db, code, &out);
    if (rc == AL_ENOTFOUND)
        return al_req_fail(r, AL_ENOTFOUND, NULL, "区划不存在");
    if (rc != AL_OK)
        return rc;
    /* Path from the province down, by prefixes. */
    json_t *path = json_array();
    static const size_t lens[] = {2, 4, 6, 9, 12};
    for (size_t i = 0; i < 5 && lens[i] <= strlen(code); i++) {
        char pre[16];
        memcpy(pre, code, lens[i]);
        pre[lens[i]] = '\0';
        const char *name = region_name(r->db, r->arena, pre);
        if (name)
            json_array_append_new(path, json_pack("{s:s, s:s}", "code", pre, "name", name));
    }
    json_object_set_new(out, "path", path);
    return al_reply(r, 200, out);
}

static const struct al_route region_routes[] = {
    {AL_GET, "/api/v1/regions", region_list, "region.read", 0,
        "下级行政区划列表（parent 为空时返回本辖区）"},
    {AL_GET, "/api/v1/regions/:code", region_get, "region.read", 0, "行政区划详情及路径"},
    {0},
};

const struct al_module region_module = {.name = "region", .routes = region_routes};
