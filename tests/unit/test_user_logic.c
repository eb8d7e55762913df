/* src/user/user_logic.c and the phone rule users share (RULE-USER-001, RULE-ID-008). */
#include <string.h>

#include "core/idcard.h"
#include "user/user_int.h"
#include "unit.h"

static void
usernames(void **state)
{
    (void)state;
    /* RULE-USER-001: 3 to 32 of letters, digits, '_', '.', '-'. */
    static const char *const good[] = {"abc", "fg_civil", "a.b-c", "Admin", "u123", "___", "...",
        "1-2", "A_b.C-d_0", "abcdefghijklmnopqrstuvwxyz012345" /* 32 */};
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        const char *p = user_username_problem(good[i]);
        if (p)
            print_error("refused %s: %s\n", good[i], p);
        assert_null(p);
    }
    static const char *const bad_length[] = {"", "a", "ab", "abcdefghijklmnopqrstuvwxyz0123456"};
    for (size_t i = 0; i < sizeof(bad_length) / sizeof(bad_length[0]); i++)
        assert_string_equal(user_username_problem(bad_length[i]), "用户名应为 3 到 32 个字符");
    static const char *const bad_chars[] = {"王芳芳", "has space", "a@b.c", "a/b", "tab\there",
        "new\nline", "quote'", "semi;colon", "ａｂｃ" /* full-width */, "abc ", " abc", "a+b",
        "é.abc"};
    for (size_t i = 0; i < sizeof(bad_chars) / sizeof(bad_chars[0]); i++) {
        const char *p = user_username_problem(bad_chars[i]);
        if (!p || strcmp(p, "用户名只能包含字母、数字、下划线、点和连字符") != 0)
            print_error("%s: %s\n", bad_chars[i], p ? p : "(accepted)");
        assert_non_null(p);
        assert_string_equal(p, "用户名只能包含字母、数字、下划线、点和连字符");
    }
}

static void
phones(void **state)
{
    (void)state;
    /* RULE-ID-008: an 11-digit mobile number 1[3-9]…, or a landline starting with 0
     * (7 to 12 digits, '-' allowed). */
    static const char *const good[] = {"13800001234", "19912345678", "15000000000",
        "17712345678", "0851-5221234", "08515221234", "0851-52212345", "0123456",
        "012345678901", "010-12345678", "0-1-2-3-4-5-6"};
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        const char *p = al_phone_problem(good[i]);
        if (p)
            print_error("refused %s: %s\n", good[i], p);
        assert_null(p);
    }
    assert_string_equal(al_phone_problem("12800001234"), "手机号码格式不正确");
    assert_string_equal(al_phone_problem("11800001234"), "手机号码格式不正确");
    assert_string_equal(al_phone_problem("10000000000"), "手机号码格式不正确");
    static const char *const wrong_shape[] = {"", "1380000123" /* 10 */,
        "138000012345" /* 12 */, "1380000-1234", "012345" /* 6 digits */,
        "0123456789012" /* 13 */, "-08515221234", "23800001234", "-", "0", "0------"};
    for (size_t i = 0; i < sizeof(wrong_shape) / sizeof(wrong_shape[0]); i++) {
        const char *p = al_phone_problem(wrong_shape[i]);
        if (!p)
            print_error("accepted %s\n", wrong_shape[i]);
        assert_string_equal(p, "电话号码应为 11 位手机号或带区号的固定电话");
    }
    static const char *const bad_chars[] = {"+8613800001234", "138 0000 1234", "(0851)5221234",
        "1380000123a", "１３８００００１２３４", "0851—5221234" /* a dash that is not '-' */};
    for (size_t i = 0; i < sizeof(bad_chars) / sizeof(bad_chars[0]); i++)
        assert_string_equal(al_phone_problem(bad_chars[i]), "电话号码只能包含数字和连字符");
}

static void
phone_masks(void **state)
{
    (void)state;
    /* Shown masked: the first 3 and the last 4 digits. */
    char m[32];
    al_phone_mask("13800001234", m, sizeof(m));
    assert_string_equal(m, "138****1234");
    al_phone_mask("0851-5221234", m, sizeof(m));
    assert_int_equal(strlen(m), strlen("0851-5221234"));
    assert_memory_equal(m, "085", 3);
    assert_string_equal(m + strlen(m) - 4, "1234");
    assert_null(strstr(m, "522"));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(usernames),
        cmocka_unit_test(phones),
        cmocka_unit_test(phone_masks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
