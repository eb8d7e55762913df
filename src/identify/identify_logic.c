/* Pure rules of the identify module. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/csv.h"
#include "elder/elder.h"
#include "identify/identify.h"
#include "identify/identify_int.h"
#include "region/region.h"

const char *const identify_list_ids[5] = {"new_special", "inactive_in_service", "missing_hukou",
    "duplicates", "changed"};
static const char *const list_names[5] = {"新增特殊困难老年人", "死亡或迁出仍在享受服务",
    "最新户籍数据中缺失（待核实）", "疑似重复登记", "类别变化"};

int
identify_list_index(const char *id)
{
    for (int i = 0; i < 5; i++)
        if (strcmp(identify_list_ids[i], id) == 0)
            return i;
    return -1;
}

const char *
identify_list_name(int index)
{
    return index >= 0 && index < 5 ? list_names[index] : "?";
}

unsigned
identify_classify(const struct elder_scan_row *row, const struct identify_prev *prev,
    bool baseline, int64_t last_hukou)
{
    unsigned lists = 0;
    bool active = strcmp(row->status, "active") == 0;
    const char *before = prev->known ? prev->cats : "";
    /* RULE-IDENT-001: in special difficulty now, not at the last run (first run: no list). */
    if (!baseline && active && row->special && !(prev->known && prev->special))
        lists |= 1u << IDENTIFY_LIST_NEW_SPECIAL;
    /* RULE-IDENT-005: categories changed since the last run. */
    if (!baseline && strcmp(before, row->cats) != 0)
        lists |= 1u << IDENTIFY_LIST_CHANGED;
    /* RULE-IDENT-002: dead or moved out, yet still entitled (a roll or special categories). */
    if ((strcmp(row->status, "deceased") == 0 || strcmp(row->status, "moved_out") == 0) &&
        ((row->economic_status && strcmp(row->economic_status, "general") != 0) || row->special))
        lists |= 1u << IDENTIFY_LIST_INACTIVE;
    /* RULE-IDENT-003: active, yet not seen in the latest household import of their region
     * (nor in any later one). */
    if (last_hukou > 0 && active && row->last_hukou_import < last_hukou)
        lists |= 1u << IDENTIFY_LIST_MISSING_HUKOU;
    return lists;
}

bool
identify_state_differs(const struct elder_scan_row *row, const struct identify_prev *prev)
{
    if (!prev->known)
        return row->special || row->cats[0];
    return prev->special != row->special || strcmp(prev->cats, row->cats) != 0;
}

static bool
compared(const struct elder_scan_row *row)
{
    return strcmp(row->status, "active") == 0 && row->name && row->birth_date && row->sex &&
           row->region_code && strlen(row->region_code) >= 6;
}

/* FNV-1a over `n` bytes of `s`, continuing from `h`, then a field separator. */
static uint64_t
fnv(uint64_t h, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
    return (h ^ 0x1f) * 1099511628211ull;
}

bool
identify_person_hash(const struct elder_scan_row *row, uint64_t *h)
{
    if (!compared(row))
        return false;
    uint64_t x = 14695981039346656037ull;
    x = fnv(x, row->name, strlen(row->name));
    x = fnv(x, row->birth_date, strlen(row->birth_date));
    x = fnv(x, row->sex, strlen(row->sex));
    *h = fnv(x, row->region_code, 6); /* the county */
    return true;
}

bool
identify_same_person(const struct elder_scan_row *a, const struct elder_scan_row *b)
{
    return compared(a) && compared(b) && strcmp(a->name, b->name) == 0 &&
           strcmp(a->birth_date, b->birth_date) == 0 && strcmp(a->sex, b->sex) == 0 &&
           memcmp(a->region_code, b->region_code, 6) == 0;
}

/* Append `s` to the text in `out` (`size` bytes), cut when full. */
static void
append(char *out, size_t size, const char *s)
{
    size_t len = strlen(out);
    snprintf(out + len, size - len, "%s", s);
}

/* "高龄、空巢" for "advanced_age,empty_nest" into `out`; "无" for none. */
static const char *
category_names(const char *ids, char *out, size_t size)
{
    out[0] = '\0';
    for (const char *p = ids; p && *p;) {
        const char *e = strchr(p, ',');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        char id[64];
        snprintf(id, sizeof(id), "%.*s", (int)(n < 63 ? n : 63), p);
        const char *name = elder_category_name(id);
        if (out[0])
            append(out, size, "、");
        append(out, size, name ? name : id);
        p = e ? e + 1 : p + n;
    }
    return out[0] ? out : "无";
}

/* RULE-UI-001: the Chinese name of a roll the identification reads (economic_status). */
static const char *
roll_name(const char *economic, size_t n)
{
    static const char *const ids[] = {"tekun", "dibao", "dibao_edge", "low_income"};
    static const char *const names[] = {"特困人员供养", "最低生活保障（低保）", "低保边缘救助",
        "低收入救助"};
    for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
        if (strlen(ids[i]) == n && strncmp(ids[i], economic, n) == 0)
            return names[i];
    return NULL;
}

const char *
identify_inactive_detail(struct al_arena *a, const struct elder_scan_row *row)
{
    const char *eco = row->economic_status && strcmp(row->economic_status, "general") != 0
                          ? row->economic_status
                          : "";
    return al_arena_printf(a, "%s %s|%s|%s", row->status, row->status_date ? row->status_date : "",
        eco, row->special && row->cats ? row->cats : "");
}

const char *
identify_still_text(struct al_arena *a, const char *what, const char *tail)
{
    /* tail: NULL (a detail stored before RULE-UI-001) or "|<roll>|<categories>" */
    if (!tail)
        return al_arena_strdup(a, what);
    const char *roll = tail + 1;
    const char *bar = strchr(roll, '|');
    size_t n = bar ? (size_t)(bar - roll) : strlen(roll);
    const char *cats = bar ? bar + 1 : "";
    char x[512], services[768] = "";
    const char *rn = n ? roll_name(roll, n) : NULL;
    if (rn)
        append(services, sizeof(services), rn);
    else if (n)
        snprintf(services, sizeof(services), "%.*s", (int)(n < 64 ? n : 64), roll);
    if (*cats) {
        if (services[0])
            append(services, sizeof(services), "、");
        append(services, sizeof(services), "特殊困难老年人服务（");
        append(services, sizeof(services), category_names(cats, x, sizeof(x)));
        append(services, sizeof(services), "）");
    }
    if (!services[0])
        return al_arena_strdup(a, what);
    return al_arena_printf(a, "%s；仍在享受：%s", what, services);
}

const char *
identify_status_name(const char *status)
{
    const char *name = elder_status_name(status);
    return name ? name : "";
}

const char *
identify_detail_text(struct al_arena *a, int list, const char *detail)
{
    char x[512], y[512];
    if (!detail)
        return "";
    switch (list) {
    case IDENTIFY_LIST_NEW_SPECIAL:
        return al_arena_strdup(a, category_names(detail, x, sizeof(x)));
    case IDENTIFY_LIST_CHANGED: { /* ["old","new"] */
        char old[256] = "", now[256] = "";
        const char *mid = strstr(detail, "\",\"");
        size_t tail = strlen(detail);
        if (strncmp(detail, "[\"", 2) == 0 && mid && tail >= 2 &&
            strcmp(detail + tail - 2, "\"]") == 0 && mid + 3 <= detail + tail - 2) {
            snprintf(old, sizeof(old), "%.*s", (int)(mid - detail - 2), detail + 2);
            snprintf(now, sizeof(now), "%.*s", (int)(detail + tail - 2 - (mid + 3)), mid + 3);
        }
        return al_arena_printf(a, "%s → %s", category_names(old, x, sizeof(x)),
            category_names(now, y, sizeof(y)));
    }
    case IDENTIFY_LIST_INACTIVE: { /* "deceased 2025-12-19|dibao|advanced_age,living_alone" */
        bool dead = strncmp(detail, "deceased", 8) == 0;
        const char *bar = strchr(detail, '|');
        const char *end = bar ? bar : detail + strlen(detail);
        const char *date = memchr(detail, ' ', (size_t)(end - detail));
        date = date && date + 1 < end ? date + 1 : NULL;
        const char *what = dead ? "死亡" : "迁出";
        if (!date)
            return identify_still_text(a, what, bar);
        return identify_still_text(a,
            al_arena_printf(a, "%s（%.*s）", what, (int)(end - date), date), bar);
    }
    case IDENTIFY_LIST_MISSING_HUKOU: /* "import:6" */
        return al_arena_printf(a, "第 %s 次户籍导入中没有此人",
            strncmp(detail, "import:", 7) == 0 ? detail + 7 : detail);
    case IDENTIFY_LIST_DUPLICATES: { /* "12,34": the other records */
        x[0] = '\0';
        for (const char *p = detail; *p;) {
            const char *e = strchr(p, ',');
            size_t n = e ? (size_t)(e - p) : strlen(p);
            snprintf(y, sizeof(y), "%s#%.*s", x[0] ? "、" : "", (int)(n < 40 ? n : 40), p);
            append(x, sizeof(x), y);
            p = e ? e + 1 : p + n;
        }
        return al_arena_printf(a, "与档案 %s 疑似同一人", x);
    }
    default:
        return detail;
    }
}

size_t
identify_hukou_references(struct identify_hukou *v, size_t n)
{
    size_t kept = 0;
    for (size_t i = 0; i < n; i++) {
        bool shadowed = false;
        for (size_t k = 0; k < kept && !shadowed; k++)
            shadowed = region_in_scope(v[k].scope, v[i].scope);
        if (!shadowed)
            v[kept++] = v[i];
    }
    return kept;
}

int64_t
identify_hukou_for(const struct identify_hukou *v, size_t n, const char *region)
{
    for (size_t i = 0; i < n; i++)
        if (region_in_scope(v[i].scope, region))
            return v[i].id;
    return 0;
}
