/*
 * What spreadsheet readers share (xlsx.c, xls.c, text.c): which sheet of a
 * workbook to read, how a numeric cell becomes text, and what an uploaded
 * file is when it is not something we read (RULE-IMPORT-017..019).
 */
#ifndef AL_SHEET_H
#define AL_SHEET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* The rows of each sheet given to the chooser, and the sheets considered. */
#define AL_SHEET_PREVIEW_ROWS 20
#define AL_SHEETS_MAX 32
#define AL_SHEET_NAME_MAX 96
#define AL_SHEET_CANDIDATES_MAX 8

/*
 * RULE-IMPORT-019: which sheet of a workbook to read.  With `want`, the sheet
 * of that name; otherwise, when `score` is set, every sheet's first
 * AL_SHEET_PREVIEW_ROWS rows (as CSV) are scored and the best one is read (the
 * first on a tie; the first sheet when none scores above 0); without either, the
 * first sheet.  The reader fills the rest.
 */
struct al_sheet_choice {
    const char *want;
    int (*score)(void *ctx, const char *csv, size_t len); /* > 0: usable, higher is better */
    void *ctx;
    /* out */
    char name[AL_SHEET_NAME_MAX]; /* the sheet read */
    int index;                    /* its position, 0-based */
    int count;                    /* sheets in the workbook */
    int n_candidates;             /* sheets that scored above 0 (in order), at most the max */
    char candidates[AL_SHEET_CANDIDATES_MAX][AL_SHEET_NAME_MAX];
};

/*
 * RULE-IMPORT-020: a numeric cell as text.  A whole number of at most 15
 * digits is written exactly ("13800138000", "520327100201"); anything else with
 * 15 significant digits ("1234.5", "5.20327194407153e+17").  `out` holds 40 bytes.
 */
void al_sheet_number(double v, char out[40]);

/* One CSV field (quoted when it holds , or "; line breaks become spaces), no separator. */
void al_sheet_csv_field(FILE *out, const char *s, size_t len);

enum al_file_type {
    AL_FILE_TEXT = 0, /* CSV or other text: decoded by text.c */
    AL_FILE_ZIP,      /* a zip archive: XLSX, or see al_sheet_zip_type() */
    AL_FILE_OLE2,     /* an OLE2 compound file: XLS, or a Word/PowerPoint/other document */
    AL_FILE_OTHER,    /* something else we recognise: `what` names it */
};

/*
 * RULE-IMPORT-018: what the first bytes say the file is.  For AL_FILE_OTHER,
 * *what gets a Chinese name ("PDF 文件", "PNG 图片", ...).
 */
enum al_file_type al_sheet_sniff(const unsigned char *p, size_t len, const char **what);

/*
 * A zip archive that is not an XLSX workbook: its Chinese name from its members
 * ("OpenDocument 表格（.ods）", "Word 文档（.docx）", ...), or NULL when it is a
 * workbook (has xl/workbook.xml).
 */
const char *al_sheet_zip_type(const void *data, size_t len);

/* An OLE2 file that is not a workbook: its Chinese name from its stream names. */
const char *al_sheet_ole2_type(const unsigned char *p, size_t len);

/* The formats accepted, for messages. */
#define AL_SHEET_ACCEPTED "可导入的格式：CSV（UTF-8 或 GB18030/GBK）、XLSX、XLS"

#endif
