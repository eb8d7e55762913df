/* Routes and thin handlers of the bed module (family care beds, issue 14). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assess/assess.h"
#include "attach/attach.h"
#include "audit/audit.h"
#include "bed/bed.h"
#include "bed/bed_int.h"
#include "core/http.h"
#include "core/idcard.h"
#include "core/export.h"
#include "core/json.h"
#include "core/query.h"
#include "core/vec.h"
#include "elder/elder.h"
#include "entitle/entitle.h"
#include "auth/auth.h"
#include "region/region.h"
#include "service/service.h"

static int
get_date(struct al_req *r, json_t *body, const char *key, const char *label, int flags,
    const char **out)
{
    int rc = al_json_get_str(body, key, label, flags, 0, 10, out, &r->err);
    if (rc == AL_OK && *out && !al_date_valid(*out))
        return al_req_fail(r, AL_EINVAL, key, "%s格式应为 YYYY-MM-DD", label);
    return rc;
}

/* A JSON value compact, copied into the request arena. */
static const char *
dump(struct al_req *r, const json_t *v)
{
    return al_json_dump(r->arena, v, NULL);
}

/* An array of 0..max plain strings of 1..max_chars each, or a 400 naming `key`. */
static int
str_array(struct al_req *r, const json_t *v, const char *key, const char *label, size_t max,
    size_t max_chars)
{
    if (v && !json_is_array(v))
        return al_req_fail(r, AL_EINVAL, key, "%s应为文字列表", label);
    size_t i;
    json_t *x;
    json_array_foreach(v, i, x) {
        const char *s = json_string_value(x);
        size_t n = s ? strlen(s) : 0;
        if (!s || n == 0 || n > max_chars * 4)
            return al_req_fail(r, AL_EINVAL, key, "%s的每一项应为不超过 %zu 字的文字", label,
                max_chars);
    }
    if (json_array_size(v) > max)
        return al_req_fail(r, AL_EINVAL, key, "%s最多 %zu 项", label, max);
    return AL_OK;
}

/* RULE-BED-020 */
static int
settings_get(struct al_req *r)
{
    struct bed_settings s;
    int rc = bed_store_settings(r->db, &s);
    if (rc != AL_OK)
        return rc;
    char ids[64], zh[128];
    bed_needs_format(s.required, ids, sizeof(ids), zh, sizeof(zh));
    return al_reply(r, 200, json_pack("{s:s, s:s, s:I}", "required_devices", ids,
                                "required_devices_name", zh, "rectify_days",
                                (json_int_t)s.rectify_days));
}

static int
settings_put(struct al_req *r)
{
    json_t *body;
    const char *req = NULL;
    int64_t days = 0;
    bool present;
    unsigned mask;
    int rc = al_req_json(r, &body);
    if (rc != AL_OK ||
        (rc = al_json_get_str(body, "required_devices", "必备设备", AL_REQUIRED, 1, 64, &req,
             &r->err)) != AL_OK ||
        (rc = al_json_get_int(body, "rectify_days", "整改期限（天）", AL_REQUIRED, 0, 365, &days,
             &present, &r->err)) != AL_OK)
        return rc;
    if (!bed_needs_parse(req, &mask))
        return al_req_fail(r, AL_EINVAL, "required_devices",
            "必备设备应为 network、sos、activity 中的一项或多项，以逗号分隔");
    char ids[64], zh[128];
    bed_needs_format(mask, ids, sizeof(ids), zh, sizeof(zh));
    if ((rc = al_db_begin(r->db)) != AL_OK)
        return rc;
    rc = bed_store_settings_put(r->db, ids, days);
    if (rc == AL_OK) {
        struct audit_entry e = {.action = "bed.settings", .target_type = "settings",
            .target_id = "bed", .outcome = "success",
            .detail = json_pack("{s:s, s:I}", "required_devices", ids, "rectify_days",
                (json_int_t)days)};
        rc = audit_append(r, &e);
    }
    if ((rc = al_db_end(r->db, rc)) != AL_OK)
        return rc;
    return settings_get(r);
}

/* RULE-BED-001: an application for the elder's home. */
static int
bed_create(struct al_req *r)
{
    json_t *body;
    int64_t elder_id = 0;
    bool present;
    const char *applicant = NULL, *applicant_name = NULL;
    int rc = al_req_json(r, &body);
    if (rc != AL_OK ||
        (rc = al_json_get_int(body, "elder_id", "老人", AL_REQUIRED, 1, INT64_MAX, &elder_id,
             &present, &r->err)) != AL_OK ||
        (rc = al_json_get_str(body, "applicant", "申请人", AL_REQUIRED, 1, 16, &applicant,
             &r->err)) != AL_OK ||
        (rc = al_json_get_str(body, "applicant_name", "申请人姓名", AL_PLAIN, 0, 40,
             &applicant_name, &r->err)) != AL_OK)
        return rc;
    if (strcmp(applicant, "elder") && strcmp(applicant, "family") && strcmp(applicant, "helper"))
        return al_req_fail(r, AL_EINVAL, "applicant", "申请人应为 elder（本人）、family（家属）或 helper（协管员）");
    const char *region = NULL, *status = NULL;
    rc = elder_region_of(r->db, r->arena, elder_id, &region, &status);
    if (rc == AL_ENOTFOUND || (rc == AL_OK && !region_in_scope(r->who->region_code, region)))
        return al_req_fail(r, AL_ENOTFOUND, "elder_id", "老年人档案不存在");
    if (rc != AL_OK)
        return rc;
    if (strcmp(status, "active") != 0)
        return al_req_fail(r, AL_ECONFLICT, "elder_id", "老人档案已注销或迁出，不能申请家庭养老床位");
    int64_t id = 0;
    if ((rc = al_db_begin(r->db)) != AL_OK)
        return rc;
    rc = bed_store_create(r->db, region, elder_id, applicant, applicant_name, r->today, r->now,
        &id);
    if (rc == AL_OK) {
        struct audit_entry e = {.action = "bed.create", .target_type = "bed",
            .target_id = al_arena_printf(r->arena, "%lld", (long long)id), .region_code = region,
            .outcome = "success",
            .detail = json_pack("{s:I, s:s}", "elder_id", (json_int_t)elder_id, "applicant",
                applicant)};
        rc = audit_append(r, &e);
    }
    if ((rc = al_db_end(r->db, rc)) != AL_OK)
        return rc;
    json_t *out;
    int state;
    if ((rc = bed_store_get(r->db, r->arena, id, &out, &region, &state, &elder_id)) != AL_OK)
        return rc;
    return al_reply(r, 201, out);
}

static int
bed_list(struct al_req *r)
{
    struct bed_filter f = {.scope = r->who->region_code, .today = r->today};
    int rc = al_query_limit(&r->query, &f.limit, &f.offset, &r->err);
    if (rc != AL_OK)
        return rc;
    f.status = al_query_opt(&r->query, "status");
    if (f.status && !bed_state_parse(f.status))
        return al_req_fail(r, AL_EINVAL, "status", "床位状态不存在");
    const char *ov = al_query_opt(&r->query, "overdue");
    f.overdue = ov && strcmp(ov, "1") == 0;
    if ((rc = al_query_int(&r->query, "elder_id", "老人", 1, INT64_MAX, 0, &f.elder_id,
             &r->err)) != AL_OK)
        return rc;
    json_t *items = json_array();
    int64_t total = 0;
    if ((rc = bed_store_list(r->db, r->arena, &f, items, &total)) != AL_OK)
        return rc;
    return al_reply_items(r, items, total);
}

/* The bed of the path when in the caller's region (RULE-SCOPE-001: else 404 like a missing one). */
static int
visible(struct al_req *r, int64_t *id, json_t **out, const char **region, int *state,
    int64_t *elder_id)
{
    int rc = al_req_param_id(r, "id", id);
    if (rc == AL_OK)
        rc = bed_store_get(r->db, r->arena, *id, out, region, state, elder_id);
    if (rc == AL_ENOTFOUND || (rc == AL_OK && !region_in_scope(r->who->region_code, *region)))
        return al_req_fail(r, AL_ENOTFOUND, NULL, "家庭养老床位不存在");
    return rc;
}

static int
bed_get(struct al_req *r)
{
    int64_t id, elder_id;
    json_t *out;
    const char *region;
    int state;
    int rc = visible(r, &id, &out, &region, &state, &elder_id);
    if (rc != AL_OK)
        return rc;
    json_t *devices = json_array(), *rects = json_array(), *moves = json_array();
    if ((rc = bed_store_devices(r->db, r->arena, id, devices)) != AL_OK ||
        (rc = bed_store_rects(r->db, r->arena, id, rects)) != AL_OK) {
        json_decref(devices);
        json_decref(rects);
        json_decref(moves);
        return rc;
    }
    for (int m = 1; m < BED_NMOVES; m++) /* RULE-BED-002: what the page may offer */
        if (bed_next(state, m))
            json_array_append_new(moves, json_string(bed_move_id(m)));
    json_t *photos = NULL; /* RULE-BED-050 */
    if ((rc = attach_list_json(r->db, r->arena, "bed", id, &photos)) != AL_OK) {
        json_decref(devices);
        json_decref(rects);
        json_decref(moves);
        return rc;
    }
    json_object_set_new(out, "devices", devices);
    json_object_set_new(out, "rectifications", rects);
    json_object_set_new(out, "moves", moves);
    json_object_set_new(out, "attachments", photos);
    /* RULE-BED-083: the home check's assessment as it stands now, through assess.h. */
    json_int_t req = json_integer_value(json_object_get(out, "assess_request_id"));
    const char *st = NULL;
    if (req > 0 && assess_request_status(r->db, r->arena, req, &st) == AL_OK)
        json_object_set_new(out, "assess_request_status", json_string(st));
    return al_reply(r, 200, out);
}

/*
 * RULE-BED-050: the bed as the owner of photos: found and in the caller's region like the bed
 * itself; a closed bed takes no new ones (409).
 */
static int
bed_locate(struct al_req *r, int64_t owner_id, bool write, const char **region)
{
    json_t *out;
    int state;
    int64_t elder_id;
    int rc = bed_store_get(r->db, r->arena, owner_id, &out, region, &state, &elder_id);
    if (rc != AL_OK)
        return rc;
    json_decref(out);
    if (write && state == BED_CLOSED)
        return al_req_fail(r, AL_ECONFLICT, "owner_id", "床位已结束，不能再上传照片或文档");
    return AL_OK;
}

static const char *const bed_photo_tags[] = {"adaptation", "installation", NULL};

const struct attach_owner bed_attach_owner = {.kind = "bed", .name = "家庭养老床位",
    .read_perm = "bed.read", .write_perm = "bed.write", .tags = bed_photo_tags,
    .tags_zh = " adaptation（适老化改造）或 installation（设备安装）", .locate = bed_locate};

/*
 * RULE-BED-022: a bed entering service (or back from review) without every required device
 * gets a rectification task due in bed.rectify_days.  *rect_id > 0 when one was opened.
 */
static int
check_devices(struct al_req *r, int64_t id, const char *region, int64_t *rect_id,
    const char **missing)
{
    struct bed_settings s;
    unsigned have;
    int rc;
    *rect_id = 0;
    *missing = NULL;
    if ((rc = bed_store_settings(r->db, &s)) != AL_OK || (rc = bed_store_have(r->db, id, &have)))
        return rc;
    unsigned miss = bed_needs_missing(s.required, have);
    if (!miss)
        return AL_OK;
    char ids[64], zh[128], due[11];
    bed_needs_format(miss, ids, sizeof(ids), zh, sizeof(zh));
    if (!bed_date_add(r->today, (long)s.rectify_days, due))
        return AL_EINTERNAL;
    *missing = al_arena_strdup(r->arena, ids);
    return bed_store_rect_open(r->db, id, region, ids, due, r->now, rect_id);
}

/* RULE-BED-010: the five rooms, each with its hazards and what to adapt, as stored JSON text. */
static int
read_home_check(struct al_req *r, json_t *body, const char **out)
{
    int rc = AL_OK;
    json_t *rooms = json_object_get(body, "rooms"), *clean = json_object();
    if (!json_is_object(rooms)) {
        json_decref(clean);
        return al_req_fail(r, AL_EINVAL, "rooms",
            "居家环境评估应包含卧室、卫生间、浴室、厨房、客厅");
    }
    for (int i = 0; i < BED_NROOMS; i++) {
        json_t *room = json_object_get(rooms, bed_rooms[i]);
        const char *key = al_arena_printf(r->arena, "rooms.%s", bed_rooms[i]);
        if (!json_is_object(room)) {
            rc = al_req_fail(r, AL_EINVAL, key, "缺少%s的评估（隐患与改造建议）",
                bed_room_names[i]);
        } else if ((rc = str_array(r, json_object_get(room, "hazards"), key, bed_room_names[i],
                        20, 100)) == AL_OK &&
                   (rc = str_array(r, json_object_get(room, "adapt"), key, bed_room_names[i],
                        20, 100)) == AL_OK) {
            json_t *h = json_object_get(room, "hazards"), *a = json_object_get(room, "adapt");
            json_object_set_new(clean, bed_rooms[i],
                json_pack("{s:o, s:o}", "hazards", h ? json_incref(h) : json_array(),
                    "adapt", a ? json_incref(a) : json_array()));
        }
        if (rc != AL_OK) {
            json_decref(clean);
            return rc;
        }
    }
    *out = dump(r, clean);
    json_decref(clean);
    return AL_OK;
}

/* RULE-BED-011: goals, services with their frequency and devices, as stored JSON text. */
static int
read_care_plan(struct al_req *r, json_t *body, const char **out)
{
    int rc = AL_OK;
    json_t *goals = json_object_get(body, "goals"), *svc = json_object_get(body, "services"),
           *devs = json_object_get(body, "devices");
    if ((rc = str_array(r, goals, "goals", "照护目标", 20, 200)) != AL_OK ||
        (rc = str_array(r, devs, "devices", "配置设备", 20, 40)) != AL_OK)
        return rc;
    if (json_array_size(goals) == 0)
        return al_req_fail(r, AL_EINVAL, "goals", "照护计划至少需要一项照护目标");
    if (!json_is_array(svc) || json_array_size(svc) == 0 || json_array_size(svc) > 30)
        return al_req_fail(r, AL_EINVAL, "services", "照护计划应列出 1–30 项服务及其频次");
    size_t i;
    json_t *x;
    json_array_foreach(svc, i, x) {
        const char *name = NULL, *freq = NULL;
        if ((rc = al_json_get_str(x, "name", "服务项目", AL_REQUIRED | AL_PLAIN, 1, 60, &name,
                 &r->err)) != AL_OK ||
            (rc = al_json_get_str(x, "frequency", "服务频次", AL_REQUIRED | AL_PLAIN, 1, 40,
                 &freq, &r->err)) != AL_OK) {
            r->err.field = "services";
            return rc;
        }
    }
    json_t *plan = json_pack("{s:O, s:O, s:o}", "goals", goals, "services", svc, "devices",
        devs ? json_incref(devs) : json_array());
    *out = dump(r, plan);
    json_decref(plan);
    return AL_OK;
}

/*
 * RULE-BED-040..043: the eligibility step asks the entitlement rules whether the elder is
 * entitled to the family care bed item of the basic service list (entitle.h) and keeps the
 * answer with its explanation.  `eligible: false` is the officer finding the elder not
 * eligible (closes the application, RULE-BED-004).  Otherwise a "no" (or a rule that cannot
 * say) is 409 with the explanation, unless an officer holding bed.manage overrides it with a
 * reason, which the audit entry keeps.
 */
static int
eligibility(struct al_req *r, json_t *body, int64_t elder_id, const char *region,
    struct bed_update *u, json_t *detail)
{
    bool present = false, flag = true;
    const char *override = NULL;
    int rc;
    if ((rc = al_json_get_bool(body, "eligible", "是否符合条件", 0, &flag, &present, &r->err)) !=
            AL_OK ||
        (rc = al_json_get_str(body, "note", "审核意见", 0, 0, 500, &u->eligibility_note,
             &r->err)) != AL_OK ||
        (rc = al_json_get_str(body, "override_reason", "特批理由", 0, 0, 500, &override,
             &r->err)) != AL_OK)
        return rc;
    if (!present)
        flag = true;
    struct entitle_verdict v;
    rc = entitle_elder_item(r->db, r->arena, elder_id, region, BED_ENTITLE_ITEM, r->today, &v);
    if (rc == AL_EUNPROC)
        return al_req_fail(r, AL_EUNPROC, "elder_id", "老人的区划代码不完整，无法确定适用的清单");
    if (rc != AL_OK)
        return rc;
    json_t *answer = json_pack("{s:o, s:s, s:s, s:s?, s:s?, s:s?, s:s}", "eligible",
        v.eligible < 0 ? json_null() : json_boolean(v.eligible), "explanation", v.explanation,
        "item_key", BED_ENTITLE_ITEM, "item_name", v.item_name, "rule_text", v.rule_text,
        "list_region", v.list_region, "date", r->today);
    u->eligibility_rule = dump(r, answer);
    json_object_set_new(detail, "rule", answer);
    json_object_set_new(detail, "eligible", json_boolean(flag));
    u->eligible = flag;
    if (!flag || v.eligible == 1) /* RULE-BED-004, RULE-BED-040 */
        return AL_OK;
    if (!override || !*override) /* RULE-BED-041 */
        return al_req_fail(r, AL_ECONFLICT, "eligible", "%s。如确需建设家庭养老床位，请由县级民政"
            "管理员填写特批理由", v.explanation);
    if (!auth_role_has(r->db, r->who->role, "bed.manage")) /* RULE-BED-042 */
        return al_req_fail(r, AL_EPERM, "override_reason", "特批须由县级民政管理员办理");
    u->eligibility_override = override;
    json_object_set_new(detail, "override_reason", json_string(override));
    return AL_OK;
}

/* RULE-BED-012: the agreement with a provider, its dates in order. */
static int
read_agreement(struct al_req *r, json_t *body, struct bed_update *u, json_t *detail)
{
    int rc;
    if ((rc = al_json_get_str(body, "provider", "服务机构", AL_REQUIRED | AL_PLAIN, 1, 80,
             &u->provider, &r->err)) != AL_OK ||
        (rc = get_date(r, body, "start_on", "协议开始日期", AL_REQUIRED, &u->agreement_start)) !=
            AL_OK ||
        (rc = get_date(r, body, "end_on", "协议结束日期", AL_REQUIRED, &u->agreement_end)) !=
            AL_OK)
        return rc;
    if (strcmp(u->agreement_end, u->agreement_start) <= 0)
        return al_req_fail(r, AL_EINVAL, "end_on", "协议结束日期应晚于开始日期");
    json_object_set_new(detail, "provider", json_string(u->provider));
    return AL_OK;
}

/* RULE-BED-013: the installation record. */
static int
read_install(struct al_req *r, json_t *body, struct bed_update *u)
{
    bool present, flag = false;
    int rc;
    if ((rc = get_date(r, body, "installed_on", "安装日期", AL_REQUIRED, &u->installed_on)) !=
            AL_OK ||
        (rc = al_json_get_bool(body, "network", "网络是否接通", AL_REQUIRED, &flag, &present,
             &r->err)) != AL_OK ||
        (rc = al_json_get_str(body, "note", "改造与安装记录", 0, 0, 1000, &u->install_note,
             &r->err)) != AL_OK)
        return rc;
    u->network = flag;
    return AL_OK;
}

/* RULE-BED-031: the closure with one of the reasons. */
static int
read_close(struct al_req *r, json_t *body, struct bed_update *u, json_t *detail)
{
    int rc;
    if ((rc = al_json_get_str(body, "reason", "结束原因", AL_REQUIRED, 1, 32, &u->close_reason,
             &r->err)) != AL_OK ||
        (rc = al_json_get_str(body, "note", "结束说明", 0, 0, 500, &u->close_note, &r->err)) !=
            AL_OK)
        return rc;
    if (!bed_close_reason_ok(u->close_reason))
        return al_req_fail(r, AL_EINVAL, "reason",
            "结束原因应为 ineligible、withdrawn、deceased、moved、to_institution、"
            "to_home_services、agreement_ended 或 other");
    u->closed_on = r->today;
    json_object_set_new(detail, "reason", json_string(u->close_reason));
    return AL_OK;
}

/* A bed and the move asked of it: what move() reads before it writes. */
struct move_ctx {
    int what;              /* enum bed_move */
    int64_t id, elder_id;  /* the bed, its elder */
    const char *region;    /* the bed's */
    int state, to;         /* from, to (enum bed_state) */
    struct bed_update u;   /* the fields the move sets */
    int64_t device_id;     /* BED_MOVE_DEVICE: the device to link */
};

/* The body of move `m->what` into m->u (and m->to for an ineligible one), the audit's `detail`. */
static int
read_move(struct al_req *r, json_t *body, struct move_ctx *m, json_t *detail)
{
    struct bed_update *u = &m->u;
    bool present;
    int rc = AL_OK;
    switch (m->what) {
    case BED_MOVE_ELIGIBILITY:
        if ((rc = eligibility(r, body, m->elder_id, m->region, u, detail)) == AL_OK &&
            u->eligible == 0) { /* RULE-BED-004: not eligible closes the application */
            m->to = bed_next(m->state, BED_MOVE_CLOSE);
            u->close_reason = "ineligible";
            u->close_note = u->eligibility_note;
            u->closed_on = r->today;
        }
        break;
    case BED_MOVE_HOME_CHECK:
        rc = read_home_check(r, body, &u->home_check);
        break;
    case BED_MOVE_CARE_PLAN:
        rc = read_care_plan(r, body, &u->care_plan);
        break;
    case BED_MOVE_AGREEMENT:
        rc = read_agreement(r, body, u, detail);
        break;
    case BED_MOVE_INSTALL:
        rc = read_install(r, body, u);
        break;
    case BED_MOVE_START:
        u->started_on = r->today;
        break;
    case BED_MOVE_REVIEW: /* RULE-BED-014 */
        if ((rc = al_json_get_str(body, "note", "回访记录", AL_REQUIRED, 1, 1000, &u->review_note,
                 &r->err)) == AL_OK)
            u->reviewed_on = r->today;
        break;
    case BED_MOVE_RESUME:
        break;
    case BED_MOVE_CLOSE:
        rc = read_close(r, body, u, detail);
        break;
    case BED_MOVE_DEVICE: /* RULE-BED-021 */
        if ((rc = al_json_get_int(body, "device_id", "设备", AL_REQUIRED, 1, INT64_MAX,
                 &m->device_id, &present, &r->err)) == AL_OK)
            json_object_set_new(detail, "device_id", json_integer(m->device_id));
        break;
    }
    return rc;
}

/*
 * The move's writes in one transaction: the link or the new state, the rectification task a bed
 * going into service without its required devices gets (RULE-BED-022), the audit entry with
 * *detail (taken: set to NULL once given to the entry).
 */
/*
 * RULE-BED-083: the home check goes with the capability and needs assessment: the elder's valid
 * published one is recorded on the bed; without one, an immediate-assessment request (source
 * "bed") is opened and recorded.  In the move's transaction; named in its audit detail.
 */
static int
home_assessment(struct al_req *r, const struct move_ctx *m, json_t *detail)
{
    struct assess_latest a;
    int64_t req = 0;
    int rc = assess_latest_valid(r->db, r->arena, m->elder_id, r->today, &a);
    if (rc == AL_OK) {
        json_object_set_new(detail, "assessment", json_pack("{s:I, s:i}", "id",
                                                      (json_int_t)a.id, "level", a.level));
        return bed_store_home_assessment(r->db, m->id, a.id, 0);
    }
    if (rc != AL_ENOTFOUND)
        return rc;
    if ((rc = assess_request_open(r->db, m->elder_id, m->region, "bed", "家庭养老床位居家环境评估",
             r->who->user_id, r->now, &req)) != AL_OK)
        return rc;
    json_object_set_new(detail, "assess_request", json_integer(req));
    return bed_store_home_assessment(r->db, m->id, 0, req);
}

static int
write_move(struct al_req *r, const struct move_ctx *m, json_t **detail)
{
    int rc = al_db_begin(r->db);
    if (rc != AL_OK)
        return rc;
    if (m->what == BED_MOVE_DEVICE) {
        rc = bed_store_link_device(r->db, m->id, m->elder_id, m->device_id, r->now);
        if (rc == AL_ENOTFOUND)
            al_req_fail(r, AL_ENOTFOUND, "device_id", "设备不存在、已停用或不属于该老人");
    } else {
        rc = bed_store_move(r->db, m->id, m->state, m->to, &m->u, r->now);
        if (rc == AL_ECONFLICT)
            al_req_fail(r, AL_ECONFLICT, "status", "床位状态已被他人更改，请刷新后重试");
        if (rc == AL_OK && m->what == BED_MOVE_HOME_CHECK)
            rc = home_assessment(r, m, *detail);
    }
    int64_t rect_id = 0;
    const char *missing = NULL;
    if (rc == AL_OK && m->to == BED_IN_SERVICE && m->what != BED_MOVE_DEVICE &&
        (rc = check_devices(r, m->id, m->region, &rect_id, &missing)) == AL_OK && rect_id)
        json_object_set_new(*detail, "rectification",
            json_pack("{s:I, s:s}", "id", (json_int_t)rect_id, "missing", missing));
    if (rc == AL_OK) {
        struct audit_entry e = {.action = al_arena_printf(r->arena, "bed.%s", bed_move_id(m->what)),
            .target_type = "bed", .target_id = al_arena_printf(r->arena, "%lld", (long long)m->id),
            .region_code = m->region, .outcome = "success", .detail = *detail};
        *detail = NULL;
        rc = audit_append(r, &e);
    }
    return al_db_end(r->db, rc);
}

/* RULE-BED-002, RULE-BED-003: one move of the lifecycle, checked against the table, audited. */
static int
move(struct al_req *r, int what)
{
    struct move_ctx m = {.what = what, .u = {.eligible = -1, .network = -1}};
    json_t *bed, *body = NULL, *detail = json_object();
    int rc = visible(r, &m.id, &bed, &m.region, &m.state, &m.elder_id);
    if (rc == AL_OK)
        rc = al_req_json(r, &body);
    if (rc != AL_OK)
        goto out;
    if (!(m.to = bed_next(m.state, what))) {
        rc = al_req_fail(r, AL_ECONFLICT, "status", "床位当前为“%s”，不能%s",
            bed_state_name(m.state), what == BED_MOVE_CLOSE ? "再次结束" : "办理这一步");
        goto out;
    }
    if ((rc = read_move(r, body, &m, detail)) != AL_OK)
        goto out;
    json_object_set_new(detail, "from", json_string(bed_state_id(m.state)));
    json_object_set_new(detail, "to", json_string(bed_state_id(m.to)));
    if ((rc = write_move(r, &m, &detail)) == AL_OK)
        rc = bed_get(r);
out:
    json_decref(detail);
    return rc;
}

static int m_eligibility(struct al_req *r) { return move(r, BED_MOVE_ELIGIBILITY); }
static int m_home_check(struct al_req *r) { return move(r, BED_MOVE_HOME_CHECK); }
static int m_care_plan(struct al_req *r) { return move(r, BED_MOVE_CARE_PLAN); }
static int m_agreement(struct al_req *r) { return move(r, BED_MOVE_AGREEMENT); }
static int m_install(struct al_req *r) { return move(r, BED_MOVE_INSTALL); }
static int m_start(struct al_req *r) { return move(r, BED_MOVE_START); }
static int m_review(struct al_req *r) { return move(r, BED_MOVE_REVIEW); }
static int m_resume(struct al_req *r) { return move(r, BED_MOVE_RESUME); }
static int m_close(struct al_req *r) { return move(r, BED_MOVE_CLOSE); }
static int m_device(struct al_req *r) { return move(r, BED_MOVE_DEVICE); }

/*
 * RULE-BED-024: the officer settles the open rectification task: `fixed` when every required
 * device is now present (else 409 naming what is missing); `to_home_services` on or after the
 * deadline closes the bed, the elder continuing with ordinary home services.
 */
static int
rectify(struct al_req *r)
{
    int64_t id, elder_id, rect_id;
    json_t *bed, *body;
    const char *region, *outcome = NULL, *note = NULL;
    int state;
    char due[11];
    int rc = visible(r, &id, &bed, &region, &state, &elder_id);
    if (rc != AL_OK || (rc = al_req_json(r, &body)) != AL_OK ||
        (rc = al_json_get_str(body, "outcome", "整改结果", AL_REQUIRED, 1, 32, &outcome,
             &r->err)) != AL_OK ||
        (rc = al_json_get_str(body, "note", "说明", 0, 0, 500, &note, &r->err)) != AL_OK)
        return rc;
    bool fixed = strcmp(outcome, "fixed") == 0;
    if (!fixed && strcmp(outcome, "to_home_services") != 0)
        return al_req_fail(r, AL_EINVAL, "outcome",
            "整改结果应为 fixed（已整改）或 to_home_services（转为普通居家服务）");
    if (state == BED_CLOSED) /* RULE-BED-024: a closed bed's task is not settled any more */
        return al_req_fail(r, AL_ECONFLICT, "status", "床位当前为“%s”，不能处理整改任务",
            bed_state_name(state));
    if ((rc = al_db_begin(r->db)) != AL_OK)
        return rc;
    rc = bed_store_rect_get_open(r->db, id, &rect_id, due);
    if (rc == AL_ENOTFOUND)
        rc = al_req_fail(r, AL_ECONFLICT, NULL, "该床位没有待处理的整改任务");
    struct bed_settings s;
    unsigned have;
    if (rc == AL_OK && fixed && (rc = bed_store_settings(r->db, &s)) == AL_OK &&
        (rc = bed_store_have(r->db, id, &have)) == AL_OK) {
        unsigned miss = bed_needs_missing(s.required, have);
        if (miss) {
            char ids[64], zh[128];
            bed_needs_format(miss, ids, sizeof(ids), zh, sizeof(zh));
            rc = al_req_fail(r, AL_ECONFLICT, "outcome", "仍缺少必备设备：%s", zh);
        }
    }
    if (rc == AL_OK && !fixed && strcmp(r->today, due) < 0)
        rc = al_req_fail(r, AL_ECONFLICT, "outcome", "整改期限（%s）未到，不能转为普通居家服务",
            due);
    const char *who = r->who->display_name ? r->who->display_name : r->who->username;
    if (rc == AL_OK)
        rc = bed_store_rect_resolve(r->db, rect_id, outcome, who, note, r->now);
    if (rc == AL_OK && !fixed) {
        int to = bed_next(state, BED_MOVE_CLOSE);
        if (!to) {
            rc = al_req_fail(r, AL_ECONFLICT, "status", "床位当前为“%s”，不能结束",
                bed_state_name(state));
        } else {
            struct bed_update u = {.eligible = -1, .network = -1,
                .close_reason = "to_home_services", .close_note = note, .closed_on = r->today};
            rc = bed_store_move(r->db, id, state, to, &u, r->now);
            if (rc == AL_ECONFLICT)
                al_req_fail(r, AL_ECONFLICT, "status", "床位状态已被他人更改，请刷新后重试");
        }
    }
    if (rc == AL_OK) {
        struct audit_entry e = {.action = "bed.rectify", .target_type = "bed",
            .target_id = al_arena_printf(r->arena, "%lld", (long long)id), .region_code = region,
            .outcome = "success",
            .detail = json_pack("{s:I, s:s, s:s}", "rectification_id", (json_int_t)rect_id,
                "outcome", outcome, "due_on", due)};
        rc = audit_append(r, &e);
    }
    if ((rc = al_db_end(r->db, rc)) != AL_OK)
        return rc;
    return bed_get(r);
}

/* ---- monthly compliance (RULE-BED-060..062) ---- */

/* A bed of the month whose plan's services are counted after the scan (RULE-BED-082). */
struct month_bed {
    int64_t elder_id;
    const char *care_plan;
    size_t town; /* index in townships */
};

struct month_ctx {
    struct al_req *r;
    unsigned required;
    json_t *townships; /* [{region_code, ...}] in code order */
    char cur[13];
    struct bed_tally t, total;
    struct al_vec beds; /* struct month_bed */
};

static json_t *
tally_json(const struct bed_tally *t)
{
    return json_pack("{s:I, s:I, s:I, s:I, s:I}", "in_service", (json_int_t)t->in_service,
        "complete", (json_int_t)t->complete, "rectifying", (json_int_t)t->rectifying, "overdue",
        (json_int_t)t->overdue, "to_home_services", (json_int_t)t->to_home_services);
}

/* RULE-BED-082: the services part of a tally, into `o`. */
static void
services_into(json_t *o, const struct bed_tally *t)
{
    json_object_set_new(o, "services_planned", json_integer(t->planned));
    json_object_set_new(o, "services_delivered", json_integer(t->delivered));
    json_object_set_new(o, "services_met", json_integer(t->services_met));
}

static void
month_flush(struct month_ctx *c)
{
    if (!c->cur[0])
        return;
    json_t *o = tally_json(&c->t);
    json_object_set_new(o, "region_code", json_string(c->cur));
    json_array_append_new(c->townships, o);
    c->t = (struct bed_tally){0};
}

/* RULE-BED-062: townships (the first 9 digits) in code order; the rows come sorted by code. */
static void
month_each(void *ctx, const struct bed_month_row *row)
{
    struct month_ctx *c = ctx;
    char town[13];
    snprintf(town, sizeof(town), "%.9s", row->region_code);
    if (strcmp(town, c->cur) != 0) {
        month_flush(c);
        memcpy(c->cur, town, sizeof(town));
    }
    bed_tally_add(&c->t, c->required, row);
    bed_tally_add(&c->total, c->required, row);
    struct month_bed *b = row->care_plan ? al_vec_push(&c->beds) : NULL;
    if (b)
        *b = (struct month_bed){row->elder_id, al_arena_strdup(c->r->arena, row->care_plan),
            json_array_size(c->townships)}; /* its township is flushed next */
}

/*
 * RULE-BED-082: one bed's plan against the home services delivered to its elder in the month
 * (through service.h): visits planned, delivered (at most the planned of each service), and
 * whether every planned service was delivered, into `t`.
 */
static int
plan_services(struct al_req *r, const struct month_bed *b, const struct bed_month *m, int days,
    struct bed_tally *t)
{
    json_t *done = NULL, *plan = json_loads(b->care_plan, 0, NULL), *svc, *d;
    int rc = service_done_by_item_json(r->db, r->arena, b->elder_id, m->start_ts, m->end_ts + 1,
        &done);
    size_t i, k;
    bool met = true, any = false;
    json_array_foreach(json_object_get(plan, "services"), i, svc) {
        const char *name = json_string_value(json_object_get(svc, "name"));
        int planned = bed_plan_per_month(json_string_value(json_object_get(svc, "frequency")),
            days);
        if (rc != AL_OK || planned <= 0)
            continue;
        int64_t got = 0;
        json_array_foreach(done, k, d)
            if (bed_plan_names(name, json_string_value(json_object_get(d, "item_name"))))
                got += json_integer_value(json_object_get(d, "visits"));
        any = true;
        met = met && got >= planned;
        t->planned += planned;
        t->delivered += got < planned ? got : planned;
    }
    t->services_met += any && met;
    json_decref(plan);
    json_decref(done);
    return rc;
}

static int
compliance_read(struct al_req *r, json_t **out)
{
    const char *month = al_query_opt(&r->query, "month");
    if (!month)
        month = al_arena_strndup(r->arena, r->today, 7);
    struct bed_month m;
    if (!bed_month_parse(month, &m))
        return al_req_fail(r, AL_EINVAL, "month", "月份格式应为 YYYY-MM");
    struct bed_settings s;
    int rc = bed_store_settings(r->db, &s);
    if (rc != AL_OK)
        return rc;
    const char *cut = strcmp(m.last, r->today) > 0 ? r->today : m.last;
    struct month_ctx c = {.r = r, .required = s.required, .townships = json_array()};
    al_vec_init(&c.beds, sizeof(struct month_bed));
    if ((rc = bed_store_month(r->db, r->arena, r->who->region_code, &m, cut, month_each, &c)) !=
        AL_OK) {
        json_decref(c.townships);
        al_vec_fini(&c.beds);
        return rc;
    }
    month_flush(&c);
    /* RULE-BED-082: each bed's plan against the services delivered, per township and in all. */
    size_t ntown = json_array_size(c.townships);
    struct bed_tally *towns = al_arena_calloc(r->arena, (ntown + 1) * sizeof(*towns));
    int days = atoi(m.last + 8);
    for (size_t k = 0; rc == AL_OK && k < c.beds.n; k++) {
        const struct month_bed *b = &AL_VEC_AT(&c.beds, struct month_bed, k);
        struct bed_tally one = {0};
        rc = plan_services(r, b, &m, days, &one);
        struct bed_tally *t = &towns[b->town < ntown ? b->town : ntown];
        t->planned += one.planned;
        t->delivered += one.delivered;
        t->services_met += one.services_met;
        c.total.planned += one.planned;
        c.total.delivered += one.delivered;
        c.total.services_met += one.services_met;
    }
    al_vec_fini(&c.beds);
    if (rc != AL_OK) {
        json_decref(c.townships);
        return rc;
    }
    for (size_t k = 0; k < ntown; k++)
        services_into(json_array_get(c.townships, k), &towns[k]);
    size_t i; /* named once the rows are read: no statement runs inside another's steps */
    json_t *o;
    json_array_foreach(c.townships, i, o) {
        const char *code = json_string_value(json_object_get(o, "region_code"));
        const char *name = region_name(r->db, r->arena, code);
        json_object_set_new(o, "name", json_string(name ? name : code));
    }
    char ids[64], zh[128];
    bed_needs_format(s.required, ids, sizeof(ids), zh, sizeof(zh));
    json_t *totals = tally_json(&c.total);
    services_into(totals, &c.total);
    *out = json_pack("{s:s, s:s, s:s, s:o, s:o}", "month", month, "required_devices", ids,
        "required_devices_name", zh, "townships", c.townships, "totals", totals);
    return AL_OK;
}

static int
compliance_get(struct al_req *r)
{
    json_t *out;
    int rc = compliance_read(r, &out);
    return rc != AL_OK ? rc : al_reply(r, 200, out);
}

static const char *
pct(struct al_req *r, int64_t part, int64_t whole)
{
    return whole ? al_arena_printf(r->arena, "%.1f%%", 100.0 * (double)part / (double)whole) : "—";
}

static int
compliance_export(struct al_req *r)
{
    const char *format;
    json_t *m = NULL;
    int rc = al_export_format(r, &format);
    if (rc == AL_OK)
        rc = compliance_read(r, &m);
    if (rc != AL_OK)
        return rc;
    const char *month = json_string_value(json_object_get(m, "month"));
    struct audit_entry e = {.action = "bed.compliance_export", .region_code = r->who->region_code,
        .outcome = "success", .detail = json_pack("{s:s, s:s}", "month", month, "format", format)};
    static const char *const headers[] = {"区划代码", "乡镇（街道）", "在服务床位",
        "必备设备齐全", "齐全率", "整改中", "逾期未整改", "转为普通居家服务", "计划上门服务（次）",
        "已提供（次）", "服务完成率", "计划服务全部完成的床位"};
    struct al_export *x = NULL;
    if ((rc = audit_append(r, &e)) != AL_OK ||
        (rc = al_export_open(r, format, al_arena_printf(r->arena, "%s 家庭养老床位月度达标情况",
                                            month), 12, headers, &x)) != AL_OK) {
        json_decref(m);
        return rc;
    }
    json_t *rows = json_array(), *t;
    json_array_extend(rows, json_object_get(m, "townships"));
    t = json_deep_copy(json_object_get(m, "totals"));
    json_object_set_new(t, "region_code", json_string(""));
    json_object_set_new(t, "name", json_string("合计"));
    json_array_append_new(rows, t);
    size_t i;
    json_t *o;
    json_array_foreach(rows, i, o) {
#define N(k) (int64_t)json_integer_value(json_object_get(o, k))
        const char *cells[12] = {json_string_value(json_object_get(o, "region_code")),
            json_string_value(json_object_get(o, "name")),
            al_arena_printf(r->arena, "%lld", (long long)N("in_service")),
            al_arena_printf(r->arena, "%lld", (long long)N("complete")),
            pct(r, N("complete"), N("in_service")),
            al_arena_printf(r->arena, "%lld", (long long)N("rectifying")),
            al_arena_printf(r->arena, "%lld", (long long)N("overdue")),
            al_arena_printf(r->arena, "%lld", (long long)N("to_home_services")),
            al_arena_printf(r->arena, "%lld", (long long)N("services_planned")),
            al_arena_printf(r->arena, "%lld", (long long)N("services_delivered")),
            pct(r, N("services_delivered"), N("services_planned")),
            al_arena_printf(r->arena, "%lld", (long long)N("services_met"))};
#undef N
        al_export_row(x, cells);
    }
    json_decref(rows);
    json_decref(m);
    return al_export_reply(x, al_arena_printf(r->arena, "家庭养老床位月度达标-%s", month));
}

static const struct al_route bed_routes[] = {
    {AL_GET, "/api/v1/beds", bed_list, "bed.read", 0,
        "本辖区家庭养老床位（status、elder_id、overdue=1 到期未整改 筛选，分页）"},
    {AL_POST, "/api/v1/beds", bed_create, "bed.write", 0, "家庭养老床位申请"},
    {AL_GET, "/api/v1/bed-settings", settings_get, "bed.read", 0, "必备设备与整改期限"},
    {AL_PUT, "/api/v1/bed-settings", settings_put, "bed.manage", 0, "设置必备设备与整改期限"},
    {AL_GET, "/api/v1/bed-compliance", compliance_get, "bed.read", 0,
        "家庭养老床位月度达标情况（month；按乡镇：在服务、设备齐全、整改中、逾期、转普通居家服务）"},
    {AL_GET, "/api/v1/bed-compliance/export", compliance_export, "bed.read", 0,
        "导出月度达标情况（month、format=csv|xlsx）"},
    {AL_GET, "/api/v1/beds/:id", bed_get, "bed.read", 0, "床位详情（设备、整改任务、可办理的步骤）"},
    {AL_POST, "/api/v1/beds/:id/eligibility", m_eligibility, "bed.write", 0, "资格审核"},
    {AL_POST, "/api/v1/beds/:id/home-check", m_home_check, "bed.write", 0, "居家环境评估"},
    {AL_POST, "/api/v1/beds/:id/care-plan", m_care_plan, "bed.write", 0, "照护计划"},
    {AL_POST, "/api/v1/beds/:id/agreement", m_agreement, "bed.write", 0, "与服务机构签订协议"},
    {AL_POST, "/api/v1/beds/:id/installation", m_install, "bed.write", 0, "适老化改造与设备安装"},
    {AL_POST, "/api/v1/beds/:id/devices", m_device, "bed.write", 0, "关联该老人的设备"},
    {AL_POST, "/api/v1/beds/:id/start", m_start, "bed.write", 0, "开始服务（检查必备设备）"},
    {AL_POST, "/api/v1/beds/:id/review", m_review, "bed.write", 0, "定期回访"},
    {AL_POST, "/api/v1/beds/:id/resume", m_resume, "bed.write", 0, "回访后继续服务"},
    {AL_POST, "/api/v1/beds/:id/close", m_close, "bed.write", 0, "结束床位（须说明原因）"},
    {AL_POST, "/api/v1/beds/:id/rectification", rectify, "bed.write", 0,
        "整改确认或转为普通居家服务"},
    {0},
};

const struct al_module bed_module = {.name = "bed", .routes = bed_routes};
