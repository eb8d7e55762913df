/* Private to the import module: its SQL. */
#ifndef IMPORT_STORE_H
#define IMPORT_STORE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/db.h"
#include "core/json.h"

int import_store_create(struct al_db *db, const char *kind, const char *filename, const char *sha,
    const char *encoding, const char *stored_path, const char *region_code, int64_t user_id,
    const char *username, const char *unknown_json, bool partial, int64_t *id);

/*
 * RULE-IMPORT-019, RULE-UPLOAD-001: the sheet read (NULL for CSV), the header's
 * row, the sheets that would fit (JSON array) and the blank rows skipped.
 */
int import_store_sheet(struct al_db *db, int64_t import_id, const char *sheet, int header_row,
    const char *candidates_json, int64_t blank_rows);

struct import_record {
    const char *kind, *status, *stored_path, *sha, *encoding, *region_code;
    const char *sheet; /* NULL for a CSV file */
    const char *error_reasons; /* JSON [{"column","reason","count"}] (RULE-UPLOAD-002) */
    int64_t rows, accepted, rejected, user_id, errors_omitted;
};
int import_store_get(struct al_db *db, struct al_arena *a, int64_t id, struct import_record *r);
int import_store_error(struct al_db *db, int64_t import_id, int64_t line, const char *col,
    const char *reason);
int import_store_counts(struct al_db *db, int64_t import_id, int64_t rows, int64_t accepted,
    int64_t rejected, const char *summary_json, bool committed);
/* RULE-UPLOAD-002: how many reasons were not kept, and the counts per reason. */
int import_store_tally(struct al_db *db, int64_t import_id, int64_t omitted,
    const char *reasons_json);
/* The uploaded file of `import_id` is gone: stored_path becomes NULL.  AL_OK or AL_EDB. */
int import_store_forget_file(struct al_db *db, int64_t import_id);
/*
 * Every import that still has a stored file (RULE-UPLOAD-005): its id into
 * `ids`, its path into `paths`, and into `stale` whether it is done with
 * (committed, or created before `expired_before`).  AL_OK or AL_EDB.
 */
int import_store_files(struct al_db *db, int64_t expired_before, json_t *ids, json_t *paths,
    json_t *stale);
/* The imports made within `scope` (newest 100). */
int import_store_list(struct al_db *db, struct al_arena *a, const char *scope, json_t *items);
int import_store_errors(struct al_db *db, int64_t import_id, json_t *items, int64_t limit);

#endif
