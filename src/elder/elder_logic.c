/* Pure rules of the elder registry. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/fields.h"
#include "core/idcard.h"
#include "elder/elder_int.h"
#include "region/region.h"

const char *const elder_living_values[] = {"alone", "spouse_only", "with_children", "with_others",
    "institution", NULL};
const char *const elder_economic_values[] = {"tekun", "dibao", "dibao_edge", "low_income",
    "general", NULL};
const char *const elder_status_values[] = {"active", "moved_out", "deceased", "cancelled", NULL};
const char *const elder_category_ids[] = {"advanced_age", "living_alone", "empty_nest",
    "left_behind", "disabled", "severe_disability", "fp_special", "economic_difficulty",
    "entitled", NULL};

/* ---- the elder facts: one table for requests, the store's columns, history and evidence ---- */

static const char *const sex_values[] = {"M", "F", NULL};

/* A region of residence or registration is a village/community: a 12-digit code. */
static int
check_region(const struct al_field *f, const char *v, struct al_errinfo *e)
{
    if (region_level(v) != 5)
        return al_fail(e, AL_EINVAL, f->key, "%s应为 12 位村（社区）区划代码", f->label);
    return AL_OK;
}

static int
check_phone(const struct al_field *f, const char *v, struct al_errinfo *e)
{
    const char *p = al_phone_problem(v);
    return p ? al_fail(e, AL_EINVAL, f->key, "%s", p) : AL_OK;
}

/* A whole ID number is checked (and normalised) by the handler: it derives sex and birth date. */
const struct al_field elder_fields[] = {
    {"id_number", "身份证号", AL_FT_TEXT, AL_F_REQUIRED, .min = 1, .max = 40,
        .tag = ELDER_F_NOCOLUMN},
    {"name", "姓名", AL_FT_TEXT, AL_F_REQUIRED | AL_F_PLAIN, .min = 1, .max = 32}, /* RULE-PII-005 */
    {"sex", "性别", AL_FT_ENUM, 0, .allowed = sex_values, .hint = "应为 M（男）或 F（女）"},
    {"birth_date", "出生日期", AL_FT_DATE, 0, .tag = ELDER_F_CATEGORY},
    {"region_code", "居住地区划", AL_FT_TEXT, AL_F_REQUIRED, .max = 12, .check = check_region},
    {"hukou_region_code", "户籍地区划", AL_FT_TEXT, 0, .max = 12, .check = check_region},
    {"phone", "联系电话", AL_FT_TEXT, AL_F_REQUIRED | AL_F_NULLABLE, .max = 20,
        .check = check_phone, .tag = ELDER_F_PHONE},
    {"phone2", "备用电话", AL_FT_TEXT, AL_F_NULLABLE, .max = 20, .check = check_phone,
        .tag = ELDER_F_PHONE},
    {"address", "住址", AL_FT_TEXT, AL_F_REQUIRED | AL_F_PLAIN, .min = 1, .max = 200},
    {"lat", "纬度", AL_FT_REAL, AL_F_NULLABLE, .lo = 3.0, .hi = 54.0, .hint = "应为中国境内的纬度"},
    {"lng", "经度", AL_FT_REAL, AL_F_NULLABLE, .lo = 73.0, .hi = 136.0,
        .hint = "应为中国境内的经度"},
    {"living_arrangement", "居住情况", AL_FT_ENUM, 0, .allowed = elder_living_values,
        .hint = "应为 alone（独居）、spouse_only（仅与配偶）、with_children、with_others 或 institution",
        .tag = ELDER_F_FACT},
    {"left_behind", "留守", AL_FT_BOOL, 0, .tag = ELDER_F_FACT},
    {"economic_status", "经济状况", AL_FT_ENUM, 0, .allowed = elder_economic_values,
        .hint = "应为 tekun（特困）、dibao（低保）、dibao_edge（低保边缘）、low_income（低收入）或 general（一般）",
        .tag = ELDER_F_FACT},
    {"disability_type", "残疾类别", AL_FT_TEXT, AL_F_PLAIN | AL_F_NULLABLE, .max = 32},
    {"disability_grade", "残疾等级", AL_FT_INT, AL_F_NULLABLE, .min = 1, .max = 4,
        .tag = ELDER_F_FACT},
    {"fp_special", "计生特殊家庭", AL_FT_BOOL, 0, .tag = ELDER_F_FACT},
    {"entitled_groups", "优抚类别", AL_FT_TEXTS, 0, .max = 10, .item_max = 64,
        .tag = ELDER_F_FACT | ELDER_F_JSON},
    {"ability_level", "能力等级", AL_FT_INT, AL_F_NOINPUT, .min = 0, .max = 4,
        .tag = ELDER_F_FACT}, /* from published assessments */
    {"status", "状态", AL_FT_ENUM, 0, .allowed = elder_status_values,
        .hint = "应为 active（在册）、moved_out（迁出）、deceased（死亡）或 cancelled（注销）"},
    {"status_date", "状态变更日期", AL_FT_DATE, 0, .tag = 0},
    {"status_reason", "状态变更原因", AL_FT_TEXT, AL_F_PLAIN | AL_F_NULLABLE, .max = 200},
    /* Written by imports only. */
    {"household_no", "户号", AL_FT_TEXT, AL_F_NOINPUT, .tag = 0},
    {"household_size", "户人数", AL_FT_INT, AL_F_NOINPUT, .tag = 0},
    {"pension_type", "养老金类型", AL_FT_TEXT, AL_F_NOINPUT, .tag = 0},
    {"pension_amount_fen", "养老金金额（分）", AL_FT_INT, AL_F_NOINPUT, .tag = 0},
    {"last_hukou_import", "最近户籍导入", AL_FT_INT, AL_F_NOINPUT, .tag = ELDER_F_SECRET},
    /* Derived from the ID number by elder_write (never from a body). */
    {"id_hash", "身份证号检索码", AL_FT_TEXT, AL_F_NOINPUT, .tag = ELDER_F_SECRET},
    {"id_enc", "身份证号密文", AL_FT_TEXT, AL_F_NOINPUT, .tag = ELDER_F_SECRET},
    {"id_masked", "身份证号（脱敏）", AL_FT_TEXT, AL_F_NOINPUT, .tag = 0},
    {0},
};

/*
 * The columns by their first letter: elder_column runs several times for each
 * row of a million-row import, and a walk of the whole table was 2 % of it.
 */
static const struct al_field *by_letter[26][8];
static pthread_once_t by_letter_once = PTHREAD_ONCE_INIT;

static void
by_letter_build(void)
{
    for (const struct al_field *f = elder_fields; f->key; f++) {
        const char *c = f->column ? f->column : f->key;
        unsigned l = (unsigned char)c[0] - 'a';
        if (f->tag & ELDER_F_NOCOLUMN || l >= 26)
            continue;
        for (int i = 0; i < 8; i++)
            if (!by_letter[l][i]) {
                by_letter[l][i] = f;
                break;
            }
    }
}

const struct al_field *
elder_column(const char *column)
{
    pthread_once(&by_letter_once, by_letter_build);
    unsigned l = (unsigned char)column[0] - 'a';
    for (int i = 0; l < 26 && i < 8 && by_letter[l][i]; i++) {
        const struct al_field *f = by_letter[l][i];
        if (strcmp(f->column ? f->column : f->key, column) == 0)
            return f;
    }
    return NULL;
}

/* The name of a column in history entries and responses (what a reader sees of it). */
static const char *
history_key(const struct al_field *f)
{
    if (!strcmp(f->key, "id_masked"))
        return "id_number_masked";
    if (f->tag & ELDER_F_PHONE)
        return !strcmp(f->key, "phone") ? "phone_masked" : "phone2_masked";
    return f->key;
}

/* A value as history keeps it: phones masked (RULE-ELDER-002). */
static json_t *
history_value(const struct al_field *f, json_t *v)
{
    if ((f->tag & ELDER_F_PHONE) && json_is_string(v)) {
        char m[64];
        al_phone_mask(json_string_value(v), m, sizeof(m));
        return json_string(m);
    }
    return json_incref(v ? v : json_null());
}

json_t *
elder_history_changes(json_t *set, json_t *before)
{
    json_t *ch = json_object();
    const char *k;
    json_t *v;
    json_object_foreach(set, k, v)
    {
        const struct al_field *f = elder_column(k);
        if (!f || (f->tag & ELDER_F_SECRET))
            continue;
        json_t *ov = before ? json_object_get(before, k) : NULL;
        if (ov && json_equal(ov, v))
            continue;
        json_object_set_new(ch, history_key(f),
            json_pack("[oo]", history_value(f, ov), history_value(f, v)));
    }
    return ch;
}

bool
elder_enum_ok(const char *const *allowed, const char *v)
{
    for (; *allowed; allowed++)
        if (strcmp(*allowed, v) == 0)
            return true;
    return false;
}

const char *
elder_field_label(const char *key)
{
    const struct al_field *f = key ? al_field_find(elder_fields, key) : NULL;
    return f ? f->label : NULL;
}

const char *
elder_category_name(const char *id)
{
    static const char *const names[] = {"高龄", "独居", "空巢", "留守", "失能", "重残",
        "计生特殊家庭", "经济困难", "优抚对象"};
    for (int i = 0; elder_category_ids[i]; i++)
        if (strcmp(elder_category_ids[i], id) == 0)
            return names[i];
    return NULL;
}

const char *
elder_status_name(const char *status)
{
    static const char *const ids[] = {"active", "moved_out", "deceased", "cancelled"};
    static const char *const names[] = {"在册", "迁出", "死亡", "注销"};
    for (int i = 0; status && i < 4; i++)
        if (strcmp(ids[i], status) == 0)
            return names[i];
    return status;
}

bool
elder_in_list(const char *list, const char *v)
{
    size_t n = strlen(v);
    for (const char *p = list; *p;) {
        const char *e = strchr(p, ',');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (len == n && strncmp(p, v, n) == 0)
            return true;
        if (!e)
            break;
        p = e + 1;
    }
    return false;
}

int
elder_derive(const struct elder_facts *f, const struct elder_settings *s, const char *today,
    struct elder_category out[ELDER_CAT_MAX])
{
    int n = 0;
#define ADD(cat, evidence)                                                                     \
    do {                                                                                       \
        out[n].id = (cat);                                                                     \
        out[n].ev = (evidence);                                                                \
        n++;                                                                                   \
    } while (0)
    /* RULE-CAT-001 高龄: age on `today` at least the setting (default 80). */
    if (f->birth_date && al_age_on(f->birth_date, today) >= s->advanced_age)
        ADD("advanced_age", f->ev_birth);
    /* RULE-CAT-002 独居 / 空巢: from the living arrangement. */
    if (f->living_arrangement && strcmp(f->living_arrangement, "alone") == 0)
        ADD("living_alone", f->ev_living);
    if (f->living_arrangement && strcmp(f->living_arrangement, "spouse_only") == 0)
        ADD("empty_nest", f->ev_living);
    /* RULE-CAT-003 留守: children work elsewhere. */
    if (f->left_behind)
        ADD("left_behind", f->ev_left_behind);
    /* RULE-CAT-004 失能: latest assessment level at least the setting (default 1). */
    if (f->ability_level >= 0 && f->ability_level >= s->disabled_min_level)
        ADD("disabled", f->ev_ability);
    /* RULE-CAT-005 重残: disability certificate grade 1 or 2. */
    if (f->disability_grade == 1 || f->disability_grade == 2)
        ADD("severe_disability", f->ev_disability);
    /* RULE-CAT-006 计生特殊家庭. */
    if (f->fp_special)
        ADD("fp_special", f->ev_fp);
    /* RULE-CAT-007 经济困难: economic status among the tiers of the setting. */
    if (f->economic_status && elder_in_list(s->economic_tiers, f->economic_status))
        ADD("economic_difficulty", f->ev_economic);
    /* RULE-CAT-008 优抚对象: any entitled group. */
    if (f->entitled_count > 0)
        ADD("entitled", f->ev_entitled);
#undef ADD
    return n;
}

bool
elder_is_special(const struct elder_settings *s, const char *const *ids, int n)
{
    /* RULE-CAT-009: 特殊困难老年人 is the union of the categories in the setting. */
    for (int i = 0; i < n; i++)
        if (elder_in_list(s->special_difficulty, ids[i]))
            return true;
    return false;
}

int
elder_special_ids(const char *list, const char *ids[ELDER_CAT_MAX])
{
    int n = 0;
    for (int i = 0; elder_category_ids[i] && n < ELDER_CAT_MAX; i++)
        if (elder_in_list(list, elder_category_ids[i]))
            ids[n++] = elder_category_ids[i];
    return n;
}

/* ---- what a reader without elder.read_pii sees (RULE-PII-001) ---- */

void
elder_redact_birth(json_t *o)
{
    json_t *b = json_object_get(o, "birth_date");
    const char *s = json_string_value(b);
    if (s && strlen(s) >= 4)
        json_object_set_new(o, "birth_year", json_integer(atoi(s)));
    json_object_del(o, "birth_date");
    json_object_del(o, "age");
    /* 高龄 takes the ID number as evidence, dated with the birth date. */
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(o, "category_evidence"), i, c)
    {
        const char *src = json_string_value(json_object_get(c, "source"));
        if (src && strcmp(src, "id_number") == 0)
            json_object_set_new(c, "evidence_date", json_null());
    }
}

int
elder_phone_digits(const char *q)
{
    int n = 0;
    for (; *q; q++) {
        if (*q >= '0' && *q <= '9')
            n++;
        else if (*q != '-' && *q != ' ')
            return -1;
    }
    return n;
}

/* `v` (a value, or an [old, new] pair) with `fn` applied to each string in it. */
static json_t *
map_strings(json_t *v, json_t *(*fn)(const char *s))
{
    if (json_is_string(v))
        return fn(json_string_value(v));
    if (!json_is_array(v))
        return json_incref(v);
    json_t *out = json_array();
    size_t i;
    json_t *x;
    json_array_foreach(v, i, x) json_array_append_new(out, map_strings(x, fn));
    return out;
}

static json_t *
year_of(const char *s)
{
    return strlen(s) >= 4 ? json_integer(atoi(s)) : json_null();
}

static json_t *
remask_id(const char *s)
{
    /* Masks written before RULE-PII-001 kept the last 4 characters. */
    if (strlen(s) != 18)
        return json_string("******************");
    char m[19];
    memcpy(m, s, 6);
    memset(m + 6, '*', 11);
    m[17] = s[17];
    m[18] = '\0';
    return json_string(m);
}

static json_t *
mask_phone(const char *s)
{
    if (strchr(s, '*'))
        return json_string(s); /* already masked */
    char m[64];
    al_phone_mask(s, m, sizeof(m));
    return json_string(m);
}

json_t *
elder_history_view(json_t *changes, bool pii)
{
    json_t *out = json_object();
    const char *k;
    json_t *v;
    json_object_foreach(changes, k, v)
    {
        if (!strcmp(k, "id_masked") || !strcmp(k, "id_number_masked"))
            json_object_set_new(out, "id_number_masked", map_strings(v, remask_id));
        else if (!strcmp(k, "phone") || !strcmp(k, "phone2"))
            json_object_set_new(out, !strcmp(k, "phone") ? "phone_masked" : "phone2_masked",
                map_strings(v, mask_phone));
        else if (!strcmp(k, "phone_masked") || !strcmp(k, "phone2_masked"))
            json_object_set_new(out, k, map_strings(v, mask_phone));
        else if (!strcmp(k, "birth_date") && !pii)
            json_object_set_new(out, "birth_year", map_strings(v, year_of));
        else if (!strcmp(k, "id_number") || !strcmp(k, "id_hash") || !strcmp(k, "id_enc"))
            continue;
        else
            json_object_set(out, k, v);
    }
    return out;
}
