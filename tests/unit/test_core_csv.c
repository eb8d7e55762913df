#include <string.h>

#include "core/csv.h"
#include "unit.h"

static void
quoted_crlf_bom_and_lines(void **state)
{
    (void)state;
    struct al_arena a;
    al_arena_init(&a, 0);
    const char *text = "\xEF\xBB\xBFh1,h2\r\n\"a,\"\"b\"\"\",2\r\n\"multi\nline\",x\n\nlast";
    struct al_csv c;
    struct al_str f[4];
    int n;
    al_csv_init(&c, text, strlen(text));
    assert_int_equal(al_csv_read(&c, &a, f, 4, &n), 1);
    assert_int_equal(n, 2);
    assert_memory_equal(f[0].p, "h1", 2);
    assert_int_equal(c.line, 1);
    assert_int_equal(al_csv_read(&c, &a, f, 4, &n), 1);
    assert_int_equal(f[0].len, 5);
    assert_memory_equal(f[0].p, "a,\"b\"", 5);
    assert_int_equal(c.line, 2);
    assert_int_equal(al_csv_read(&c, &a, f, 4, &n), 1);
    assert_memory_equal(f[0].p, "multi\nline", 10);
    assert_int_equal(c.line, 3);
    assert_int_equal(al_csv_read(&c, &a, f, 4, &n), 1); /* blank line */
    assert_int_equal(n, 1);
    assert_int_equal(f[0].len, 0);
    assert_int_equal(al_csv_read(&c, &a, f, 4, &n), 1);
    assert_int_equal(c.line, 6);
    assert_memory_equal(f[0].p, "last", 4);
    assert_int_equal(al_csv_read(&c, &a, f, 4, &n), 0);
    al_arena_fini(&a);
}

static void
unterminated_quote_and_extra_fields(void **state)
{
    (void)state;
    struct al_arena a;
    al_arena_init(&a, 0);
    struct al_csv c;
    struct al_str f[2];
    int n;
    al_csv_init(&c, "a,b,c,d\n", 8);
    assert_int_equal(al_csv_read(&c, &a, f, 2, &n), 1);
    assert_int_equal(n, 4); /* counted, only 2 stored */
    al_csv_init(&c, "\"open", 5);
    assert_int_equal(al_csv_read(&c, &a, f, 2, &n), -1);
    al_arena_fini(&a);
}

static void
writer_quotes_and_neutralises_formulas(void **state)
{
    (void)state;
    struct al_arena a;
    al_arena_init(&a, 0);
    struct al_buf b = {0};
    al_csv_field(&a, &b, "a,b", false);
    al_csv_field(&a, &b, "say \"hi\"", false);
    al_csv_field(&a, &b, "=cmd()", false);
    al_csv_field(&a, &b, "plain", true);
    assert_string_equal(b.p, "\"a,b\",\"say \"\"hi\"\"\",\"'=cmd()\",plain\r\n");
    al_arena_fini(&a);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(quoted_crlf_bom_and_lines),
        cmocka_unit_test(unterminated_quote_and_extra_fields),
        cmocka_unit_test(writer_quotes_and_neutralises_formulas),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
