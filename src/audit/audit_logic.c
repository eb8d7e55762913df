#include <sodium.h>
#include <string.h>

#include "audit/audit.h"

/*
 * RULE-AUDIT-001: hash = SHA-256 over prev_hash, then each of id, at,
 * user_id, username, action, target_type, target_id, region_code, outcome,
 * client_ip, detail; each preceded by a 0x1F separator, NULL written as a
 * single 0x1E byte.  The first entry's prev_hash is 64 zeros.  The layout is
 * unambiguous because no stored field holds a control character: entries are
 * written through audit_clean (JSON details escape them anyway).
 */
void
audit_hash(const char *prev_hash, const char *const fields[11], char out[65])
{
    crypto_hash_sha256_state st;
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, (const unsigned char *)prev_hash, strlen(prev_hash));
    for (int i = 0; i < 11; i++) {
        static const unsigned char sep = 0x1f, null_mark = 0x1e;
        crypto_hash_sha256_update(&st, &sep, 1);
        if (fields[i])
            crypto_hash_sha256_update(&st, (const unsigned char *)fields[i], strlen(fields[i]));
        else
            crypto_hash_sha256_update(&st, &null_mark, 1);
    }
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_final(&st, h);
    sodium_bin2hex(out, 65, h, sizeof(h));
}

bool
audit_needs_clean(const char *s)
{
    for (; s && *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return true;
    return false;
}

const char *
audit_clean(struct al_arena *a, const char *s)
{
    if (!audit_needs_clean(s))
        return s;
    char *c = al_arena_strdup(a, s);
    for (char *p = c; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = '?';
    return c;
}
