/* Routes and thin handlers of the user module. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "audit/audit.h"
#include "auth/auth.h"
#include "core/crypto.h"
#include "core/export.h"
#include "core/http.h"
#include "core/idcard.h"
#include "core/json.h"
#include "region/region.h"
#include "user/user.h"
#include "user/user_int.h"

/* Region code of a user: "" (whole country) or an existing division code. */
static int
check_region(struct al_db *db, struct al_arena *a, const char *code, struct al_errinfo *e)
{
    if (!*code)
        return AL_OK;
    if (!region_level(code))
        return al_fail(e, AL_EINVAL, "region_code", "区划代码应为 2、4、6、9 或 12 位数字");
    if (!region_name(db, a, code))
        return al_fail(e, AL_EINVAL, "region_code", "区划代码 %s 不存在", code);
    return AL_OK;
}

/* Validation shared by the API and the CLI. */
static int
validate_new(struct al_db *db, struct al_arena *a, const struct user_new *in,
    struct al_errinfo *e)
{
    const char *p;
    if ((p = user_username_problem(in->username)))
        return al_fail(e, AL_EINVAL, "username", "%s", p);
    if (in->phone && *in->phone && (p = al_phone_problem(in->phone)))
        return al_fail(e, AL_EINVAL, "phone", "%s", p);
    if (!user_store_role_exists(db, in->role))
        return al_fail(e, AL_EINVAL, "role", "角色 %s 不存在", in->role);
    if (in->password && (p = auth_password_problem(in->password)))
        return al_fail(e, AL_EINVAL, "password", "%s", p);
    return check_region(db, a, in->region_code, e);
}

/* Insert + audit inside an open transaction. */
static int
insert_user(struct al_db *db, struct al_arena *a, const struct user_new *in, int64_t now,
    int64_t *id, char generated[13], struct al_errinfo *e)
{
    char pw[13];
    const char *password = in->password;
    int must_change = in->must_change_password;
    if (!password) {
        al_crypto_random_password(pw);
        password = pw;
    }
    /* RULE-AUTH-001: a generated password, or one set by someone else, is temporary. */
    if (must_change < 0)
        must_change = 1;
    char hash[256];
    int rc = auth_hash_password(password, hash, sizeof(hash));
    if (rc != AL_OK)
        return rc;
    rc = user_store_insert(db, in, hash, must_change, now, id);
    if (rc == AL_ECONFLICT)
        return al_fail(e, AL_ECONFLICT, "username", "用户名 %s 已存在", in->username);
    if (rc == AL_OK && generated) {
        if (!in->password)
            memcpy(generated, pw, 13);
        else
            generated[0] = '\0';
    }
    (void)a;
    return rc;
}

static json_t *
create_detail(const struct user_new *in)
{
    return json_pack("{s:s, s:s, s:s}", "username", in->username, "role", in->role,
        "region_code", in->region_code);
}

int
user_create_direct(struct al_db *db, struct al_arena *a, const struct user_new *in,
    const char *actor, int64_t *id, char generated[13], struct al_errinfo *e)
{
    int rc = validate_new(db, a, in, e);
    if (rc != AL_OK)
        return rc;
    if ((rc = al_db_begin(db)) != AL_OK)
        return rc;
    rc = insert_user(db, a, in, (int64_t)time(NULL), id, generated, e); /* no request: the clock */
    if (rc == AL_OK) {
        /* Outside a request the JSON lives on the heap: released here. */
        json_t *detail = create_detail(in);
        struct audit_entry ae = {.action = "user.create", .target_type = "user",
            .target_id = al_arena_printf(a, "%lld", (long long)*id),
            .region_code = in->region_code, .outcome = "success", .detail = detail};
        rc = audit_append_as(db, 0, actor, "local", &ae);
        json_decref(detail);
    }
    if (rc == AL_OK)
        return al_db_commit(db);
    al_db_rollback(db);
    return rc;
}

/* ---- handlers ---- */

/* The text a field table read under `key`, or NULL. */
static const char *
text_of(json_t *set, const char *key)
{
    return json_string_value(json_object_get(set, key));
}

/* The filters of the user list (and of its export), checked. */
static int
list_filter(struct al_req *r, struct user_filter *out)
{
    struct user_filter f = {.scope = r->who->region_code};
    f.q = al_query_opt(&r->query, "q");
    f.role = al_query_opt(&r->query, "role");
    f.status = al_query_opt(&r->query, "status");
    f.region = al_query_opt(&r->query, "region");
    if (f.region && !region_level(f.region))
        return al_req_fail(r, AL_EINVAL, "region", "区划代码应为 2、4、6、9 或 12 位数字");
    if (f.status && strcmp(f.status, "active") && strcmp(f.status, "disabled"))
        return al_req_fail(r, AL_EINVAL, "status", "状态应为 active 或 disabled");
    *out = f;
    return AL_OK;
}

static int
user_list(struct al_req *r)
{
    struct user_filter f;
    int64_t limit, offset;
    int rc = al_query_limit(&r->query, &limit, &offset, &r->err);
    if (rc == AL_OK)
        rc = list_filter(r, &f);
    if (rc != AL_OK)
        return rc;
    f.limit = limit;
    f.offset = offset;
    json_t *items = json_array();
    int64_t total = 0;
    if ((rc = user_store_list(r->db, r->arena, &f, items, &total)) != AL_OK)
        return rc;
    return al_reply_items(r, items, total);
}

/* As the page says it: 启用 or 停用. */
static const char *
xcell_status(struct al_export_cell *c)
{
    const char *v = al_stmt_text(c->st, c->col);
    return v && strcmp(v, "active") == 0 ? "启用" : "停用";
}

static const struct al_export_col export_cols[] = {AL_XCOL("用户名", USER_X_USERNAME),
    AL_XCOL("姓名", USER_X_DISPLAY_NAME), AL_XCOL("联系电话", USER_X_PHONE),
    AL_XCOL("角色", USER_X_ROLE_NAME), AL_XCOL("所属区划", USER_X_REGION_NAME),
    AL_XCOL("区划代码", USER_X_REGION), AL_XCOLF("状态", USER_X_STATUS, xcell_status),
    AL_XCOL_END};

#define EXPORT_PAGE 500

struct export_ctx {
    struct al_req *r;
    const struct user_filter *f;
};

static struct al_stmt *
export_page(void *ctx, const char *const *after)
{
    struct export_ctx *x = ctx;
    return user_store_export_page(x->r->db, x->r->arena, x->f, after ? after[0] : NULL,
        EXPORT_PAGE);
}

/* RULE-UI-005: the users of the list, filtered as on the page, as CSV or XLSX; audited. */
static int
user_export(struct al_req *r)
{
    struct user_filter f;
    const char *format;
    int64_t total = 0;
    int rc = al_export_format(r, &format);
    if (rc == AL_OK)
        rc = list_filter(r, &f);
    json_t *items = json_array();
    f.limit = 0;
    f.offset = 0;
    if (rc == AL_OK)
        rc = user_store_list(r->db, r->arena, &f, items, &total); /* the count */
    json_decref(items);
    if (rc == AL_OK) {
        struct audit_entry e = {.action = "user.export", .target_type = "user",
            .region_code = r->who->region_code, .outcome = "success",
            .detail = json_pack("{s:s, s:s?, s:s?, s:s?, s:I}", "format", format, "q", f.q,
                "role", f.role, "status", f.status, "rows", (json_int_t)total)};
        rc = audit_append(r, &e);
    }
    if (rc != AL_OK)
        return rc;
    struct al_export_list l = {.title = "用户", .name = "用户", .cols = export_cols,
        .page = export_page, .ctx = al_arena_memdup(r->arena, /* RULE-DB-113 */
            &(struct export_ctx){r, al_arena_memdup(r->arena, &f, sizeof(f))},
            sizeof(struct export_ctx)), .key_col = USER_X_ID,
        .nkeys = 1, .page_rows = EXPORT_PAGE};
    return al_export_list(r, format, &l, NULL);
}

/* RULE-USER-003: may the caller hand out `role` in `region`?  403 with a reason when not. */
static int
check_grant(struct al_req *r, const char *role, const char *region)
{
    if (region && !region_in_scope(r->who->region_code, region))
        return al_req_fail(r, AL_EPERM, "region_code", "只能在本辖区（%s）内设置用户",
            *r->who->region_code ? r->who->region_code : "全国");
    if (role && !user_store_role_within(r->db, role, r->who->role))
        return al_req_fail(r, AL_EPERM, "role", "不能授予超出本人权限的角色");
    return AL_OK;
}

static int
user_create(struct al_req *r)
{
    json_t *body, *set = json_object();
    struct user_new in = {.must_change_password = -1};
    int rc = al_req_json(r, &body);
    if (rc == AL_OK)
        rc = al_fields_read(body, user_new_fields, AL_FIELDS_CREATE, set, &r->err);
    if (rc != AL_OK)
        return rc;
    in.username = text_of(set, "username");
    in.display_name = text_of(set, "display_name");
    in.phone = text_of(set, "phone");
    in.role = text_of(set, "role");
    in.region_code = text_of(set, "region_code");
    in.password = text_of(set, "password");
    if (!in.region_code)
        return al_req_fail(r, AL_EINVAL, "region_code", "所属区划不能为空");
    if (in.password && !*in.password)
        in.password = NULL;
    if ((rc = validate_new(r->db, r->arena, &in, &r->err)) != AL_OK)
        return rc;
    if ((rc = check_grant(r, in.role, in.region_code)) != AL_OK)
        return rc;

    int64_t id = 0;
    char generated[13] = "";
    if ((rc = al_db_begin(r->db)) != AL_OK)
        return rc;
    rc = insert_user(r->db, r->arena, &in, r->now, &id, generated, &r->err);
    if (rc == AL_OK) {
        struct audit_entry e = {.action = "user.create", .target_type = "user",
            .target_id = al_arena_printf(r->arena, "%lld", (long long)id),
            .region_code = in.region_code, .outcome = "success", .detail = create_detail(&in)};
        rc = audit_append(r, &e);
    }
    if (rc == AL_OK)
        rc = al_db_commit(r->db);
    else
        al_db_rollback(r->db);
    if (rc != AL_OK)
        return rc;
    json_t *out = NULL;
    if ((rc = user_get_json(r->db, r->arena, id, &out)) != AL_OK)
        return rc;
    if (generated[0])
        json_object_set_new(out, "generated_password", json_string(generated));
    return al_reply(r, 201, out);
}

/* Load a user the caller may see; 404 otherwise (RULE-SCOPE-001). */
static int
load_visible(struct al_req *r, struct user_row *u)
{
    int64_t id;
    int rc = al_req_param_id(r, "id", &id);
    if (rc != AL_OK)
        return rc;
    rc = user_store_get_row(r->db, r->arena, id, u);
    if (rc == AL_ENOTFOUND || (rc == AL_OK && !region_in_scope(r->who->region_code, u->region_code)))
        return al_req_fail(r, AL_ENOTFOUND, NULL, "用户不存在");
    return rc;
}

static int
user_get(struct al_req *r)
{
    struct user_row u;
    int rc = load_visible(r, &u);
    if (rc != AL_OK)
        return rc;
    json_t *out = NULL;
    if ((rc = user_get_json(r->db, r->arena, u.id, &out)) != AL_OK)
        return rc;
    return al_reply(r, 200, out);
}

/* A PATCH body of a user, each member checked by user_patch_fields, then the role and region
 * looked up (the rules across members stay with the handler).  AL_OK, or the error naming
 * the member. */
static int
read_patch(struct al_req *r, int64_t *version, struct user_patch *p, const char **password,
    const char **old_password)
{
    json_t *body, *set = json_object();
    int rc;
    if ((rc = al_req_json(r, &body)) == AL_OK)
        rc = al_json_get_int(body, "version", "版本号", AL_REQUIRED, 1, INT64_MAX, version, NULL,
            &r->err);
    if (rc == AL_OK)
        rc = al_fields_read(body, user_patch_fields, 0, set, &r->err);
    if (rc != AL_OK)
        return rc;
    p->display_name = text_of(set, "display_name");
    p->phone = text_of(set, "phone");
    p->role = text_of(set, "role");
    p->region_code = text_of(set, "region_code");
    p->status = text_of(set, "status");
    *password = text_of(set, "password");
    *old_password = text_of(set, "old_password");
    if (p->role && !user_store_role_exists(r->db, p->role))
        return al_req_fail(r, AL_EINVAL, "role", "角色 %s 不存在", p->role);
    if (p->region_code && (rc = check_region(r->db, r->arena, p->region_code, &r->err)) != AL_OK)
        return rc;
    return AL_OK;
}

static int
user_update(struct al_req *r)
{
    struct user_row u;
    int rc = load_visible(r, &u);
    if (rc != AL_OK)
        return rc;
    int64_t version = 0;
    const char *password = NULL, *old_password = NULL;
    struct user_patch p = {.must_change_password = -1};
    if ((rc = read_patch(r, &version, &p, &password, &old_password)) != AL_OK)
        return rc;
    bool self = u.id == r->who->user_id;
    if (self && ((p.status && strcmp(p.status, "active")) || p.role || p.region_code))
        return al_req_fail(r, AL_EPERM, NULL, "不能修改本人的角色、区划或状态");
    /* The caller must hold everything the target has now and will have. */
    if ((rc = check_grant(r, u.role, NULL)) != AL_OK)
        return al_req_fail(r, AL_EPERM, NULL, "不能修改权限高于本人的用户");
    if ((rc = check_grant(r, p.role, p.region_code)) != AL_OK)
        return rc;

    /* RULE-AUTH-007: one's own password is changed only with the current one, under the
     * sign-in throttles, wherever the change is made. */
    if (self && password) {
        if (!old_password)
            return al_req_fail(r, AL_EINVAL, "old_password", "修改本人密码须提供原密码");
        if ((rc = auth_check_own_password(r, old_password, "old_password")) != AL_OK)
            return rc;
    }
    char hash[256];
    if (password) {
        if ((rc = auth_hash_password(password, hash, sizeof(hash))) != AL_OK)
            return rc;
        p.password_hash = hash;
        p.must_change_password = self ? 0 : 1; /* a password set by someone else is temporary */
    }
    if ((rc = al_db_begin(r->db)) != AL_OK)
        return rc;
    rc = user_store_update(r->db, u.id, version, &p, r->now);
    if (rc == AL_ECONFLICT)
        al_req_fail(r, AL_ECONFLICT, "version", "该用户已被他人修改，请刷新后重试");
    /* RULE-AUTH-007: a new password ends every session and API token of the user; disabling
     * ends the sessions (the tokens of a disabled user are refused by its status). */
    if (rc == AL_OK && password)
        rc = auth_revoke_credentials(r->db, u.id, r->now);
    else if (rc == AL_OK && p.status && strcmp(p.status, "disabled") == 0)
        rc = auth_revoke_sessions(r->db, u.id, r->now);
    if (rc == AL_OK) {
        json_t *changed = json_array();
        static const char *names[] = {"display_name", "phone", "role", "region_code", "status"};
        const char *vals[] = {p.display_name, p.phone, p.role, p.region_code, p.status};
        for (int i = 0; i < 5; i++)
            if (vals[i])
                json_array_append_new(changed, json_string(names[i]));
        if (password)
            json_array_append_new(changed, json_string("password"));
        struct audit_entry e = {.action = "user.update", .target_type = "user",
            .target_id = al_arena_printf(r->arena, "%lld", (long long)u.id),
            .region_code = p.region_code ? p.region_code : u.region_code, .outcome = "success",
            .detail = json_pack("{s:o}", "changed", changed)};
        if (p.status)
            json_object_set_new(e.detail, "status", json_string(p.status));
        if (p.role)
            json_object_set_new(e.detail, "role", json_string(p.role));
        rc = audit_append(r, &e);
    }
    if ((rc = al_db_end(r->db, rc)) != AL_OK)
        return rc;
    json_t *out = NULL;
    if ((rc = user_get_json(r->db, r->arena, u.id, &out)) != AL_OK)
        return rc;
    return al_reply(r, 200, out);
}

static int
role_list(struct al_req *r)
{
    static const char sql[] = "SELECT id, name FROM roles ORDER BY sort";
    struct al_stmt *st = al_db_sql(r->db, sql);
    json_t *items = json_array();
    int rc;
    while ((rc = al_stmt_step(st)) == AL_ROW)
        json_array_append_new(items, json_pack("{s:s, s:s}", "id", al_stmt_text(st, 0),
                                         "name", al_stmt_text(st, 1)));
    if (rc != AL_OK) {
        json_decref(items);
        return rc;
    }
    size_t i;
    json_t *it;
    json_array_foreach(items, i, it)
    {
        json_t *perms = json_array();
        if ((rc = auth_role_permissions(r->db, json_string_value(json_object_get(it, "id")),
                 perms)) != AL_OK)
            return rc;
        json_object_set_new(it, "permissions", perms);
    }
    return al_reply_items(r, items, -1);
}

static const struct al_route user_routes[] = {
    {AL_GET, "/api/v1/roles", role_list, "role.read", 0, "角色及其权限"},
    {AL_GET, "/api/v1/users/export", user_export, "user.read", 0,
        "导出本辖区用户（format=xlsx|csv，筛选同列表；留痕）"},
    {AL_GET, "/api/v1/users", user_list, "user.read", 0, "本辖区用户列表（q、role、region、status 筛选，分页）"},
    {AL_POST, "/api/v1/users", user_create, "user.write", 0, "新增用户（仅限本辖区，不得超出本人权限）"},
    {AL_GET, "/api/v1/users/:id", user_get, "user.read", 0, "用户详情"},
    {AL_PATCH, "/api/v1/users/:id", user_update, "user.write", 0, "修改用户（需提供 version）"},
    {0},
};

const struct al_module user_module = {.name = "user", .routes = user_routes};
