#include <string.h>

#include "core/arena.h"
#include "unit.h"

static void
alloc_is_aligned_and_distinct(void **state)
{
    (void)state;
    struct al_arena a;
    al_arena_init(&a, 64);
    char *p = al_arena_alloc(&a, 3), *q = al_arena_alloc(&a, 5);
    assert_int_equal((uintptr_t)p % 16, 0);
    assert_int_equal((uintptr_t)q % 16, 0);
    assert_ptr_not_equal(p, q);
    memset(p, 'x', 3);
    memset(q, 'y', 5);
    assert_int_equal(p[2], 'x');
    al_arena_fini(&a);
}

static void
large_allocations_and_growth(void **state)
{
    (void)state;
    struct al_arena a;
    al_arena_init(&a, 128);
    for (int i = 0; i < 1000; i++) {
        char *p = al_arena_alloc(&a, (size_t)(i * 7 + 1));
        memset(p, i & 0xff, (size_t)(i * 7 + 1)); /* ASan catches overflows */
    }
    char *big = al_arena_alloc(&a, 1 << 20);
    big[(1 << 20) - 1] = 1;
    assert_true(a.used_total > (1u << 20));
    al_arena_fini(&a);
}

static void
reset_keeps_one_block_and_forgets_usage(void **state)
{
    (void)state;
    struct al_arena a;
    al_arena_init(&a, 256);
    for (int i = 0; i < 100; i++)
        al_arena_alloc(&a, 100);
    al_arena_reset(&a);
    assert_int_equal(a.used_total, 0);
    assert_non_null(a.head);
    char *p = al_arena_alloc(&a, 10);
    assert_non_null(p);
    al_arena_fini(&a);
    assert_null(a.head);
}

static void
strings(void **state)
{
    (void)state;
    struct al_arena a;
    al_arena_init(&a, 0);
    assert_string_equal(al_arena_strndup(&a, "安老abc", 6), "安老");
    assert_string_equal(al_arena_printf(&a, "%s-%d", "区", 520327), "区-520327");
    char *z = al_arena_calloc(&a, 32);
    for (int i = 0; i < 32; i++)
        assert_int_equal(z[i], 0);
    al_arena_fini(&a);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(alloc_is_aligned_and_distinct),
        cmocka_unit_test(large_allocations_and_growth),
        cmocka_unit_test(reset_keeps_one_block_and_forgets_usage),
        cmocka_unit_test(strings),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
