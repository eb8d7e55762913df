#include "core/query.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"

static int
hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decode one component; NULL on a bad escape or a NUL byte. */
static char *
decode(struct al_arena *a, const char *s, size_t n)
{
    char *out = al_arena_alloc(a, n + 1), *o = out;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '+') {
            c = ' ';
        } else if (c == '%') {
            if (i + 2 >= n)
                return NULL;
            int h = hexval(s[i + 1]), l = hexval(s[i + 2]);
            if (h < 0 || l < 0)
                return NULL;
            c = (char)(h * 16 + l);
            i += 2;
        }
        if (c == '\0')
            return NULL;
        *o++ = c;
    }
    *o = '\0';
    if (al_utf8_len(out, (size_t)(o - out)) == (size_t)-1)
        return NULL;
    return out;
}

int
al_query_parse(struct al_arena *a, const char *raw, size_t len, struct al_query *q,
    struct al_errinfo *e)
{
    q->n = 0;
    if (!raw)
        return AL_OK;
    size_t i = 0;
    while (i < len) {
        size_t start = i;
        while (i < len && raw[i] != '&')
            i++;
        size_t end = i++;
        if (end == start)
            continue;
        size_t eq = start;
        while (eq < end && raw[eq] != '=')
            eq++;
        if (q->n == AL_QUERY_MAX)
            return al_fail(e, AL_EINVAL, NULL, "查询参数过多（最多 %d 个）", AL_QUERY_MAX);
        char *k = decode(a, raw + start, eq - start);
        char *v = eq < end ? decode(a, raw + eq + 1, end - eq - 1) : al_arena_strdup(a, "");
        if (!k || !v)
            return al_fail(e, AL_EINVAL, k, "查询参数%s%s编码有误", k ? " " : "", k ? k : "");
        q->keys[q->n] = k;
        q->values[q->n] = v;
        q->n++;
    }
    return AL_OK;
}

const char *
al_query_get(const struct al_query *q, const char *key)
{
    for (int i = 0; i < q->n; i++)
        if (strcmp(q->keys[i], key) == 0)
            return q->values[i];
    return NULL;
}

const char *
al_query_opt(const struct al_query *q, const char *key)
{
    const char *v = al_query_get(q, key);
    return v && *v ? v : NULL;
}

int
al_query_int(const struct al_query *q, const char *key, const char *label, int64_t min,
    int64_t max, int64_t dflt, int64_t *out, struct al_errinfo *e)
{
    *out = dflt;
    const char *v = al_query_get(q, key);
    if (!v || !*v)
        return AL_OK;
    /* Digits with an optional minus only: no "+5", " 5" or "5 "; overflow is out of range. */
    const char *d = v[0] == '-' ? v + 1 : v;
    char *end = NULL;
    errno = 0;
    long long x = strtoll(v, &end, 10);
    if (*d < '0' || *d > '9' || *end != '\0' || errno == ERANGE || x < min || x > max)
        return al_fail(e, AL_EINVAL, key, "%s应为 %lld 到 %lld 之间的整数", label,
            (long long)min, (long long)max);
    *out = x;
    return AL_OK;
}

int
al_query_page(const struct al_query *q, int64_t *page, int64_t *page_size, struct al_errinfo *e)
{
    int rc = al_query_int(q, "page", "页码", 1, 1000000, 1, page, e);
    if (rc == AL_OK)
        rc = al_query_int(q, "page_size", "每页条数", 1, 200, 20, page_size, e);
    return rc;
}

int
al_query_limit(const struct al_query *q, int64_t *limit, int64_t *offset, struct al_errinfo *e)
{
    int64_t page = 1;
    int rc = al_query_page(q, &page, limit, e);
    *offset = rc == AL_OK ? (page - 1) * *limit : 0;
    return rc;
}
