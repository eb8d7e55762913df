/* src/core/head.c: the request head the body gate reads (RULE-HTTP-001..003). */
#include <stdio.h>
#include <string.h>

#include "core/head.h"
#include "unit.h"

static enum al_head_result
parse(const char *s, struct al_head *h)
{
    return al_head_parse(s, strlen(s), h);
}

static void
complete_head(void **state)
{
    (void)state;
    struct al_head h;
    const char *s = "POST /api/v1/imports?kind=hukou HTTP/1.1\r\nHost: x\r\n"
                    "content-length:  2048 \r\nCookie: a=1; anlao_session=ab\r\n"
                    "Authorization: Bearer alt_1\r\n\r\nBODY";
    assert_int_equal(parse(s, &h), AL_HEAD_DONE);
    assert_int_equal(h.len, strlen(s) - 4);
    assert_int_equal(h.line_len, strlen("POST /api/v1/imports?kind=hukou HTTP/1.1"));
    assert_false(h.bad_line);
    assert_int_equal(h.method_len, 4);
    assert_memory_equal(h.method, "POST", 4);
    assert_int_equal(h.target_len, strlen("/api/v1/imports?kind=hukou"));
    assert_int_equal(h.content_lengths, 1);
    assert_false(h.bad_length);
    assert_int_equal(h.content_length, 2048);
    assert_int_equal(h.cookie_len, strlen("a=1; anlao_session=ab"));
    assert_memory_equal(h.authorization, "Bearer alt_1", 12);
    assert_false(h.transfer_encoding || h.folded || h.expect_other);
}

static void
line_ends_and_partial_heads(void **state)
{
    (void)state;
    struct al_head h;
    /* Bare LF line ends, as libevent also takes them. */
    assert_int_equal(parse("GET / HTTP/1.0\nA: b\n\n", &h), AL_HEAD_DONE);
    assert_int_equal(h.len, strlen("GET / HTTP/1.0\nA: b\n\n"));
    assert_int_equal(parse("GET / HTTP/1.1\r\nA: b\r\n", &h), AL_HEAD_MORE);
    assert_int_equal(parse("GET / HTTP/1.1\r\nA: b\r\n\r", &h), AL_HEAD_MORE);
    assert_int_equal(parse("", &h), AL_HEAD_MORE);
    /* An empty first line ends the head at once: libevent refuses it. */
    assert_int_equal(parse("\r\nGET / HTTP/1.1\r\n\r\n", &h), AL_HEAD_DONE);
    assert_true(h.bad_line);
    assert_int_equal(h.len, 2);
}

static void
what_the_gate_refuses(void **state)
{
    (void)state;
    struct al_head h;
    parse("POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", &h);
    assert_int_equal(h.content_lengths, 2);
    assert_int_equal(h.content_length, 1);
    parse("POST / HTTP/1.1\r\nContent-Length: +5\r\n\r\n", &h);
    assert_true(h.bad_length);
    parse("POST / HTTP/1.1\r\nContent-Length: 1234567890123456789\r\n\r\n", &h);
    assert_true(h.bad_length);
    parse("POST / HTTP/1.1\r\nContent-Length:\r\n\r\n", &h);
    assert_true(h.bad_length);
    parse("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", &h);
    assert_true(h.transfer_encoding);
    parse("POST / HTTP/1.1\r\nX: a\r\n b\r\n\r\n", &h);
    assert_true(h.folded);
    parse("POST / HTTP/1.1\r\nExpect: 100-continue\r\n\r\n", &h);
    assert_false(h.expect_other);
    parse("POST / HTTP/1.1\r\nExpect: something\r\n\r\n", &h);
    assert_true(h.expect_other);
    for (const char *const *p = (const char *const[]){"GET /", "GET  / HTTP/1.1", "GET / HTTP/1.1 x",
             " / HTTP/1.1", "GET / FTP/1.0", NULL};
         *p; p++) {
        char buf[64];
        snprintf(buf, sizeof(buf), "%s\r\n\r\n", *p);
        parse(buf, &h);
        assert_true(h.bad_line);
    }
}

static void
too_long(void **state)
{
    (void)state;
    static char big[AL_HEAD_MAX + 10];
    memset(big, 'a', sizeof(big));
    struct al_head h;
    assert_int_equal(al_head_parse(big, sizeof(big), &h), AL_HEAD_TOO_LONG);
    assert_int_equal(al_head_parse(big, AL_HEAD_MAX - 1, &h), AL_HEAD_MORE);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(complete_head),
        cmocka_unit_test(line_ends_and_partial_heads),
        cmocka_unit_test(what_the_gate_refuses),
        cmocka_unit_test(too_long),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
