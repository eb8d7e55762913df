/* Query strings. */
#include <stddef.h>
#include <stdint.h>

#include "core/query.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct al_arena a;
    static int ready;
    if (!ready) {
        al_arena_init(&a, 1 << 16);
        ready = 1;
    }
    al_arena_reset(&a);
    struct al_query q;
    struct al_errinfo e = {0};
    if (al_query_parse(&a, (const char *)data, size, &q, &e) == AL_OK) {
        int64_t page, page_size, v;
        al_query_page(&q, &page, &page_size, &e);
        al_query_int(&q, "age_min", "最小年龄", 0, 150, -1, &v, &e);
        al_query_get(&q, "q");
    }
    return 0;
}
