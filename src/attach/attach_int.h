/* Private to the attachment module: its pure rules and its SQL. */
#ifndef ATTACH_INT_H
#define ATTACH_INT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "attach/attach.h"
#include "core/arena.h"
#include "core/db.h"

/* ---- attach_logic.c: pure -------------------------------------------------- */

/*
 * RULE-ATT-002: the content type of `data` from its first bytes (JPEG FF D8 FF, PNG's eight-byte
 * signature, PDF "%PDF-"), whatever its name says: "image/jpeg", "image/png",
 * "application/pdf", or NULL for anything else.
 */
const char *attach_sniff(const void *data, size_t len);

/* The owner kind of that name in `owners` (NULL-terminated), or NULL. */
const struct attach_owner *attach_owner_find(const struct attach_owner *const *owners,
    const char *kind);

/* Is `tag` one of the owner's tags? */
bool attach_tag_ok(const struct attach_owner *o, const char *tag);

/* ---- attach_store.c ---------------------------------------------------------- */

/* RULE-ATT-005: the setting attach.max_bytes (10 MiB when absent or unreadable). */
int attach_store_max_bytes(struct al_db *db, int64_t *out);

struct attach_row {
    const char *owner_kind, *region_code, *tag, *filename, *content_type, *sha256,
        *stored_name, *note, *created_by;
    int64_t owner_id, size_bytes, created_at;
};

/* Insert one row; *id the new id.  AL_OK or AL_EDB. */
int attach_store_insert(struct al_db *db, const struct attach_row *row, int64_t *id);

/* One row by id, its texts in `a`.  AL_OK, AL_ENOTFOUND or AL_EDB. */
int attach_store_get(struct al_db *db, struct al_arena *a, int64_t id, struct attach_row *out);

/* The owner's rows as JSON objects appended to `items`, oldest first. */
int attach_store_list(struct al_db *db, struct al_arena *a, const char *kind, int64_t owner_id,
    json_t *items);

/*
 * RULE-ATT-004: files.  `dir` is <data_dir>/attachments.  Write `len` bytes encrypted to a new
 * file of a random name (33 chars + NUL into `name`); read one back whole into `a`.  AL_OK,
 * AL_EINTERNAL (write or read failure, logged), AL_EINVAL when the file was altered.
 */
int attach_file_write(const char *dir, const void *data, size_t len, char name[40]);
int attach_file_read(const char *dir, const char *name, struct al_arena *a, const char **data,
    size_t *len);
void attach_file_remove(const char *dir, const char *name);
/* <data_dir>/attachments into out. */
void attach_dir(char *out, size_t size);

#endif
