/* Request bodies: JSON object parsing and the field getters. */
#include <stddef.h>
#include <stdint.h>

#include "core/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct al_arena a;
    static int ready;
    if (!ready) {
        al_json_init();
        al_arena_init(&a, 1 << 16);
        ready = 1;
    }
    al_arena_reset(&a);
    al_json_use_arena(&a);
    struct al_errinfo e = {0};
    json_t *o = NULL;
    if (al_json_parse_object((const char *)data, size, &o, &e) == AL_OK) {
        const char *s;
        int64_t i;
        bool b, present;
        al_json_get_str(o, "username", "用户名", AL_REQUIRED, 1, 32, &s, &e);
        al_json_get_str(o, "name", "姓名", 0, 0, 0, &s, &e);
        al_json_get_int(o, "version", "版本号", 0, 1, INT64_MAX, &i, &present, &e);
        al_json_get_bool(o, "elder_mode", "长辈模式", 0, &b, &present, &e);
        al_json_dump(&a, o, NULL);
    }
    al_json_use_arena(NULL);
    return 0;
}
