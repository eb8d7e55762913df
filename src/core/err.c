#include "core/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int
al_err_status(int err)
{
    switch (err) {
    case AL_OK: return 200;
    case AL_EINVAL: return 400;
    case AL_EAUTH: return 401;
    case AL_EPERM:
    case AL_ECSRF:
    case AL_EPWCHANGE: return 403;
    case AL_ENOTFOUND: return 404;
    case AL_EMETHOD: return 405;
    case AL_ECONFLICT: return 409;
    case AL_ETOOBIG: return 413;
    case AL_EUNPROC: return 422;
    case AL_ETHROTTLE: return 429;
    case AL_EUNAVAIL: return 503;
    default: return 500;
    }
}

const char *
al_err_code(int err)
{
    switch (err) {
    case AL_OK: return "ok";
    case AL_EINVAL: return "invalid";
    case AL_EAUTH: return "unauthorized";
    case AL_EPERM: return "forbidden";
    case AL_ECSRF: return "csrf";
    case AL_EPWCHANGE: return "password_change_required";
    case AL_ENOTFOUND: return "not_found";
    case AL_EMETHOD: return "method_not_allowed";
    case AL_ECONFLICT: return "conflict";
    case AL_ETOOBIG: return "too_large";
    case AL_EUNPROC: return "unprocessable";
    case AL_ETHROTTLE: return "throttled";
    case AL_EUNAVAIL: return "unavailable";
    default: return "internal";
    }
}

const char *
al_err_message(int err)
{
    switch (err) {
    case AL_OK: return "成功";
    case AL_EINVAL: return "请求内容有误";
    case AL_EAUTH: return "请先登录";
    case AL_EPERM: return "没有执行此操作的权限";
    case AL_ECSRF: return "请求缺少有效的安全令牌（X-CSRF-Token），请刷新页面后重试";
    case AL_EPWCHANGE: return "首次登录请先修改密码";
    case AL_ENOTFOUND: return "请求的资源不存在";
    case AL_EMETHOD: return "不支持该请求方法";
    case AL_ECONFLICT: return "数据已被他人修改，请刷新后重试";
    case AL_ETOOBIG: return "请求内容过大";
    case AL_EUNPROC: return "请求无法处理";
    case AL_ETHROTTLE: return "请求过于频繁，请稍后重试";
    case AL_EUNAVAIL: return "系统正忙（可能正在批量写入数据），请稍后重试";
    case AL_EDB: return "数据存储出错，请稍后重试";
    default: return "服务器内部错误";
    }
}

int
al_fail(struct al_errinfo *e, int err, const char *field, const char *fmt, ...)
{
    if (!e)
        return err;
    e->field = field;
    if (fmt) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(e->message, sizeof(e->message), fmt, ap);
        va_end(ap);
        if (n >= (int)sizeof(e->message)) {
            /* Cut short: drop a partial UTF-8 character so the message stays text. */
            size_t len = sizeof(e->message) - 1;
            size_t k = len;
            while (k > 0 && ((unsigned char)e->message[k - 1] & 0xC0) == 0x80)
                k--;
            if (k > 0 && (unsigned char)e->message[k - 1] >= 0xC0) {
                unsigned char lead = (unsigned char)e->message[k - 1];
                size_t need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
                if (len - (k - 1) < need)
                    e->message[k - 1] = '\0';
            }
        }
    } else {
        snprintf(e->message, sizeof(e->message), "%s", al_err_message(err));
    }
    return err;
}
