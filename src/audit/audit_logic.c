#include <sodium.h>
#include <string.h>

#include "audit/audit.h"

/*
 * RULE-AUDIT-001: hash = SHA-256 over prev_hash, then each of id, at,
 * user_id, username, action, target_type, target_id, region_code, outcome,
 * client_ip, detail; each preceded by a 0x1F separator, NULL written as a
 * single 0x1E byte.  The first entry's prev_hash is 64 zeros.
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
