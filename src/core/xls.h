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

#include "core/err.h"
#include "core/sheet.h"

/*
 * Convert a sheet of the .xls at `path` (the first, or the one `choice` picks;
 * see sheet.h) into CSV written to `out`.  Returns AL_OK, or with a Chinese
 * reason in `e` (field left NULL): AL_EUNPROC when the file is an OLE2 file
 * but holds no workbook FreeXL can find (the caller names what it is),
 * AL_EINVAL (malformed, protected by a password, no such sheet, the child
 * ended without a result), AL_ETOOBIG (past the memory or time bound) or
 * AL_EINTERNAL (no pipe, process or temporary file).
 */
int al_xls_to_csv(const char *path, FILE *out, size_t max_memory, long max_seconds,
    struct al_sheet_choice *choice, struct al_errinfo *e);

/* The same in this process, without the limits (the fuzz target). */
int al_xls_to_csv_inproc(const char *path, FILE *out, struct al_sheet_choice *choice,
    struct al_errinfo *e);

#endif
