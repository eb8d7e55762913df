/* The attachment module's pure rules (RULE-ATT-*). */
#include <string.h>

#include "attach/attach_int.h"

/* RULE-ATT-002 */
const char *
attach_sniff(const void *data, size_t len)
{
    static const unsigned char jpeg[] = {0xFF, 0xD8, 0xFF};
    static const unsigned char png[] = {0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A};
    static const char pdf[] = "%PDF-";
    const unsigned char *p = data;
    if (!p)
        return NULL;
    if (len >= sizeof(jpeg) && memcmp(p, jpeg, sizeof(jpeg)) == 0)
        return "image/jpeg";
    if (len >= sizeof(png) && memcmp(p, png, sizeof(png)) == 0)
        return "image/png";
    if (len >= sizeof(pdf) - 1 && memcmp(p, pdf, sizeof(pdf) - 1) == 0)
        return "application/pdf";
    return NULL;
}

const struct attach_owner *
attach_owner_find(const struct attach_owner *const *owners, const char *kind)
{
    for (; kind && owners && *owners; owners++)
        if (strcmp((*owners)->kind, kind) == 0)
            return *owners;
    return NULL;
}

bool
attach_tag_ok(const struct attach_owner *o, const char *tag)
{
    for (const char *const *t = o->tags; tag && t && *t; t++)
        if (strcmp(*t, tag) == 0)
            return true;
    return false;
}
