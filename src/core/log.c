#include "core/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static enum al_log_level min_level = AL_LOG_INFO;

void
al_log_set_level(enum al_log_level level)
{
    min_level = level;
}

static void
json_escape_into(char *out, size_t cap, const char *s)
{
    size_t o = 0;
    for (; *s && o + 7 < cap; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            out[o++] = '\\';
            out[o++] = (char)c;
        } else if (c < 0x20) {
            o += (size_t)snprintf(out + o, cap - o, "\\u%04x", c);
        } else {
            out[o++] = (char)c;
        }
    }
    out[o] = '\0';
}

void
al_log(enum al_log_level level, const char *fmt, ...)
{
    static const char *names[] = {"debug", "info", "warn", "error"};
    if (level < min_level)
        return;
    char msg[1024], esc[2048], ts[32], line[2300];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    json_escape_into(esc, sizeof(esc), msg);
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
    int n = snprintf(line, sizeof(line), "{\"ts\":\"%s\",\"level\":\"%s\",\"msg\":\"%s\"}\n", ts,
        names[level], esc);
    if (n > 0)
        (void)!write(STDERR_FILENO, line, (size_t)(n < (int)sizeof(line) ? n : (int)sizeof(line) - 1));
}

static _Thread_local char access_buf[32768];
static _Thread_local size_t access_len;

void
al_log_flush(void)
{
    size_t off = 0;
    while (off < access_len) {
        ssize_t n = write(STDERR_FILENO, access_buf + off, access_len - off);
        if (n <= 0)
            break;
        off += (size_t)n;
    }
    access_len = 0;
}

void
al_log_access(const char *json, int len)
{
    if (len <= 0 || (size_t)len + 1 > sizeof(access_buf))
        return;
    if (access_len + (size_t)len + 1 > sizeof(access_buf))
        al_log_flush();
    memcpy(access_buf + access_len, json, (size_t)len);
    access_len += (size_t)len;
    access_buf[access_len++] = '\n';
}

void
al_log_json_line(const char *json, int len)
{
    char buf[2048];
    if (len < 0 || (size_t)len + 1 > sizeof(buf))
        return;
    memcpy(buf, json, (size_t)len);
    buf[len] = '\n';
    (void)!write(STDERR_FILENO, buf, (size_t)len + 1);
}

double
al_mono_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}
