#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "unit.h"

static void
parse_object(void **state)
{
    (void)state;
    struct al_errinfo e = {0};
    json_t *o = NULL;
    assert_int_equal(al_json_parse_object("", 0, &o, &e), AL_OK);
    assert_true(json_is_object(o));
    json_decref(o);
    assert_int_equal(al_json_parse_object("  {\"a\":1} ", 10, &o, &e), AL_OK);
    json_decref(o);
    assert_int_equal(al_json_parse_object("[1]", 3, &o, &e), AL_EINVAL);
    assert_non_null(strstr(e.message, "JSON 对象"));
    assert_int_equal(al_json_parse_object("{\"a\":", 5, &o, &e), AL_EINVAL);
    assert_int_equal(al_json_parse_object("{\"a\":1,\"a\":2}", 13, &o, &e), AL_EINVAL);
}

static void
strings_trimmed_counted_in_characters(void **state)
{
    (void)state;
    struct al_errinfo e = {0};
    json_t *o = json_pack("{s:s, s:s, s:i, s:s}", "name", "  王秀英 ", "long", "一二三四五", "n", 3, "blank", "   ");
    const char *s;
    assert_int_equal(al_json_get_str(o, "name", "姓名", AL_REQUIRED, 1, 3, &s, &e), AL_OK);
    assert_string_equal(s, "王秀英");
    assert_int_equal(al_json_get_str(o, "long", "住址", 0, 0, 4, &s, &e), AL_EINVAL);
    assert_string_equal(e.field, "long");
    assert_non_null(strstr(e.message, "住址"));
    assert_int_equal(al_json_get_str(o, "n", "姓名", 0, 0, 0, &s, &e), AL_EINVAL);
    assert_non_null(strstr(e.message, "文本"));
    assert_int_equal(al_json_get_str(o, "blank", "姓名", AL_REQUIRED, 1, 0, &s, &e), AL_EINVAL);
    assert_int_equal(al_json_get_str(o, "absent", "电话", 0, 0, 0, &s, &e), AL_OK);
    assert_null(s);
    assert_int_equal(al_json_get_str(o, "absent", "电话", AL_REQUIRED, 0, 0, &s, &e), AL_EINVAL);
    assert_string_equal(e.message, "电话不能为空");
    json_decref(o);
}

static void
integers_and_booleans(void **state)
{
    (void)state;
    struct al_errinfo e = {0};
    json_t *o = json_pack("{s:i, s:b, s:s, s:f}", "v", 5, "b", 1, "s", "5", "f", 1.5);
    int64_t v;
    bool b, present;
    assert_int_equal(al_json_get_int(o, "v", "版本号", AL_REQUIRED, 1, 9, &v, &present, &e), AL_OK);
    assert_int_equal(v, 5);
    assert_true(present);
    assert_int_equal(al_json_get_int(o, "v", "版本号", 0, 6, 9, &v, NULL, &e), AL_EINVAL);
    assert_int_equal(al_json_get_int(o, "s", "版本号", 0, 0, 9, &v, NULL, &e), AL_EINVAL);
    assert_int_equal(al_json_get_int(o, "f", "版本号", 0, 0, 9, &v, NULL, &e), AL_EINVAL);
    assert_int_equal(al_json_get_bool(o, "b", "开关", 0, &b, &present, &e), AL_OK);
    assert_true(b);
    assert_int_equal(al_json_get_bool(o, "v", "开关", 0, &b, &present, &e), AL_EINVAL);
    json_decref(o);
}

static void
arena_mode_and_back(void **state)
{
    (void)state;
    struct al_arena a;
    al_arena_init(&a, 1024);
    al_json_use_arena(&a);
    json_t *o = json_pack("{s:s}", "k", "值");
    size_t before = a.used_total;
    assert_true(before > 0);
    assert_string_equal(al_json_dump(&a, o, NULL), "{\"k\":\"值\"}");
    json_decref(o); /* arena memory: a no-op */
    al_json_use_arena(NULL);
    al_arena_fini(&a);
    json_t *h = json_pack("{s:i}", "heap", 1);
    char *text = al_json_dump_heap(h);
    assert_string_equal(text, "{\"heap\":1}");
    free(text);
    json_decref(h);
}

static void
utf8_length_and_time(void **state)
{
    (void)state;
    assert_int_equal(al_utf8_len("安老ab", strlen("安老ab")), 4);
    assert_int_equal(al_utf8_len("\xE5\xAE", 2), (size_t)-1);
    assert_int_equal(al_utf8_len("\xFF", 1), (size_t)-1);
    struct al_arena a;
    al_arena_init(&a, 0);
    assert_string_equal(al_json_time(&a, 0), "1970-01-01T00:00:00Z");
    al_arena_fini(&a);
}

int
main(void)
{
    al_json_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parse_object),
        cmocka_unit_test(strings_trimmed_counted_in_characters),
        cmocka_unit_test(integers_and_booleans),
        cmocka_unit_test(arena_mode_and_back),
        cmocka_unit_test(utf8_length_and_time),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
