/*
 * Routes and thin handlers of the service list (issue 12): lists per level with versions,
 * the approval of a lower list's changes, parameters, exclusions, examples and benefit
 * records.  Rules live in entitle_logic.c, SQL in entitle_store.c.
 */
#include <string.h>
#include <time.h>

#include "audit/audit.h"
#include "core/fields.h"
#include "core/http.h"
#include "core/idcard.h"
#include "core/json.h"
#include "elder/elder.h"
#include "entitle/entitle.h"
#include "entitle/entitle_int.h"
#include "entitle/facts.h"
#include "entitle/rule.h"
#include "region/region.h"

static const char *
today(char buf[11])
{
    al_today_cst(buf);
    return buf;
}

static const char *
who(struct al_req *r)
{
    return r->who->username;
}

static int
audit(struct al_req *r, const char *action, const char *type, int64_t id, const char *region,
    json_t *detail)
{
    struct audit_entry e = {.action = action, .target_type = type,
        .target_id = al_arena_printf(r->arena, "%lld", (long long)id), .region_code = region,
        .outcome = "success", .detail = detail};
    return audit_append(r, &e);
}

static const char *
list_name(struct al_req *r, const char *region)
{
    const char *n = region_name(r->db, r->arena, region);
    return n ? n : region;
}

/* RULE-ENT-016: a list the caller may read: their own, those above it, those below it. */
static bool
can_view(struct al_req *r, const char *region)
{
    const char *scope = r->who->region_code;
    return region_in_scope(scope, region) || region_in_scope(region, scope);
}

/*
 * The list named by query parameter `region` (default: the caller's own list, or for a
 * township officer their county's) into `out`.  400 when it keys no list, 404 when the
 * caller may not read it.
 */
static int
query_list(struct al_req *r, char out[13])
{
    const char *q = al_query_get(&r->query, "region");
    char chain[ENT_LEVELS][13];
    int n;
    if (!q) {
        if (entitle_chain(r->who->region_code, chain, &n) != AL_OK)
            return al_req_fail(r, AL_EINVAL, "region", "区划代码格式不正确");
        memcpy(out, chain[n - 1], 13);
        return AL_OK;
    }
    if (entitle_level_of(q) < 0)
        return al_req_fail(r, AL_EINVAL, "region",
            "区划应为清单层级：全国（空）、省（2 位）、市（4 位）或县（6 位）");
    if (!can_view(r, q))
        return al_req_fail(r, AL_ENOTFOUND, "region", "清单不存在");
    memcpy(out, q, strlen(q) + 1);
    return AL_OK;
}

/* RULE-ENT-016: only the caller's own list is edited by them. */
static int
own_list(struct al_req *r, const char *region)
{
    if (entitle_level_of(r->who->region_code) < 0)
        return al_req_fail(r, AL_EPERM, "region", "乡镇/街道没有本级清单，只能查看上级清单");
    if (strcmp(region, r->who->region_code) != 0)
        return al_req_fail(r, AL_EPERM, "region", "只能编辑本级（%s）清单，上级清单只读",
            list_name(r, r->who->region_code));
    return AL_OK;
}

static int
query_date(struct al_req *r, const char *key, const char *label, char buf[11], const char **out)
{
    const char *d = al_query_opt(&r->query, key);
    if (!d) {
        *out = today(buf);
        return AL_OK;
    }
    if (!al_date_valid(d))
        return al_req_fail(r, AL_EINVAL, key, "%s格式应为 YYYY-MM-DD", label);
    *out = d;
    return AL_OK;
}

/* The merged list of `region` at `date` (the last list only up to version `upto`, 0 all). */
static int
merged_list(struct al_req *r, const char *region, const char *date, int64_t upto, json_t **out)
{
    char chain[ENT_LEVELS][13];
    int n;
    if (entitle_chain(region, chain, &n) != AL_OK)
        return al_req_fail(r, AL_EINVAL, "region", "区划代码格式不正确");
    json_t *entries = json_array();
    int rc = entitle_store_entries(r->db, chain, n, date, upto, entries);
    if (rc == AL_OK)
        *out = entitle_merge(r->arena, entries, region, date);
    json_decref(entries);
    return rc;
}

static json_t *
find_key(json_t *items, const char *key)
{
    size_t i;
    json_t *it;
    json_array_foreach(items, i, it)
    {
        if (strcmp(json_string_value(json_object_get(it, "item_key")), key) == 0)
            return it;
    }
    return NULL;
}

/* ---- the rule language joined to the catalogue (RULE-ENT-040..049) ---- */

static const char *
sget(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

/* The dated parameters of the chain of lists down to `region`, into a new array *out. */
static int
chain_params(struct al_req *r, const char *region, json_t **out)
{
    char chain[ENT_LEVELS][13];
    int n;
    *out = json_array();
    if (entitle_chain(region, chain, &n) != AL_OK)
        return al_req_fail(r, AL_EINVAL, "region", "区划代码格式不正确");
    return entitle_store_params(r->db, chain, n, *out);
}

/* The example elders of `key` on the chain of lists down to `region`, into a new array *out. */
static int
chain_examples(struct al_req *r, const char *region, const char *key, json_t **out)
{
    char chain[ENT_LEVELS][13];
    int n;
    *out = json_array();
    if (entitle_chain(region, chain, &n) != AL_OK)
        return al_req_fail(r, AL_EINVAL, "region", "区划代码格式不正确");
    return entitle_store_examples(r->db, chain, n, key, *out);
}

/* RULE-ENT-042: a text that does not compile, refused naming the field and the position. */
static int
refuse_rule(struct al_req *r, const char *field, const struct rule_error *err)
{
    al_req_fail(r, AL_EINVAL, field, "认定规则有误，%s", err->message);
    r->err.column = err->column;
    return AL_EINVAL;
}

/* RULE-ENT-044: "示例「…」（日期）预期符合，实际不符合" or why it could not be judged, in the arena. */
static const char *
example_failure(struct al_req *r, const json_t *ex, int rc, bool got, const struct rule_error *err)
{
    if (rc != AL_OK)
        return al_arena_printf(r->arena, "示例「%s」（%s）无法判断：%s", sget(ex, "label"),
            sget(ex, "on_date"), err->message);
    bool expected = json_is_true(json_object_get(ex, "expected"));
    if (got == expected)
        return NULL;
    return al_arena_printf(r->arena, "示例「%s」（%s）预期%s，实际%s", sget(ex, "label"),
        sget(ex, "on_date"), entitle_answer(expected), entitle_answer(got));
}

/*
 * RULE-ENT-040..044: saving the rule of item `key` (new or changed in change `c`, fields in
 * `set`) compiles it for the list at the change's date against the chain's parameters and the
 * effective list's items, refuses a text that does not compile (400, rule_text, column) or
 * that reads the item's own receipt, then runs the item's example elders at their dates and
 * refuses a text that breaks one (422).  Called before the write's transaction.
 */
static int
rule_gate(struct al_req *r, const struct entitle_change *c, const char *key, json_t *set,
    bool *checked)
{
    const char *text = sget(set, "rule_text");
    *checked = false;
    if (!text || !*text)
        return AL_OK; /* RULE-ENT-040: an item without a rule has nothing to check */
    json_t *params = NULL, *items = NULL, *examples = NULL;
    int rc = chain_params(r, c->region_code, &params);
    if (rc == AL_OK)
        rc = merged_list(r, c->region_code, c->effective_from, 0, &items);
    if (rc != AL_OK)
        goto out;
    int self = -1;
    size_t i;
    json_t *it;
    json_array_foreach(items, i, it) if (!strcmp(sget(it, "item_key"), key)) self = (int)i;
    if (self < 0) {
        self = (int)json_array_size(items);
        json_array_append_new(items, json_pack("{s:s, s:s}", "item_key", key, "name",
                                         sget(set, "name") ? sget(set, "name") : key));
    }
    struct rule *rule = NULL;
    struct rule_error err;
    if (entitle_rule_compile(r->arena, text, c->region_code, c->effective_from, params, items,
            &rule, &err) != AL_OK) {
        rc = refuse_rule(r, "rule_text", &err);
        goto out;
    }
    /* RULE-ENT-041: an item's rule may not depend on receiving the item itself. */
    const int *bits;
    int nbits = rule_items(rule, &bits);
    for (int b = 0; b < nbits; b++)
        if (bits[b] == self) {
            rc = al_req_fail(r, AL_EINVAL, "rule_text", "认定规则不能以「已享受」本项目自身为条件");
            goto out;
        }
    if ((rc = chain_examples(r, c->region_code, key, &examples)) != AL_OK)
        goto out;
    json_t *ex;
    json_array_foreach(examples, i, ex)
    {
        bool got = false;
        int run = entitle_example_run(r->arena, text, c->region_code, ex, params, items, &got,
            &err);
        const char *why = example_failure(r, ex, run, got, &err);
        if (why) {
            rc = al_req_fail(r, AL_EUNPROC, "rule_text", "修改后的规则不满足示例：%s", why);
            goto out;
        }
    }
    *checked = true;
out:
    json_decref(params);
    json_decref(items);
    json_decref(examples);
    return rc;
}

/*
 * RULE-ENT-045: a new value of parameter `name` on list `region` (fields in `set`) must leave
 * every rule of the lists using it compiling at its date (400, field value) and every example
 * elder of those items dated on or after it holding (422).  Rules or examples that failed
 * before the change are not this change's doing and do not block it.
 */
static int
param_gate(struct al_req *r, const char *region, const json_t *set)
{
    const char *name = sget(set, "name"), *from = sget(set, "valid_from");
    json_int_t value = json_integer_value(json_object_get(set, "value"));
    json_t *lists = json_array(), *seen = json_object();
    json_t *newp = json_pack("{s:s, s:s, s:I, s:s, s:s}", "region_code", region, "name", name,
        "value", value, "valid_from", from, "legal_ref", sget(set, "legal_ref"));
    int rc = entitle_store_list_regions(r->db, region, lists);
    if (rc != AL_OK)
        goto out;
    if (json_array_size(lists) == 0 || strcmp(json_string_value(json_array_get(lists, 0)), region))
        json_array_insert_new(lists, 0, json_string(region));
    size_t l;
    json_t *lv;
    json_array_foreach(lists, l, lv)
    {
        const char *list = json_string_value(lv);
        json_t *before = NULL, *after = NULL, *items = NULL;
        if ((rc = chain_params(r, list, &before)) == AL_OK)
            rc = merged_list(r, list, from, 0, &items);
        if (rc == AL_OK) {
            after = json_copy(before);
            json_array_append(after, newp);
        }
        size_t i;
        json_t *it;
        json_array_foreach(items, i, it)
        {
            const char *text = sget(it, "rule_text"), *item = sget(it, "name");
            struct rule *rule;
            struct rule_error err;
            if (rc != AL_OK || !text || !*text)
                continue;
            if (entitle_rule_compile(r->arena, text, list, from, before, items, &rule, &err))
                continue;
            if (entitle_rule_compile(r->arena, text, list, from, after, items, &rule, &err)) {
                rc = al_req_fail(r, AL_EINVAL, "value",
                    "参数「%s」取 %lld 后，%s清单「%s」的认定规则无法校验：%s", name,
                    (long long)value, list_name(r, list), item, err.message);
                r->err.column = err.column;
                break;
            }
            json_t *examples = NULL, *ex;
            size_t k;
            rc = chain_examples(r, list, sget(it, "item_key"), &examples);
            json_array_foreach(examples, k, ex)
            {
                char id[24];
                snprintf(id, sizeof(id), "%lld", (long long)json_integer_value(json_object_get(ex, "id")));
                if (rc != AL_OK || strcmp(sget(ex, "on_date"), from) < 0 || json_object_get(seen, id))
                    continue;
                json_object_set_new(seen, id, json_true());
                bool got0 = false, got1 = false;
                int run0 = entitle_example_run(r->arena, text, list, ex, before, items, &got0, &err);
                if (example_failure(r, ex, run0, got0, &err))
                    continue;
                int run1 = entitle_example_run(r->arena, text, list, ex, after, items, &got1, &err);
                const char *why = example_failure(r, ex, run1, got1, &err);
                if (why)
                    rc = al_req_fail(r, AL_EUNPROC, "value", "参数「%s」取 %lld 后，「%s」的%s",
                        name, (long long)value, item, why);
            }
            json_decref(examples);
            if (rc != AL_OK)
                break;
        }
        json_decref(before);
        json_decref(after);
        json_decref(items);
        if (rc != AL_OK)
            break;
    }
out:
    json_decref(newp);
    json_decref(lists);
    json_decref(seen);
    return rc;
}

static json_t *
chain_json(struct al_req *r, const char *region)
{
    char chain[ENT_LEVELS][13];
    int n = 0;
    json_t *out = json_array();
    if (entitle_chain(region, chain, &n) != AL_OK)
        return out;
    for (int i = 0; i < n; i++)
        json_array_append_new(out, json_pack("{s:s, s:s, s:b}", "region_code", chain[i], "name",
                                       list_name(r, chain[i]), "own",
                                       strcmp(chain[i], r->who->region_code) == 0));
    return out;
}

/* ---- lists and versions ---- */

/* RULE-ENT-015: the effective list of a level at a date, or one of its versions. */
static int
list_get(struct al_req *r)
{
    char region[13], buf[11];
    const char *date = NULL;
    int64_t version = 0;
    int rc = query_list(r, region);
    if (rc == AL_OK)
        rc = query_date(r, "date", "日期", buf, &date);
    if (rc == AL_OK)
        rc = al_query_int(&r->query, "version", "版本", 1, INT32_MAX, 0, &version, &r->err);
    if (rc != AL_OK)
        return rc;
    if (version) {
        rc = entitle_store_version_date(r->db, r->arena, region, version, &date);
        if (rc == AL_ENOTFOUND)
            return al_req_fail(r, AL_ENOTFOUND, "version", "该清单没有第 %lld 版",
                (long long)version);
        if (rc != AL_OK)
            return rc;
    }
    json_t *items = NULL;
    if ((rc = merged_list(r, region, date, version, &items)) != AL_OK)
        return rc;
    json_t *out = json_pack("{s:s, s:s, s:i, s:s, s:b, s:o, s:I, s:o}", "region_code", region,
        "region_name", list_name(r, region), "level", entitle_level_of(region), "date", date,
        "editable", strcmp(region, r->who->region_code) == 0, "chain", chain_json(r, region),
        "total", (json_int_t)json_array_size(items), "items", items);
    json_object_set_new(out, "version", version ? json_integer(version) : json_null());
    return al_reply(r, 200, out);
}

/* RULE-ENT-015: every approved version of a list stays readable. */
static int
versions_get(struct al_req *r)
{
    char region[13];
    int rc = query_list(r, region);
    if (rc != AL_OK)
        return rc;
    json_t *items = json_array();
    if ((rc = entitle_store_versions(r->db, region, items)) != AL_OK)
        return rc;
    return al_reply(r, 200, json_pack("{s:s, s:s, s:o, s:I}", "region_code", region,
                                "region_name", list_name(r, region), "items", items, "total",
                                (json_int_t)json_array_size(items)));
}

static int
param_key(struct al_req *r, const char **key)
{
    *key = al_req_param(r, "key");
    if (!*key || !entitle_key_ok(*key))
        return al_req_fail(r, AL_ENOTFOUND, "key", "服务项目不存在");
    return AL_OK;
}

/* One item as the list of `region` holds it at a date, with its history and examples. */
static int
item_get(struct al_req *r)
{
    char region[13], buf[11];
    const char *date = NULL, *key;
    int rc = param_key(r, &key);
    if (rc == AL_OK)
        rc = query_list(r, region);
    if (rc == AL_OK)
        rc = query_date(r, "date", "日期", buf, &date);
    if (rc != AL_OK)
        return rc;
    json_t *items = NULL;
    if ((rc = merged_list(r, region, date, 0, &items)) != AL_OK)
        return rc;
    json_t *item = find_key(items, key);
    if (!item)
        return al_req_fail(r, AL_ENOTFOUND, "key", "该清单在 %s 没有此服务项目", date);
    char chain[ENT_LEVELS][13];
    int n;
    entitle_chain(region, chain, &n);
    json_t *all = json_array(), *history = json_array(), *examples = json_array();
    if ((rc = entitle_store_entries(r->db, chain, n, NULL, 0, all)) == AL_OK)
        rc = entitle_store_examples(r->db, chain, n, key, examples);
    if (rc != AL_OK)
        return rc;
    size_t i;
    json_t *e;
    json_array_foreach(all, i, e)
    {
        if (strcmp(json_string_value(json_object_get(e, "item_key")), key) != 0)
            continue;
        struct entitle_std s = entitle_std_of(e);
        json_object_set_new(e, "standard_text_full", json_string(entitle_std_text(r->arena, &s)));
        json_array_append(history, e);
    }
    /* RULE-ENT-047: the rule checked at the date, and each example's answer beside the expected. */
    json_t *params = NULL;
    if ((rc = chain_params(r, region, &params)) != AL_OK) {
        json_decref(params);
        return rc;
    }
    const char *text = sget(item, "rule_text");
    struct rule *rule = NULL;
    struct rule_error err;
    if (text && *text && entitle_rule_compile(r->arena, text, region, date, params, items, &rule,
                             &err) != AL_OK)
        json_object_set_new(item, "rule_check", json_pack("{s:b, s:i, s:s}", "ok", 0, "column",
                                                    err.column, "message", err.message));
    else
        json_object_set_new(item, "rule_check", json_pack("{s:b}", "ok", text && *text));
    json_array_foreach(examples, i, e)
    {
        bool got = false;
        int run = text && *text
            ? entitle_example_run(r->arena, text, region, e, params, items, &got, &err)
            : AL_EINVAL;
        if (run == AL_OK) {
            json_object_set_new(e, "got", json_boolean(got));
            json_object_set_new(e, "passed",
                json_boolean(got == json_is_true(json_object_get(e, "expected"))));
        } else {
            json_object_set_new(e, "got", json_null());
            json_object_set_new(e, "passed", json_false());
            json_object_set_new(e, "error", json_string(text && *text ? err.message : "该项目尚未设定认定规则"));
        }
    }
    json_decref(params);
    json_object_set_new(item, "history", history);
    json_object_set_new(item, "examples", examples);
    json_object_set_new(item, "list_region", json_string(region));
    json_object_set_new(item, "date", json_string(date));
    return al_reply(r, 200, json_incref(item));
}

/* RULE-ENT-005: an officer of the item's own list marks it checked against the official text. */
static int
item_check(struct al_req *r)
{
    const char *key;
    int rc = param_key(r, &key);
    if (rc != AL_OK)
        return rc;
    const char *region = r->who->region_code;
    if ((rc = own_list(r, region)) != AL_OK)
        return rc;
    if ((rc = al_db_begin(r->db)) != AL_OK)
        return rc;
    rc = entitle_store_item_check(r->db, region, key, who(r), (int64_t)time(NULL));
    if (rc == AL_ENOTFOUND)
        al_req_fail(r, AL_ENOTFOUND, "key", "本级清单没有由本级设立的此服务项目");
    if (rc == AL_OK)
    {
        struct audit_entry ae = {.action = "entitle.item_check", .target_type = "entitle_item",
            .target_id = key, .region_code = region, .outcome = "success"};
        rc = audit_append(r, &ae);
    }
    if ((rc = al_db_end(r->db, rc)) != AL_OK)
        return rc;
    return al_reply(r, 200, json_pack("{s:s, s:s}", "item_key", key, "status", "checked"));
}

/* ---- changes and their approval (RULE-ENT-014) ---- */

static int
load_change(struct al_req *r, struct entitle_change *c)
{
    int64_t id;
    int rc = al_req_param_id(r, "id", &id);
    if (rc != AL_OK)
        return al_req_fail(r, AL_ENOTFOUND, NULL, "清单变更不存在");
    rc = entitle_store_change(r->db, r->arena, id, c);
    if (rc == AL_ENOTFOUND || (rc == AL_OK && !can_view(r, c->region_code)))
        return al_req_fail(r, AL_ENOTFOUND, NULL, "清单变更不存在");
    return rc;
}

static int
reply_change(struct al_req *r, int status, int64_t id)
{
    json_t *out = NULL;
    int rc = entitle_store_change_json(r->db, id, &out);
    if (rc != AL_OK)
        return rc;
    json_object_set_new(out, "region_name",
        json_string(list_name(r, json_string_value(json_object_get(out, "region_code")))));
    return al_reply(r, status, out);
}

static int
changes_list(struct al_req *r)
{
    const char *status = al_query_opt(&r->query, "status");
    static const char *const states[] = {"draft", "submitted", "approved", "returned", NULL};
    bool known = !status;
    for (int i = 0; status && states[i]; i++)
        known |= strcmp(states[i], status) == 0;
    if (!known)
        return al_req_fail(r, AL_EINVAL, "status",
            "状态应为 draft（草稿）、submitted（待审批）、approved（已批准）或 returned（已退回）");
    json_t *items = json_array();
    int rc;
    const char *queue = al_query_opt(&r->query, "queue");
    if (queue && strcmp(queue, "1") == 0) {
        /* The approval queue: what the lists one level below submitted to the caller. */
        if (entitle_level_of(r->who->region_code) < 0)
            return al_req_fail(r, AL_EPERM, "queue", "乡镇/街道不审批清单变更");
        rc = entitle_store_queue(r->db, r->who->region_code, items);
    } else {
        char region[13];
        if ((rc = query_list(r, region)) != AL_OK)
            return rc;
        const char *one[] = {region};
        rc = entitle_store_changes(r->db, one, 1, status, items);
    }
    if (rc != AL_OK)
        return rc;
    return al_reply(r, 200,
        json_pack("{s:o, s:I}", "items", items, "total", (json_int_t)json_array_size(items)));
}

static int
change_create(struct al_req *r)
{
    json_t *body;
    const char *region = NULL, *note = NULL, *from = NULL;
    int rc = al_req_json(r, &body);
    if (rc == AL_OK)
        rc = al_json_get_str(body, "region", "清单区划", 0, 0, 12, &region, &r->err);
    if (rc == AL_OK)
        rc = al_json_get_str(body, "note", "变更说明", AL_PLAIN, 0, 500, &note, &r->err);
    if (rc == AL_OK)
        rc = al_json_get_str(body, "effective_from", "生效日期", AL_REQUIRED, 10, 10, &from,
            &r->err);
    if (rc != AL_OK)
        return rc;
    if (!al_date_valid(from))
        return al_req_fail(r, AL_EINVAL, "effective_from", "生效日期格式应为 YYYY-MM-DD");
    if (!region)
        region = r->who->region_code;
    if ((rc = own_list(r, region)) != AL_OK)
        return rc;
    int64_t id = 0;
    if ((rc = al_db_begin(r->db)) != AL_OK)
        return rc;
    rc = entitle_store_change_new(r->db, region, note, from, who(r), (int64_t)time(NULL), &id);
    if (rc == AL_OK)
        rc = audit(r, "entitle.change_create", "entitle_change", id, region,
            json_pack("{s:s}", "effective_from", from));
    if ((rc = al_db_end(r->db, rc)) != AL_OK)
        return rc;
    return reply_change(r, 201, id);
}

static int
change_get(struct al_req *r)
{
    struct entitle_change c;
    int rc = load_change(r, &c);
    if (rc != AL_OK)
        return rc;
    return reply_change(r, 200, c.id);
}

/* A change the caller may edit: their own list's, still a draft or returned. */
static int
editable_change(struct al_req *r, struct entitle_change *c)
{
    int rc = load_change(r, c);
    if (rc == AL_OK)
        rc = own_list(r, c->region_code);
    if (rc == AL_OK && strcmp(c->status, "draft") && strcmp(c->status, "returned"))
        return al_req_fail(r, AL_ECONFLICT, "status", "只有草稿或已退回的变更可以修改");
    return rc;
}

/*
 * RULE-ENT-012: a standard of list `region` for the inherited item `upper` must be higher
 * than the standard the lists above give it.  AL_OK or AL_EUNPROC naming both standards.
 */
static int
check_raise(struct al_req *r, const json_t *upper, const json_t *mine, const char *region)
{
    struct entitle_std up = entitle_std_of(upper), me = entitle_std_of(mine);
    int cmp = 0;
    const char *why = NULL;
    const char *name = json_string_value(json_object_get(upper, "name"));
    const char *up_region = json_string_value(json_object_get(upper, "standard_region"));
    if (entitle_std_cmp(&me, &up, &cmp, &why) != AL_OK)
        return al_req_fail(r, AL_EUNPROC, "standard_kind",
            "「%s」的标准无法与上级比较：%s（上级为%s）", name, why,
            entitle_std_text(r->arena, &up));
    if (cmp <= 0)
        return al_req_fail(r, AL_EUNPROC, "amount_fen",
            "「%s」的标准不得低于上级：上级（%s）为%s，本级（%s）为%s%s", name,
            list_name(r, up_region), entitle_std_text(r->arena, &up), list_name(r, region),
            entitle_std_text(r->arena, &me), cmp == 0 ? "，与上级相同无需提交" : "");
    return AL_OK;
}

/* The merged list of the levels above `region` at `date` (empty for the national list). */
static int
upper_list(struct al_req *r, const char *region, const char *date, json_t **out)
{
    if (!*region) {
        *out = json_array();
        return AL_OK;
    }
    char up[13];
    entitle_approver_of(region, up);
    return merged_list(r, up, date, 0, out);
}

static int
read_raise(struct al_req *r, json_t *body, const json_t *base, json_t *set)
{
    const char *k;
    json_t *v;
    json_object_foreach(body, k, v)
    {
        const struct al_field *f = al_field_find(entitle_item_fields, k);
        if (f && !entitle_raise_field(k))
            return al_req_fail(r, AL_EINVAL, k, "「%s」继承自上级清单，本级只能提高标准，不能修改%s",
                json_string_value(json_object_get(base, "name")), f->label);
    }
    int rc = al_fields_read(body, entitle_item_fields, 0, set, &r->err);
    if (rc != AL_OK)
        return rc;
    if (!json_object_get(set, "standard_kind"))
        return al_req_fail(r, AL_EINVAL, "standard_kind", "标准类型不能为空");
    json_object_set_new(set, "kind", json_string("raise"));
    return AL_OK;
}

static int
read_add(struct al_req *r, json_t *body, json_t *set)
{
    int rc = al_fields_read(body, entitle_item_fields, AL_FIELDS_CREATE, set, &r->err);
    if (rc != AL_OK)
        return rc;
    const char *from = json_string_value(json_object_get(set, "effective_from"));
    const char *until = json_string_value(json_object_get(set, "effective_until"));
    /* RULE-ENT-004 */
    if (from && until && strcmp(until, from) < 0)
        return al_req_fail(r, AL_EINVAL, "effective_until", "终止日期不能早于生效日期");
    if (!json_object_get(set, "status"))
        json_object_set_new(set, "status", json_string("to_check"));
    json_object_set_new(set, "kind", json_string("add"));
    return AL_OK;
}

/* RULE-ENT-002: the shares of a new item always; of a raise when it states any. */
static int
check_funds(struct al_req *r, json_t *set, bool required)
{
    static const char *keys[] = {"fund_national_pct", "fund_province_pct", "fund_city_pct",
        "fund_county_pct"};
    int64_t pct[4];
    bool any = false;
    for (int i = 0; i < 4; i++) {
        json_t *v = json_object_get(set, keys[i]);
        any |= v != NULL;
        pct[i] = json_integer_value(v);
    }
    if (!any && !required)
        return AL_OK;
    return entitle_fund_check(pct, &r->err);
}

/* RULE-ENT-006: a rule text keeps its version until it changes. */
static int
rule_version(struct al_req *r, const char *region, const char *key, json_t *set)
{
    char chain[ENT_LEVELS][13];
    int n;
    entitle_chain(region, chain, &n);
    int64_t last = 0;
    const char *text = NULL;
    int rc = entitle_store_rule_last(r->db, r->arena, chain, n, key, &last, &text);
    if (rc != AL_OK)
        return rc;
    const char *mine = json_string_value(json_object_get(set, "rule_text"));
    if (!mine)
        mine = "";
    json_object_set_new(set, "rule_text", json_string(mine));
    int64_t v = last == 0 ? 1 : (text && strcmp(text, mine) == 0 ? last : last + 1);
    json_object_set_new(set, "rule_version", json_integer(v));
    return AL_OK;
}

static int
change_item_put(struct al_req *r)
{
    struct entitle_change c;
    const char *key;
    json_t *body;
    int rc = editable_change(r, &c);
    key = al_req_param(r, "key");
    if (rc == AL_OK && (!key || !entitle_key_ok(key)))
        return al_req_fail(r, AL_EINVAL, "key", "项目代码应为 2–40 位小写字母、数字或下划线，以字母开头");
    if (rc == AL_OK)
        rc = al_req_json(r, &body);
    if (rc != AL_OK)
        return rc;
    json_t *upper = NULL;
    if ((rc = upper_list(r, c.region_code, c.effective_from, &upper)) != AL_OK)
        return rc;
    const json_t *base = find_key(upper, key);
    json_t *set = json_object();
    rc = base ? read_raise(r, body, base, set) : read_add(r, body, set);
    if (rc == AL_OK)
        rc = entitle_std_check(set, &r->err);
    if (rc == AL_OK)
        rc = check_funds(r, set, !base);
    if (rc == AL_OK && base)
        rc = check_raise(r, base, set, c.region_code);
    if (rc == AL_OK && !base)
        rc = rule_version(r, c.region_code, key, set);
    bool checked = false;
    if (rc == AL_OK && !base)
        rc = rule_gate(r, &c, key, set, &checked);
    if (rc != AL_OK)
        return rc;
    json_object_set_new(set, "rule_checked", json_integer(checked));
    if ((rc = al_db_begin(r->db)) != AL_OK)
        return rc;
    rc = entitle_store_item_put(r->db, c.id, c.region_code, key, set);
    if (rc == AL_OK)
        rc = audit(r, "entitle.change_item", "entitle_change", c.id, c.region_code,
            json_pack("{s:s, s:s}", "item_key", key, "kind", base ? "raise" : "add"));
    if ((rc = al_db_end(r->db, rc)) != AL_OK)
        return rc;
    return reply_change(r, 200, c.id);
}

static int
change_item_del(struct al_req *r)
{
    struct entitle_change c;
    const char *key;
    int rc = editable_change(r, &c);
    if (rc == AL_OK)
        rc = param_key(r, &key);
    if (rc != AL_OK)
        return rc;
    if ((rc = al_db_begin(r->db)) != AL_OK)
        return rc;
    rc = entitle_store_item_del(r->db, c.id, key);
    if (rc == AL_ENOTFOUND)
        al_req_fail(r, AL_ENOTFOUND, "key", "该变更中没有此服务项目");
    if (rc == AL_OK)
        rc = audit(r, "entitle.change_item_remove", "entitle_change", c.id, c.region_code,
            json_pack("{s:s}", "item_key", key));
    if ((rc = al_db_end(r->db, rc)) != AL_OK)
        return rc;
    return reply_change(r, 200, c.id);
}

static int
read_version(struct al_req *r, json_t **body, int64_t *version)
{
    int rc = al_req_json(r, body);
    if (rc == AL_OK)
        rc = al_json_get_int(*body, "version", "版本号", AL_REQUIRED, 1, INT64_MAX, version, NULL,
            &r->err);
    return rc;
}

/* Move change `c` to `to` (audited as `action`); 409 when it moved on meanwhile. */
static int
move(struct al_req *r, const struct entitle_change *c, int64_t version, const char *const *from,
    const char *to, const char *reason, const char *action)
{
    int rc = al_db_begin(r->db);
    if (rc != AL_OK)
        return rc;
    rc = entitle_store_change_move(r->db, c->id, version, from, to, who(r), reason,
        (int64_t)time(NULL));
    if (rc == AL_ECONFLICT)
        al_req_fail(r, AL_ECONFLICT, "version", "该变更已被他人处理或修改，请刷新后重试");
    if (rc == AL_OK) {
        json_t *d = json_pack("{s:s, s:s}", "from", c->status, "to", to);
        if (reason)
            json_object_set_new(d, "reason", json_string(reason));
        rc = audit(r, action, "entitle_change", c->id, c->region_code, d);
    }
    if ((rc = al_db_end(r->db, rc)) != AL_OK)
        return rc;
    return reply_change(r, 200, c->id);
}

static int
change_submit(struct al_req *r)
{
    struct entitle_change c;
    json_t *body;
    int64_t version = 0, n = 0;
    int rc = editable_change(r, &c);
    if (rc == AL_OK)
        rc = read_version(r, &body, &version);
    if (rc == AL_OK)
        rc = entitle_store_item_count(r->db, c.id, &n);
    if (rc != AL_OK)
        return rc;
    if (n == 0)
        return al_req_fail(r, AL_EUNPROC, "items", "变更中还没有服务项目，不能提交");
    static const char *const from[] = {"draft", "returned", NULL};
    return move(r, &c, version, from, "submitted", NULL, "entitle.change_submit");
}

/* RULE-ENT-014: only the level above decides (the national list decides its own). */
static int
decidable_change(struct al_req *r, struct entitle_change *c)
{
    int rc = load_change(r, c);
    if (rc != AL_OK)
        return rc;
    char approver[13];
    entitle_approver_of(c->region_code, approver);
    if (strcmp(approver, r->who->region_code) != 0)
        return al_req_fail(r, AL_EPERM, NULL, "%s清单的变更由上一级（%s）审批",
            list_name(r, c->region_code), list_name(r, approver));
    if (strcmp(c->status, "submitted") != 0)
        return al_req_fail(r, AL_ECONFLICT, "status", "只有待审批的变更可以批准或退回");
    return AL_OK;
}

/*
 * RULE-ENT-069: approval runs the rule gate again for each item of the change that carries a
 * rule: a parameter, an example or an upper list may have changed since the submission (the
 * parameter gate of RULE-ENT-045 sees approved lists only).  A rule that no longer compiles or
 * breaks an example refuses the approval with 422 naming the item and the reason.
 */
static int
approval_gate(struct al_req *r, const struct entitle_change *c, const char *key, json_t *item)
{
    const char *text = sget(item, "rule_text");
    if (!text || !*text)
        return AL_OK;
    bool checked = false;
    int rc = rule_gate(r, c, key, item, &checked);
    if (rc == AL_EINVAL || rc == AL_EUNPROC) {
        char why[sizeof(r->err.message)];
        snprintf(why, sizeof(why), "%s", r->err.message);
        int column = r->err.column;
        const char *name = sget(item, "name") ? sget(item, "name") : key;
        al_req_fail(r, AL_EUNPROC, "rule_text", "项目「%s」的认定规则在提交后已不能通过校验，不能批准：%s",
            name, why);
        r->err.column = column;
        return AL_EUNPROC;
    }
    return rc;
}

static int
change_approve(struct al_req *r)
{
    struct entitle_change c;
    json_t *body;
    int64_t version = 0;
    int rc = decidable_change(r, &c);
    if (rc == AL_OK)
        rc = read_version(r, &body, &version);
    if (rc != AL_OK)
        return rc;
    /* RULE-ENT-012 at approval: the levels above may have raised since the submission. */
    json_t *change = NULL, *upper = NULL;
    if ((rc = entitle_store_change_json(r->db, c.id, &change)) != AL_OK ||
        (rc = upper_list(r, c.region_code, c.effective_from, &upper)) != AL_OK)
        return rc;
    size_t i;
    json_t *it;
    json_array_foreach(json_object_get(change, "items"), i, it)
    {
        const char *key = json_string_value(json_object_get(it, "item_key"));
        const json_t *base = find_key(upper, key);
        if (base && (rc = check_raise(r, base, it, c.region_code)) != AL_OK)
            return rc;
        if ((rc = approval_gate(r, &c, key, it)) != AL_OK)
            return rc;
    }
    static const char *const from[] = {"submitted", NULL};
    return move(r, &c, version, from, "approved", NULL, "entitle.change_approve");
}

static int
change_return(struct al_req *r)
{
    struct entitle_change c;
    json_t *body;
    int64_t version = 0;
    const char *reason = NULL;
    int rc = decidable_change(r, &c);
    if (rc == AL_OK)
        rc = read_version(r, &body, &version);
    if (rc == AL_OK)
        rc = al_json_get_str(body, "reason", "退回理由", AL_REQUIRED | AL_PLAIN, 1, 500, &reason,
            &r->err);
    if (rc != AL_OK)
        return rc;
    static const char *const from[] = {"submitted", NULL};
    return move(r, &c, version, from, "returned", reason, "entitle.change_return");
}

/* ---- parameters (RULE-ENT-020..022) ---- */

static int
params_get(struct al_req *r)
{
    char region[13], buf[11], chain[ENT_LEVELS][13];
    const char *date = NULL;
    int n;
    int rc = query_list(r, region);
    if (rc == AL_OK)
        rc = query_date(r, "date", "日期", buf, &date);
    if (rc != AL_OK)
        return rc;
    entitle_chain(region, chain, &n);
    json_t *all = json_array();
    if ((rc = entitle_store_params(r->db, chain, n, all)) != AL_OK)
        return rc;
    /* One row per name: its value at `date`, with every dated value as history. */
    json_t *items = json_array(), *by_name = json_object();
    size_t i;
    json_t *p;
    json_array_foreach(all, i, p)
    {
        const char *name = json_string_value(json_object_get(p, "name"));
        json_t *row = json_object_get(by_name, name);
        if (!row) {
            row = json_pack("{s:s, s:n, s:[]}", "name", name, "current", "history");
            json_object_set_new(by_name, name, row);
            json_array_append(items, row);
        }
        json_array_append(json_object_get(row, "history"), p);
    }
    json_array_foreach(items, i, p)
    {
        const json_t *at = entitle_param_at(all, json_string_value(json_object_get(p, "name")),
            date);
        json_object_set_new(p, "current", at ? json_deep_copy(at) : json_null());
    }
    json_decref(by_name);
    return al_reply(r, 200, json_pack("{s:s, s:s, s:o, s:I}", "region_code", region, "date", date,
                                "items", items, "total", (json_int_t)json_array_size(items)));
}

static const struct al_field param_fields[] = {
    {"name", "参数名称", AL_FT_TEXT, AL_F_REQUIRED | AL_F_PLAIN, .min = 1, .max = 32},
    {"value", "参数值", AL_FT_INT, AL_F_REQUIRED, .min = INT32_MIN, .max = INT32_MAX},
    {"unit", "单位", AL_FT_TEXT, AL_F_PLAIN, .max = 16},
    {"valid_from", "起始日期", AL_FT_DATE, AL_F_REQUIRED, .min = 0},
    {"legal_ref", "政策依据", AL_FT_TEXT, AL_F_REQUIRED | AL_F_PLAIN, .min = 1, .max = 200},
    {0},
};

/* RULE-ENT-021: a dated value of a parameter on the caller's own list. */
static int
param_add(struct al_req *r)
{
    json_t *body, *set = json_object();
    int rc = al_req_json(r, &body);
    if (rc == AL_OK)
        rc = al_fields_read(body, param_fields, AL_FIELDS_CREATE, set, &r->err);
    if (rc == AL_OK)
        rc = own_list(r, r->who->region_code);
    if (rc == AL_OK)
        rc = param_gate(r, r->who->region_code, set);
    if (rc != AL_OK)
        return rc;
    const char *region = r->who->region_code, *name = sget(set, "name");
    int64_t id = 0;
    if ((rc = al_db_begin(r->db)) != AL_OK)
        return rc;
    rc = entitle_store_param_add(r->db, region, name,
        json_integer_value(json_object_get(set, "value")), sget(set, "unit"),
        sget(set, "valid_from"), sget(set, "legal_ref"), who(r), (int64_t)time(NULL), &id);
    if (rc == AL_ECONFLICT)
        al_req_fail(r, AL_ECONFLICT, "valid_from", "参数「%s」在 %s 已有取值", name,
            sget(set, "valid_from"));
    if (rc == AL_OK)
        rc = audit(r, "entitle.param_add", "entitle_param", id, region,
            json_pack("{s:s, s:O, s:s}", "name", name, "value", json_object_get(set, "value"),
                "valid_from", sget(set, "valid_from")));
    if ((rc = al_db_end(r->db, rc)) != AL_OK)
        return rc;
    json_object_set_new(set, "id", json_integer(id));
    json_object_set_new(set, "region_code", json_string(region));
    return al_reply(r, 201, set);
}

/* ---- exclusions (RULE-ENT-025) ---- */

static int
exclusions_get(struct al_req *r)
{
    char region[13], chain[ENT_LEVELS][13];
    int n;
    int rc = query_list(r, region);
    if (rc != AL_OK)
        return rc;
    entitle_chain(region, chain, &n);
    json_t *items = json_array();
    if ((rc = entitle_store_exclusions(r->db, chain, n, items)) != AL_OK)
        return rc;
    size_t i;
    json_t *x;
    json_array_foreach(items, i, x) json_object_set_new(x, "inherited",
        json_boolean(strcmp(sget(x, "region_code"), region) != 0));
    return al_reply(r, 200, json_pack("{s:s, s:o, s:I}", "region_code", region, "items", items,
                                "total", (json_int_t)json_array_size(items)));
}

static const struct al_field exclusion_fields[] = {
    {"item_a", "项目一", AL_FT_TEXT, AL_F_REQUIRED, .min = 2, .max = 40},
    {"item_b", "项目二", AL_FT_TEXT, AL_F_REQUIRED, .min = 2, .max = 40},
    {"reason", "不可叠加理由", AL_FT_TEXT, AL_F_REQUIRED | AL_F_PLAIN, .min = 1, .max = 200},
    {"legal_ref", "政策依据", AL_FT_TEXT, AL_F_PLAIN, .max = 200},
    {0},
};

static int
exclusion_add(struct al_req *r)
{
    json_t *body, *set = json_object();
    int rc = al_req_json(r, &body);
    if (rc == AL_OK)
        rc = al_fields_read(body, exclusion_fields, AL_FIELDS_CREATE, set, &r->err);
    if (rc == AL_OK)
        rc = own_list(r, r->who->region_code);
    if (rc != AL_OK)
        return rc;
    const char *region = r->who->region_code, *a = sget(set, "item_a"), *b = sget(set, "item_b");
    if (strcmp(a, b) == 0)
        return al_req_fail(r, AL_EINVAL, "item_b", "不可叠加的两个项目不能相同");
    char buf[11];
    json_t *items = NULL;
    if ((rc = merged_list(r, region, NULL, 0, &items)) != AL_OK)
        return rc;
    (void)buf;
    if (!find_key(items, a))
        return al_req_fail(r, AL_EINVAL, "item_a", "项目一 %s 不在本级清单中", a);
    if (!find_key(items, b))
        return al_req_fail(r, AL_EINVAL, "item_b", "项目二 %s 不在本级清单中", b);
    if (strcmp(a, b) > 0) {
        const char *t = a;
        a = b;
        b = t;
    }
    int64_t id = 0;
    if ((rc = al_db_begin(r->db)) != AL_OK)
        return rc;
    rc = entitle_store_exclusion_add(r->db, region, a, b, sget(set, "reason"),
        sget(set, "legal_ref"), who(r), (int64_t)time(NULL), &id);
    if (rc == AL_ECONFLICT)
        al_req_fail(r, AL_ECONFLICT, "item_b", "这两个项目的不可叠加规则已存在");
    if (rc == AL_OK)
        rc = audit(r, "entitle.exclusion_add", "entitle_exclusion", id, region,
            json_pack("{s:s, s:s}", "item_a", a, "item_b", b));
    if ((rc = al_db_end(r->db, rc)) != AL_OK)
        return rc;
    return al_reply(r, 201, json_pack("{s:I, s:s, s:s, s:s, s:s}", "id", (json_int_t)id,
                                "region_code", region, "item_a", a, "item_b", b, "reason",
                                sget(set, "reason")));
}

static int
exclusion_del(struct al_req *r)
{
    int64_t id;
    const char *region = NULL;
    int rc = al_req_param_id(r, "id", &id);
    if (rc == AL_OK)
        rc = entitle_store_exclusion_region(r->db, r->arena, id, &region);
    if (rc == AL_ENOTFOUND || (rc == AL_OK && !can_view(r, region)))
        return al_req_fail(r, AL_ENOTFOUND, NULL, "不可叠加规则不存在");
    if (rc == AL_OK)
        rc = own_list(r, region);
    if (rc != AL_OK)
        return rc;
    if ((rc = al_db_begin(r->db)) != AL_OK)
        return rc;
    rc = entitle_store_exclusion_del(r->db, id);
    if (rc == AL_OK)
        rc = audit(r, "entitle.exclusion_remove", "entitle_exclusion", id, region, NULL);
    if ((rc = al_db_end(r->db, rc)) != AL_OK)
        return rc;
    return al_reply(r, 200, json_pack("{s:I}", "id", (json_int_t)id));
}

/* ---- example elders ---- */

static int
example_add(struct al_req *r)
{
    const char *key, *label = NULL, *on = NULL;
    json_t *body;
    bool expected = false;
    int rc = param_key(r, &key);
    if (rc == AL_OK)
        rc = own_list(r, r->who->region_code);
    if (rc == AL_OK)
        rc = al_req_json(r, &body);
    if (rc == AL_OK)
        rc = al_json_get_str(body, "label", "示例说明", AL_REQUIRED | AL_PLAIN, 1, 100, &label,
            &r->err);
    if (rc == AL_OK)
        rc = al_json_get_str(body, "on_date", "判断日期", AL_REQUIRED, 10, 10, &on, &r->err);
    if (rc == AL_OK)
        rc = al_json_get_bool(body, "expected", "预期结果", AL_REQUIRED, &expected, NULL, &r->err);
    if (rc != AL_OK)
        return rc;
    if (!al_date_valid(on))
        return al_req_fail(r, AL_EINVAL, "on_date", "判断日期格式应为 YYYY-MM-DD");
    json_t *facts = json_object_get(body, "facts");
    if (!json_is_object(facts))
        return al_req_fail(r, AL_EINVAL, "facts", "老人情况应为对象（如 {\"birth_date\":\"1940-01-01\"}）");
    json_t *items = NULL;
    if ((rc = merged_list(r, r->who->region_code, NULL, 0, &items)) != AL_OK)
        return rc;
    const json_t *item = find_key(items, key);
    if (!item)
        return al_req_fail(r, AL_ENOTFOUND, "key", "本级清单没有此服务项目");
    /* RULE-ENT-048: a new example must hold for the item's rule as it stands. */
    const char *text = sget(item, "rule_text");
    json_t *params = NULL;
    if (text && *text && (rc = chain_params(r, r->who->region_code, &params)) == AL_OK) {
        json_t *ex = json_pack("{s:O, s:s, s:s, s:b}", "facts", facts, "label", label,
            "on_date", on, "expected", expected);
        struct rule_error err;
        bool got = false;
        int run = entitle_example_run(r->arena, text, r->who->region_code, ex, params, items,
            &got, &err);
        const char *why = example_failure(r, ex, run, got, &err);
        if (why)
            rc = al_req_fail(r, run == AL_OK ? AL_EUNPROC : AL_EINVAL,
                run == AL_OK ? "expected" : err.column ? "on_date" : "facts",
                "与当前认定规则「%s」不符：%s", text, why);
        json_decref(ex);
    }
    json_decref(params);
    if (rc != AL_OK)
        return rc;
    const char *facts_text = al_json_dump(r->arena, facts, NULL);
    int64_t id = 0;
    if ((rc = al_db_begin(r->db)) != AL_OK)
        return rc;
    rc = entitle_store_example_add(r->db, r->who->region_code, key, label, facts_text, on,
        expected, who(r), (int64_t)time(NULL), &id);
    if (rc == AL_OK)
        rc = audit(r, "entitle.example_add", "entitle_example", id, r->who->region_code,
            json_pack("{s:s}", "item_key", key));
    if ((rc = al_db_end(r->db, rc)) != AL_OK)
        return rc;
    return al_reply(r, 201, json_pack("{s:I, s:s, s:s, s:O, s:s, s:b}", "id", (json_int_t)id,
                                "item_key", key, "label", label, "facts", facts, "on_date", on,
                                "expected", expected));
}

/* ---- benefit records (RULE-ENT-030..032) ---- */

/* Elder `id` within the caller's scope: its region into *region; 404 otherwise. */
static int
elder_in_scope(struct al_req *r, int64_t id, const char **region)
{
    int rc = elder_region_of(r->db, r->arena, id, region, NULL);
    if (rc == AL_ENOTFOUND || (rc == AL_OK && !region_in_scope(r->who->region_code, *region)))
        return al_req_fail(r, AL_ENOTFOUND, "elder_id", "老人不存在");
    return rc;
}

static int
benefits_get(struct al_req *r)
{
    int64_t elder_id = 0;
    const char *region;
    int rc = al_query_int(&r->query, "elder_id", "老人", 1, INT64_MAX, 0, &elder_id, &r->err);
    if (rc == AL_OK && !elder_id)
        return al_req_fail(r, AL_EINVAL, "elder_id", "老人不能为空");
    if (rc == AL_OK)
        rc = elder_in_scope(r, elder_id, &region);
    if (rc != AL_OK)
        return rc;
    json_t *items = json_array(), *usage = json_array();
    rc = entitle_store_benefits(r->db, elder_id, items);
    if (rc == AL_OK) /* RULE-SVC-202: and what the settled visits drew */
        rc = entitle_usage_json(r->db, r->arena, elder_id, usage);
    if (rc != AL_OK) {
        json_decref(items);
        json_decref(usage);
        return rc;
    }
    return al_reply(r, 200, json_pack("{s:o, s:I, s:o}", "items", items, "total",
                                (json_int_t)json_array_size(items), "usage", usage));
}

static const char *const benefit_sources[] = {"manual", "import", "order", "subsidy", NULL};
static const struct al_field benefit_fields[] = {
    {"elder_id", "老人", AL_FT_INT, AL_F_REQUIRED, .min = 1, .max = INT64_MAX},
    {"item_key", "服务项目", AL_FT_TEXT, AL_F_REQUIRED, .min = 2, .max = 40},
    {"from_date", "享受起始日期", AL_FT_DATE, AL_F_REQUIRED, .min = 0},
    {"until_date", "享受终止日期", AL_FT_DATE, AL_F_NULLABLE, .min = 0},
    {"source", "来源", AL_FT_ENUM, AL_F_REQUIRED, .allowed = benefit_sources,
        .hint = "应为 manual（手工登记）、import（导入）、order（服务订单）或 subsidy（补贴发放）"},
    {"note", "备注", AL_FT_TEXT, AL_F_PLAIN, .max = 200},
    {0},
};

static int
benefit_add(struct al_req *r)
{
    json_t *body, *set = json_object();
    const char *region;
    int rc = al_req_json(r, &body);
    if (rc == AL_OK)
        rc = al_fields_read(body, benefit_fields, AL_FIELDS_CREATE, set, &r->err);
    int64_t elder_id = json_integer_value(json_object_get(set, "elder_id"));
    if (rc == AL_OK)
        rc = elder_in_scope(r, elder_id, &region);
    if (rc != AL_OK)
        return rc;
    const char *key = sget(set, "item_key"), *from = sget(set, "from_date");
    const char *until = sget(set, "until_date");
    if (until && strcmp(until, from) < 0)
        return al_req_fail(r, AL_EINVAL, "until_date", "享受终止日期不能早于起始日期");
    json_t *items = NULL;
    if ((rc = merged_list(r, region, from, 0, &items)) != AL_OK)
        return rc;
    if (!find_key(items, key))
        return al_req_fail(r, AL_EUNPROC, "item_key", "服务项目 %s 在 %s 不在该老人所在地的清单中",
            key, from);
    int64_t id = 0;
    if ((rc = al_db_begin(r->db)) != AL_OK)
        return rc;
    rc = entitle_store_benefit_add(r->db, elder_id, region, key, from, until,
        sget(set, "source"), sget(set, "note"), who(r), (int64_t)time(NULL), &id);
    if (rc == AL_OK)
        rc = audit(r, "entitle.benefit_add", "elder", elder_id, region,
            json_pack("{s:I, s:s, s:s}", "benefit_id", (json_int_t)id, "item_key", key,
                "from_date", from));
    if ((rc = al_db_end(r->db, rc)) != AL_OK)
        return rc;
    json_object_set_new(set, "id", json_integer(id));
    json_object_set_new(set, "region_code", json_string(region));
    return al_reply(r, 201, set);
}

static int
benefit_end(struct al_req *r)
{
    int64_t id;
    struct entitle_benefit b;
    json_t *body;
    const char *until = NULL;
    int rc = al_req_param_id(r, "id", &id);
    if (rc == AL_OK)
        rc = entitle_store_benefit(r->db, r->arena, id, &b);
    if (rc == AL_ENOTFOUND || (rc == AL_OK && !region_in_scope(r->who->region_code, b.region_code)))
        return al_req_fail(r, AL_ENOTFOUND, NULL, "享受记录不存在");
    if (rc == AL_OK)
        rc = al_req_json(r, &body);
    if (rc == AL_OK)
        rc = al_json_get_str(body, "until_date", "享受终止日期", AL_REQUIRED, 10, 10, &until,
            &r->err);
    if (rc != AL_OK)
        return rc;
    if (!al_date_valid(until))
        return al_req_fail(r, AL_EINVAL, "until_date", "享受终止日期格式应为 YYYY-MM-DD");
    if (strcmp(until, b.from_date) < 0)
        return al_req_fail(r, AL_EINVAL, "until_date", "享受终止日期不能早于起始日期 %s",
            b.from_date);
    if ((rc = al_db_begin(r->db)) != AL_OK)
        return rc;
    rc = entitle_store_benefit_end(r->db, id, until, who(r), (int64_t)time(NULL));
    if (rc == AL_ECONFLICT)
        al_req_fail(r, AL_ECONFLICT, NULL, "该享受记录已终止");
    if (rc == AL_OK)
        rc = audit(r, "entitle.benefit_end", "elder", b.elder_id, b.region_code,
            json_pack("{s:I, s:s, s:s}", "benefit_id", (json_int_t)id, "item_key", b.item_key,
                "until_date", until));
    if ((rc = al_db_end(r->db, rc)) != AL_OK)
        return rc;
    return al_reply(r, 200, json_pack("{s:I, s:s}", "id", (json_int_t)id, "until_date", until));
}

/* ---- rule check for the editor, and one elder's entitlements (RULE-ENT-046..052) ---- */

/* RULE-ENT-046: compile a text as the editor types it; nothing is written, so nothing audited. */
static int
rule_check(struct al_req *r)
{
    json_t *body;
    const char *text = NULL, *region = NULL, *date = NULL;
    int rc = al_req_json(r, &body);
    if (rc == AL_OK)
        rc = al_json_get_str(body, "rule_text", "认定规则", 0, 0, RULE_TEXT_MAX, &text, &r->err);
    if (rc == AL_OK)
        rc = al_json_get_str(body, "region_code", "清单区划", 0, 0, 12, &region, &r->err);
    if (rc == AL_OK)
        rc = al_json_get_str(body, "date", "日期", 0, 0, 10, &date, &r->err);
    if (rc != AL_OK)
        return rc;
    char chain[ENT_LEVELS][13];
    int n;
    if (!region) {
        if (entitle_chain(r->who->region_code, chain, &n) != AL_OK)
            return al_req_fail(r, AL_EINVAL, "region_code", "区划代码格式不正确");
        region = al_arena_strdup(r->arena, chain[n - 1]);
    }
    if (entitle_level_of(region) < 0)
        return al_req_fail(r, AL_EINVAL, "region_code",
            "区划应为清单层级：全国（空）、省（2 位）、市（4 位）或县（6 位）");
    if (!can_view(r, region))
        return al_req_fail(r, AL_ENOTFOUND, "region_code", "清单不存在");
    if (!date)
        date = r->today;
    else if (!al_date_valid(date))
        return al_req_fail(r, AL_EINVAL, "date", "日期格式应为 YYYY-MM-DD");
    json_t *params = NULL, *items = NULL;
    if ((rc = chain_params(r, region, &params)) == AL_OK)
        rc = merged_list(r, region, date, 0, &items);
    if (rc != AL_OK) {
        json_decref(params);
        return rc;
    }
    struct rule *rule = NULL;
    struct rule_error err;
    json_t *out = json_pack("{s:s, s:s}", "region_code", region, "date", date), *used = json_array();
    if (entitle_rule_compile(r->arena, text ? text : "", region, date, params, items, &rule, &err)) {
        json_object_set_new(out, "ok", json_false());
        json_object_set_new(out, "normalised", json_null());
        json_object_set_new(out, "error", json_pack("{s:i, s:s}", "column", err.column, "message",
                                              err.message));
    } else {
        const char *const *names;
        int np = rule_params(rule, &names);
        for (int i = 0; i < np; i++) {
            const json_t *p = entitle_param_at(params, names[i], date);
            json_array_append_new(used, json_pack("{s:s, s:O, s:O, s:O}", "name", names[i],
                                            "value", json_object_get(p, "value"), "legal_ref",
                                            json_object_get(p, "legal_ref"), "region_code",
                                            json_object_get(p, "region_code")));
        }
        json_object_set_new(out, "ok", json_true());
        json_object_set_new(out, "normalised", json_string(rule_text(rule)));
        json_object_set_new(out, "error", json_null());
    }
    json_object_set_new(out, "params", used);
    json_decref(params);
    json_decref(items);
    return al_reply(r, 200, out);
}

static double
cpu_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

/*
 * RULE-ENT-050..052: every item of the elder's effective list today with whether they are
 * eligible, whether they receive it (benefit records), and why, in Chinese sentences.  Scoped
 * like the elder's record (404 outside the caller's region); not audited, like reading the
 * record itself.
 */
static int
elder_entitlements(struct al_req *r)
{
    int64_t id;
    const char *region = NULL, *date = NULL;
    char buf[11], chain[ENT_LEVELS][13];
    int n, rc = al_req_param_id(r, "id", &id);
    if (rc != AL_OK)
        return al_req_fail(r, AL_ENOTFOUND, NULL, "老人不存在");
    if ((rc = elder_in_scope(r, id, &region)) != AL_OK)
        return rc;
    if ((rc = query_date(r, "date", "日期", buf, &date)) != AL_OK)
        return rc;
    if (entitle_chain(region, chain, &n) != AL_OK)
        return al_req_fail(r, AL_EUNPROC, "region_code", "老人的区划代码不完整，无法确定适用的清单");
    const char *list = al_arena_strdup(r->arena, chain[n - 1]);
    json_t *params = NULL, *items = NULL, *receiving = json_array();
    struct rule_facts f;
    facts_init(&f, 1);
    if ((rc = chain_params(r, list, &params)) == AL_OK)
        rc = merged_list(r, list, date, 0, &items);
    if (rc == AL_OK)
        rc = entitle_store_receiving(r->db, id, date, receiving);
    if (rc == AL_OK) {
        facts_fini(&f);
        facts_init(&f, (int)json_array_size(items));
        rc = facts_load_elder(r->db, id, date, NULL, &f);
    }
    if (rc != AL_OK)
        goto out;
    size_t i, k;
    json_t *it, *key;
    /* RULE-ENT-050: receiving = a benefit record whose period holds the date. */
    json_array_foreach(receiving, k, key) json_array_foreach(items, i, it)
        if (!strcmp(sget(it, "item_key"), json_string_value(key))) facts_set_receives(&f, 0, (int)i);
    json_t *out_items = json_array();
    double cpu = 0;
    json_array_foreach(items, i, it)
    {
        const char *text = sget(it, "rule_text");
        json_t *o = json_pack("{s:s, s:s, s:s, s:O, s:O, s:b}", "item_key", sget(it, "item_key"),
            "name", sget(it, "name"), "category", sget(it, "category") ? sget(it, "category") : "",
            "standard_text", json_object_get(it, "standard_text"), "rule_version",
            json_object_get(it, "rule_version"), "receiving", facts_receives(&f, 0, (int)i));
        json_object_set_new(o, "rule_text", json_string(text ? text : ""));
        double t0 = cpu_us();
        struct rule *rule = NULL;
        struct rule_error err;
        if (!text || !*text) {
            json_object_set_new(o, "eligible", json_null());
            json_object_set_new(o, "error", json_string("该项目尚未设定认定规则"));
        } else if (entitle_rule_compile(r->arena, text, list, date, params, items, &rule, &err)) {
            json_object_set_new(o, "eligible", json_null());
            json_object_set_new(o, "error", json_string(err.message));
        } else {
            struct rule_explanation x;
            rule_explain(r->arena, rule, &f, 0, &x);
            json_t *xj = rule_explanation_json(&x);
            json_object_set_new(o, "eligible", json_boolean(x.eligible));
            json_object_set(o, "missing", json_object_get(xj, "missing"));
            json_object_set(o, "conditions", json_object_get(xj, "conditions"));
            json_decref(xj);
        }
        cpu += cpu_us() - t0;
        json_array_append_new(out_items, o);
    }
    json_t *out = json_pack("{s:I, s:s, s:s, s:s, s:o, s:I, s:i}", "elder_id", (json_int_t)id,
        "date", date, "list_region", list, "list_name", list_name(r, list), "items", out_items,
        "total", (json_int_t)json_array_size(out_items), "rules_cpu_us", (int)(cpu + 0.5));
    rc = al_reply(r, 200, out);
out:
    facts_fini(&f);
    json_decref(params);
    json_decref(items);
    json_decref(receiving);
    return rc;
}

/* One elder against the effective list of their county on a date: what every item needs. */
struct elder_eval {
    const char *list_region;
    json_t *params, *entries, *items, *receiving;
    struct rule_facts f;
};

static void
elder_eval_fini(struct elder_eval *v)
{
    facts_fini(&v->f);
    json_decref(v->params);
    json_decref(v->entries);
    json_decref(v->items);
    json_decref(v->receiving);
}

/* Load the list, its parameters, the elder's facts and what they receive.  AL_EUNPROC when
 * the region keys no list.  elder_eval_fini in every case. */
static int
elder_eval_load(struct al_db *db, struct al_arena *a, int64_t elder_id, const char *region,
    const char *date, struct elder_eval *v)
{
    char chain[ENT_LEVELS][13];
    int n, rc;
    *v = (struct elder_eval){.params = json_array(), .entries = json_array(),
        .receiving = json_array()};
    facts_init(&v->f, 1);
    if (entitle_chain(region, chain, &n) != AL_OK)
        return AL_EUNPROC;
    v->list_region = al_arena_strdup(a, chain[n - 1]);
    if ((rc = entitle_store_params(db, chain, n, v->params)) != AL_OK ||
        (rc = entitle_store_entries(db, chain, n, date, 0, v->entries)) != AL_OK)
        return rc;
    v->items = entitle_merge(a, v->entries, v->list_region, date);
    if ((rc = entitle_store_receiving(db, elder_id, date, v->receiving)) != AL_OK)
        return rc;
    facts_fini(&v->f);
    facts_init(&v->f, (int)json_array_size(v->items));
    if ((rc = facts_load_elder(db, elder_id, date, NULL, &v->f)) != AL_OK)
        return rc;
    size_t i, k;
    json_t *it, *key;
    json_array_foreach(v->receiving, k, key) json_array_foreach(v->items, i, it)
        if (!strcmp(sget(it, "item_key"), json_string_value(key)))
            facts_set_receives(&v->f, 0, (int)i);
    return AL_OK;
}

/* Item `at` of the loaded list for the elder: out's eligible, item_name, rule_text and the
 * Chinese explanation (RULE-ENT-050..052). */
static void
elder_eval_item(struct al_arena *a, struct elder_eval *v, size_t at, const char *date,
    struct entitle_verdict *out)
{
    json_t *it = json_array_get(v->items, at);
    out->eligible = -1;
    out->list_region = v->list_region;
    out->item_name = al_arena_strdup(a, sget(it, "name"));
    const char *text = sget(it, "rule_text");
    if (!text || !*text) {
        out->explanation = al_arena_printf(a, "“%s”尚未设定认定规则", out->item_name);
        return;
    }
    out->rule_text = al_arena_strdup(a, text);
    struct rule *rule = NULL;
    struct rule_error err;
    if (entitle_rule_compile(a, text, v->list_region, date, v->params, v->items, &rule, &err)) {
        out->explanation = al_arena_printf(a, "“%s”的认定规则有误：%s", out->item_name,
            err.message);
        return;
    }
    struct rule_explanation x;
    rule_explain(a, rule, &v->f, 0, &x);
    out->eligible = x.eligible;
    if (x.eligible) {
        out->explanation = al_arena_printf(a, "符合“%s”的认定规则：%s", out->item_name, text);
        return;
    }
    size_t len = 0;
    for (int m = 0; m < x.nmissing; m++)
        len += strlen(x.missing[m]) + 4;
    char *buf = al_arena_alloc(a, len + 1), *p = buf;
    *p = 0;
    for (int m = 0; m < x.nmissing; m++)
        p += sprintf(p, "%s%s", m ? "；" : "", x.missing[m]);
    out->explanation = al_arena_printf(a, "不符合“%s”的认定规则（%s）：%s", out->item_name, text,
        x.nmissing ? buf : "条件不满足");
}

int
entitle_elder_item(struct al_db *db, struct al_arena *a, int64_t elder_id, const char *region,
    const char *item_key, const char *date, struct entitle_verdict *out)
{
    struct elder_eval v;
    *out = (struct entitle_verdict){.eligible = -1};
    int rc = elder_eval_load(db, a, elder_id, region, date, &v);
    out->list_region = v.list_region;
    if (rc == AL_OK) {
        size_t i, at = SIZE_MAX;
        json_t *it;
        json_array_foreach(v.items, i, it) if (!strcmp(sget(it, "item_key"), item_key)) at = i;
        if (at == SIZE_MAX)
            out->explanation = al_arena_printf(a,
                "老人所在地的基本养老服务清单中没有该项目（%s）", item_key);
        else
            elder_eval_item(a, &v, at, date, out);
    }
    elder_eval_fini(&v);
    return rc;
}

int
entitle_elder_check(struct al_db *db, struct al_arena *a, int64_t elder_id, const char *region,
    const char *date, struct entitle_check *out)
{
    struct elder_eval v;
    *out = (struct entitle_check){0};
    int rc = elder_eval_load(db, a, elder_id, region, date, &v);
    const char *missing = "";
    size_t i;
    json_t *it;
    if (rc == AL_OK)
        json_array_foreach(v.items, i, it) {
            struct entitle_verdict x;
            elder_eval_item(a, &v, i, date, &x);
            bool receiving = facts_receives(&v.f, 0, (int)i);
            out->items++;
            out->eligible += x.eligible == 1;
            out->receiving += receiving;
            if (x.eligible == 1 && !receiving) { /* RULE-ENT-074: the gap a referral is about */
                out->missing++;
                missing = al_arena_printf(a, "%s%s%s", missing, *missing ? "、" : "",
                    x.item_name);
            }
        }
    out->list_region = v.list_region;
    out->missing_names = missing;
    out->summary = out->missing
        ? al_arena_printf(a, "清单 %d 项，符合 %d 项，已享受 %d 项；符合但尚未享受：%s", out->items,
              out->eligible, out->receiving, missing)
        : al_arena_printf(a, "清单 %d 项，符合 %d 项，已享受 %d 项；符合的项目均已享受",
              out->items, out->eligible, out->receiving);
    elder_eval_fini(&v);
    return rc;
}

static const struct al_route entitle_routes[] = {
    {AL_GET, "/api/v1/entitle/list", list_get, "entitle.read", 0,
        "某级清单在某日的有效内容（region、date 或 version；继承与提高标准已合并）"},
    {AL_GET, "/api/v1/entitle/versions", versions_get, "entitle.read", 0, "某级清单的各版本"},
    {AL_GET, "/api/v1/entitle/items/:key", item_get, "entitle.read", 0,
        "服务项目详情（各级历次版本、示例老人）"},
    {AL_POST, "/api/v1/entitle/items/:key/check", item_check, "entitle.manage", 0,
        "标记本级设立的项目已与正式文件核对"},
    {AL_POST, "/api/v1/entitle/items/:key/examples", example_add, "entitle.manage", 0,
        "为服务项目添加示例老人（情况、日期、预期结果）"},
    {AL_GET, "/api/v1/entitle/changes", changes_list, "entitle.read", 0,
        "清单变更列表（region、status；queue=1 为待本级审批）"},
    {AL_POST, "/api/v1/entitle/changes", change_create, "entitle.manage", 0, "新建本级清单变更（草稿）"},
    {AL_GET, "/api/v1/entitle/changes/:id", change_get, "entitle.read", 0, "清单变更详情"},
    {AL_PUT, "/api/v1/entitle/changes/:id/items/:key", change_item_put, "entitle.manage", 0,
        "在变更中新增或修改项目（继承的项目只能提高标准）"},
    {AL_DELETE, "/api/v1/entitle/changes/:id/items/:key", change_item_del, "entitle.manage", 0,
        "从变更中移除项目"},
    {AL_POST, "/api/v1/entitle/changes/:id/submit", change_submit, "entitle.manage", 0,
        "提交上一级审批"},
    {AL_POST, "/api/v1/entitle/changes/:id/approve", change_approve, "entitle.approve", 0,
        "批准下级清单变更（成为该清单的新版本）"},
    {AL_POST, "/api/v1/entitle/changes/:id/return", change_return, "entitle.approve", 0,
        "退回下级清单变更（须填写理由）"},
    {AL_GET, "/api/v1/entitle/params", params_get, "entitle.read", 0, "参数及其在某日的取值"},
    {AL_POST, "/api/v1/entitle/params", param_add, "entitle.manage", 0, "为本级参数新增一个日期取值"},
    {AL_GET, "/api/v1/entitle/exclusions", exclusions_get, "entitle.read", 0, "不可叠加规则（含上级）"},
    {AL_POST, "/api/v1/entitle/exclusions", exclusion_add, "entitle.manage", 0, "新增本级不可叠加规则"},
    {AL_DELETE, "/api/v1/entitle/exclusions/:id", exclusion_del, "entitle.manage", 0,
        "删除本级不可叠加规则"},
    {AL_GET, "/api/v1/entitle/benefits", benefits_get, "entitle.read", 0, "某位老人的享受记录"},
    {AL_POST, "/api/v1/entitle/benefits", benefit_add, "entitle.manage", 0, "登记享受记录"},
    {AL_POST, "/api/v1/entitle/benefits/:id/end", benefit_end, "entitle.manage", 0, "终止享受记录"},
    {AL_POST, "/api/v1/entitle/rules/check", rule_check, "entitle.read", 0,
        "校验认定规则（编辑时实时提示；不保存、不留痕）"},
    {AL_GET, "/api/v1/elders/:id/entitlements", elder_entitlements, "elder.read", 0,
        "某位老人今日可享受的服务项目、是否已享受及其理由"},
    {0},
};

const struct al_module entitle_module = {.name = "entitle", .routes = entitle_routes};
