/*
 * XLSX (Office Open XML spreadsheets), read with libzip and expat: one
 * worksheet (the first, or the one `choice` picks: RULE-IMPORT-019) streamed
 * out as UTF-8 CSV, one line per spreadsheet row (so a
 * CSV line number is the spreadsheet's row number; line breaks inside cells
 * become spaces).  Both the sheet and the shared strings are streamed: the
 * shared strings' text goes to an unlinked temporary file, and everything held
 * in memory (expat's buffers, one cell, the strings' index) is counted against
 * `max_memory` (RULE-UPLOAD-004).  A cell longer than Excel's 32,767
 * characters or a sheet of more than 1,048,576 rows is refused.
 */
#ifndef AL_XLSX_H
#define AL_XLSX_H

#include <stdio.h>

#include "core/err.h"
#include "core/sheet.h"

/*
 * Convert a worksheet of `path` into CSV written to `out`, holding at most
 * `max_memory` bytes: the first, or the one `choice` asks for or scores best
 * (NULL: the first); `choice` gets the sheet read and the candidates.  Numeric
 * cells are written as al_sheet_number() does.  Returns AL_OK, or with a Chinese
 * reason in `e` (field left NULL): AL_EINVAL (not a workbook, malformed, no such
 * sheet), AL_ETOOBIG (past a bound of RULE-UPLOAD-004 or Excel's own) or
 * AL_EINTERNAL (a temporary file could not be written).
 */
int al_xlsx_to_csv(const char *path, FILE *out, size_t max_memory, struct al_sheet_choice *choice,
    struct al_errinfo *e);

/* Same, from a zip archive already in memory (a mapped upload, the fuzz target). */
int al_xlsx_to_csv_buf(const void *data, size_t len, FILE *out, size_t max_memory,
    struct al_sheet_choice *choice, struct al_errinfo *e);

#endif
