/*
 * Legacy Excel workbooks (.xls, BIFF5/BIFF8: what Excel 97–2003 and most
 * county offices' software still write), read with FreeXL (RULE-IMPORT-017).
 * FreeXL holds the whole workbook in memory, so it runs in a child process
 * whose address space is limited to `max_memory` bytes beyond the server's own
 * and whose CPU time is limited to `max_seconds` (RULE-UPLOAD-003/004 for .xls):
 * a file that needs more, or that crashes the library, costs the child only.
 * One sheet is written as UTF-8 CSV like an XLSX sheet: one line per row (line
 * number = row number), numbers as al_sheet_number(), date-formatted cells as
 * YYYY-MM-DD.
 */
#ifndef AL_XLS_H
#define AL_XLS_H

#include <stdio.h>

#include "core/sheet.h"

/* al_xls_to_csv: the file is an OLE2 file but holds no workbook FreeXL can find. */
#define AL_XLS_NOT_WORKBOOK (-2)

/*
 * Convert a sheet of the .xls at `path` (the first, or the one `choice` picks;
 * see sheet.h) into CSV written to `out`.  Returns 0, AL_XLS_NOT_WORKBOOK, or
 * -1, with a Chinese reason in `err` (malformed, protected by a password, past a
 * bound, no such sheet).
 */
int al_xls_to_csv(const char *path, FILE *out, size_t max_memory, long max_seconds,
    struct al_sheet_choice *choice, char *err, size_t err_size);

/* The same in this process, without the limits (the fuzz target). */
int al_xls_to_csv_inproc(const char *path, FILE *out, struct al_sheet_choice *choice, char *err,
    size_t err_size);

#endif
