#include "core/json.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/*
 * Every block jansson gets carries a 16-byte header telling where it came
 * from, so the free hook can ignore arena memory and free heap memory.
 */
#define TAG_HEAP 0x48454150u
#define TAG_ARENA 0x4152454eu

static _Thread_local struct al_arena *tls_arena;

static void *
json_alloc(size_t n)
{
    unsigned char *p;
    if (tls_arena) {
        p = al_arena_alloc(tls_arena, n + 16);
        *(unsigned *)p = TAG_ARENA;
    } else {
        p = malloc(n + 16);
        if (!p)
            return NULL;
        *(unsigned *)p = TAG_HEAP;
    }
    return p + 16;
}

static void
json_free(void *ptr)
{
    if (!ptr)
        return;
    unsigned char *p = (unsigned char *)ptr - 16;
    if (*(unsigned *)p == TAG_HEAP)
        free(p);
}

void
al_json_init(void)
{
    json_set_alloc_funcs(json_alloc, json_free);
    json_object_seed(0);
}

void
al_json_use_arena(struct al_arena *a)
{
    tls_arena = a;
}

int
al_json_parse_object(const char *buf, size_t len, json_t **out, struct al_errinfo *e)
{
    *out = NULL;
    size_t i = 0;
    while (i < len && (buf[i] == ' ' || buf[i] == '\n' || buf[i] == '\r' || buf[i] == '\t'))
        i++;
    if (i == len) {
        *out = json_object();
        return AL_OK;
    }
    json_error_t jerr;
    json_t *v = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!v)
        return al_fail(e, AL_EINVAL, NULL, "请求内容不是有效的 JSON（第 %d 行第 %d 列）", jerr.line,
            jerr.column);
    if (!json_is_object(v)) {
        json_decref(v);
        return al_fail(e, AL_EINVAL, NULL, "请求内容应为 JSON 对象");
    }
    *out = v;
    return AL_OK;
}

/*
 * The compact serialiser of every answer.  jansson's json_dumpb walks a string one code point at
 * a time through a callback and had to run twice (size, then text): 27 us for the 731 bytes of
 * /api/v1/me, a fifth of that request's CPU.  This one measures, then writes, copying runs of
 * bytes that need no escape with memcpy; its output is byte for byte json_dumpb(JSON_COMPACT)'s
 * (tests/unit/test_core_json.c compares them on generated values): keys in insertion order, only
 * '"', '\\' and controls escaped, UTF-8 passed through (jansson checked it when the string was
 * made), reals as "%.17g" with ".0" added to a whole number and the exponent's '+' and leading
 * zeros dropped.
 */
struct dump {
    char *out; /* NULL: only count */
    size_t n;
};

static void
put(struct dump *d, const char *p, size_t n)
{
    if (d->out)
        memcpy(d->out + d->n, p, n);
    d->n += n;
}

static void
put_string(struct dump *d, const char *s, size_t len)
{
    static const char hex[] = "0123456789ABCDEF";
    put(d, "\"", 1);
    size_t run = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        put(d, s + run, i - run);
        run = i + 1;
        char esc[6] = {'\\', 0, 0, 0, 0, 0};
        size_t k = 2;
        switch (c) {
        case '"': esc[1] = '"'; break;
        case '\\': esc[1] = '\\'; break;
        case '\b': esc[1] = 'b'; break;
        case '\f': esc[1] = 'f'; break;
        case '\n': esc[1] = 'n'; break;
        case '\r': esc[1] = 'r'; break;
        case '\t': esc[1] = 't'; break;
        default:
            esc[1] = 'u', esc[2] = '0', esc[3] = '0', esc[4] = hex[c >> 4], esc[5] = hex[c & 15];
            k = 6;
        }
        put(d, esc, k);
    }
    put(d, s + run, len - run);
    put(d, "\"", 1);
}

static void
put_real(struct dump *d, double x)
{
    char b[48];
    int n = snprintf(b, sizeof(b) - 3, "%.17g", x);
    if (n < 0 || n >= (int)sizeof(b) - 3)
        n = 0;
    b[n] = '\0';
    if (!strchr(b, '.') && !strchr(b, 'e') && strcmp(b, "inf") && strcmp(b, "-inf") && strcmp(b, "nan")) {
        memcpy(b + n, ".0", 3);
        n += 2;
    }
    char *e = strchr(b, 'e');
    if (e) { /* "1e+20" -> "1e20", "1e-05" -> "1e-5" */
        char *from = e + 1, *to = e + 1;
        if (*from == '+')
            from++;
        else if (*from == '-')
            from++, to++;
        while (*from == '0' && from[1])
            from++;
        memmove(to, from, strlen(from) + 1);
        n = (int)strlen(b);
    }
    put(d, b, (size_t)n);
}

static void
put_value(struct dump *d, const json_t *v)
{
    char b[24];
    switch (json_typeof(v)) {
    case JSON_OBJECT: {
        const char *key;
        json_t *x;
        bool first = true;
        put(d, "{", 1);
        json_object_foreach((json_t *)v, key, x) {
            if (!first)
                put(d, ",", 1);
            first = false;
            put_string(d, key, strlen(key));
            put(d, ":", 1);
            put_value(d, x);
        }
        put(d, "}", 1);
        break;
    }
    case JSON_ARRAY:
        put(d, "[", 1);
        for (size_t i = 0; i < json_array_size(v); i++) {
            if (i)
                put(d, ",", 1);
            put_value(d, json_array_get(v, i));
        }
        put(d, "]", 1);
        break;
    case JSON_STRING:
        put_string(d, json_string_value(v), json_string_length(v));
        break;
    case JSON_INTEGER:
        put(d, b, (size_t)snprintf(b, sizeof(b), "%" JSON_INTEGER_FORMAT, json_integer_value(v)));
        break;
    case JSON_REAL:
        put_real(d, json_real_value(v));
        break;
    case JSON_TRUE:
        put(d, "true", 4);
        break;
    case JSON_FALSE:
        put(d, "false", 5);
        break;
    case JSON_NULL:
        put(d, "null", 4);
        break;
    }
}

char *
al_json_dump(struct al_arena *a, const json_t *v, size_t *len_out)
{
    struct dump d = {NULL, 0};
    put_value(&d, v);
    char *buf = al_arena_alloc(a, d.n + 1);
    d.out = buf, d.n = 0;
    put_value(&d, v);
    buf[d.n] = '\0';
    if (len_out)
        *len_out = d.n;
    return buf;
}

char *
al_json_dump_heap(const json_t *v)
{
    size_t n = json_dumpb(v, NULL, 0, JSON_COMPACT | JSON_SORT_KEYS);
    char *buf = malloc(n + 1);
    if (!buf)
        return NULL;
    json_dumpb(v, buf, n, JSON_COMPACT | JSON_SORT_KEYS);
    buf[n] = '\0';
    return buf;
}

char *
al_json_dump_sorted(struct al_arena *a, const json_t *v)
{
    size_t n = json_dumpb(v, NULL, 0, JSON_COMPACT | JSON_SORT_KEYS);
    char *buf = al_arena_alloc(a, n + 1);
    json_dumpb(v, buf, n, JSON_COMPACT | JSON_SORT_KEYS);
    buf[n] = '\0';
    return buf;
}

bool
al_text_is_plain(const char *s, size_t n)
{
    /* RULE-PII-005.  `s` is well-formed UTF-8 (jansson checks every string it parses). */
    const unsigned char *p = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        unsigned cp = p[i], k = 1;
        if (cp >= 0xF0)
            k = 4, cp &= 0x07;
        else if (cp >= 0xE0)
            k = 3, cp &= 0x0F;
        else if (cp >= 0xC0)
            k = 2, cp &= 0x1F;
        for (unsigned j = 1; j < k && i + j < n; j++)
            cp = (cp << 6) | (p[i + j] & 0x3F);
        i += k;
        if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F)) /* C0, DEL, C1 controls */
            return false;
        if (cp == 0x061C || cp == 0x200E || cp == 0x200F || (cp >= 0x202A && cp <= 0x202E) ||
            (cp >= 0x2066 && cp <= 0x2069)) /* bidirectional marks, embeddings, overrides */
            return false;
        if (cp == 0x2028 || cp == 0x2029 || cp == 0x200B || cp == 0x2060 || cp == 0xFEFF)
            return false; /* line breaks in disguise, invisible spaces */
    }
    return true;
}

size_t
al_utf8_len(const char *s, size_t n)
{
    /* Well-formed UTF-8 only (RFC 3629): no overlong forms, no surrogates, nothing above
     * U+10FFFF, so whatever passes here is also accepted by jansson. */
    const unsigned char *p = (const unsigned char *)s;
    size_t count = 0;
    for (size_t i = 0; i < n;) {
        unsigned char c = p[i];
        size_t k;
        unsigned char lo = 0x80, hi = 0xBF; /* allowed range of the second byte */
        if (c < 0x80)
            k = 1;
        else if (c >= 0xC2 && c <= 0xDF)
            k = 2;
        else if (c >= 0xE0 && c <= 0xEF) {
            k = 3;
            if (c == 0xE0)
                lo = 0xA0;
            else if (c == 0xED)
                hi = 0x9F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            k = 4;
            if (c == 0xF0)
                lo = 0x90;
            else if (c == 0xF4)
                hi = 0x8F;
        } else
            return (size_t)-1;
        if (k > n - i)
            return (size_t)-1;
        if (k > 1 && (p[i + 1] < lo || p[i + 1] > hi))
            return (size_t)-1;
        for (size_t j = 2; j < k; j++)
            if ((p[i + j] & 0xC0) != 0x80)
                return (size_t)-1;
        i += k;
        count++;
    }
    return count;
}

int
al_json_get_str(const json_t *obj, const char *key, const char *label, int flags,
    size_t min_chars, size_t max_chars, const char **out, struct al_errinfo *e)
{
    *out = NULL;
    json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v)) {
        if (flags & AL_REQUIRED)
            return al_fail(e, AL_EINVAL, key, "%s不能为空", label);
        return AL_OK;
    }
    if (!json_is_string(v))
        return al_fail(e, AL_EINVAL, key, "%s应为文本", label);
    const char *s = json_string_value(v);
    size_t n = json_string_length(v);
    if (memchr(s, '\0', n))
        return al_fail(e, AL_EINVAL, key, "%s含有非法字符", label);
    while (n && (*s == ' ' || *s == '\t')) {
        s++;
        n--;
    }
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    if (n == 0 && (flags & AL_REQUIRED))
        return al_fail(e, AL_EINVAL, key, "%s不能为空", label);
    if ((flags & AL_PLAIN) && !al_text_is_plain(s, n)) /* RULE-PII-005 */
        return al_fail(e, AL_EINVAL, key, "%s不能包含控制字符、换行或文字方向控制符", label);
    size_t chars = al_utf8_len(s, n);
    if (chars < min_chars)
        return al_fail(e, AL_EINVAL, key, "%s至少需要 %zu 个字符", label, min_chars);
    if (max_chars && chars > max_chars)
        return al_fail(e, AL_EINVAL, key, "%s不能超过 %zu 个字符", label, max_chars);
    /* Trimmed: the object keeps the trimmed text, so it owns the memory. */
    if (s[n] != '\0') {
        json_t *t = json_stringn(s, n);
        if (!t || json_object_set_new((json_t *)obj, key, t) != 0)
            return al_fail(e, AL_EINTERNAL, key, "内存不足");
        s = json_string_value(t);
    }
    *out = s;
    return AL_OK;
}

int
al_json_get_int(const json_t *obj, const char *key, const char *label, int flags,
    int64_t min, int64_t max, int64_t *out, bool *present, struct al_errinfo *e)
{
    if (present)
        *present = false;
    json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v)) {
        if (flags & AL_REQUIRED)
            return al_fail(e, AL_EINVAL, key, "%s不能为空", label);
        return AL_OK;
    }
    if (!json_is_integer(v))
        return al_fail(e, AL_EINVAL, key, "%s应为整数", label);
    int64_t x = json_integer_value(v);
    if (x < min || x > max)
        return al_fail(e, AL_EINVAL, key, "%s应在 %lld 到 %lld 之间", label, (long long)min,
            (long long)max);
    *out = x;
    if (present)
        *present = true;
    return AL_OK;
}

int
al_json_get_bool(const json_t *obj, const char *key, const char *label, int flags,
    bool *out, bool *present, struct al_errinfo *e)
{
    if (present)
        *present = false;
    json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v)) {
        if (flags & AL_REQUIRED)
            return al_fail(e, AL_EINVAL, key, "%s不能为空", label);
        return AL_OK;
    }
    if (!json_is_boolean(v))
        return al_fail(e, AL_EINVAL, key, "%s应为 true 或 false", label);
    *out = json_is_true(v);
    if (present)
        *present = true;
    return AL_OK;
}

char *
al_json_time(struct al_arena *a, int64_t unix_s)
{
    time_t t = (time_t)unix_s;
    struct tm tm;
    gmtime_r(&t, &tm);
    char *buf = al_arena_alloc(a, 24);
    strftime(buf, 24, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}
