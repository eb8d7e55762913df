/* Pure rules of the identify module. */
#include <string.h>

#include "core/csv.h"
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

const char *
identify_special_json(struct al_arena *a, const char *csv)
{
    struct al_buf b = {0};
    al_buf_add(a, &b, "[", 1);
    const char *p = csv;
    int n = 0;
    while (*p) {
        const char *e = strchr(p, ',');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (len) {
            if (n++)
                al_buf_add(a, &b, ",", 1);
            al_buf_add(a, &b, "\"", 1);
            al_buf_add(a, &b, p, len);
            al_buf_add(a, &b, "\"", 1);
        }
        if (!e)
            break;
        p = e + 1;
    }
    al_buf_add(a, &b, "]", 1);
    return b.p;
}
