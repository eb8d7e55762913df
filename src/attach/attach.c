/* Routes and thin handlers of the attachment module (issues 13, 14, 15; docs/attachments.md). */
#include <stdio.h>
#include <string.h>

#include "attach/attach.h"
#include "attach/attach_int.h"
#include "audit/audit.h"
#include "auth/auth.h"
#include "core/crypto.h"
#include "core/http.h"
#include "core/json.h"
#include "region/region.h"

/*
 * RULE-ATT-006, RULE-ATT-007, RULE-ATT-008: the owner kind of the request (400 naming
 * owner_kind), the permission it names for reading or writing (403), the record (404 when
 * missing or outside the caller's region, like the record itself).
 */
static int
owner_of(struct al_req *r, const char *kind, int64_t owner_id, bool write,
    const struct attach_owner **out, const char **region)
{
    const struct attach_owner *o = attach_owner_find(attach_owners, kind);
    if (!o)
        return al_req_fail(r, AL_EINVAL, "owner_kind", "附件所属记录类型不存在");
    /* Who may attach may also see what is attached (a caregiver's own visit, RULE-SVC-171). */
    if (!auth_role_has(r->db, r->who->role, write ? o->write_perm : o->read_perm) &&
        (write || !auth_role_has(r->db, r->who->role, o->write_perm)))
        return al_req_fail(r, AL_EPERM, "owner_kind", "没有%s%s附件的权限", write ? "上传" : "查看",
            o->name);
    int rc = o->locate(r, owner_id, write, region);
    if (rc == AL_ENOTFOUND || (rc == AL_OK && !region_in_scope(r->who->region_code, *region)))
        return al_req_fail(r, AL_ENOTFOUND, "owner_id", "%s不存在", o->name);
    *out = o;
    return rc;
}

static int
owner_id_of(struct al_req *r, int64_t *id)
{
    int rc = al_query_int(&r->query, "owner_id", "所属记录", 1, INT64_MAX, 0, id, &r->err);
    if (rc == AL_OK && !*id)
        rc = al_req_fail(r, AL_EINVAL, "owner_id", "所属记录不能为空");
    return rc;
}

/*
 * POST /api/v1/attachments?owner_kind=&owner_id=&tag=[&filename=&note=]; the body is the file
 * itself (RULE-ATT-001..009).
 */
/*
 * The attachment of `kind`/`owner_id` as the list shows it: the one with id `id`, or (id 0) the
 * first with `tag` and content hash `sha`.  *out a new reference, NULL when there is none.
 */
static int
listed(struct al_req *r, const char *kind, int64_t owner_id, int64_t id, const char *tag,
    const char *sha, json_t **out)
{
    json_t *items = json_array(), *it;
    size_t i;
    *out = NULL;
    int rc = attach_store_list(r->db, r->arena, kind, owner_id, items);
    json_array_foreach(items, i, it) {
        const char *t = json_string_value(json_object_get(it, "tag")),
                   *h = json_string_value(json_object_get(it, "sha256"));
        if (rc == AL_OK && !*out &&
            (id ? json_integer_value(json_object_get(it, "id")) == id
                : t && h && !strcmp(t, tag) && !strcmp(h, sha)))
            *out = json_incref(it);
    }
    json_decref(items);
    return rc;
}

static int
attach_create(struct al_req *r)
{
    const char *kind = al_query_opt(&r->query, "owner_kind"),
               *tag = al_query_opt(&r->query, "tag"),
               *filename = al_query_opt(&r->query, "filename"),
               *note = al_query_opt(&r->query, "note"), *region = NULL;
    const struct attach_owner *o = NULL;
    int64_t owner_id = 0, max = 0, id = 0;
    char dir[400], name[40];
    int rc = owner_id_of(r, &owner_id);
    if (rc == AL_OK && !kind)
        rc = al_req_fail(r, AL_EINVAL, "owner_kind", "附件所属记录类型不能为空");
    if (rc == AL_OK)
        rc = owner_of(r, kind, owner_id, true, &o, &region);
    if (rc != AL_OK)
        return rc;
    if (!attach_tag_ok(o, tag)) /* RULE-ATT-006 */
        return al_req_fail(r, AL_EINVAL, "tag", "附件用途应为%s", o->tags_zh);
    if (filename && (strlen(filename) > 200 || strchr(filename, '/') || !al_text_is_plain(filename, strlen(filename))))
        return al_req_fail(r, AL_EINVAL, "filename", "文件名应为不超过 200 个字符的一行文字");
    if (note && (strlen(note) > 1500 || !al_text_is_plain(note, strlen(note))))
        return al_req_fail(r, AL_EINVAL, "note", "附件说明应为不超过 500 字的一行文字");
    if ((rc = attach_store_max_bytes(r->db, &max)) != AL_OK)
        return rc;
    if (r->body_len == 0)
        return al_req_fail(r, AL_EINVAL, "file", "上传的文件是空的");
    if ((int64_t)r->body_len > max) /* RULE-ATT-005 */
        return al_req_fail(r, AL_ETOOBIG, "file", "文件不能超过 %.1f MB",
            (double)max / (1024.0 * 1024.0));
    const char *type = attach_sniff(r->body, r->body_len); /* RULE-ATT-002 */
    if (!type)
        return al_req_fail(r, AL_EINVAL, "file",
            "文件只能是 JPEG 或 PNG 照片、PDF 文档（按文件内容识别，与文件名无关）");
    char sha[65];
    al_crypto_sha256_hex(r->body, r->body_len, sha); /* RULE-ATT-003 */
    /* RULE-ATT-011: the same file again for the same record and use (an offline queue's
     * retry after a lost answer) is the attachment already stored, answered once more. */
    json_t *same = NULL;
    if ((rc = listed(r, o->kind, owner_id, 0, tag, sha, &same)) != AL_OK)
        return rc;
    if (same) {
        al_req_set_header(r, "Idempotent-Replayed", "true");
        return al_reply(r, 200, same);
    }
    attach_dir(dir, sizeof(dir));
    if ((rc = attach_file_write(dir, r->body, r->body_len, name)) != AL_OK) /* RULE-ATT-004 */
        return al_req_fail(r, rc, NULL, "附件保存失败");
    struct attach_row w = {.owner_kind = o->kind, .owner_id = owner_id, .region_code = region,
        .tag = tag, .filename = filename, .content_type = type, .sha256 = sha,
        .stored_name = name, .note = note, .size_bytes = (int64_t)r->body_len,
        .created_by = r->who->display_name ? r->who->display_name : r->who->username,
        .created_at = r->now};
    if ((rc = al_db_begin(r->db)) == AL_OK) {
        rc = attach_store_insert(r->db, &w, &id);
        if (rc == AL_OK) { /* RULE-ATT-009 */
            struct audit_entry e = {.action = "attachment.create", .target_type = o->kind,
                .target_id = al_arena_printf(r->arena, "%lld", (long long)owner_id),
                .region_code = region, .outcome = "success",
                .detail = json_pack("{s:I, s:s, s:s, s:I, s:s}", "attachment_id",
                    (json_int_t)id, "tag", tag, "content_type", type, "size_bytes",
                    (json_int_t)w.size_bytes, "sha256", sha)};
            rc = audit_append(r, &e);
        }
        rc = al_db_end(r->db, rc);
    }
    if (rc != AL_OK) { /* nothing half-written: no row, no file */
        attach_file_remove(dir, name);
        return rc;
    }
    json_t *out = NULL;
    if ((rc = listed(r, o->kind, owner_id, id, NULL, NULL, &out)) != AL_OK)
        return rc;
    return out ? al_reply(r, 201, out) : AL_EINTERNAL;
}

/* GET /api/v1/attachments?owner_kind=&owner_id= (RULE-ATT-010). */
static int
attach_list(struct al_req *r)
{
    const char *kind = al_query_opt(&r->query, "owner_kind"), *region;
    const struct attach_owner *o;
    int64_t owner_id = 0;
    int rc = owner_id_of(r, &owner_id);
    if (rc == AL_OK && !kind)
        rc = al_req_fail(r, AL_EINVAL, "owner_kind", "附件所属记录类型不能为空");
    if (rc == AL_OK)
        rc = owner_of(r, kind, owner_id, false, &o, &region);
    if (rc != AL_OK)
        return rc;
    json_t *items = json_array();
    if ((rc = attach_store_list(r->db, r->arena, o->kind, owner_id, items)) != AL_OK) {
        json_decref(items);
        return rc;
    }
    return al_reply_items(r, items, -1);
}

/* GET /api/v1/attachments/:id: the content, after the owner's module said yes (RULE-ATT-008). */
static int
attach_get(struct al_req *r)
{
    int64_t id;
    struct attach_row w;
    const struct attach_owner *o = NULL;
    const char *region, *data;
    size_t len;
    char dir[400], sha[65];
    int rc = al_req_param_id(r, "id", &id);
    if (rc == AL_OK)
        rc = attach_store_get(r->db, r->arena, id, &w);
    if (rc == AL_OK)
        rc = owner_of(r, w.owner_kind, w.owner_id, false, &o, &region);
    if (rc == AL_ENOTFOUND || rc == AL_EPERM || (rc == AL_EINVAL && !o))
        return al_req_fail(r, AL_ENOTFOUND, NULL, "附件不存在");
    if (rc != AL_OK)
        return rc;
    attach_dir(dir, sizeof(dir));
    if ((rc = attach_file_read(dir, w.stored_name, r->arena, &data, &len)) != AL_OK)
        return al_req_fail(r, AL_EINTERNAL, NULL, "附件读取失败");
    al_crypto_sha256_hex(data, len, sha); /* RULE-ATT-003: what is served is what was stored */
    if (strcmp(sha, w.sha256) != 0)
        return al_req_fail(r, AL_EINTERNAL, NULL, "附件已损坏（校验值不符）");
    al_req_set_header(r, "Cache-Control", "private, max-age=3600");
    const char *ext = strcmp(w.content_type, "image/jpeg") == 0 ? "jpg"
                      : strcmp(w.content_type, "image/png") == 0 ? "png" : "pdf";
    const char *fname = w.filename ? w.filename
                                   : al_arena_printf(r->arena, "附件-%lld.%s", (long long)id, ext);
    return al_reply_file(r, w.content_type, fname, data, len);
}

static const struct al_route attach_routes[] = {
    {AL_POST, "/api/v1/attachments", attach_create, AL_SIGNED_IN, AL_ROUTE_UPLOAD,
        "上传照片或文档（owner_kind、owner_id、tag，请求体为文件本身；JPEG/PNG/PDF）"},
    {AL_GET, "/api/v1/attachments", attach_list, AL_SIGNED_IN, 0,
        "某条记录的附件（owner_kind、owner_id；由所属模块判断可见范围）"},
    {AL_GET, "/api/v1/attachments/:id", attach_get, AL_SIGNED_IN, 0, "附件内容"},
    {0},
};

const struct al_module attach_module = {.name = "attach", .routes = attach_routes};
