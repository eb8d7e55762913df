/* Private to the import module. */
#ifndef IMPORT_INT_H
#define IMPORT_INT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/csv.h"
#include "core/db.h"
#include "core/json.h"
#include "elder/elder.h"

enum import_kind {
    IMPORT_HUKOU = 0,
    IMPORT_ROLL,
    IMPORT_DISABILITY,
    IMPORT_DEATH,
    IMPORT_PENSION,
    IMPORT_LEGACY, /* results of the older assessment standard (MZ/T 039-2013) */
    IMPORT_BENEFIT, /* who receives which item of the service list, from other systems */
    IMPORT_KIND_COUNT,
};

/* Canonical columns every profile maps its headers to. */
enum import_col {
    IMPORT_COL_ID = 0,
    IMPORT_COL_NAME,
    IMPORT_COL_REGION,
    IMPORT_COL_ADDRESS,
    IMPORT_COL_HOUSEHOLD,
    IMPORT_COL_HOUSEHOLD_SIZE,
    IMPORT_COL_SEX,
    IMPORT_COL_BIRTH,
    IMPORT_COL_CATEGORY,
    IMPORT_COL_START,
    IMPORT_COL_END,
    IMPORT_COL_DIS_TYPE,
    IMPORT_COL_DIS_GRADE,
    IMPORT_COL_DEATH,
    IMPORT_COL_PENSION_TYPE,
    IMPORT_COL_AMOUNT,
    IMPORT_COL_ASSESSED_ON,
    IMPORT_COL_LEGACY_LEVEL,
    IMPORT_COL_ADL,
    IMPORT_COL_REFERENCE,
    IMPORT_COL_ITEM,
    IMPORT_COL_COUNT,
};

/* Kind from its id ("hukou", ...), or -1. */
int import_kind_parse(const char *s);
const char *import_kind_id(int kind);
const char *import_kind_name(int kind);

/* Chinese header of a canonical column (for reports). */
const char *import_col_label(int col);

/*
 * Map a header row to columns.  `map[col]` receives the field index or -1.
 * Unknown headers are listed in `unknown` (indexes, *n_unknown).  Returns
 * -1 and names the first missing required column in *missing when the
 * profile of `kind` cannot be satisfied.
 */
int import_map_headers(int kind, const struct al_str *fields, int n, int map[IMPORT_COL_COUNT],
    int *unknown, int *n_unknown, int *missing);

/* Fields of a record that are looked at (more are counted, not stored). */
#define IMPORT_MAX_FIELDS 64
/* Records looked at for the header (RULE-IMPORT-019), as sheet.h's preview. */
#define IMPORT_HEADER_ROWS 20

/*
 * RULE-IMPORT-019: find the header of `kind` among the first `nrows` records
 * (`rows[i]` holds nf[i] fields): one row, or two rows under merged group
 * titles.  Returns a score (> 0; higher is a better match) with *row (the index
 * of its first record), *span (1 or 2), `map` and the header's fields (`hdr`,
 * *nhdr; pointing where `rows` point) filled, or -1 with *missing naming a
 * required column the closest row lacks.
 */
int import_find_header(int kind, struct al_str *const *rows, const int *nf, int nrows, int *row,
    int *span, int map[IMPORT_COL_COUNT], struct al_str hdr[IMPORT_MAX_FIELDS], int *nhdr,
    int *missing);

/*
 * RULE-IMPORT-023: the columns of the downloadable template of `kind`, the required ones
 * first, from the profiles above (so they never drift): cols[i] (canonical, header
 * import_col_label), example[i] (a value of an example row that validates). Returns the
 * number of columns, 0 for an unknown kind.
 */
int import_template(int kind, int cols[IMPORT_COL_COUNT], const char *example[IMPORT_COL_COUNT]);
bool import_col_required(int kind, int col);
/* RULE-IMPORT-001: every header name column `col` is read from (NULL-terminated; first the label). */
const char *const *import_col_aliases(int col);

/* RULE-IMPORT-020: `v` is a number in exponent form (digits lost by a spreadsheet). */
bool import_number_lost(const char *v, size_t len);

/*
 * RULE-IMPORT-002: parse a date in any of the usual forms (1949-12-31, 1949/12/31,
 * 1949.12.31, 19491231, 1949年12月31日, Excel serial day numbers) into
 * "YYYY-MM-DD" (out, 11 bytes).  Returns false when it is not a real date.
 */
bool import_parse_date(const char *s, size_t len, char out[11]);

/* One validated row, ready to apply. */
struct import_row {
    int kind;
    char id_number[19];
    char birth_date[11];
    char sex;
    const char *name;
    const char *region_code;  /* hukou */
    const char *address;      /* hukou */
    const char *household;    /* hukou */
    int household_size;       /* hukou, 0 unknown */
    const char *category;     /* roll: tekun/dibao/dibao_edge/low_income */
    char start_date[11];      /* roll, benefit */
    char end_date[11];        /* roll, benefit; "" when open */
    const char *dis_type;     /* disability */
    int dis_grade;            /* disability 1–4 */
    char death_date[11];      /* death */
    const char *pension_type; /* pension */
    int64_t amount_fen;       /* pension, -1 unknown */
    char assessed_on[11];     /* legacy */
    int legacy_level;         /* legacy 0–3 */
    int adl_score;            /* legacy 0–100, -1 unknown */
    const char *reference;    /* legacy, benefit (the note) */
    const char *item;         /* benefit: an item's key or name, as written */
    const char *item_key;     /* benefit: the key it names (set by the import's checks) */
};

struct import_error {
    int col; /* canonical column, or -1 for the whole row */
    char reason[160];
};

/*
 * Validate one data row of `kind` against the header map.  `today` is
 * YYYY-MM-DD.  Returns the number of errors written to `errs` (at most
 * `max_errs`); 0 means `out` is filled (strings point into `a`).
 */
int import_validate_row(int kind, const struct al_str *fields, int n,
    const int map[IMPORT_COL_COUNT],
    const char *today, struct al_arena *a, struct import_row *out, struct import_error *errs,
    int max_errs);

/* ---- reconciliation (import_logic.c) ---- */

enum import_effect {
    IMPORT_EFFECT_NEW = 0,     /* a new record */
    IMPORT_EFFECT_CHANGED,     /* facts of an existing record changed */
    IMPORT_EFFECT_UNCHANGED,   /* nothing to do (re-import of the same data) */
    IMPORT_EFFECT_SKIPPED_AGE, /* household row of someone younger than the registry's age */
};
#define IMPORT_FLAG_DEATH 1u
#define IMPORT_FLAG_MOVE 2u

/*
 * Decide what a valid row changes (RULE-IMPORT-010..014).  `cur` is the
 * current record or NULL.  Fills `set` with the columns to write and
 * returns the effect; *flags gets IMPORT_FLAG_*.  `today` is YYYY-MM-DD.
 */
int import_plan(const struct import_row *row, const struct elder_state *cur, int min_age,
    const char *today, json_t *set, unsigned *flags);

/*
 * RULE-UPLOAD-002: counts of rejection reasons over a whole file, per column
 * and reason, in a fixed space: the first IMPORT_TALLY_MAX distinct pairs are
 * counted apart, any later one in `other`.
 */
#define IMPORT_TALLY_MAX 32
struct import_tally {
    int n;
    struct {
        int col;
        char reason[160];
        int64_t count;
    } e[IMPORT_TALLY_MAX];
    int64_t other;
};
void import_tally_add(struct import_tally *t, int col, const char *reason);
/* [{"column","reason","count"}], most frequent first; "其他原因" for `other`.  A new value. */
json_t *import_tally_json(const struct import_tally *t);

/*
 * RULE-UPLOAD-001: true when a CSV record is only empty fields (a blank line,
 * or a spreadsheet row of empty cells).
 */
bool import_row_blank(const struct al_str *fields, int n);

/* The 18-character number as one exact 64-bit key (for duplicate detection). */
uint64_t import_id_key(const char number[18]);

/* ---- the module's SQL (import_store.c) ---- */

int import_store_create(struct al_db *db, const char *kind, const char *filename, const char *sha,
    const char *encoding, const char *stored_path, const char *region_code, int64_t user_id,
    const char *username, const char *unknown_json, bool partial, int64_t now, int64_t *id);

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
/* One reason of a rejected line, waiting to be stored (RULE-UPLOAD-002). */
struct import_reason {
    int64_t line;
    int pos;         /* its place among the line's reasons (0..7), RULE-DB-021 */
    const char *col; /* the column's label (static) */
    char reason[160];
};
/*
 * Store `n` reasons of import `import_id` in one bulk load (RULE-DB-022:
 * COPY on PostgreSQL), inside the caller's transaction.  AL_OK, or
 * AL_ECONFLICT (no such import) / a database error, the transaction to be
 * rolled back.
 */
int import_store_reasons(struct al_db *db, int64_t import_id, const struct import_reason *r,
    int n);
/*
 * The import's counts and summary; `committed`: its status too, and on PostgreSQL the list
 * generation moved for the rows the bulk wrote (RULE-DB-141: call it last before the commit).
 */
int import_store_counts(struct al_db *db, int64_t import_id, int64_t rows, int64_t accepted,
    int64_t rejected, const char *summary_json, bool committed, int64_t now);
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
/*
 * The imports made within `scope` (newest 100) appended to `items`, and into *total the number
 * of all of them (RULE-DB-116: import_store_count, the same WHERE).  AL_OK or AL_EDB.
 */
int import_store_list(struct al_db *db, struct al_arena *a, const char *scope, json_t *items,
    int64_t *total);
/* The number of imports made within `scope` into *n: AL_OK or AL_EDB. */
int import_store_count(struct al_db *db, const char *scope, int64_t *n);
/*
 * RULE-DB-101: one page of the export of the imports made within `scope`,
 * newest first: `limit` rows with an id below `after` (NULL: the newest), a
 * bound statement (NULL when it cannot be prepared) of the columns
 * IMPORT_EXPORT_* below.
 */
enum { IMPORT_EXPORT_ID, IMPORT_EXPORT_KIND, IMPORT_EXPORT_FILENAME, IMPORT_EXPORT_USERNAME,
    IMPORT_EXPORT_STATUS, IMPORT_EXPORT_ROWS, IMPORT_EXPORT_ACCEPTED, IMPORT_EXPORT_REJECTED,
    IMPORT_EXPORT_CREATED, IMPORT_EXPORT_COMMITTED, IMPORT_EXPORT_PARTIAL };
struct al_stmt *import_store_export_page(struct al_db *db, const char *scope, const char *after,
    int64_t limit);
int import_store_errors(struct al_db *db, int64_t import_id, json_t *items, int64_t limit);

#endif
