/* src/core/vec.c: the growable array of long-running work. */
#include <stdint.h>
#include <string.h>

#include "core/vec.h"
#include "unit.h"

static void
push_grows_and_zeroes(void **state)
{
    (void)state;
    struct al_vec v;
    al_vec_init(&v, sizeof(int64_t));
    for (int64_t i = 0; i < 100000; i++) {
        int64_t *e = al_vec_push(&v);
        assert_non_null(e);
        assert_int_equal(*e, 0);
        *e = i * 3;
    }
    assert_int_equal(v.n, 100000);
    for (size_t i = 0; i < v.n; i += 997)
        assert_int_equal(AL_VEC_AT(&v, int64_t, i), (int64_t)i * 3);
    al_vec_fini(&v);
    assert_null(v.p);
    assert_int_equal(v.n, 0);
    assert_int_equal(v.size, sizeof(int64_t)); /* reusable after fini */
}

static void
zeroed_extends_only(void **state)
{
    (void)state;
    struct al_vec v;
    al_vec_init(&v, sizeof(uint32_t));
    assert_true(al_vec_zeroed(&v, 5000));
    assert_int_equal(v.n, 5000);
    uint32_t *p = v.p;
    for (size_t i = 0; i < v.n; i++)
        assert_int_equal(p[i], 0);
    p[7] = 9;
    assert_true(al_vec_zeroed(&v, 10)); /* never shrinks, keeps what is there */
    assert_int_equal(v.n, 5000);
    assert_int_equal(AL_VEC_AT(&v, uint32_t, 7), 9);
    assert_false(al_vec_zeroed(&v, (size_t)-1 / 2)); /* too large: refused, unchanged */
    assert_int_equal(v.n, 5000);
    al_vec_fini(&v);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(push_grows_and_zeroes),
        cmocka_unit_test(zeroed_extends_only),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
