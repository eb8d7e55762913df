/* Routes and thin handlers of the elder registry. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "audit/audit.h"
#include "auth/auth.h"
#include "core/crypto.h"
#include "core/export.h"
#include "core/fields.h"
#include "core/http.h"
#include "core/idcard.h"
#include "core/json.h"
#include "elder/elder.h"
#include "elder/elder_int.h"
#include "region/region.h"

static const char *
id_text(struct al_req *r, int64_t id)
{
    return al_arena_printf(r->arena, "%lld", (long long)id);
}

/* Parse and check an ID number; fills `id` or answers 400 naming `field`. */
static int
parse_id_number(struct al_req *r, const char *text, const char *field, struct al_id *id)
{
    enum al_id_status st = al_id_parse(text, strlen(text), r->today, id);
    if (st != AL_ID_OK)
        return al_req_fail(r, AL_EINVAL, field, "%s", al_id_status_message(st));
    return AL_OK;
}

/* Does the caller hold elder.read_pii (birth dates, RULE-PII-001)? */
static bool
reader_pii(struct al_req *r)
{
    return auth_role_has(r->db, r->who->role, "elder.read_pii");
}

/*
 * Age range → birth-date bounds for the query.  RULE-PII-001: without the birth
 * date the age is counted in years of birth (the age reached this year), so that
 * whether someone is in a range never changes on their birthday.
 */
static void
birth_bound(struct al_arena *a, const char *today, int64_t years, bool by_year, const char **out)
{
    int y, m, d;
    sscanf(today, "%d-%d-%d", &y, &m, &d);
    *out = by_year ? al_arena_printf(a, "%04d-12-31", y - (int)years)
                   : al_arena_printf(a, "%04d-%02d-%02d", y - (int)years, m, d);
}

/*
 * RULE-PII-003: a reader without elder.read_pii looks people up by a whole number
 * (`by`: id_number, or phone) at most `elder.lookup_per_hour` times an hour, and each
 * lookup, refused or not, is audited: trying the candidates a mask leaves is slow and
 * seen.  AL_OK when this one may run (its entry is written by lookup_done).
 */
static int
lookup_allowed(struct al_req *r, const char *by)
{
    struct elder_settings s;
    int64_t n = 0;
    int rc = elder_settings_load(r->db, &s);
    if (rc == AL_OK)
        rc = audit_count_recent(r->db, r->who->user_id, "elder.lookup", r->now - 3600,
            &n);
    if (rc != AL_OK || n < s.lookup_per_hour)
        return rc;
    struct audit_entry a = {.action = "elder.lookup", .region_code = r->who->region_code,
        .outcome = "denied", .detail = json_pack("{s:s}", "by", by)};
    if ((rc = audit_append(r, &a)) != AL_OK)
        return rc;
    return al_req_fail(r, AL_ETHROTTLE, by, "按完整身份证号或电话查找过于频繁（每小时最多 %d 次），请稍后再试",
        s.lookup_per_hour);
}

static int
lookup_done(struct al_req *r, const char *by, int64_t found)
{
    struct audit_entry a = {.action = "elder.lookup", .region_code = r->who->region_code,
        .outcome = "success", .detail = json_pack("{s:s, s:I}", "by", by, "found", (json_int_t)found)};
    return audit_append(r, &a);
}

/* The registry of the caller's region at a glance (the home page). */
static int
elder_overview(struct al_req *r)
{
    struct elder_settings s;
    int rc = elder_settings_load(r->db, &s);
    json_t *out = json_object();
    const char *special[ELDER_CAT_MAX];
    int n = rc == AL_OK ? elder_special_ids(s.special_difficulty, special) : 0;
    if (rc == AL_OK)
        rc = elder_store_overview(r->db, r->arena, r->who->region_code, special, n, out);
    if (rc != AL_OK) {
        json_decref(out);
        return rc;
    }
    return al_reply(r, 200, out);
}

/*
 * The list's filters from r's query into *q (RULE-PII-001/003): AL_OK, or a 4xx
 * naming the field.  *none: nobody can match (no special-difficulty category);
 * *lookup: the whole-number lookup this is ("id_number", "q") for a reader
 * without elder.read_pii, to be throttled and audited, else NULL.  q's texts
 * and the hash live in r's arena.
 */
static int
read_query(struct al_req *r, struct elder_query *q, bool *none, const char **lookup)
{
    *q = (struct elder_query){.scope = r->who->region_code, .today = r->today};
    *none = false;
    *lookup = NULL;
    int64_t age_min, age_max;
    int rc = al_query_int(&r->query, "age_min", "最小年龄", 0, 150, -1, &age_min, &r->err);
    if (rc == AL_OK)
        rc = al_query_int(&r->query, "age_max", "最大年龄", 0, 150, -1, &age_max, &r->err);
    int64_t special = 0;
    if (rc == AL_OK)
        rc = al_query_int(&r->query, "special", "特殊困难老年人", 0, 1, 0, &special, &r->err);
    struct elder_settings s;
    if (rc == AL_OK && special && (rc = elder_settings_load(r->db, &s)) == AL_OK) {
        q->nspecial = elder_special_ids(s.special_difficulty, q->special);
        *none = q->nspecial == 0; /* nobody is special under this setting */
    }
    if (rc != AL_OK || *none)
        return rc;
    q->q = al_query_opt(&r->query, "q");
    q->region = al_query_opt(&r->query, "region");
    q->category = al_query_opt(&r->query, "category");
    q->status = al_query_opt(&r->query, "status");
    const char *idn = al_query_opt(&r->query, "id_number");
    if (q->q && al_utf8_len(q->q, strlen(q->q)) > 50)
        return al_req_fail(r, AL_EINVAL, "q", "搜索内容不能超过 50 个字符");
    if (q->region && !region_level(q->region))
        return al_req_fail(r, AL_EINVAL, "region", "区划代码应为 2、4、6、9 或 12 位数字");
    if (q->category && !elder_category_name(q->category))
        return al_req_fail(r, AL_EINVAL, "category", "类别 %s 不存在", q->category);
    if (q->status && !elder_enum_ok(elder_status_values, q->status))
        return al_req_fail(r, AL_EINVAL, "status", "状态应为 active、moved_out、deceased 或 cancelled");
    if (age_min >= 0 && age_max >= 0 && age_min > age_max)
        return al_req_fail(r, AL_EINVAL, "age_min", "最小年龄不能大于最大年龄");
    q->pii = reader_pii(r);
    if (age_min >= 0)
        birth_bound(r->arena, r->today, age_min, !q->pii, &q->born_before); /* born on or before */
    if (age_max >= 0)
        birth_bound(r->arena, r->today, age_max + 1, !q->pii, &q->born_after); /* born after */
    if (idn) {
        struct al_id id;
        if ((rc = parse_id_number(r, idn, "id_number", &id)) != AL_OK)
            return rc;
        char *hash = al_arena_alloc(r->arena, 65);
        al_crypto_keyed_hash_hex("idnumber", id.number, 18, hash);
        q->id_hash = hash;
    }
    *lookup = q->pii ? NULL : idn ? "id_number"
              : q->q && elder_phone_digits(q->q) >= 7 ? "q" : NULL;
    if (*lookup)
        rc = lookup_allowed(r, *lookup);
    return rc;
}

static int
elder_list(struct al_req *r)
{
    struct elder_query q;
    bool none;
    const char *lookup;
    int64_t limit, offset;
    int rc = al_query_limit(&r->query, &limit, &offset, &r->err);
    if (rc == AL_OK)
        rc = read_query(r, &q, &none, &lookup);
    if (rc != AL_OK)
        return rc;
    if (none)
        return al_reply_items(r, json_array(), 0);
    q.limit = limit;
    q.offset = offset;
    json_t *items = json_array();
    int64_t total = 0;
    if ((rc = elder_store_list(r->db, r->arena, &q, items, &total)) != AL_OK)
        return rc;
    if (lookup && (rc = lookup_done(r, lookup, total)) != AL_OK)
        return rc;
    return al_reply_items(r, items, total);
}

/* ---- the list exported (RULE-UI-008) ---- */

static const char *
xcell_status(struct al_export_cell *c)
{
    return elder_status_name(al_stmt_text(c->st, c->col));
}

/* The categories' Chinese names, 高龄、独居 (the stored ids, comma-separated, as a fallback). */
static const char *
xcell_categories(struct al_export_cell *c)
{
    const char *v = al_stmt_text(c->st, c->col);
    if (!v)
        return NULL;
    size_t n = 0;
    c->buf[0] = '\0';
    while (*v) {
        size_t len = strcspn(v, ",");
        char id[64];
        snprintf(id, sizeof(id), "%.*s", (int)len, v);
        const char *name = elder_category_name(id);
        n += (size_t)snprintf(c->buf + n, n < c->size ? c->size - n : 0, "%s%s",
            n ? "、" : "", name ? name : id);
        if (n >= c->size)
            break;
        v += len + (v[len] == ',');
    }
    return c->buf;
}

/* RULE-UI-008: the columns of the export, with and without elder.read_pii (RULE-PII-001). */
#define EXPORT_COLS(birth_header, birth_cell)                                                  \
    {AL_XCOLF("序号", 0, al_xcell_row_number), AL_XCOL("姓名", ELDER_EXPORT_NAME),              \
        AL_XCOLF("性别", ELDER_EXPORT_SEX, al_xcell_sex), birth_cell(birth_header, ELDER_EXPORT_BIRTH), \
        AL_XCOL("身份证号（脱敏）", ELDER_EXPORT_ID_MASKED),                                    \
        AL_XCOLF("联系电话（脱敏）", ELDER_EXPORT_PHONE, al_xcell_phone_masked),                \
        AL_XCOL("区划代码", ELDER_EXPORT_REGION), AL_XCOL("村（社区）", ELDER_EXPORT_REGION_NAME), \
        AL_XCOL("住址", ELDER_EXPORT_ADDRESS), AL_XCOLF("状态", ELDER_EXPORT_STATUS, xcell_status), \
        AL_XCOLF("类别", ELDER_EXPORT_CATS, xcell_categories), AL_XCOL_END}
#define BIRTH_DATE(h, c) AL_XCOL(h, c)
#define BIRTH_YEAR(h, c) AL_XCOLF(h, c, al_xcell_year) /* RULE-PII-001: the year only */
static const struct al_export_col export_cols_pii[] = EXPORT_COLS("出生日期", BIRTH_DATE);
static const struct al_export_col export_cols[] = EXPORT_COLS("出生年份", BIRTH_YEAR);

#define EXPORT_PAGE 1000

struct export_ctx {
    struct al_req *r;
    struct elder_query *q;
};

static struct al_stmt *
export_page(void *ctx, const char *const *after)
{
    struct export_ctx *x = ctx;
    return elder_store_export_page(x->r->db, x->r->arena, x->q, after, EXPORT_PAGE);
}

/*
 * RULE-UI-008: every row of the filtered list (not a page), scoped like the list
 * (RULE-SCOPE-001), masked for a reader without elder.read_pii (RULE-PII-001),
 * as CSV or XLSX, audited (elder.export, with the filter and the row count).
 */
static int
elder_export(struct al_req *r)
{
    struct elder_query q;
    bool none;
    const char *lookup, *format;
    int64_t total = 0;
    int rc = al_export_format(r, &format);
    if (rc == AL_OK)
        rc = read_query(r, &q, &none, &lookup);
    if (rc == AL_OK && !none) {
        json_t *items = json_array(); /* the count alone: a page of none */
        q.limit = 0;
        rc = elder_store_list(r->db, r->arena, &q, items, &total);
        json_decref(items);
    }
    if (rc == AL_OK && lookup)
        rc = lookup_done(r, lookup, total);
    if (rc != AL_OK)
        return rc;
    const char *ages = al_query_opt(&r->query, "age_min"), *agee = al_query_opt(&r->query, "age_max");
    struct audit_entry e = {.action = "elder.export", .target_type = "elder",
        .region_code = r->who->region_code, .outcome = "success",
        .detail = json_pack("{s:s, s:s?, s:s?, s:s?, s:s?, s:s?, s:s?, s:s?, s:b, s:I}",
            "format", format, "q", q.q, "region", q.region, "category", q.category,
            "status", q.status, "age_min", ages, "age_max", agee, "id_number",
            q.id_hash ? "（完整号码）" : NULL, "special", q.nspecial > 0 || none,
            "rows", (json_int_t)total)};
    if ((rc = audit_append(r, &e)) != AL_OK)
        return rc;
    /* the stream reads the rest of the pages after this function (RULE-DB-113): in the arena */
    struct export_ctx *x = al_arena_memdup(r->arena,
        &(struct export_ctx){.r = r, .q = al_arena_memdup(r->arena, &q, sizeof(q))}, sizeof(*x));
    struct al_export_list l = {.title = "老年人名单", .name = al_arena_printf(r->arena,
        "老年人名单-%s", r->today), .cols = q.pii ? export_cols_pii : export_cols,
        .page = none ? NULL : export_page, .ctx = x, .key_col = ELDER_EXPORT_KEY,
        .page_rows = EXPORT_PAGE};
    l.nkeys = elder_store_export_keys(&q);
    return al_export_list(r, format, &l, NULL);
}

/*
 * The fields of `body` into `set` (column → value) from the table of elder
 * facts (elder_fields, RULE-ELDER-001); `creating` requires the mandatory
 * ones.  Then the rules across fields: a whole ID number becomes the
 * normalised number with the sex and birth date it holds, which given values
 * must agree with; regions must exist (residence within the caller's scope).
 */
static int
read_fields(struct al_req *r, json_t *body, bool creating, json_t *set)
{
    int rc = al_fields_read(body, elder_fields, creating ? AL_FIELDS_CREATE : 0, set, &r->err);
    if (rc != AL_OK)
        return rc;
    const char *number = json_string_value(json_object_get(set, "id_number"));
    const char *sex = json_string_value(json_object_get(set, "sex"));
    const char *birth = json_string_value(json_object_get(set, "birth_date"));
    struct al_id id;
    if (number) {
        if ((rc = parse_id_number(r, number, "id_number", &id)) != AL_OK)
            return rc;
        json_object_set_new(set, "id_number", json_stringn(id.number, 18));
        json_object_set_new(set, "sex", json_stringn(&id.sex, 1));
        json_object_set_new(set, "birth_date", json_string(id.birth_date));
    }
    /* Sex and birth date may be given, but must agree with the ID number. */
    if (sex && !number)
        return al_req_fail(r, AL_EINVAL, "sex", "性别由身份证号决定，请修改身份证号");
    if (sex && sex[0] != id.sex)
        return al_req_fail(r, AL_EINVAL, "sex", "性别与身份证号不符（身份证号显示为%s）",
            id.sex == 'M' ? "男" : "女");
    if (birth && (!number || strcmp(birth, id.birth_date) != 0))
        return al_req_fail(r, AL_EINVAL, "birth_date", "出生日期与身份证号不符%s%s%s",
            number ? "（身份证号显示为 " : "", number ? id.birth_date : "", number ? "）" : "");
    static const char *const regions[] = {"region_code", "hukou_region_code"};
    for (int i = 0; i < 2; i++) {
        const char *code = json_string_value(json_object_get(set, regions[i]));
        if (code && !region_name(r->db, r->arena, code))
            return al_req_fail(r, AL_EINVAL, regions[i], "区划代码 %s 不存在", code);
        if (code && i == 0 && !region_in_scope(r->who->region_code, code))
            return al_req_fail(r, AL_EPERM, "region_code", "只能登记本辖区的老年人");
    }
    return AL_OK;
}

/* The keyed hash of the whole number in `set` (NULL when the write gives none). */
static const char *
number_hash(struct al_req *r, json_t *set)
{
    const char *number = json_string_value(json_object_get(set, "id_number"));
    if (!number)
        return NULL;
    char *hash = al_arena_alloc(r->arena, 65);
    al_crypto_keyed_hash_hex("idnumber", number, 18, hash);
    return hash;
}

/* What elder_write refused, as the answer names it (RULE-ELDER-001: one code per failure). */
static int
write_failed(struct al_req *r, int rc)
{
    if (rc == AL_ECONFLICT)
        return al_req_fail(r, AL_ECONFLICT, "version", "档案已被他人修改，请刷新后重试");
    if (rc == AL_EUNPROC)
        return al_req_fail(r, AL_EUNPROC, NULL, "档案内容不符合数据约束，未保存");
    return rc;
}

/*
 * RULE-PII-004: the ID number given is already the record `other`'s.  Within the
 * caller's scope the record is named (they can open it); outside it the answer
 * names nothing and does not say that the number is registered, and the attempt
 * is audited (probing numbers of other regions leaves a trace).  For a reader
 * without elder.read_pii the refusal is a whole-number lookup (RULE-PII-003):
 * limited and audited like one.  Called after the caller's transaction was rolled
 * back.
 */
static int
id_taken(struct al_req *r, int64_t other)
{
    struct elder_row o;
    bool pii = reader_pii(r);
    int rc = pii ? AL_OK : lookup_allowed(r, "id_number");
    if (rc != AL_OK)
        return rc;
    rc = elder_store_row(r->db, r->arena, other, &o);
    if (rc != AL_OK && rc != AL_ENOTFOUND)
        return rc;
    bool mine = rc == AL_OK && region_in_scope(r->who->region_code, o.region_code);
    if (!pii && (rc = lookup_done(r, "id_number", mine)) != AL_OK)
        return rc;
    if (mine)
        return al_req_fail(r, AL_ECONFLICT, "id_number",
            "该身份证号已登记在档案 #%lld 中，请勿重复登记", (long long)other);
    struct audit_entry a = {.action = "elder.id_refused", .target_type = "elder",
        .region_code = r->who->region_code, .outcome = "failure",
        .detail = json_pack("{s:s}", "reason", "id_number_outside_scope")};
    if ((rc = audit_append(r, &a)) != AL_OK)
        return rc;
    return al_req_fail(r, AL_ECONFLICT, "id_number", "该身份证号无法在此登记，请联系上级民政部门核实");
}

static int
elder_create(struct al_req *r)
{
    json_t *body, *set = json_object();
    int rc = al_req_json(r, &body);
    if (rc == AL_OK)
        rc = read_fields(r, body, true, set);
    if (rc != AL_OK)
        return rc;
    struct elder_settings s;
    if ((rc = elder_settings_load(r->db, &s)) != AL_OK)
        return rc;
    const char *today = r->today;
    int age = al_age_on(json_string_value(json_object_get(set, "birth_date")), today);
    if (age < s.min_age)
        return al_req_fail(r, AL_EINVAL, "id_number", "该身份证号对应年龄为 %d 岁，未满 %d 周岁", age,
            s.min_age);
    int64_t id = 0, existing = 0;
    if ((rc = al_db_begin(r->db)) != AL_OK)
        return rc;
    rc = elder_store_exists_hash(r->db, number_hash(r, set), &existing);
    if (rc == AL_OK) {
        al_db_rollback(r->db);
        return id_taken(r, existing);
    }
    struct elder_evidence ev = {"record", al_arena_printf(r->arena, "user:%s", r->who->username),
        today};
    struct elder_write w = {.id = 0, .version = -1, .set = set, .ev = &ev,
        .user_id = r->who->user_id, .actor = r->who->username, .action = "create",
        .now = r->now};
    if (rc == AL_ENOTFOUND)
        rc = write_failed(r, elder_write(r->db, r->arena, &s, today, &w, &id));
    if (rc == AL_OK) {
        struct audit_entry e = {.action = "elder.create", .target_type = "elder",
            .target_id = id_text(r, id),
            .region_code = json_string_value(json_object_get(set, "region_code")),
            .outcome = "success"};
        rc = audit_append(r, &e);
    }
    if ((rc = al_db_end(r->db, rc)) != AL_OK)
        return rc;
    json_t *out = NULL;
    if ((rc = elder_store_get(r->db, r->arena, id, reader_pii(r), r->today, &out)) != AL_OK)
        return rc;
    return al_reply(r, 201, out);
}

/* Load an elder the caller may see (RULE-SCOPE-001: otherwise 404). */
static int
load_visible(struct al_req *r, struct elder_row *e)
{
    int64_t id;
    int rc = al_req_param_id(r, "id", &id);
    if (rc != AL_OK)
        return rc;
    rc = elder_store_row(r->db, r->arena, id, e);
    if (rc == AL_ENOTFOUND || (rc == AL_OK && !region_in_scope(r->who->region_code, e->region_code)))
        return al_req_fail(r, AL_ENOTFOUND, NULL, "老年人档案不存在");
    return rc;
}

/* Full numbers for a caller with elder.read_pii who asked (?reveal=1): audited. */
static int
reveal_pii(struct al_req *r, const struct elder_row *e, json_t *out)
{
    if (!auth_role_has(r->db, r->who->role, "elder.read_pii"))
        return al_req_fail(r, AL_EPERM, "reveal", "没有查看完整身份证号和电话的权限");
    const char *enc, *phone, *phone2;
    int rc = elder_store_pii(r->db, r->arena, e->id, &enc, &phone, &phone2);
    if (rc != AL_OK)
        return rc;
    const char *number = al_crypto_open(r->arena, enc);
    if (!number)
        return al_req_fail(r, AL_EINTERNAL, NULL, "身份证号解密失败，请检查密钥文件");
    struct audit_entry a = {.action = "elder.read_pii", .target_type = "elder",
        .target_id = id_text(r, e->id), .region_code = e->region_code, .outcome = "success",
        .detail = json_pack("{s:[ss]}", "fields", "id_number", "phone")};
    if ((rc = audit_append(r, &a)) != AL_OK)
        return rc;
    json_object_set_new(out, "id_number", json_string(number));
    json_object_set_new(out, "phone", phone ? json_string(phone) : json_null());
    json_object_set_new(out, "phone2", phone2 ? json_string(phone2) : json_null());
    return AL_OK;
}

static int
elder_get(struct al_req *r)
{
    struct elder_row e;
    int rc = load_visible(r, &e);
    if (rc != AL_OK)
        return rc;
    json_t *out = NULL, *contacts = json_array(), *consents = json_array();
    const char *reveal = al_query_get(&r->query, "reveal");
    bool want = reveal && (!strcmp(reveal, "1") || !strcmp(reveal, "true"));
    if ((rc = elder_store_get(r->db, r->arena, e.id, reader_pii(r), r->today, &out)) != AL_OK)
        return rc;
    if (want && (rc = reveal_pii(r, &e, out)) != AL_OK)
        return rc;
    if ((rc = elder_store_contacts(r->db, r->arena, e.id, want, contacts)) != AL_OK)
        return rc;
    if ((rc = elder_store_consents(r->db, r->arena, e.id, consents)) != AL_OK)
        return rc;
    json_object_set_new(out, "contacts", contacts);
    json_object_set_new(out, "consents", consents);
    struct elder_settings s;
    if ((rc = elder_settings_load(r->db, &s)) != AL_OK)
        return rc;
    json_t *cats = json_object_get(out, "categories");
    const char *ids[ELDER_CAT_MAX];
    int n = 0;
    size_t i;
    json_t *c;
    json_array_foreach(cats, i, c) if (n < ELDER_CAT_MAX) ids[n++] = json_string_value(c);
    json_object_set_new(out, "special_difficulty", json_boolean(elder_is_special(&s, ids, n)));
    return al_reply(r, 200, out);
}

static int
elder_update(struct al_req *r)
{
    struct elder_row e;
    int rc = load_visible(r, &e);
    if (rc != AL_OK)
        return rc;
    json_t *body, *set = json_object();
    int64_t version;
    if ((rc = al_req_json(r, &body)) == AL_OK)
        rc = al_json_get_int(body, "version", "版本号", AL_REQUIRED, 1, INT64_MAX, &version, NULL,
            &r->err);
    if (rc == AL_OK)
        rc = read_fields(r, body, false, set);
    if (rc != AL_OK)
        return rc;
    if (json_object_size(set) == 0)
        return al_req_fail(r, AL_EINVAL, NULL, "没有需要修改的内容");
    const char *status = json_string_value(json_object_get(set, "status"));
    if (status && strcmp(status, "active") != 0 &&
        (!json_is_string(json_object_get(set, "status_date")) ||
            !json_is_string(json_object_get(set, "status_reason"))))
        return al_req_fail(r, AL_EINVAL, json_object_get(set, "status_date") ? "status_reason"
                                                                              : "status_date",
            "变更为迁出、死亡或注销时须填写日期和原因");
    struct elder_settings s;
    if ((rc = elder_settings_load(r->db, &s)) != AL_OK)
        return rc;
    const char *today = r->today;
    int64_t other;
    if ((rc = al_db_begin(r->db)) != AL_OK)
        return rc;
    /* Each failure has one code: a database error stays one (500/503), a number on another
     * record is 409 id_number, a stale version 409 version, a refused row 422. */
    const char *hash = number_hash(r, set);
    if (hash && (rc = elder_store_exists_hash(r->db, hash, &other)) == AL_OK && other != e.id) {
        al_db_rollback(r->db);
        return id_taken(r, other); /* RULE-PII-004: named only within scope */
    }
    struct elder_evidence ev = {"record", al_arena_printf(r->arena, "user:%s", r->who->username),
        today};
    struct elder_write w = {.id = e.id, .version = version, .set = set, .ev = &ev,
        .user_id = r->who->user_id, .actor = r->who->username,
        .action = status ? "status" : "update", .now = r->now};
    if (rc == AL_ENOTFOUND || rc == AL_OK)
        rc = write_failed(r, elder_write(r->db, r->arena, &s, today, &w, NULL));
    if (rc == AL_OK) {
        json_t *fields = json_array();
        const char *k;
        json_t *v;
        json_object_foreach(w.changes, k, v) json_array_append_new(fields, json_string(k));
        struct audit_entry a = {.action = "elder.update", .target_type = "elder",
            .target_id = id_text(r, e.id), .region_code = e.region_code, .outcome = "success",
            .detail = json_pack("{s:o}", "fields", fields)};
        rc = audit_append(r, &a);
    }
    if ((rc = al_db_end(r->db, rc)) != AL_OK)
        return rc;
    json_t *out = NULL;
    if ((rc = elder_store_get(r->db, r->arena, e.id, reader_pii(r), r->today, &out)) != AL_OK)
        return rc;
    return al_reply(r, 200, out);
}

static int
elder_history(struct al_req *r)
{
    struct elder_row e;
    int rc = load_visible(r, &e);
    if (rc != AL_OK)
        return rc;
    json_t *items = json_array();
    if ((rc = elder_store_history(r->db, r->arena, e.id, reader_pii(r), items)) != AL_OK)
        return rc;
    return al_reply_items(r, items, -1);
}

/* Shared tail of the small writes below: history + audit + commit. */
static int
finish_write(struct al_req *r, const struct elder_row *e, int rc, const char *action,
    const char *audit_action, json_t *changes)
{
    if (rc == AL_OK)
        rc = elder_store_history_add(r->db, e->id, r->who->user_id, r->who->username, action,
            changes, r->now);
    if (rc == AL_OK) {
        struct audit_entry a = {.action = audit_action, .target_type = "elder",
            .target_id = id_text(r, e->id), .region_code = e->region_code, .outcome = "success",
            .detail = changes};
        rc = audit_append(r, &a);
    }
    if (rc == AL_OK)
        return al_db_commit(r->db);
    al_db_rollback(r->db);
    return rc;
}

static int
contact_add(struct al_req *r)
{
    struct elder_row e;
    int rc = load_visible(r, &e);
    if (rc != AL_OK)
        return rc;
    json_t *body;
    const char *relation, *name, *phone, *p;
    int64_t priority = 1, id = 0;
    if ((rc = al_req_json(r, &body)) == AL_OK)
        rc = al_json_get_str(body, "relation", "关系", AL_REQUIRED | AL_PLAIN, 1, 16, &relation,
            &r->err);
    if (rc == AL_OK) /* RULE-PII-005 */
        rc = al_json_get_str(body, "name", "联系人姓名", AL_REQUIRED | AL_PLAIN, 1, 32, &name,
            &r->err);
    if (rc == AL_OK)
        rc = al_json_get_str(body, "phone", "联系人电话", AL_REQUIRED, 1, 20, &phone, &r->err);
    if (rc == AL_OK)
        rc = al_json_get_int(body, "priority", "紧急联系顺序", 0, 1, 9, &priority, NULL, &r->err);
    if (rc != AL_OK)
        return rc;
    if ((p = al_phone_problem(phone)))
        return al_req_fail(r, AL_EINVAL, "phone", "%s", p);
    if ((rc = al_db_begin(r->db)) != AL_OK)
        return rc;
    rc = elder_store_contact_add(r->db, e.id, relation, name, phone, priority,
        r->now, &id);
    char m[32];
    al_phone_mask(phone, m, sizeof(m));
    rc = finish_write(r, &e, rc, "contact", "elder.contact_add",
        json_pack("{s:s, s:s, s:s, s:I}", "relation", relation, "name", name, "phone_masked", m,
            "priority", (json_int_t)priority));
    if (rc != AL_OK)
        return rc;
    return al_reply(r, 201, json_pack("{s:I}", "id", (json_int_t)id));
}

/* The elder of the path and the contact or consent :cid, with a transaction begun. */
static int
child_begin(struct al_req *r, struct elder_row *e, int64_t *cid)
{
    int rc = load_visible(r, e);
    if (rc == AL_OK)
        rc = al_req_param_id(r, "cid", cid);
    return rc == AL_OK ? al_db_begin(r->db) : rc;
}

/* Shared tail of removing a contact or revoking a consent: 404 `missing`, or history + audit. */
static int
finish_remove(struct al_req *r, const struct elder_row *e, int rc, const char *missing,
    const char *action, const char *audit_action, const char *key, int64_t cid)
{
    if (rc == AL_ENOTFOUND) {
        al_db_rollback(r->db);
        return al_req_fail(r, AL_ENOTFOUND, NULL, "%s", missing);
    }
    rc = finish_write(r, e, rc, action, audit_action, json_pack("{s:I}", key, (json_int_t)cid));
    return rc != AL_OK ? rc : al_reply(r, 200, NULL);
}

static int
contact_delete(struct al_req *r)
{
    struct elder_row e;
    int64_t cid;
    int rc = child_begin(r, &e, &cid);
    if (rc != AL_OK)
        return rc;
    rc = elder_store_contact_delete(r->db, e.id, cid);
    return finish_remove(r, &e, rc, "联系人不存在", "contact", "elder.contact_delete",
        "contact_id", cid);
}

static int
consent_add(struct al_req *r)
{
    struct elder_row e;
    int rc = load_visible(r, &e);
    if (rc != AL_OK)
        return rc;
    json_t *body;
    int64_t user_id, id = 0;
    const char *relation, *granted_by;
    if ((rc = al_req_json(r, &body)) == AL_OK)
        rc = al_json_get_int(body, "user_id", "家属账号", AL_REQUIRED, 1, INT64_MAX, &user_id, NULL,
            &r->err);
    if (rc == AL_OK)
        rc = al_json_get_str(body, "relation", "关系", AL_REQUIRED | AL_PLAIN, 1, 16, &relation,
            &r->err);
    if (rc == AL_OK)
        rc = al_json_get_str(body, "granted_by", "授权人", AL_REQUIRED | AL_PLAIN, 1, 32,
            &granted_by, &r->err);
    if (rc != AL_OK)
        return rc;
    static const char *const scopes[] = {"basic", "health", "services", "location", NULL};
    json_t *scope = json_object_get(body, "scope");
    size_t i;
    json_t *sv;
    if (!json_is_array(scope) || json_array_size(scope) == 0)
        return al_req_fail(r, AL_EINVAL, "scope", "授权范围不能为空（basic、health、services、location）");
    json_array_foreach(scope, i, sv) if (!json_is_string(sv) ||
                                         !elder_enum_ok(scopes, json_string_value(sv)))
        return al_req_fail(r, AL_EINVAL, "scope", "授权范围第 %zu 项应为 basic、health、services 或 location", i + 1);
    const char *role = NULL;
    if ((rc = elder_store_user_role(r->db, r->arena, user_id, &role)) != AL_OK &&
        rc != AL_ENOTFOUND)
        return rc;
    if (!role || (strcmp(role, "family") && strcmp(role, "elder")))
        return al_req_fail(r, AL_EINVAL, "user_id", "只能授权给家属或老人本人的账号");
    if ((rc = al_db_begin(r->db)) != AL_OK)
        return rc;
    const char *scope_json = al_json_dump(r->arena, scope, NULL);
    rc = elder_store_consent_add(r->db, e.id, user_id, relation, scope_json, granted_by,
        r->who->user_id, r->now, &id);
    rc = finish_write(r, &e, rc, "consent", "elder.consent_grant",
        json_pack("{s:I, s:s, s:s, s:O}", "user_id", (json_int_t)user_id, "relation", relation,
            "granted_by", granted_by, "scope", scope));
    return rc != AL_OK ? rc : al_reply(r, 201, json_pack("{s:I}", "id", (json_int_t)id));
}

static int
consent_revoke(struct al_req *r)
{
    struct elder_row e;
    int64_t cid;
    int rc = child_begin(r, &e, &cid);
    if (rc != AL_OK)
        return rc;
    rc = elder_store_consent_revoke(r->db, e.id, cid, r->who->user_id, r->now);
    return finish_remove(r, &e, rc, "授权不存在或已撤销", "consent", "elder.consent_revoke",
        "consent_id", cid);
}

/* ---- family and elder accounts: only through an active consent ---- */

static int
my_elders(struct al_req *r)
{
    json_t *items = json_array();
    int rc = elder_store_linked(r->db, r->arena, r->who->user_id, r->today, items);
    if (rc != AL_OK)
        return rc;
    return al_reply_items(r, items, -1);
}

static int
my_elder_get(struct al_req *r)
{
    int64_t id;
    const char *scope;
    int rc = al_req_param_id(r, "id", &id);
    if (rc != AL_OK)
        return rc;
    rc = elder_store_consent_scope(r->db, r->arena, r->who->user_id, id, &scope);
    if (rc == AL_ENOTFOUND)
        return al_req_fail(r, AL_ENOTFOUND, NULL, "老年人档案不存在");
    if (rc != AL_OK)
        return rc;
    json_t *full = NULL;
    if ((rc = elder_store_get(r->db, r->arena, id, false, r->today, &full)) != AL_OK) /* RULE-PII-001 */
        return rc;
    /* What the consent allows: basic facts always; the rest by scope. */
    json_t *out = json_object();
    static const char *basic[] = {"id", "name", "sex", "birth_year", "region_name", "status",
        "categories"};
    for (size_t i = 0; i < sizeof(basic) / sizeof(basic[0]); i++)
        json_object_set(out, basic[i], json_object_get(full, basic[i]));
    json_t *sc = json_loads(scope, 0, NULL);
    size_t i;
    json_t *v;
    json_array_foreach(sc, i, v)
    {
        if (!strcmp(json_string_value(v), "health"))
            json_object_set(out, "ability_level", json_object_get(full, "ability_level"));
        if (!strcmp(json_string_value(v), "location")) {
            json_object_set(out, "address", json_object_get(full, "address"));
            json_object_set(out, "lat", json_object_get(full, "lat"));
            json_object_set(out, "lng", json_object_get(full, "lng"));
        }
    }
    json_object_set_new(out, "consent_scope", sc ? sc : json_array());
    struct audit_entry a = {.action = "elder.read_linked", .target_type = "elder",
        .target_id = id_text(r, id), .outcome = "success"};
    if ((rc = audit_append(r, &a)) != AL_OK)
        return rc;
    return al_reply(r, 200, out);
}

static const struct al_route elder_routes[] = {
    {AL_GET, "/api/v1/elders/overview", elder_overview, "elder.read", 0,
        "本辖区老年人概况：在册人数、特殊困难老年人、各类别在册人数"},
    {AL_GET, "/api/v1/elders/export", elder_export, "elder.read", 0,
        "导出老年人名单（筛选同列表，全部行，CSV 或 XLSX；无 elder.read_pii 时脱敏；留痕）"},
    {AL_GET, "/api/v1/elders", elder_list, "elder.read", 0,
        "老年人列表：区划、类别、特殊困难（special=1）、年龄段、状态筛选；按姓名/电话/住址或完整身份证号搜索；分页（有年龄段时年长者在前，否则按区划）"},
    {AL_POST, "/api/v1/elders", elder_create, "elder.write", 0, "登记老年人（身份证号校验、加密保存）"},
    {AL_GET, "/api/v1/elders/:id", elder_get, "elder.read", 0,
        "老年人档案（?reveal=1 需 elder.read_pii，留痕）"},
    {AL_PATCH, "/api/v1/elders/:id", elder_update, "elder.write", 0, "修改档案（需提供 version）"},
    {AL_GET, "/api/v1/elders/:id/history", elder_history, "elder.read", 0, "档案变更记录"},
    {AL_POST, "/api/v1/elders/:id/contacts", contact_add, "elder.write", 0, "新增家属/紧急联系人"},
    {AL_DELETE, "/api/v1/elders/:id/contacts/:cid", contact_delete, "elder.write", 0, "删除联系人"},
    {AL_POST, "/api/v1/elders/:id/consents", consent_add, "elder.consent", 0,
        "登记家属授权（谁授权、何时、可见范围）"},
    {AL_DELETE, "/api/v1/elders/:id/consents/:cid", consent_revoke, "elder.consent", 0, "撤销家属授权"},
    {AL_GET, "/api/v1/my/elders", my_elders, "elder.read_linked", 0, "家属：已授权关联的老人"},
    {AL_GET, "/api/v1/my/elders/:id", my_elder_get, "elder.read_linked", 0,
        "家属：按授权范围查看老人信息"},
    {0},
};

const struct al_module elder_module = {.name = "elder", .routes = elder_routes};
