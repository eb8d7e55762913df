/* A request's idempotent write: see idem.h. */
#include <jansson.h>

#include "core/crypto.h"
#include "core/http.h"
#include "core/idem.h"
#include "core/json.h"

/* The kept answer again: its status and body, nothing written. */
static int
replay(struct al_req *r, struct al_idem_req *x, int status, const char *resp)
{
    x->replayed = true;
    r->err = (struct al_errinfo){0};
    al_req_set_header(r, "Idempotent-Replayed", "true");
    json_t *old = json_loads(resp, 0, NULL);
    if (x->mark_replayed) {
        if (!old)
            return AL_EINTERNAL;
        json_object_set_new(old, "replayed", json_true());
        status = 200;
    }
    return al_reply(r, status, old);
}

/* The key's earlier use: replayed, 409 naming `field`, or nothing (AL_OK). */
static int
find(struct al_req *r, struct al_idem_req *x, const char *field, const char *conflict)
{
    int status = 0;
    const char *resp = NULL;
    int rc = al_idem_find(r->db, r->arena, x->scope, r->who->user_id, x->key, x->hash, &status,
        &resp);
    if (rc == AL_OK)
        return replay(r, x, status, resp);
    if (rc == AL_ECONFLICT)
        return al_req_fail(r, AL_ECONFLICT, field, "%s", conflict);
    return rc == AL_ENOTFOUND ? AL_OK : rc;
}

int
al_idem_req_begin(struct al_req *r, const char *scope, const char *prefix, const char *conflict,
    struct al_idem_req *x)
{
    *x = (struct al_idem_req){.scope = scope, .key = al_req_header(r, AL_IDEM_HEADER)};
    if (!x->key)
        return AL_OK;
    int rc = al_idem_key_check(x->key, &r->err);
    if (rc != AL_OK)
        return rc;
    if (prefix)
        x->key = al_arena_printf(r->arena, "%s:%s", prefix, x->key);
    al_crypto_sha256_hex(r->body ? r->body : "", r->body_len, x->hash);
    return find(r, x, AL_IDEM_HEADER, conflict);
}

int
al_idem_req_begin_body(struct al_req *r, const char *scope, const char *key, const json_t *body,
    const char *field, const char *conflict, struct al_idem_req *x)
{
    *x = (struct al_idem_req){.scope = scope, .key = key, .mark_replayed = true};
    size_t n = json_dumpb(body, NULL, 0, JSON_SORT_KEYS | JSON_COMPACT);
    char *canon = al_arena_alloc(r->arena, n + 1);
    json_dumpb(body, canon, n, JSON_SORT_KEYS | JSON_COMPACT);
    al_crypto_sha256_hex(canon, n, x->hash);
    return find(r, x, field, conflict);
}

int
al_idem_req_keep(struct al_req *r, struct al_idem_req *x, int status, const json_t *answer, int rc)
{
    if (rc != AL_OK || !x->key)
        return rc;
    return al_idem_save(r->db, x->scope, r->who->user_id, x->key, x->hash, status,
        al_json_dump(r->arena, answer, NULL), r->now);
}

int
al_idem_req_end(struct al_req *r, struct al_idem_req *x, int rc)
{
    int status = 0;
    const char *resp = NULL;
    if ((rc = al_db_end(r->db, rc)) == AL_ECONFLICT && x->key &&
        al_idem_find(r->db, r->arena, x->scope, r->who->user_id, x->key, x->hash, &status,
            &resp) == AL_OK)
        return replay(r, x, status, resp);
    return rc;
}
