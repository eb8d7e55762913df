/* src/core/proxy.c: the client address behind a trusted reverse proxy. */
#include <string.h>

#include "core/proxy.h"
#include "unit.h"

static const char *
addr(const char *peer, const char *xff, const char *trusted)
{
    static char out[48];
    al_client_address(peer, xff, trusted, out, sizeof(out));
    return out;
}

static void
untrusted_peer_is_the_client(void **state)
{
    (void)state;
    /* No proxy configured, or the peer is not one: the header is the client's to forge. */
    assert_string_equal(addr("203.0.113.9", "1.2.3.4", NULL), "203.0.113.9");
    assert_string_equal(addr("203.0.113.9", "1.2.3.4", ""), "203.0.113.9");
    assert_string_equal(addr("203.0.113.9", "1.2.3.4", "127.0.0.1"), "203.0.113.9");
    assert_string_equal(addr("127.0.0.1", NULL, "127.0.0.1"), "127.0.0.1");
}

static void
rightmost_untrusted_entry(void **state)
{
    (void)state;
    assert_string_equal(addr("127.0.0.1", "198.51.100.7", "127.0.0.1"), "198.51.100.7");
    /* A forged entry on the left does not win: nginx appends the real peer on the right. */
    assert_string_equal(addr("127.0.0.1", "6.6.6.6, 198.51.100.7", "127.0.0.1"), "198.51.100.7");
    /* Two proxies of ours in a row are skipped. */
    assert_string_equal(addr("10.0.0.2", "198.51.100.7,10.0.0.1", "127.0.0.1, 10.0.0.1,10.0.0.2"),
        "198.51.100.7");
    assert_string_equal(addr("127.0.0.1", "2001:db8::1", "127.0.0.1"), "2001:db8::1");
    /* Only our own proxies in the header: the peer stays. */
    assert_string_equal(addr("127.0.0.1", "127.0.0.1", "127.0.0.1"), "127.0.0.1");
}

static void
malformed_keeps_the_peer(void **state)
{
    (void)state;
    assert_string_equal(addr("127.0.0.1", "", "127.0.0.1"), "127.0.0.1");
    assert_string_equal(addr("127.0.0.1", "not-an-ip", "127.0.0.1"), "127.0.0.1");
    assert_string_equal(addr("127.0.0.1", "1.2.3.4, <script>", "127.0.0.1"), "127.0.0.1");
    assert_string_equal(addr("127.0.0.1", "1.2.3.4,,", "127.0.0.1"), "127.0.0.1");
    char longish[200];
    memset(longish, '1', sizeof(longish) - 1);
    longish[sizeof(longish) - 1] = 0;
    assert_string_equal(addr("127.0.0.1", longish, "127.0.0.1"), "127.0.0.1");
    /* A listed prefix is not a match: 127.0.0.10 is not 127.0.0.1. */
    assert_string_equal(addr("127.0.0.10", "1.2.3.4", "127.0.0.1"), "127.0.0.10");
}

/* RULE-AUTH-006: HTTPS only on a trusted proxy's word, from the first X-Forwarded-Proto entry. */
static void
forwarded_https(void **state)
{
    (void)state;
    assert_true(al_forwarded_https("127.0.0.1", "https", "127.0.0.1"));
    assert_true(al_forwarded_https("127.0.0.1", " HTTPS", "127.0.0.1"));
    assert_true(al_forwarded_https("127.0.0.1", "https, http", "127.0.0.1"));
    assert_false(al_forwarded_https("127.0.0.1", "http", "127.0.0.1"));
    assert_false(al_forwarded_https("127.0.0.1", "httpsx", "127.0.0.1"));
    assert_false(al_forwarded_https("127.0.0.1", "", "127.0.0.1"));
    assert_false(al_forwarded_https("127.0.0.1", NULL, "127.0.0.1"));
    assert_false(al_forwarded_https("198.51.100.7", "https", "127.0.0.1"));
    assert_false(al_forwarded_https("127.0.0.1", "https", NULL));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(untrusted_peer_is_the_client),
        cmocka_unit_test(rightmost_untrusted_entry),
        cmocka_unit_test(malformed_keeps_the_peer),
        cmocka_unit_test(forwarded_https),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
