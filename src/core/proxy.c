#include "core/proxy.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Is [s, s+len) one of the comma-separated entries of `list`? */
static bool
listed(const char *list, const char *s, size_t len)
{
    if (!list)
        return false;
    const char *p = list;
    while (*p) {
        while (*p == ' ' || *p == ',')
            p++;
        const char *e = p;
        while (*e && *e != ',' && *e != ' ')
            e++;
        if ((size_t)(e - p) == len && len && memcmp(p, s, len) == 0)
            return true;
        p = e;
    }
    return false;
}

/* An IPv4 or IPv6 address in text form (characters and length only). */
static bool
plausible_ip(const char *s, size_t len)
{
    if (len < 2 || len > 45)
        return false;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') ||
                c == '.' || c == ':'))
            return false;
    }
    return true;
}

void
al_client_address(const char *peer, const char *xff, const char *trusted, char *out, size_t n)
{
    snprintf(out, n, "%s", peer ? peer : "");
    if (!peer || !xff || !listed(trusted, peer, strlen(peer)))
        return;
    /* From the right: skip our own proxies, take the first other address. */
    const char *end = xff + strlen(xff);
    while (end > xff) {
        const char *start = end;
        while (start > xff && start[-1] != ',')
            start--;
        const char *a = start, *b = end;
        while (a < b && *a == ' ')
            a++;
        while (b > a && b[-1] == ' ')
            b--;
        size_t len = (size_t)(b - a);
        if (!plausible_ip(a, len))
            return; /* malformed: keep the peer */
        if (!listed(trusted, a, len)) {
            snprintf(out, n, "%.*s", (int)len, a);
            return;
        }
        end = start > xff ? start - 1 : xff;
    }
}

bool
al_forwarded_https(const char *peer, const char *proto, const char *trusted)
{
    if (!peer || !proto || !listed(trusted, peer, strlen(peer)))
        return false;
    while (*proto == ' ' || *proto == '\t')
        proto++;
    size_t n = strcspn(proto, ", \t");
    return n == 5 && strncasecmp(proto, "https", 5) == 0;
}
