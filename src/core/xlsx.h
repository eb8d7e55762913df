/*
 * XLSX (Office Open XML spreadsheets), read with libzip and expat: the first
 * worksheet streamed out as UTF-8 CSV, one line per spreadsheet row (so a
 * CSV line number is the spreadsheet's row number; line breaks inside cells
 * become spaces).  Shared strings are held in memory; the sheet is not.
 */
#ifndef AL_XLSX_H
#define AL_XLSX_H

#include <stdio.h>

/*
 * Convert the first worksheet of `path` into CSV written to `out`.
 * Returns 0, or -1 with a Chinese reason in `err`.
 */
int al_xlsx_to_csv(const char *path, FILE *out, char *err, size_t err_size);

/* Same, from a zip archive already in memory (used by the fuzz target). */
int al_xlsx_to_csv_buf(const void *data, size_t len, FILE *out, char *err, size_t err_size);

#endif
