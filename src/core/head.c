#include "core/head.h"

#include <string.h>
#include <strings.h>

static bool
named(const char *p, size_t n, const char *name)
{
    size_t k = strlen(name);
    return n == k && strncasecmp(p, name, k) == 0;
}

static void
trim(const char **p, size_t *n)
{
    while (*n && (**p == ' ' || **p == '\t')) {
        (*p)++;
        (*n)--;
    }
    while (*n && ((*p)[*n - 1] == ' ' || (*p)[*n - 1] == '\t'))
        (*n)--;
}

static void
request_line(const char *p, size_t n, struct al_head *h)
{
    const char *sp1 = memchr(p, ' ', n);
    const char *sp2 = sp1 ? memchr(sp1 + 1, ' ', n - (size_t)(sp1 + 1 - p)) : NULL;
    h->bad_line = true;
    if (!sp1 || !sp2 || sp1 == p || sp2 == sp1 + 1)
        return;
    const char *v = sp2 + 1;
    size_t vn = n - (size_t)(v - p);
    if (vn < 6 || memcmp(v, "HTTP/", 5) != 0 || memchr(v, ' ', vn))
        return;
    h->method = p;
    h->method_len = (size_t)(sp1 - p);
    h->target = sp1 + 1;
    h->target_len = (size_t)(sp2 - sp1 - 1);
    h->bad_line = false;
}

static void
header_line(const char *p, size_t n, struct al_head *h)
{
    if (*p == ' ' || *p == '\t') {
        h->folded = true;
        return;
    }
    const char *colon = memchr(p, ':', n);
    if (!colon)
        return; /* libevent refuses the request itself */
    size_t name_len = (size_t)(colon - p);
    const char *v = colon + 1;
    size_t vn = n - name_len - 1;
    trim(&v, &vn);
    if (named(p, name_len, "Content-Length")) {
        if (h->content_lengths++ > 0)
            return;
        uint64_t x = 0;
        if (vn == 0 || vn > 18)
            h->bad_length = true;
        for (size_t i = 0; i < vn && !h->bad_length; i++) {
            if (v[i] < '0' || v[i] > '9')
                h->bad_length = true;
            else
                x = x * 10 + (uint64_t)(v[i] - '0');
        }
        h->content_length = h->bad_length ? 0 : x;
    } else if (named(p, name_len, "Transfer-Encoding")) {
        h->transfer_encoding = true;
    } else if (named(p, name_len, "Expect")) {
        if (!named(v, vn, "100-continue"))
            h->expect_other = true;
        else
            h->expect_continue = true;
    } else if (named(p, name_len, "Cookie") && !h->cookie) {
        h->cookie = v;
        h->cookie_len = vn;
    } else if (named(p, name_len, "Authorization") && !h->authorization) {
        h->authorization = v;
        h->authorization_len = vn;
    }
}

enum al_head_result
al_head_parse(const char *p, size_t n, struct al_head *out)
{
    memset(out, 0, sizeof(*out));
    size_t limit = n < AL_HEAD_MAX ? n : AL_HEAD_MAX;
    size_t pos = 0;
    bool first = true;
    while (pos < limit) {
        const char *nl = memchr(p + pos, '\n', limit - pos);
        if (!nl)
            break;
        size_t end = (size_t)(nl - p);
        size_t len = end - pos;
        if (len && p[end - 1] == '\r')
            len--;
        if (first) {
            out->line_len = len;
            request_line(p + pos, len, out);
            first = false;
            if (len == 0) { /* an empty request line: libevent refuses it */
                out->len = end + 1;
                return AL_HEAD_DONE;
            }
        } else if (len == 0) {
            out->len = end + 1;
            return AL_HEAD_DONE;
        } else {
            header_line(p + pos, len, out);
        }
        pos = end + 1;
    }
    if (n >= AL_HEAD_MAX) {
        memset(out, 0, sizeof(*out));
        return AL_HEAD_TOO_LONG;
    }
    return AL_HEAD_MORE;
}
