/* GB 11643 vectors (RULE-ID-001..008). */
#include <stdio.h>
#include <string.h>

#include "core/idcard.h"
#include "unit.h"

static enum al_id_status
parse(const char *s, struct al_id *id)
{
    return al_id_parse(s, strlen(s), "2026-11-22", id);
}

static void
valid_numbers(void **state)
{
    (void)state;
    static const char *ok[] = {"11010519491231002X", "440524188001010014", "320124198808240056",
        "110108196711301862"};
    struct al_id id;
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(parse(ok[i], &id), AL_ID_OK);
    assert_int_equal(parse("11010519491231002X", &id), AL_ID_OK);
    assert_string_equal(id.birth_date, "1949-12-31");
    assert_int_equal(id.sex, 'F'); /* RULE-ID-006: 17th digit 2 */
    assert_int_equal(parse("440524188001010014", &id), AL_ID_OK);
    assert_int_equal(id.sex, 'M');
}

static void
invalid_numbers(void **state)
{
    (void)state;
    struct al_id id;
    assert_int_equal(parse("37070419881216001X", &id), AL_ID_CHECKSUM); /* should be 2 */
    assert_int_equal(parse("110105194913310021", &id), AL_ID_DATE);
    assert_int_equal(parse("11010519490229002X", &id), AL_ID_DATE);     /* 1949 not leap */
    assert_int_equal(parse("11010520991231002X", &id), AL_ID_DATE);     /* future: RULE-ID-004 */
    assert_int_equal(parse("1101051949123100", &id), AL_ID_LENGTH);
    assert_int_equal(parse("1101051949123100X2", &id), AL_ID_CHARS);
    assert_int_equal(parse("", &id), AL_ID_EMPTY);
    assert_int_equal(parse("   ", &id), AL_ID_EMPTY);
    assert_int_equal(parse("11010519491231002X11010519491231002X", &id), AL_ID_LENGTH);
    assert_non_null(strstr(al_id_status_message(AL_ID_CHECKSUM), "校验位"));
}

static void
fifteen_digits_converted(void **state)
{
    (void)state;
    struct al_id id;
    assert_int_equal(parse("110105491231002", &id), AL_ID_OK); /* RULE-ID-003 */
    assert_string_equal(id.number, "11010519491231002X");
    assert_true(id.converted);
}

static void
normalisation(void **state)
{
    (void)state;
    struct al_id id;
    /* RULE-ID-002: full-width digits, ｘ, spaces (also U+3000), lowercase x */
    assert_int_equal(parse(" １１０１０５１９４９１２３１００２ｘ\xE3\x80\x80", &id), AL_ID_OK);
    assert_string_equal(id.number, "11010519491231002X");
    assert_int_equal(parse("11010519491231002x", &id), AL_ID_OK);
    assert_string_equal(id.number, "11010519491231002X");
    assert_int_equal(parse("110105 19491231 002X", &id), AL_ID_OK);
}

static void
masks_ages_phones(void **state)
{
    (void)state;
    char m[19], p[16];
    al_id_mask("52032719400101001X", m); /* RULE-ID-007, RULE-PII-001 */
    assert_string_equal(m, "520327***********X");
    al_phone_mask("13800001234", p, sizeof(p)); /* RULE-PII-002 */
    assert_string_equal(p, "138****1234");
    al_phone_mask("0851-5221234", p, sizeof(p)); /* 11 digits: 4 hidden */
    assert_string_equal(p, "085*-***1234");
    al_phone_mask("085152212", p, sizeof(p)); /* 9: the last 4, 4 unknown besides the 0 */
    assert_string_equal(p, "*****2212");
    al_phone_mask("08515221", p, sizeof(p)); /* 8: the last 4 would leave 3 unknown */
    assert_string_equal(p, "******21");
    al_phone_mask("0851522", p, sizeof(p));
    assert_string_equal(p, "*****22");
    assert_int_equal(al_age_on("1949-12-31", "2026-12-30"), 76);
    assert_int_equal(al_age_on("1949-12-31", "2026-12-31"), 77);
    assert_null(al_phone_problem("13800001234"));
    assert_null(al_phone_problem("0851-5221234"));
    assert_non_null(al_phone_problem("12800001234"));
    assert_non_null(al_phone_problem("12345"));
    assert_true(al_date_valid("2024-02-29"));
    assert_false(al_date_valid("2023-02-29"));
}

/* The ISO 7064 MOD 11-2 check character of 17 digits (RULE-ID-001), for building vectors. */
static char
check_char(const char *d17)
{
    static const int w[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    int sum = 0;
    for (int i = 0; i < 17; i++)
        sum += (d17[i] - '0') * w[i];
    return "10X98765432"[sum % 11];
}

static void
address_code_is_not_checked(void **state)
{
    (void)state;
    /* RULE-ID-005: codes of abolished or unknown divisions stay valid (people keep their
     * numbers when counties merge); only the shape and the check character count. */
    static const char *areas[] = {"999999", "000000", "520399", "110000"};
    struct al_id id;
    for (size_t i = 0; i < 4; i++) {
        char n[19];
        snprintf(n, sizeof(n), "%s19500101001", areas[i]);
        n[17] = check_char(n);
        n[18] = '\0';
        assert_int_equal(parse(n, &id), AL_ID_OK);
        assert_string_equal(id.birth_date, "1950-01-01");
        n[17] = n[17] == '0' ? '1' : '0'; /* the check character still counts */
        assert_int_equal(parse(n, &id), AL_ID_CHECKSUM);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(valid_numbers),
        cmocka_unit_test(address_code_is_not_checked),
        cmocka_unit_test(invalid_numbers),
        cmocka_unit_test(fifteen_digits_converted),
        cmocka_unit_test(normalisation),
        cmocka_unit_test(masks_ages_phones),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
