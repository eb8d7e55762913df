/*
 * Text files from other departments: UTF-8 (with or without BOM) or
 * GB18030/GBK, detected.  The file is mapped, not read into memory; a
 * GB18030 file is converted to UTF-8 through iconv into a temporary file
 * (unlinked at once) that is mapped in turn.  An XLSX workbook's first sheet
 * is converted to CSV the same way (see xlsx.h).
 */
#ifndef AL_TEXT_H
#define AL_TEXT_H

#include <stdbool.h>
#include <stddef.h>

struct al_text {
    const char *p;
    size_t len;
    bool converted; /* was GB18030 */
    bool xlsx;      /* was an XLSX workbook (first sheet) */
    void *map;
    size_t map_len;
};

/* True when the `len` bytes are valid UTF-8 (overlongs and surrogates refused). */
bool al_text_is_utf8(const char *p, size_t len);

/*
 * Open `path` as UTF-8 text; an XLSX workbook is read holding at most
 * `xlsx_max_memory` bytes (see xlsx.h).  Returns 0, or -1 with a Chinese
 * reason in `err` (cannot read, not text in either encoding, a bound of xlsx.h).
 */
int al_text_open(const char *path, size_t xlsx_max_memory, struct al_text *t, char *err,
    size_t err_size);
/* Same, from an open file (the caller keeps and closes `fd`; the text stays valid). */
int al_text_open_fd(int fd, size_t xlsx_max_memory, struct al_text *t, char *err,
    size_t err_size);
void al_text_close(struct al_text *t);

#endif
