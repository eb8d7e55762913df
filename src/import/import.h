/*
 * Imports of other departments' data (household registration, civil-affairs
 * rolls, disability certificates, deaths, pensions) into the elder registry.
 */
#ifndef IMPORT_H
#define IMPORT_H

#include <stdbool.h>
#include <stdint.h>

#include "core/db.h"
#include "core/err.h"
#include "core/router.h"
#include "core/sheet.h"

extern const struct al_module import_module;

struct import_options {
    const char *kind;      /* hukou, roll, disability, death, pension */
    const char *path;      /* the file */
    const char *filename;  /* name to record (defaults to path) */
    const char *sheet;     /* the sheet of a workbook to read; NULL: the one that fits (RULE-IMPORT-019) */
    bool keep_file;        /* remember `path` for a later import_commit() */
    bool commit;           /* import_run: apply after validation */
    bool valid_only;       /* apply the valid rows even when some are rejected */
    bool partial;          /* a household supplement (补录), not the complete roll (RULE-IDENT-003) */
    int64_t user_id;       /* 0 for the CLI */
    const char *region_code; /* the uploader's scope; rows outside it are refused ("" or NULL: all) */
    const char *username;
    const char *client_ip;
    /* RULE-DB-102: the import's time (unix seconds): the job's start, the CLI's one clock
     * read.  Its rows, history, audit entries and "today" (ages, dates) are of that time.
     * 0: the clock's, read once when the import starts. */
    int64_t now;
    /* Progress, called every few thousand rows: phase label, bytes done, bytes in all. */
    void (*progress)(void *ctx, const char *phase, int64_t done, int64_t total);
    void *progress_ctx;
};

struct import_summary {
    int64_t id;
    int64_t rows, accepted, rejected;
    int64_t created, changed, unchanged, deaths, moves, skipped_age;
    int64_t unknown_columns;
    int64_t blank_rows; /* rows of empty fields only, skipped (RULE-UPLOAD-001) */
    bool committed;
    char encoding[12];
    /* RULE-IMPORT-019: the sheet read ("" for a CSV file), the header's row, and the
       sheets whose header fits the kind (the one read among them). */
    char sheet[AL_SHEET_NAME_MAX];
    int header_row;
    int n_sheets, n_candidates;
    char candidates[AL_SHEET_CANDIDATES_MAX][AL_SHEET_NAME_MAX];
};

/*
 * Validate every row of the file, record the report (import + rejected rows),
 * and, when asked and allowed (no rejected rows, or valid_only), apply the
 * accepted rows in one transaction: a crash leaves either all or nothing.
 * Returns AL_OK with `s` filled, AL_EINVAL with `e` naming the problem (no
 * such kind, unreadable file, missing column), or AL_EDB.
 */
int import_run(struct al_db *db, const struct import_options *o, struct import_summary *s,
    struct al_errinfo *e);

/* The first step alone: validate and record the report (nothing else is written). */
int import_validate(struct al_db *db, const struct import_options *o, struct import_summary *s,
    struct al_errinfo *e);

/*
 * The second step for a validated import `import_id` whose file was kept:
 * re-read it (it must be unchanged) and apply the accepted rows in one
 * transaction.  Uses o->valid_only, o->user_id/username/client_ip and
 * o->progress.  AL_ECONFLICT when already committed or when rows were rejected
 * and valid_only is not set; AL_ENOTFOUND for an unknown import.
 */
int import_commit(struct al_db *db, int64_t import_id, const struct import_options *o,
    struct import_summary *s, struct al_errinfo *e);

/*
 * Uploaded files (RULE-UPLOAD-005): remove the files of committed imports and
 * of validated ones older than al_config.upload_keep_s (the import and its
 * report stay; a later commit asks for the file again), and any plaintext file
 * of older versions (`now`: the sweep's time).  With `at_start` (no job can be running) also every file
 * of the uploads directory that no import refers to (a validation that failed
 * or was interrupted).  Returns the number of files removed or AL_EDB.
 */
int import_uploads_sweep(struct al_db *db, int64_t now, bool at_start);

#endif
