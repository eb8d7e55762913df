/* Idempotency keys: see idem.h. */
#include <string.h>

#include "core/idem.h"

int
al_idem_key_check(const char *key, struct al_errinfo *e)
{
    size_t n = key ? strlen(key) : 0;
    if (n < 8 || n > 64)
        goto bad;
    for (size_t i = 0; i < n; i++) {
        char c = key[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                c == '-' || c == '_' || c == '.' || c == ':'))
            goto bad;
    }
    return AL_OK;
bad:
    /* RULE-SVC-050 */
    return al_fail(e, AL_EINVAL, AL_IDEM_HEADER,
        "幂等键（Idempotency-Key）应为 8 到 64 个字母、数字或 - _ . : 字符");
}

int
al_idem_find(struct al_db *db, struct al_arena *a, const char *scope, int64_t user_id,
    const char *key, const char *request_hash, int *status, const char **response)
{
    static const char sql[] = "SELECT request_hash, status, response FROM idem_keys"
                              " WHERE scope = ? AND user_id = ? AND idem_key = ?";
    struct al_stmt *st = al_db_sql(db, sql);
    if (!st)
        return AL_EDB;
    al_stmt_bind_text(st, 1, scope);
    al_stmt_bind_int(st, 2, user_id);
    al_stmt_bind_text(st, 3, key);
    int rc = al_stmt_one(st);
    if (rc != AL_OK)
        return rc;
    const char *h = al_stmt_text(st, 0);
    if (!h || strcmp(h, request_hash) != 0) {
        al_stmt_reset(st);
        return AL_ECONFLICT; /* RULE-SVC-051 */
    }
    *status = (int)al_stmt_int(st, 1);
    *response = al_stmt_dup(a, st, 2);
    al_stmt_reset(st);
    return AL_OK;
}

int
al_idem_save(struct al_db *db, const char *scope, int64_t user_id, const char *key,
    const char *request_hash, int status, const char *response, int64_t now)
{
    static const char sql[] = "INSERT INTO idem_keys(scope, user_id, idem_key, request_hash,"
                              " status, response, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)";
    struct al_stmt *st = al_db_sql(db, sql);
    if (!st)
        return AL_EDB;
    al_stmt_bind_text(st, 1, scope);
    al_stmt_bind_int(st, 2, user_id);
    al_stmt_bind_text(st, 3, key);
    al_stmt_bind_text(st, 4, request_hash);
    al_stmt_bind_int(st, 5, status);
    al_stmt_bind_text(st, 6, response);
    al_stmt_bind_int(st, 7, now);
    return al_stmt_run(st); /* a taken key: AL_ECONFLICT (RULE-SVC-052) */
}
