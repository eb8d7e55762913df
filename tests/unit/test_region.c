#include <string.h>

#include "region/region.h"
#include "unit.h"

static void
levels(void **state)
{
    (void)state;
    assert_int_equal(region_level("52"), 1);
    assert_int_equal(region_level("5203"), 2);
    assert_int_equal(region_level("520327"), 3);
    assert_int_equal(region_level("520327101"), 4);
    assert_int_equal(region_level("520327101201"), 5);
    assert_int_equal(region_level("5203271"), 0);
    assert_int_equal(region_level("52032x"), 0);
    assert_int_equal(region_level(""), 0);
}

static void
scope_is_a_prefix(void **state)
{
    (void)state;
    /* RULE-SCOPE-001 */
    assert_true(region_in_scope("", "520327101201"));
    assert_true(region_in_scope("520327", "520327101201"));
    assert_false(region_in_scope("520327101", "520327001001"));
    assert_false(region_in_scope("5203271", "520327"));
    assert_false(region_in_scope(NULL, "52"));
}

static void
bounds_cover_exactly_the_prefix(void **state)
{
    (void)state;
    char lo[16], hi[16];
    region_scope_bounds("520327", lo, hi);
    assert_string_equal(lo, "520327");
    assert_string_equal(hi, "520328");
    assert_true(strcmp("520327999999", hi) < 0 && strcmp("520327", lo) >= 0);
    region_scope_bounds("5209", lo, hi);
    assert_true(strcmp("520999999999", hi) < 0);
    assert_true(strcmp("521000000000", hi) >= 0);
    region_scope_bounds("", lo, hi);
    assert_string_equal(lo, "");
    assert_true(strcmp("999999999999", hi) < 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(levels),
        cmocka_unit_test(scope_is_a_prefix),
        cmocka_unit_test(bounds_cover_exactly_the_prefix),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
