/*
 * A list exported as CSV (UTF-8 with a BOM, so Excel opens it) or XLSX
 * (libxlsxwriter's constant-memory mode into a temporary file): a title row
 * (XLSX only), a header row, then one row at a time, never the whole list in
 * memory.  Each module's export route reads `format`, audits the export, writes
 * the rows it may show (scoped like its list) and replies with the file.
 */
#ifndef AL_EXPORT_H
#define AL_EXPORT_H

#include "core/http.h"

struct al_export;

/*
 * The `format` query parameter of `r` (csv or xlsx; xlsx when absent) in
 * *format; AL_EINVAL naming `format` (导出格式应为 csv 或 xlsx) otherwise.
 */
int al_export_format(struct al_req *r, const char **format);

/*
 * Start an export of `ncols` columns headed `headers` (the XLSX sheet also
 * gets `title` above them).  The export lives in r's arena.  Returns AL_OK,
 * or AL_EINTERNAL with r->err filled (the temporary file could not be made).
 */
int al_export_open(struct al_req *r, const char *format, const char *title, int ncols,
    const char *const *headers, struct al_export **out);

/* One row of `ncols` cells (NULL: empty). */
void al_export_row(struct al_export *x, const char *const *cells);

/* Rows written so far. */
long long al_export_rows(const struct al_export *x);

/*
 * Finish and answer `r` with the file named `<name>.<format>`; AL_OK, or
 * AL_EINTERNAL with r->err filled.  After any failure of the caller between
 * open and reply, call al_export_abort instead (removes the temporary file).
 */
int al_export_reply(struct al_export *x, const char *name);
void al_export_abort(struct al_export *x);

#endif
