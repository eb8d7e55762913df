#include <string.h>

#include "core/query.h"
#include "unit.h"

static struct al_arena a;

static int
setup(void **state)
{
    (void)state;
    al_arena_init(&a, 0);
    return 0;
}

static int
teardown(void **state)
{
    (void)state;
    al_arena_fini(&a);
    return 0;
}

static int
parse(const char *s, struct al_query *q, struct al_errinfo *e)
{
    return al_query_parse(&a, s, strlen(s), q, e);
}

static void
decodes_percent_plus_and_chinese(void **state)
{
    (void)state;
    struct al_query q;
    struct al_errinfo e = {0};
    assert_int_equal(parse("q=%E7%8E%8B%E8%8A%B3&a=b+c&empty=&flag", &q, &e), AL_OK);
    assert_string_equal(al_query_get(&q, "q"), "王芳");
    assert_string_equal(al_query_get(&q, "a"), "b c");
    assert_string_equal(al_query_get(&q, "empty"), "");
    assert_string_equal(al_query_get(&q, "flag"), "");
    assert_null(al_query_get(&q, "missing"));
}

static void
refuses_bad_escapes_nul_and_non_utf8(void **state)
{
    (void)state;
    struct al_query q;
    struct al_errinfo e = {0};
    assert_int_equal(parse("q=%E4%B8", &q, &e), AL_EINVAL);
    assert_int_equal(parse("q=%zz", &q, &e), AL_EINVAL);
    assert_int_equal(parse("q=%", &q, &e), AL_EINVAL);
    assert_int_equal(parse("q=a%00b", &q, &e), AL_EINVAL);
    assert_string_equal(e.field, "q");
}

static void
integers_and_pages(void **state)
{
    (void)state;
    struct al_query q;
    struct al_errinfo e = {0};
    int64_t page, size, v;
    assert_int_equal(parse("page=3&page_size=50", &q, &e), AL_OK);
    assert_int_equal(al_query_page(&q, &page, &size, &e), AL_OK);
    assert_int_equal(page, 3);
    assert_int_equal(size, 50);
    assert_int_equal(parse("", &q, &e), AL_OK);
    assert_int_equal(al_query_page(&q, &page, &size, &e), AL_OK);
    assert_int_equal(page, 1);
    assert_int_equal(size, 20);
    assert_int_equal(parse("page_size=201", &q, &e), AL_OK);
    assert_int_equal(al_query_page(&q, &page, &size, &e), AL_EINVAL);
    assert_string_equal(e.field, "page_size");
    assert_int_equal(parse("age=7x", &q, &e), AL_OK);
    assert_int_equal(al_query_int(&q, "age", "年龄", 0, 150, -1, &v, &e), AL_EINVAL);
    assert_non_null(strstr(e.message, "年龄"));
}

static void
too_many_parameters(void **state)
{
    (void)state;
    char buf[512] = "";
    for (int i = 0; i < AL_QUERY_MAX + 1; i++)
        strcat(buf, "a=1&");
    struct al_query q;
    struct al_errinfo e = {0};
    assert_int_equal(parse(buf, &q, &e), AL_EINVAL);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(decodes_percent_plus_and_chinese, setup, teardown),
        cmocka_unit_test_setup_teardown(refuses_bad_escapes_nul_and_non_utf8, setup, teardown),
        cmocka_unit_test_setup_teardown(integers_and_pages, setup, teardown),
        cmocka_unit_test_setup_teardown(too_many_parameters, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
