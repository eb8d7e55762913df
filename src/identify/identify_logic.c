/* Pure rules of the identify module. */
#include <string.h>

#include "identify/identify.h"
#include "identify/identify_int.h"

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

void
identify_buf_add(struct al_arena *a, struct identify_buf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 4096;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *p = al_arena_alloc(a, cap);
        if (b->len)
            memcpy(p, b->p, b->len);
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

void
identify_csv_field(struct al_arena *a, struct identify_buf *b, const char *s, bool last)
{
    if (!s)
        s = "";
    /* Leading = + - @ would run as a formula in a spreadsheet: neutralise with a quote. */
    bool formula = s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@';
    if (formula || strpbrk(s, ",\"\r\n")) {
        identify_buf_add(a, b, "\"", 1);
        if (formula)
            identify_buf_add(a, b, "'", 1);
        for (const char *p = s; *p; p++) {
            identify_buf_add(a, b, p, 1);
            if (*p == '"')
                identify_buf_add(a, b, "\"", 1); /* doubled */
        }
        identify_buf_add(a, b, "\"", 1);
    } else {
        identify_buf_add(a, b, s, strlen(s));
    }
    identify_buf_add(a, b, last ? "\r\n" : ",", last ? 2 : 1);
}

const char *
identify_special_json(struct al_arena *a, const char *csv)
{
    struct identify_buf b = {0};
    identify_buf_add(a, &b, "[", 1);
    const char *p = csv;
    int n = 0;
    while (*p) {
        const char *e = strchr(p, ',');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (len) {
            if (n++)
                identify_buf_add(a, &b, ",", 1);
            identify_buf_add(a, &b, "\"", 1);
            identify_buf_add(a, &b, p, len);
            identify_buf_add(a, &b, "\"", 1);
        }
        if (!e)
            break;
        p = e + 1;
    }
    identify_buf_add(a, &b, "]", 1);
    return b.p;
}
