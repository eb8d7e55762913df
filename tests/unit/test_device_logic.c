/* src/device/device_logic.c and the password hash of device_broker.c (RULE-DEV-001..016). */
#include <sodium.h>
#include <string.h>

#include "core/json.h"
#include "device/device_int.h"
#include "unit.h"

static int
decode(const char *s, struct devmsg *m, int64_t *seq)
{
    char why[128];
    return devmsg_decode(s, strlen(s), m, seq, why, sizeof(why));
}

static void
decodes_the_four_kinds(void **state)
{
    (void)state;
    struct devmsg m;
    int64_t seq;
    /* RULE-DEV-012 */
    assert_int_equal(decode("{\"seq\":7,\"ts\":1764000000,\"kind\":\"alarm\",\"type\":\"sos\","
                            "\"data\":{\"battery\":80,\"b\":1,\"a\":[true]}}", &m, &seq),
        DEVMSG_OK);
    assert_int_equal(m.seq, 7);
    assert_int_equal(m.ts, 1764000000);
    assert_int_equal(m.kind, DEVMSG_ALARM);
    assert_string_equal(m.type, "sos");
    assert_int_equal(m.battery, 80);
    assert_string_equal(m.data, "{\"a\":[true],\"b\":1,\"battery\":80}");
    assert_int_equal(decode("{\"seq\":1,\"ts\":0,\"kind\":\"heartbeat\",\"type\":\"beat\"}", &m,
                         &seq), DEVMSG_OK);
    assert_int_equal(m.kind, DEVMSG_HEARTBEAT);
    assert_int_equal(m.battery, -1);
    assert_string_equal(m.data, "{}");
    assert_int_equal(decode("{\"seq\":2,\"ts\":5,\"kind\":\"information\",\"type\":\"door_open\"}",
                         &m, &seq), DEVMSG_OK);
    assert_int_equal(decode("{\"seq\":3,\"ts\":5,\"kind\":\"reset\",\"type\":\"sos\"}", &m, &seq),
        DEVMSG_OK);
    assert_int_equal(m.kind, DEVMSG_RESET);
    assert_string_equal(devmsg_kind_id(DEVMSG_RESET), "reset");
}

static void
refuses_what_is_not_the_protocol(void **state)
{
    (void)state;
    struct devmsg m;
    int64_t seq;
    static const char *const bad[] = {
        "", "[1]", "{\"seq\":1", "{}", "{\"seq\":0,\"ts\":1,\"kind\":\"alarm\",\"type\":\"sos\"}",
        "{\"seq\":-1,\"ts\":1,\"kind\":\"alarm\",\"type\":\"sos\"}",
        "{\"seq\":1.5,\"ts\":1,\"kind\":\"alarm\",\"type\":\"sos\"}",
        "{\"seq\":\"1\",\"ts\":1,\"kind\":\"alarm\",\"type\":\"sos\"}",
        "{\"seq\":9007199254740993,\"ts\":1,\"kind\":\"alarm\",\"type\":\"sos\"}",
        "{\"seq\":1,\"ts\":-5,\"kind\":\"alarm\",\"type\":\"sos\"}",
        "{\"seq\":1,\"kind\":\"alarm\",\"type\":\"sos\"}",
        "{\"seq\":1,\"ts\":1,\"kind\":\"panic\",\"type\":\"sos\"}",
        "{\"seq\":1,\"ts\":1,\"kind\":\"alarm\",\"type\":\"SOS\"}",
        "{\"seq\":1,\"ts\":1,\"kind\":\"alarm\",\"type\":\"\"}",
        "{\"seq\":1,\"ts\":1,\"kind\":\"alarm\",\"type\":\"s\\u0000s\"}",
        "{\"seq\":1,\"ts\":1,\"kind\":\"alarm\",\"type\":\"sos\",\"data\":[]}",
        "{\"seq\":1,\"ts\":1,\"kind\":\"alarm\",\"type\":\"sos\",\"data\":{\"battery\":101}}",
        "{\"seq\":1,\"ts\":1,\"kind\":\"alarm\",\"type\":\"sos\",\"extra\":1}",
        "{\"seq\":1,\"seq\":2,\"ts\":1,\"kind\":\"alarm\",\"type\":\"sos\"}",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(decode(bad[i], &m, &seq), DEVMSG_MALFORMED);
    /* The seq is known when it could be read: the message is answered "invalid_format". */
    assert_int_equal(decode("{\"seq\":9,\"ts\":1,\"kind\":\"panic\",\"type\":\"sos\"}", &m, &seq),
        DEVMSG_MALFORMED);
    assert_int_equal(seq, 9);
    /* RULE-DEV-013: oversized is refused before it is parsed. */
    char big[DEVMSG_MAX_BYTES + 2];
    memset(big, ' ', sizeof(big));
    static const char msg[] = "{\"seq\":1,\"ts\":1,\"kind\":\"alarm\",\"type\":\"sos\"}";
    memcpy(big, msg, strlen(msg)); /* then spaces: still valid JSON */
    big[sizeof(big) - 1] = '\0';
    assert_int_equal(decode(big, &m, &seq), DEVMSG_OVERSIZED);
    big[DEVMSG_MAX_BYTES] = '\0';
    assert_int_equal(decode(big, &m, &seq), DEVMSG_OK);
}

static void
topics_and_serials(void **state)
{
    (void)state;
    char serial[41];
    /* RULE-DEV-011 */
    assert_true(device_topic_serial("anlao/dev/SOS-0001/up", serial));
    assert_string_equal(serial, "SOS-0001");
    assert_false(device_topic_serial("anlao/dev/SOS-0001/ack", serial));
    assert_false(device_topic_serial("anlao/dev/SOS-0001/up/x", serial));
    assert_false(device_topic_serial("anlao/dev//up", serial));
    assert_false(device_topic_serial("anlao/dev/a+b#/up", serial));
    assert_false(device_topic_serial("other/dev/SOS-0001/up", serial));
    /* RULE-DEV-001 */
    assert_true(device_serial_ok("abcd", 4));
    assert_false(device_serial_ok("abc", 3));
    assert_false(device_serial_ok("ab/cd", 5));
    assert_false(device_serial_ok("abcdefghijabcdefghijabcdefghijabcdefghij1", 41));
    /* RULE-DEV-002 */
    assert_int_equal(device_type_parse("water"), DEVICE_WATER);
    assert_int_equal(device_type_parse("toaster"), 0);
    assert_string_equal(device_type_name(DEVICE_FALL), "跌倒探测器");
    char ack[128];
    devmsg_ack(ack, sizeof(ack), 42, "ok", 300); /* RULE-DEV-015 */
    assert_string_equal(ack, "{\"seq\":42,\"status\":\"ok\",\"heartbeat_s\":300}");
}

static void
mosquitto_password_hash(void **state)
{
    (void)state;
    /* RULE-DEV-003: PBKDF2-SHA512 × 101 as mosquitto_passwd writes it (checked with Python's
     * hashlib.pbkdf2_hmac; the API test also has the broker accept it). */
    unsigned char salt[12];
    for (int i = 0; i < 12; i++)
        salt[i] = (unsigned char)i;
    char out[160];
    device_mqtt_hash_salt("secret-pass", salt, out);
    assert_string_equal(out, "$7$101$AAECAwQFBgcICQoL$FW8OJ28XCWY/zRAdq6ZPOJg5fYsX61LI/ch4bLrkbvgX3a1/"
                             "Ut2e9PYAvFVQCA+38APS0ri9InjC3fk80eYi+g==");
    char a[160], b[160];
    device_mqtt_hash("x", a);
    device_mqtt_hash("x", b);
    assert_string_not_equal(a, b); /* a fresh salt each time */
}

int
main(void)
{
    if (sodium_init() < 0)
        return 1;
    al_json_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(decodes_the_four_kinds),
        cmocka_unit_test(refuses_what_is_not_the_protocol),
        cmocka_unit_test(topics_and_serials),
        cmocka_unit_test(mosquitto_password_hash),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
