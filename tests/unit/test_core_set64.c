/* src/core/set64: the set of 64-bit keys imports use for numbers and region codes. */
#include "core/set64.h"
#include "unit.h"

static void
adds_once_and_finds_across_growth(void **state)
{
    (void)state;
    struct al_set64 s;
    al_set64_init(&s);
    assert_false(al_set64_has(&s, 520327001001ULL)); /* empty: nothing */
    for (uint64_t k = 1; k <= 5000; k++)
        assert_true(al_set64_add(&s, k * 7919));
    for (uint64_t k = 1; k <= 5000; k++) {
        assert_true(al_set64_has(&s, k * 7919));
        assert_false(al_set64_add(&s, k * 7919)); /* already there */
        assert_false(al_set64_has(&s, k * 7919 + 1));
    }
    assert_int_equal(s.count, 5000);
    assert_false(al_set64_add(&s, 0)); /* key 0 cannot be stored */
    assert_false(al_set64_has(&s, 0));
    al_set64_fini(&s);
    assert_false(al_set64_has(&s, 7919));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(adds_once_and_finds_across_growth),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
