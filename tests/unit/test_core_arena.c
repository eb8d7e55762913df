/* src/core/arena.c: the per-request region allocator. */
#include <stdio.h>
#include <string.h>

#include "core/arena.h"
#include "unit.h"

static void
init_takes_no_memory_and_fini_is_idempotent(void **state)
{
    (void)state;
    struct al_arena a;
    al_arena_init(&a, 0);
    assert_null(a.head);
    assert_int_equal(a.used_total, 0);
    assert_int_equal(a.block_size, 8192); /* 0 means the default */
    al_arena_reset(&a);                    /* reset of an empty arena is harmless */
    assert_null(a.head);
    al_arena_fini(&a);
    al_arena_fini(&a);
    assert_null(a.head);
}

static void
alloc_is_aligned_distinct_and_counted(void **state)
{
    (void)state;
    struct al_arena a;
    al_arena_init(&a, 256);
    char *prev = NULL;
    size_t total = 0;
    for (size_t n = 0; n < 40; n++) {
        char *p = al_arena_alloc(&a, n);
        assert_non_null(p);
        assert_int_equal((uintptr_t)p % 16, 0);
        assert_ptr_not_equal(p, prev);
        memset(p, 0x5a, n); /* ASan catches an allocation smaller than asked */
        total += n ? (n + 15) / 16 * 16 : 16; /* a zero-byte request still takes a slot */
        prev = p;
    }
    assert_int_equal(a.used_total, total);
    al_arena_fini(&a);
}

static void
consecutive_small_allocations_are_packed(void **state)
{
    (void)state;
    struct al_arena a;
    al_arena_init(&a, 1024);
    char *p = al_arena_alloc(&a, 10), *q = al_arena_alloc(&a, 20), *r = al_arena_alloc(&a, 1);
    assert_ptr_equal(q, p + 16);
    assert_ptr_equal(r, q + 32);
    al_arena_fini(&a);
}

static void
large_allocation_keeps_the_current_block_in_use(void **state)
{
    (void)state;
    struct al_arena a;
    al_arena_init(&a, 1024);
    char *p = al_arena_alloc(&a, 16);
    char *big = al_arena_alloc(&a, 100000); /* more than half a block: a block of its own */
    memset(big, 1, 100000);
    char *q = al_arena_alloc(&a, 16);
    assert_ptr_equal(q, p + 16); /* the free space of the current block is not wasted */
    assert_int_equal(a.used_total, 16 + 100000 + 16);
    al_arena_fini(&a);
}

static void
growth_over_many_blocks(void **state)
{
    (void)state;
    struct al_arena a;
    al_arena_init(&a, 128);
    char *ptrs[1000];
    for (int i = 0; i < 1000; i++) {
        size_t n = (size_t)(i * 7 + 1);
        ptrs[i] = al_arena_alloc(&a, n);
        memset(ptrs[i], i & 0xff, n);
    }
    /* Earlier allocations survive later growth untouched. */
    for (int i = 0; i < 1000; i++) {
        size_t n = (size_t)(i * 7 + 1);
        assert_int_equal((unsigned char)ptrs[i][0], i & 0xff);
        assert_int_equal((unsigned char)ptrs[i][n - 1], i & 0xff);
    }
    char *big = al_arena_alloc(&a, 1 << 20);
    big[(1 << 20) - 1] = 1;
    assert_true(a.used_total > (1u << 20));
    assert_true(a.block_size <= (1u << 20)); /* block growth is capped at 1 MiB */
    al_arena_fini(&a);
}

static void
reset_forgets_usage_and_reuses_the_first_block(void **state)
{
    (void)state;
    struct al_arena a;
    al_arena_init(&a, 256);
    char *first = al_arena_alloc(&a, 10);
    for (int i = 0; i < 100; i++)
        al_arena_alloc(&a, 100);
    al_arena_reset(&a);
    assert_int_equal(a.used_total, 0);
    assert_non_null(a.head);
    char *again = al_arena_alloc(&a, 10);
    assert_ptr_equal(again, first); /* the kept block is handed out from its start */
    memset(again, 0, 10);
    al_arena_fini(&a);
    assert_null(a.head);
    assert_int_equal(a.used_total, 0);
}

static void
reset_lets_a_large_first_block_go(void **state)
{
    (void)state;
    struct al_arena a;
    al_arena_init(&a, 4096);
    /* A big request on a fresh arena (an upload, a large export) must not stay held by reset. */
    memset(al_arena_alloc(&a, 8 << 20), 1, 8 << 20);
    al_arena_reset(&a);
    assert_null(a.head);
    char *p = al_arena_alloc(&a, 10);
    assert_non_null(p);
    assert_int_equal(a.used_total, 16);
    al_arena_fini(&a);
}

static void
many_reset_cycles_do_not_accumulate(void **state)
{
    (void)state;
    struct al_arena a;
    al_arena_init(&a, 4096);
    for (int round = 0; round < 200; round++) {
        for (int i = 0; i < 50; i++)
            memset(al_arena_alloc(&a, 300), round & 0xff, 300);
        memset(al_arena_alloc(&a, 50000), 0, 50000);
        al_arena_reset(&a);
        assert_int_equal(a.used_total, 0);
    }
    al_arena_fini(&a); /* LeakSanitizer checks every block went */
}

static void
strings_and_printf(void **state)
{
    (void)state;
    struct al_arena a;
    al_arena_init(&a, 0);
    assert_string_equal(al_arena_strndup(&a, "安老abc", 6), "安老");
    assert_string_equal(al_arena_strndup(&a, "abc", 0), "");
    assert_string_equal(al_arena_strdup(&a, ""), "");
    char *d = al_arena_strdup(&a, "凤冈县");
    assert_string_equal(d, "凤冈县");
    assert_string_equal(al_arena_printf(&a, "%s-%d", "区", 520327), "区-520327");
    assert_string_equal(al_arena_printf(&a, "%s", ""), "");
    /* printf longer than a whole block */
    char *long_s = al_arena_printf(&a, "%20000d|", 7);
    assert_int_equal(strlen(long_s), 20001);
    assert_int_equal(long_s[19999], '7');
    assert_int_equal(long_s[20000], '|');
    char *z = al_arena_calloc(&a, 32);
    for (int i = 0; i < 32; i++)
        assert_int_equal(z[i], 0);
    al_arena_fini(&a);
}

static char *
vp(struct al_arena *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = al_arena_vprintf(a, fmt, ap);
    va_end(ap);
    return s;
}

static void
vprintf_uses_the_list_twice_safely(void **state)
{
    (void)state;
    struct al_arena a;
    al_arena_init(&a, 64);
    assert_string_equal(vp(&a, "%s/%s/%lld", "52", "5203", 520327LL), "52/5203/520327");
    al_arena_fini(&a);
}

/* al_arena_grow: the same block while there is room, then twice as large with the elements kept. */
static void
grow_doubles_and_keeps_the_elements(void **state)
{
    (void)state;
    struct al_arena a;
    al_arena_init(&a, 256);
    int64_t *v = NULL;
    size_t n = 0, cap = 0;
    int64_t *first = NULL;
    for (int64_t i = 0; i < 1000; i++) {
        int64_t *was = v;
        v = al_arena_grow(&a, v, n, &cap, sizeof(*v), 8);
        if (i == 0) {
            assert_int_equal(cap, 8);
            first = v;
        } else if (n < 8) {
            assert_ptr_equal(v, was); /* room left: no copy */
        }
        assert_true(cap > n);
        v[n++] = i * i;
    }
    assert_ptr_not_equal(v, first);
    assert_int_equal(cap, 1024);
    for (int64_t i = 0; i < 1000; i++)
        assert_int_equal(v[i], i * i);
    /* first 0 starts at one element */
    int *w = NULL;
    size_t wn = 0, wcap = 0;
    w = al_arena_grow(&a, w, wn, &wcap, sizeof(*w), 0);
    assert_int_equal(wcap, 1);
    al_arena_fini(&a);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(init_takes_no_memory_and_fini_is_idempotent),
        cmocka_unit_test(alloc_is_aligned_distinct_and_counted),
        cmocka_unit_test(consecutive_small_allocations_are_packed),
        cmocka_unit_test(large_allocation_keeps_the_current_block_in_use),
        cmocka_unit_test(growth_over_many_blocks),
        cmocka_unit_test(reset_forgets_usage_and_reuses_the_first_block),
        cmocka_unit_test(reset_lets_a_large_first_block_go),
        cmocka_unit_test(many_reset_cycles_do_not_accumulate),
        cmocka_unit_test(strings_and_printf),
        cmocka_unit_test(vprintf_uses_the_list_twice_safely),
        cmocka_unit_test(grow_doubles_and_keeps_the_elements),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
