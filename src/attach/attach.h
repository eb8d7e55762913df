/*
 * Photos and documents attached to a record (issues 13, 14, 15; RULE-ATT-001..019; how to adopt
 * it: docs/attachments.md).  The files are JPEG, PNG or PDF, recognised by their first bytes,
 * kept encrypted under <data_dir>/attachments with a random name and their SHA-256, and served
 * only through GET /api/v1/attachments/:id after the owner record's module said the caller may
 * see that record.
 *
 * An owner kind ("bed", next "visit", "adaptation") is one struct attach_owner in the one list
 * `attach_owners` (src/app/modules.c).  Its module answers where the record lives and whether
 * it exists; the attachment module checks the region scope and the permissions named here.
 */
#ifndef ATTACH_H
#define ATTACH_H

#include <stdbool.h>
#include <stdint.h>

#include "core/router.h"

struct al_req;

struct attach_owner {
    const char *kind;              /* "bed": the owner_kind of the routes */
    const char *name;              /* "家庭养老床位": shown in messages */
    const char *read_perm;         /* to list and see the owner's attachments */
    const char *write_perm;        /* to attach to it */
    const char *const *tags;       /* what an attachment may be, NULL-terminated ("installation") */
    const char *tags_zh;           /* the same in a sentence for the 400 naming `tag` */
    /*
     * The region of record `owner_id` into *region (in r->arena): AL_OK, AL_ENOTFOUND when there
     * is none, another error of the closed set (with r->err filled) to refuse.  `write` is true
     * when a file is being attached: the owner may refuse a state that takes none (409).  The
     * caller checks the region against the caller's scope (RULE-ATT-008).
     */
    int (*locate)(struct al_req *r, int64_t owner_id, bool write, const char **region);
};

/* The owner kinds, NULL-terminated: defined in src/app/modules.c beside the module list. */
extern const struct attach_owner *const attach_owners[];

extern const struct al_module attach_module;

/*
 * The attachments of one owner record as a new JSON array (id, tag, filename, content_type,
 * size_bytes, sha256, note, created_by, created_at, url), oldest first, for a module that shows
 * them inside its own record (the caller has already checked it may see the record).
 * AL_OK or AL_EDB.
 */
struct al_db;
struct al_arena;
struct json_t;
int attach_list_json(struct al_db *db, struct al_arena *a, const char *kind, int64_t owner_id,
    struct json_t **out);

/*
 * RULE-ATT-012: the stored bytes of attachment `id` (decrypted, checked against its SHA-256, in
 * `a`) and its content type, for the module of its owner that reads what was attached (a
 * signature): only when it belongs to (`kind`, `owner_id`) with `tag`.  The caller has checked
 * it may see the record.  AL_OK, AL_ENOTFOUND (none such), AL_EINTERNAL (unreadable) or AL_EDB.
 */
int attach_bytes(struct al_db *db, struct al_arena *a, int64_t id, const char *kind,
    int64_t owner_id, const char *tag, const unsigned char **data, size_t *len,
    const char **content_type);

#endif
