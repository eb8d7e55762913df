/*
 * Text files from other departments: UTF-8 (with or without BOM) or
 * GB18030/GBK, detected.  The file is mapped, not read into memory; a
 * GB18030 file is converted to UTF-8 through iconv into a temporary file
 * (unlinked at once) that is mapped in turn.  A workbook's sheet (XLSX, see
 * xlsx.h; XLS, see xls.h) is converted to CSV the same way; any other kind of
 * file is refused with what it is (RULE-IMPORT-018).
 */
#ifndef AL_TEXT_H
#define AL_TEXT_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"
#include "core/sheet.h"

struct al_text {
    const char *p;
    size_t len;
    bool converted; /* was GB18030 */
    bool xlsx;      /* was an XLSX workbook */
    bool xls;       /* was an XLS workbook (RULE-IMPORT-017) */
    void *map;
    size_t map_len;
};

/* True when the `len` bytes are valid UTF-8 (overlongs and surrogates refused). */
bool al_text_is_utf8(const char *p, size_t len);

/* How to read a workbook. */
struct al_text_opts {
    size_t max_memory;              /* RULE-UPLOAD-004 (XLSX and XLS) */
    long max_seconds;               /* RULE-UPLOAD-003 (the XLS reader's child) */
    struct al_sheet_choice *choice; /* which sheet (sheet.h); NULL: the first */
};

/*
 * Open `path` as UTF-8 text; a workbook is read within `o`'s bounds.  Returns
 * AL_OK, or with a Chinese reason in `e` (field left NULL): AL_EINVAL (cannot
 * open, not text in either encoding, a kind of file that is not accepted, a
 * malformed workbook), AL_ETOOBIG (a bound of xlsx.h or xls.h) or AL_EINTERNAL
 * (cannot map, convert or write a temporary file).
 */
int al_text_open(const char *path, const struct al_text_opts *o, struct al_text *t,
    struct al_errinfo *e);
/* Same, from an open file (the caller keeps and closes `fd`; the text stays valid). */
int al_text_open_fd(int fd, const struct al_text_opts *o, struct al_text *t, struct al_errinfo *e);
void al_text_close(struct al_text *t);

#endif
