/*
 * Request heads: al_head_parse on any bytes (what the body gate reads before libevent,
 * RULE-HTTP-001..003).
 *
 * Checked: a complete head lies inside the input and ends with an empty line; the request
 * line and the header values it points at lie inside the head; a head is never complete
 * beyond AL_HEAD_MAX; the same bytes parse the same when given with more behind them.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/head.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(int ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "fuzz_head: %s\n", what);
        abort();
    }
}

static void
inside(const char *base, size_t n, const char *p, size_t len, const char *what)
{
    if (!p)
        return;
    check(p >= base && p + len <= base + n, what);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *p = (const char *)data;
    struct al_head h;
    enum al_head_result r = al_head_parse(p, size, &h);
    check(r == AL_HEAD_MORE || r == AL_HEAD_DONE || r == AL_HEAD_TOO_LONG, "result");
    if (r == AL_HEAD_TOO_LONG)
        check(size >= AL_HEAD_MAX, "too long below the limit");
    if (r != AL_HEAD_DONE)
        return 0;
    check(h.len >= 1 && h.len <= size && h.len <= AL_HEAD_MAX, "head length");
    check(p[h.len - 1] == '\n', "head ends with a line end");
    check(h.line_len < h.len, "request line inside the head");
    if (!h.bad_line) {
        inside(p, h.len, h.method, h.method_len, "method");
        inside(p, h.len, h.target, h.target_len, "target");
    }
    inside(p, h.len, h.cookie, h.cookie_len, "cookie");
    inside(p, h.len, h.authorization, h.authorization_len, "authorization");
    /* The head alone parses the same. */
    struct al_head again;
    check(al_head_parse(p, h.len, &again) == AL_HEAD_DONE, "head alone");
    check(again.len == h.len && again.content_length == h.content_length &&
              again.content_lengths == h.content_lengths && again.bad_line == h.bad_line,
        "head alone, same result");
    return 0;
}
