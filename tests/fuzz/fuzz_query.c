/*
 * Query strings: al_query_parse on any bytes, then al_query_get/opt/int and
 * al_query_page on what it decoded.  One arena, reset for each input.
 *
 * Checked: what parses is text JSON can carry (valid UTF-8, no NUL), at most
 * AL_QUERY_MAX pairs; al_query_get finds the first pair of a key; numbers that
 * pass are in range; every error message is valid UTF-8.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/query.h"
#include "core/text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(int ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "fuzz_query: %s\n", what);
        abort();
    }
}

static void
check_msg(const struct al_errinfo *e)
{
    check(e->message[0] != '\0', "an error without a message");
    check(al_text_is_utf8(e->message, strlen(e->message)), "error message is not UTF-8");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct al_arena a;
    static int ready;
    if (!ready) {
        al_arena_init(&a, 1 << 16);
        ready = 1;
    }
    al_arena_reset(&a);
    struct al_query q;
    struct al_errinfo e = {0};
    int rc = al_query_parse(&a, (const char *)data, size, &q, &e);
    if (rc != AL_OK) {
        check(rc == AL_EINVAL, "parse failed with something other than AL_EINVAL");
        check_msg(&e);
        return 0;
    }
    check(q.n >= 0 && q.n <= AL_QUERY_MAX, "too many pairs");
    size_t total = 0;
    for (int i = 0; i < q.n; i++) {
        size_t kn = strlen(q.keys[i]), vn = strlen(q.values[i]);
        total += kn + vn;
        check(al_text_is_utf8(q.keys[i], kn), "key is not UTF-8");
        check(al_text_is_utf8(q.values[i], vn), "value is not UTF-8");
        /* The first pair with this key wins. */
        int first = 0;
        while (strcmp(q.keys[first], q.keys[i]) != 0)
            first++;
        check(al_query_get(&q, q.keys[i]) == q.values[first], "al_query_get not the first pair");
        const char *opt = al_query_opt(&q, q.keys[i]);
        check(*q.values[first] ? opt == q.values[first] : opt == NULL, "al_query_opt wrong");
    }
    check(total <= size, "decoded text longer than the input");

    int64_t page = -1, page_size = -1, v;
    memset(&e, 0, sizeof(e));
    if (al_query_page(&q, &page, &page_size, &e) == AL_OK) {
        check(page >= 1 && page <= 1000000, "page out of range");
        check(page_size >= 1 && page_size <= 200, "page_size out of range");
    } else {
        check_msg(&e);
        check(e.field && (!strcmp(e.field, "page") || !strcmp(e.field, "page_size")),
            "page error names another field");
    }
    for (int i = 0; i < q.n; i++) {
        int64_t lo = (int64_t)(i * 37) - 100, hi = lo + (i % 2 ? 150 : INT64_MAX / 2);
        memset(&e, 0, sizeof(e));
        if (al_query_int(&q, q.keys[i], "数值", lo, hi, -7777, &v, &e) == AL_OK) {
            check(v == -7777 || (v >= lo && v <= hi), "integer out of range");
            check(v != -7777 || !*al_query_get(&q, q.keys[i]), "default despite a value");
        } else {
            check_msg(&e);
            check(v == -7777, "refused integer changed the output");
        }
    }
    al_query_int(&q, "age_min", "最小年龄", 0, 150, -1, &v, &e);
    return 0;
}
