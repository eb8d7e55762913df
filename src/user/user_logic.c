/* Pure rules of the user module. */
#include <string.h>

#include "auth/auth.h"
#include "core/idcard.h"
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

/* ---- request bodies (RULE-FIELD-001) ---- */

static int
check_phone(const struct al_field *f, const char *value, struct al_errinfo *e)
{
    const char *p = *value ? al_phone_problem(value) : NULL;
    return p ? al_fail(e, AL_EINVAL, f->key, "%s", p) : AL_OK;
}

static int
check_password(const struct al_field *f, const char *value, struct al_errinfo *e)
{
    const char *p = auth_password_problem(value);
    return p ? al_fail(e, AL_EINVAL, f->key, "%s", p) : AL_OK;
}

static const char *const user_statuses[] = {"active", "disabled", NULL};

/*
 * A new user: types and lengths.  The rules the CLI shares (name, phone, role,
 * password, region) are checked by user_create_direct's validation after it.
 */
const struct al_field user_new_fields[] = {
    {"username", "用户名", AL_FT_TEXT, AL_F_REQUIRED, .min = 1, .max = 64},
    {"display_name", "姓名", AL_FT_TEXT, AL_F_REQUIRED | AL_F_PLAIN, .min = 1, .max = 32},
    {"phone", "电话", AL_FT_TEXT, 0, .max = 20},
    {"role", "角色", AL_FT_TEXT, AL_F_REQUIRED, .min = 1, .max = 32},
    {"region_code", "所属区划", AL_FT_TEXT, 0, .max = 12},
    {"password", "密码", AL_FT_TEXT, 0, .max = 200},
    {0},
};

/* A change (PATCH): every member optional; the role and region are looked up by the handler. */
const struct al_field user_patch_fields[] = {
    {"display_name", "姓名", AL_FT_TEXT, AL_F_PLAIN, .min = 1, .max = 32},
    {"phone", "电话", AL_FT_TEXT, 0, .max = 20, .check = check_phone},
    {"role", "角色", AL_FT_TEXT, 0, .min = 1, .max = 32},
    {"region_code", "所属区划", AL_FT_TEXT, 0, .max = 12},
    {"status", "状态", AL_FT_ENUM, 0, .min = 1, .max = 16, .allowed = user_statuses,
        .hint = "应为 active 或 disabled"},
    {"password", "密码", AL_FT_TEXT, 0, .min = 1, .max = 200, .check = check_password},
    {"old_password", "原密码", AL_FT_TEXT, 0, .min = 1, .max = 128},
    {0},
};
