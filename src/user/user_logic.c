/* Pure rules of the user module. */
#include <string.h>

#include "user/user_int.h"

/* RULE-USER-001: usernames are 3–32 characters of letters, digits, '_', '.', '-'. */
const char *
user_username_problem(const char *username)
{
    size_t n = strlen(username);
    if (n < 3 || n > 32)
        return "用户名应为 3 到 32 个字符";
    for (const char *p = username; *p; p++) {
        char c = *p;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '_' || c == '.' || c == '-'))
            return "用户名只能包含字母、数字、下划线、点和连字符";
    }
    return NULL;
}

/* RULE-USER-002: a phone is an 11-digit mobile (1[3-9]…) or a landline of digits and '-'. */
const char *
user_phone_problem(const char *phone)
{
    size_t n = strlen(phone), digits = 0;
    for (const char *p = phone; *p; p++) {
        if (*p >= '0' && *p <= '9')
            digits++;
        else if (*p != '-')
            return "电话号码只能包含数字和连字符";
    }
    if (n == 11 && digits == 11 && phone[0] == '1')
        return phone[1] >= '3' ? NULL : "手机号码格式不正确";
    if (digits >= 7 && digits <= 12 && phone[0] == '0')
        return NULL;
    return "电话号码应为 11 位手机号或带区号的固定电话";
}
