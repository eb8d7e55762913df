/* src/core/json.c: request bodies, field getters, arena allocation. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/text.h"

#include "unit.h"

static int
parse(const char *s, json_t **o, struct al_errinfo *e)
{
    memset(e, 0, sizeof(*e));
    return al_json_parse_object(s, strlen(s), o, e);
}

static void
parse_object_empty_bodies(void **state)
{
    (void)state;
    struct al_errinfo e;
    json_t *o = NULL;
    assert_int_equal(al_json_parse_object(NULL, 0, &o, &e), AL_OK);
    assert_true(json_is_object(o));
    assert_int_equal(json_object_size(o), 0);
    json_decref(o);
    assert_int_equal(parse(" \r\n\t ", &o, &e), AL_OK); /* whitespace only: empty too */
    assert_true(json_is_object(o));
    assert_int_equal(json_object_size(o), 0);
    json_decref(o);
    assert_int_equal(parse("  {\"a\":1} \n", &o, &e), AL_OK);
    assert_int_equal(json_integer_value(json_object_get(o, "a")), 1);
    json_decref(o);
    assert_int_equal(parse("{\"name\":\"王秀英\",\"n\":{\"x\":[1,2]}}", &o, &e), AL_OK);
    assert_string_equal(json_string_value(json_object_get(o, "name")), "王秀英");
    json_decref(o);
}

static void
parse_object_refusals(void **state)
{
    (void)state;
    struct al_errinfo e;
    json_t *o = (json_t *)&o;
    /* Not an object. */
    static const char *const not_object[] = {"[1]", "[]", " [{\"a\":1}] "};
    for (size_t i = 0; i < sizeof(not_object) / sizeof(not_object[0]); i++) {
        assert_int_equal(parse(not_object[i], &o, &e), AL_EINVAL);
        assert_null(o);
        assert_null(e.field);
        assert_string_equal(e.message, "请求内容应为 JSON 对象");
    }
    /* Bare scalars are not even accepted as JSON texts by the parser. */
    static const char *const scalar[] = {"\"text\"", "1", "null", "true"};
    for (size_t i = 0; i < sizeof(scalar) / sizeof(scalar[0]); i++) {
        o = (json_t *)&o;
        assert_int_equal(parse(scalar[i], &o, &e), AL_EINVAL);
        assert_null(o);
        assert_non_null(strstr(e.message, "JSON"));
    }
    /* Not JSON. */
    static const char *const garbage[] = {
        "{\"a\":",               /* cut short */
        "{\"a\":1}}",            /* trailing garbage */
        "{\"a\":1} x",           /* trailing garbage after space */
        "{'a':1}",               /* single quotes */
        "{a:1}",                 /* bare key */
        "{\"a\":1,}",            /* trailing comma */
        "{\"a\":NaN}",           /* not JSON numbers */
        "{\"a\":\"\\u0000\"}",   /* NUL escapes are refused */
        "{\"a\":\"\xC0\x80\"}",  /* overlong UTF-8 */
        "{\"a\":\"\xED\xA0\x80\"}", /* surrogate */
        "{\"a\":\"\xFF\"}",      /* not UTF-8 */
        "{\"a\":123456789012345678901234567890}", /* integer too big */
        "{\"a\":1e999}",         /* real overflow */
        "\xEF\xBB\xBF{}",        /* BOM */
        "{\"a\":1,\"a\":2}",     /* duplicate keys */
    };
    for (size_t i = 0; i < sizeof(garbage) / sizeof(garbage[0]); i++) {
        o = (json_t *)&o;
        int rc = parse(garbage[i], &o, &e);
        if (rc != AL_EINVAL)
            print_error("accepted: %s\n", garbage[i]);
        assert_int_equal(rc, AL_EINVAL);
        assert_null(o);
        assert_non_null(strstr(e.message, "不是有效的 JSON"));
        assert_non_null(strstr(e.message, "第 1 行"));
        assert_true(al_text_is_utf8(e.message, strlen(e.message)));
    }
    /* A NUL byte inside the body (not an escape). */
    static const char nul[] = "{\"a\":1}\0";
    assert_int_equal(al_json_parse_object(nul, sizeof(nul) - 1, &o, &e), AL_EINVAL);
    /* Nesting deeper than jansson's limit is refused, not a stack overflow. */
    size_t depth = 100000;
    char *deep = malloc(depth * 2 + 16);
    size_t n = 0;
    deep[n++] = '{';
    memcpy(deep + n, "\"a\":", 4);
    n += 4;
    for (size_t i = 0; i < depth; i++)
        deep[n++] = '[';
    for (size_t i = 0; i < depth; i++)
        deep[n++] = ']';
    deep[n++] = '}';
    assert_int_equal(al_json_parse_object(deep, n, &o, &e), AL_EINVAL);
    assert_null(o);
    free(deep);
}

static void
line_and_column_in_the_message(void **state)
{
    (void)state;
    struct al_errinfo e;
    json_t *o;
    assert_int_equal(parse("{\n  \"a\": 1,\n  \"b\": x\n}", &o, &e), AL_EINVAL);
    assert_non_null(strstr(e.message, "第 3 行"));
}

static void
strings_trimmed_and_counted_in_characters(void **state)
{
    (void)state;
    struct al_errinfo e = {0};
    json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "name", "  王秀英 ", "long",
        "一二三四五", "tabs", "\t李 四\t", "blank", "   ", "empty", "", "same", "张三");
    const char *s;
    assert_int_equal(al_json_get_str(o, "name", "姓名", AL_REQUIRED, 1, 3, &s, &e), AL_OK);
    assert_string_equal(s, "王秀英");
    /* The object now holds the trimmed text (it owns the memory). */
    assert_string_equal(json_string_value(json_object_get(o, "name")), "王秀英");
    assert_int_equal(al_json_get_str(o, "tabs", "姓名", 0, 0, 0, &s, &e), AL_OK);
    assert_string_equal(s, "李 四"); /* inner spaces stay */
    assert_int_equal(al_json_get_str(o, "same", "姓名", 0, 0, 0, &s, &e), AL_OK);
    assert_ptr_equal(s, json_string_value(json_object_get(o, "same"))); /* untrimmed: no copy */
    /* Limits count characters, not bytes: five characters are 15 bytes. */
    assert_int_equal(al_json_get_str(o, "long", "住址", 0, 0, 5, &s, &e), AL_OK);
    assert_int_equal(al_json_get_str(o, "long", "住址", 0, 5, 0, &s, &e), AL_OK);
    assert_int_equal(al_json_get_str(o, "long", "住址", 0, 0, 4, &s, &e), AL_EINVAL);
    assert_null(s);
    assert_string_equal(e.field, "long");
    assert_string_equal(e.message, "住址不能超过 4 个字符");
    assert_int_equal(al_json_get_str(o, "long", "住址", 0, 6, 0, &s, &e), AL_EINVAL);
    assert_string_equal(e.message, "住址至少需要 6 个字符");
    /* Trimming happens before counting. */
    assert_int_equal(al_json_get_str(o, "tabs", "姓名", 0, 0, 3, &s, &e), AL_OK);
    json_decref(o);
}

/* RULE-PII-005: one line of plain text for names. */
static void
plain_text_refuses_controls_and_direction_overrides(void **state)
{
    (void)state;
    static const char *const bad[] = {"王\u202e英", "a\nb", "a\rb", "a\tb", "x\x7f",
        "x\xc2\x85", "\u200f王", "王\u2066", "王\u2028", "王\u200b英", "\ufeff王", "a\u061cb"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_false(al_text_is_plain(bad[i], strlen(bad[i])));
    static const char *const good[] = {"王秀英", "O'Neil-Smith", "阿卜杜·热合曼", "李 四", "𠀀𪚥",
        "Ｘ１", "é"};
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
        assert_true(al_text_is_plain(good[i], strlen(good[i])));
    struct al_errinfo e = {0};
    json_t *o = json_pack("{s:s, s:s}", "name", "  王\u202e英 ", "fine", "\t王秀英\t");
    const char *s;
    assert_int_equal(al_json_get_str(o, "name", "姓名", AL_PLAIN, 1, 32, &s, &e), AL_EINVAL);
    assert_string_equal(e.field, "name");
    assert_string_equal(e.message, "姓名不能包含控制字符、换行或文字方向控制符");
    assert_int_equal(al_json_get_str(o, "name", "姓名", 0, 1, 32, &s, &e), AL_OK); /* flag off */
    /* Surrounding tabs are trimmed first, as always. */
    assert_int_equal(al_json_get_str(o, "fine", "姓名", AL_PLAIN, 1, 32, &s, &e), AL_OK);
    assert_string_equal(s, "王秀英");
    json_decref(o);
}

static void
required_and_optional(void **state)
{
    (void)state;
    struct al_errinfo e = {0};
    json_t *o = json_pack("{s:s, s:n, s:s}", "blank", "  \t ", "nul", "empty", "");
    const char *s = "x";
    assert_int_equal(al_json_get_str(o, "absent", "电话", 0, 0, 0, &s, &e), AL_OK);
    assert_null(s);
    assert_int_equal(al_json_get_str(o, "nul", "电话", 0, 0, 0, &s, &e), AL_OK);
    assert_null(s); /* null is "absent" */
    assert_int_equal(al_json_get_str(o, "absent", "电话", AL_REQUIRED, 0, 0, &s, &e), AL_EINVAL);
    assert_string_equal(e.field, "absent");
    assert_string_equal(e.message, "电话不能为空");
    assert_int_equal(al_json_get_str(o, "nul", "电话", AL_REQUIRED, 0, 0, &s, &e), AL_EINVAL);
    assert_string_equal(e.message, "电话不能为空");
    assert_int_equal(al_json_get_str(o, "blank", "姓名", AL_REQUIRED, 0, 0, &s, &e), AL_EINVAL);
    assert_string_equal(e.message, "姓名不能为空");
    /* Optional and blank: an empty string, which a minimum still refuses. */
    assert_int_equal(al_json_get_str(o, "blank", "姓名", 0, 0, 0, &s, &e), AL_OK);
    assert_string_equal(s, "");
    assert_int_equal(al_json_get_str(o, "empty", "姓名", 0, 1, 0, &s, &e), AL_EINVAL);
    assert_string_equal(e.field, "empty");
    json_decref(o);
}

static void
wrong_types(void **state)
{
    (void)state;
    struct al_errinfo e;
    json_t *o = json_pack("{s:i, s:b, s:s, s:f, s:[], s:{}, s:s#}", "int", 5, "bool", 1, "str",
        "5", "real", 1.5, "arr", "obj", "nul", "a\0b", (int)3);
    const char *s;
    int64_t v;
    bool b;
    static const char *const not_str[] = {"int", "bool", "real", "arr", "obj"};
    for (size_t i = 0; i < sizeof(not_str) / sizeof(not_str[0]); i++) {
        memset(&e, 0, sizeof(e));
        assert_int_equal(al_json_get_str(o, not_str[i], "姓名", 0, 0, 0, &s, &e), AL_EINVAL);
        assert_string_equal(e.field, not_str[i]);
        assert_string_equal(e.message, "姓名应为文本");
    }
    static const char *const not_int[] = {"bool", "str", "real", "arr", "obj"};
    for (size_t i = 0; i < sizeof(not_int) / sizeof(not_int[0]); i++) {
        memset(&e, 0, sizeof(e));
        assert_int_equal(al_json_get_int(o, not_int[i], "版本号", 0, 0, 9, &v, NULL, &e),
            AL_EINVAL);
        assert_string_equal(e.field, not_int[i]);
        assert_string_equal(e.message, "版本号应为整数");
    }
    static const char *const not_bool[] = {"int", "str", "real", "arr", "obj"};
    for (size_t i = 0; i < sizeof(not_bool) / sizeof(not_bool[0]); i++) {
        memset(&e, 0, sizeof(e));
        assert_int_equal(al_json_get_bool(o, not_bool[i], "开关", 0, &b, NULL, &e), AL_EINVAL);
        assert_string_equal(e.field, not_bool[i]);
        assert_string_equal(e.message, "开关应为 true 或 false");
    }
    /* A string built with an embedded NUL (possible only from C) is refused. */
    assert_int_equal(al_json_get_str(o, "nul", "姓名", 0, 0, 0, &s, &e), AL_EINVAL);
    assert_string_equal(e.message, "姓名含有非法字符");
    json_decref(o);
}

static void
integers_and_booleans(void **state)
{
    (void)state;
    struct al_errinfo e = {0};
    json_t *o = json_pack("{s:i, s:b, s:b, s:I, s:I, s:n}", "v", 5, "t", 1, "f", 0, "max",
        (json_int_t)INT64_MAX, "min", (json_int_t)INT64_MIN, "nul");
    int64_t v = -1;
    bool b = false, present = false;
    assert_int_equal(al_json_get_int(o, "v", "版本号", AL_REQUIRED, 5, 5, &v, &present, &e), AL_OK);
    assert_int_equal(v, 5);
    assert_true(present);
    assert_int_equal(al_json_get_int(o, "v", "版本号", 0, 6, 9, &v, &present, &e), AL_EINVAL);
    assert_string_equal(e.message, "版本号应在 6 到 9 之间");
    assert_false(present);
    assert_int_equal(al_json_get_int(o, "v", "版本号", 0, 0, 4, &v, NULL, &e), AL_EINVAL);
    assert_int_equal(al_json_get_int(o, "max", "数", 0, INT64_MIN, INT64_MAX, &v, NULL, &e), AL_OK);
    assert_true(v == INT64_MAX);
    assert_int_equal(al_json_get_int(o, "min", "数", 0, INT64_MIN, INT64_MAX, &v, NULL, &e), AL_OK);
    assert_true(v == INT64_MIN);
    v = 77;
    assert_int_equal(al_json_get_int(o, "absent", "版本号", 0, 0, 9, &v, &present, &e), AL_OK);
    assert_false(present);
    assert_int_equal(v, 77); /* untouched when absent */
    assert_int_equal(al_json_get_int(o, "nul", "版本号", 0, 0, 9, &v, &present, &e), AL_OK);
    assert_false(present);
    assert_int_equal(al_json_get_int(o, "absent", "版本号", AL_REQUIRED, 0, 9, &v, NULL, &e),
        AL_EINVAL);
    assert_string_equal(e.message, "版本号不能为空");
    assert_int_equal(al_json_get_bool(o, "t", "开关", 0, &b, &present, &e), AL_OK);
    assert_true(b);
    assert_true(present);
    assert_int_equal(al_json_get_bool(o, "f", "开关", AL_REQUIRED, &b, &present, &e), AL_OK);
    assert_false(b);
    assert_int_equal(al_json_get_bool(o, "absent", "开关", 0, &b, &present, &e), AL_OK);
    assert_false(present);
    assert_int_equal(al_json_get_bool(o, "nul", "开关", AL_REQUIRED, &b, &present, &e), AL_EINVAL);
    assert_string_equal(e.field, "nul");
    assert_string_equal(e.message, "开关不能为空");
    json_decref(o);
}

static void
arena_mode_and_back_to_the_heap(void **state)
{
    (void)state;
    struct al_arena a;
    al_arena_init(&a, 1024);
    al_json_use_arena(&a);
    json_t *o = json_pack("{s:s, s:[i,i]}", "k", "值", "l", 1, 2);
    size_t before = a.used_total;
    assert_true(before > 0); /* jansson's memory came from the arena */
    struct al_errinfo e = {0};
    json_t *p = NULL;
    assert_int_equal(parse("{\"name\":\"  王芳 \"}", &p, &e), AL_OK);
    assert_true(a.used_total > before);
    const char *s;
    assert_int_equal(al_json_get_str(p, "name", "姓名", 0, 0, 0, &s, &e), AL_OK);
    assert_string_equal(s, "王芳");
    assert_string_equal(al_json_dump(&a, o, NULL), "{\"k\":\"值\",\"l\":[1,2]}");
    json_decref(o); /* arena memory: a no-op */
    json_decref(p);
    al_json_use_arena(NULL);
    size_t after = a.used_total;
    /* Back on the heap: nothing more comes from the arena, and frees are real
     * (LeakSanitizer reports it otherwise). */
    json_t *h = json_pack("{s:i, s:s}", "heap", 1, "z", "长辈");
    assert_int_equal(a.used_total, after);
    char *text = al_json_dump_heap(h);
    assert_string_equal(text, "{\"heap\":1,\"z\":\"长辈\"}");
    free(text);
    json_decref(h);
    al_arena_fini(&a);
    /* A heap value released while an arena is installed is still freed. */
    json_t *mixed = json_string("heap-made");
    struct al_arena b;
    al_arena_init(&b, 0);
    al_json_use_arena(&b);
    json_decref(mixed);
    al_json_use_arena(NULL);
    al_arena_fini(&b);
}

static void
dump_reports_length_and_sorts_heap_keys(void **state)
{
    (void)state;
    struct al_arena a;
    al_arena_init(&a, 0);
    json_t *o = json_pack("{s:i, s:s}", "b", 2, "a", "安");
    size_t len = 0;
    char *s = al_json_dump(&a, o, &len);
    assert_int_equal(len, strlen(s));
    char *h = al_json_dump_heap(o);
    assert_string_equal(h, "{\"a\":\"安\",\"b\":2}");
    free(h);
    json_decref(o);
    al_arena_fini(&a);
}

static void
utf8_length(void **state)
{
    (void)state;
    assert_int_equal(al_utf8_len("", 0), 0);
    assert_int_equal(al_utf8_len("安老ab", strlen("安老ab")), 4);
    assert_int_equal(al_utf8_len("\xF0\x9F\x98\x80", 4), 1); /* an emoji is one character */
    assert_int_equal(al_utf8_len("a\0b", 3), 3);
    assert_int_equal(al_utf8_len("\xE5\xAE", 2), (size_t)-1); /* cut short */
    assert_int_equal(al_utf8_len("\xE5\xAE\x89", 2), (size_t)-1); /* n is the limit */
    assert_int_equal(al_utf8_len("\xFF", 1), (size_t)-1);
    assert_int_equal(al_utf8_len("\x80", 1), (size_t)-1);
    assert_int_equal(al_utf8_len("\xE5" "a" "\x89", 3), (size_t)-1);
}

static void
times(void **state)
{
    (void)state;
    struct al_arena a;
    al_arena_init(&a, 0);
    assert_string_equal(al_json_time(&a, 0), "1970-01-01T00:00:00Z");
    assert_string_equal(al_json_time(&a, 1795363200), "2026-11-22T16:00:00Z");
    assert_string_equal(al_json_time(&a, 951782400), "2000-02-29T00:00:00Z");
    al_arena_fini(&a);
}

/* A generated value: objects, arrays, strings with every ASCII byte, NUL and UTF-8, integers at
 * the limits, reals from tiny to huge. */
static uint64_t rng = 88172645463325252ull;
static uint64_t
next(void)
{
    rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
    return rng;
}

static json_t *
random_value(int depth)
{
    static const char *pieces[] = {"安", "老", "\"", "\\", "/", "\n", "\t", "\x01", "\x1f", "\x7f",
        "a", " ", "\xF0\x9F\x98\x80", "\xE2\x80\xA8", "{", "é"};
    static const double reals[] = {0.0, -0.0, 0.1, 1.0, 100.0, 1e20, 1e21, 1e-7, 1.5e-300, 123456.789,
        -2.5e17, 3.14159265358979, 1e100, 26.7, 106.3};
    switch (depth > 3 ? 2 + next() % 5 : next() % 7) {
    case 0: {
        json_t *o = json_object();
        for (int i = (int)(next() % 5); i > 0; i--) {
            char key[32];
            snprintf(key, sizeof(key), "k%d%s", (int)(next() % 100), i % 2 ? "键\"" : "");
            json_object_set_new(o, key, random_value(depth + 1));
        }
        return o;
    }
    case 1: {
        json_t *arr = json_array();
        for (int i = (int)(next() % 5); i > 0; i--)
            json_array_append_new(arr, random_value(depth + 1));
        return arr;
    }
    case 2: {
        char buf[256];
        size_t n = 0;
        for (int i = (int)(next() % 12); i > 0; i--) {
            const char *p = pieces[next() % (sizeof(pieces) / sizeof(pieces[0]))];
            memcpy(buf + n, p, strlen(p));
            n += strlen(p);
        }
        if (next() % 4 == 0)
            buf[n++] = '\0'; /* an embedded NUL */
        return json_stringn(buf, n);
    }
    case 3: {
        int64_t v = (int64_t)next();
        int k = (int)(next() % 4);
        return json_integer(k == 0 ? INT64_MIN : k == 1 ? INT64_MAX : k == 2 ? v % 1000 : v);
    }
    case 4:
        return json_real(next() % 2 ? reals[next() % (sizeof(reals) / sizeof(reals[0]))]
                                    : (double)(int64_t)next() / (double)(next() | 1));
    case 5:
        return json_boolean(next() % 2);
    default:
        return json_null();
    }
}

static void
dump_is_byte_for_byte_jansson_compact(void **state)
{
    (void)state;
    struct al_arena a;
    al_arena_init(&a, 0);
    for (int i = 0; i < 3000; i++) {
        json_t *v = random_value(0);
        size_t want_n = json_dumpb(v, NULL, 0, JSON_COMPACT | JSON_ENCODE_ANY);
        char *want = malloc(want_n + 1);
        json_dumpb(v, want, want_n, JSON_COMPACT | JSON_ENCODE_ANY);
        want[want_n] = '\0';
        size_t n = 0;
        char *got = al_json_dump(&a, v, &n);
        assert_int_equal(n, want_n);
        assert_memory_equal(got, want, n);
        assert_int_equal(got[n], '\0');
        free(want);
        json_decref(v);
    }
    al_arena_fini(&a);
}

int
main(void)
{
    al_json_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parse_object_empty_bodies),
        cmocka_unit_test(parse_object_refusals),
        cmocka_unit_test(line_and_column_in_the_message),
        cmocka_unit_test(strings_trimmed_and_counted_in_characters),
        cmocka_unit_test(plain_text_refuses_controls_and_direction_overrides),
        cmocka_unit_test(required_and_optional),
        cmocka_unit_test(wrong_types),
        cmocka_unit_test(integers_and_booleans),
        cmocka_unit_test(arena_mode_and_back_to_the_heap),
        cmocka_unit_test(dump_reports_length_and_sorts_heap_keys),
        cmocka_unit_test(utf8_length),
        cmocka_unit_test(times),
        cmocka_unit_test(dump_is_byte_for_byte_jansson_compact),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
