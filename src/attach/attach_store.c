/* The attachment module's SQL (both engines, docs/stores.md) and its files. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "attach/attach_int.h"
#include "core/config.h"
#include "core/crypto.h"
#include "core/dbq.h"
#include "core/log.h"

/* RULE-ATT-005 */
int
attach_store_max_bytes(struct al_db *db, int64_t *out)
{
    struct al_stmt *st = al_db_sql(db, "SELECT value FROM settings WHERE key = 'attach.max_bytes'");
    *out = 10L << 20;
    int rc = al_stmt_one(st);
    if (rc == AL_OK) {
        const char *v = al_stmt_text(st, 0);
        long long n = v ? strtoll(v, NULL, 10) : 0;
        if (n > 0)
            *out = n;
        al_stmt_reset(st);
    }
    return rc == AL_ENOTFOUND ? AL_OK : rc;
}

int
attach_store_insert(struct al_db *db, const struct attach_row *w, int64_t *id)
{
    static const char sql[] =
        "INSERT INTO attachments(owner_kind, owner_id, region_code, tag, filename, content_type,"
        " size_bytes, sha256, stored_name, note, created_by, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_bind_text(st, 1, w->owner_kind);
    al_stmt_bind_int(st, 2, w->owner_id);
    al_stmt_bind_text(st, 3, w->region_code);
    al_stmt_bind_text(st, 4, w->tag);
    al_stmt_bind_text(st, 5, w->filename);
    al_stmt_bind_text(st, 6, w->content_type);
    al_stmt_bind_int(st, 7, w->size_bytes);
    al_stmt_bind_text(st, 8, w->sha256);
    al_stmt_bind_text(st, 9, w->stored_name);
    al_stmt_bind_text(st, 10, w->note);
    al_stmt_bind_text(st, 11, w->created_by);
    al_stmt_bind_int(st, 12, w->created_at);
    int rc = al_stmt_one(st);
    if (rc == AL_OK) {
        *id = al_stmt_int(st, 0);
        al_stmt_reset(st);
    } else if (rc == AL_ENOTFOUND) {
        rc = AL_EDB;
    }
    return rc;
}

#define ATT_COLS                                                                               \
    "id, owner_kind, owner_id, region_code, tag, filename, content_type, size_bytes, sha256,"  \
    " stored_name, note, created_by, created_at"

int
attach_store_get(struct al_db *db, struct al_arena *a, int64_t id, struct attach_row *o)
{
    struct al_stmt *st = al_db_sql(db, "SELECT " ATT_COLS " FROM attachments WHERE id = ?");
    al_stmt_bind_int(st, 1, id);
    int rc = al_stmt_one(st);
    if (rc != AL_OK)
        return rc;
    *o = (struct attach_row){.owner_kind = al_stmt_dup(a, st, 1), .owner_id = al_stmt_int(st, 2),
        .region_code = al_stmt_dup(a, st, 3), .tag = al_stmt_dup(a, st, 4),
        .filename = al_stmt_dup(a, st, 5), .content_type = al_stmt_dup(a, st, 6),
        .size_bytes = al_stmt_int(st, 7), .sha256 = al_stmt_dup(a, st, 8),
        .stored_name = al_stmt_dup(a, st, 9), .note = al_stmt_dup(a, st, 10),
        .created_by = al_stmt_dup(a, st, 11), .created_at = al_stmt_int(st, 12)};
    al_stmt_reset(st);
    return AL_OK;
}

static json_t *
url_of(const struct al_row_ctx *c, struct al_stmt *st, int col)
{
    (void)c;
    char buf[64];
    snprintf(buf, sizeof(buf), "/api/v1/attachments/%lld", (long long)al_stmt_int(st, col));
    return json_string(buf);
}

int
attach_store_list(struct al_db *db, struct al_arena *a, const char *kind, int64_t owner_id,
    json_t *items)
{
    static const struct al_col cols[] = {AL_COL(0, "id", AL_COL_INT),
        AL_COL(4, "tag", AL_COL_TEXT), AL_COL(5, "filename", AL_COL_TEXT),
        AL_COL(6, "content_type", AL_COL_TEXT), AL_COL(7, "size_bytes", AL_COL_INT),
        AL_COL(8, "sha256", AL_COL_TEXT), AL_COL(10, "note", AL_COL_TEXT),
        AL_COL(11, "created_by", AL_COL_TEXT), AL_COL(12, "created_at", AL_COL_TIME),
        AL_COLF(0, "url", url_of), AL_COL_END};
    struct al_stmt *st = al_db_sql(db, "SELECT " ATT_COLS " FROM attachments"
                                       " WHERE owner_kind = ? AND owner_id = ? ORDER BY id");
    al_stmt_bind_text(st, 1, kind);
    al_stmt_bind_int(st, 2, owner_id);
    return al_db_rows(st, a, &(struct al_rows){.cols = cols}, items);
}

int
attach_list_json(struct al_db *db, struct al_arena *a, const char *kind, int64_t owner_id,
    json_t **out)
{
    *out = json_array();
    int rc = attach_store_list(db, a, kind, owner_id, *out);
    if (rc != AL_OK) {
        json_decref(*out);
        *out = NULL;
    }
    return rc;
}

void
attach_dir(char *out, size_t size)
{
    snprintf(out, size, "%.380s/attachments", al_config.data_dir ? al_config.data_dir : ".");
}

/* RULE-ATT-004: a random name, never derived from the owner, the id or the uploaded name. */
int
attach_file_write(const char *dir, const void *data, size_t len, char name[40])
{
    char rnd[33], path[480];
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        al_error("cannot make %s: %s", dir, strerror(errno));
        return AL_EINTERNAL;
    }
    al_crypto_random_hex(rnd, 16);
    snprintf(name, 40, "%s", rnd);
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    bool ok = fd >= 0 && al_crypto_file_seal(fd, data, len) == AL_OK && fsync(fd) == 0;
    if (fd >= 0)
        close(fd);
    if (!ok) {
        al_error("cannot write attachment %s: %s", path, strerror(errno));
        unlink(path);
        return AL_EINTERNAL;
    }
    return AL_OK;
}

int
attach_file_read(const char *dir, const char *name, struct al_arena *a, const char **data,
    size_t *len)
{
    char path[480];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    int rc = AL_EINTERNAL, in = open(path, O_RDONLY | O_CLOEXEC), out = -1;
    if (in < 0)
        goto out;
    out = memfd_create("attachment", MFD_CLOEXEC);
    if (out < 0)
        goto out;
    if ((rc = al_crypto_file_open(in, out)) != AL_OK)
        goto out;
    struct stat sb;
    rc = AL_EINTERNAL;
    if (fstat(out, &sb) != 0)
        goto out;
    char *buf = al_arena_alloc(a, (size_t)sb.st_size + 1);
    size_t got = 0;
    while (got < (size_t)sb.st_size) {
        ssize_t n = pread(out, buf + got, (size_t)sb.st_size - got, (off_t)got);
        if (n <= 0)
            goto out;
        got += (size_t)n;
    }
    *data = buf;
    *len = got;
    rc = AL_OK;
out:
    if (rc != AL_OK)
        al_error("cannot read attachment %s: %s", path, rc == AL_EINVAL ? "altered" : strerror(errno));
    if (in >= 0)
        close(in);
    if (out >= 0)
        close(out);
    return rc;
}

void
attach_file_remove(const char *dir, const char *name)
{
    char path[480];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    unlink(path);
}

int
attach_bytes(struct al_db *db, struct al_arena *a, int64_t id, const char *kind,
    int64_t owner_id, const char *tag, const unsigned char **data, size_t *len,
    const char **content_type)
{
    struct attach_row w;
    char dir[400], sha[65];
    const char *bytes;
    int rc = attach_store_get(db, a, id, &w);
    if (rc != AL_OK)
        return rc;
    if (strcmp(w.owner_kind, kind) != 0 || w.owner_id != owner_id || !w.tag ||
        strcmp(w.tag, tag) != 0)
        return AL_ENOTFOUND;
    attach_dir(dir, sizeof(dir));
    if (attach_file_read(dir, w.stored_name, a, &bytes, len) != AL_OK)
        return AL_EINTERNAL;
    al_crypto_sha256_hex(bytes, *len, sha); /* RULE-ATT-003 */
    if (strcmp(sha, w.sha256) != 0)
        return AL_EINTERNAL;
    *data = (const unsigned char *)bytes;
    *content_type = w.content_type;
    return AL_OK;
}
