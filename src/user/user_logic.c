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
