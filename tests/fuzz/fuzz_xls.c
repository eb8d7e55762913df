/*
 * Legacy Excel (.xls) and the recognition of uploaded files (RULE-IMPORT-017/018): the input
 * is sniffed, named when it is an OLE2 file without a workbook, and converted as the server
 * converts it: FreeXL in a child process (al_xls_to_csv).  Every sheet's preview goes to the
 * header finder of the household profile (RULE-IMPORT-019).
 *
 * Checked: the caller survives whatever the library does with the bytes and always gets a
 * reason; the sheet chosen is one the workbook has; the CSV written is no longer than BIFF8
 * allows (65,536 lines).  FreeXL 1.0.6 itself fails on mutated files within seconds when run in
 * one process (a stack-buffer-underflow in its string conversion): FUZZ_XLS_INPROC=1 runs it
 * so (al_xls_to_csv_inproc) to see those, with the coverage the child hides.
 * Seeds: tests/fuzz/seed_xls.sh (files written by xlwt through tests/fixtures/office_files.py).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/sheet.h"
#include "core/xls.h"
#include "import/import_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(int ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "fuzz_xls: %s\n", what);
        abort();
    }
}

static int
score(void *ctx, const char *csv, size_t len)
{
    struct al_arena *a = ctx;
    struct al_csv c;
    struct al_str *rows[IMPORT_HEADER_ROWS], hdr[IMPORT_MAX_FIELDS];
    int nf[IMPORT_HEADER_ROWS], n = 0, row, span, map[IMPORT_COL_COUNT], nh, missing;
    al_csv_init(&c, csv, len);
    while (n < IMPORT_HEADER_ROWS) {
        rows[n] = al_arena_alloc(a, IMPORT_MAX_FIELDS * sizeof(struct al_str));
        if (al_csv_read(&c, a, rows[n], IMPORT_MAX_FIELDS, &nf[n]) != 1)
            break;
        n++;
    }
    int sc = import_find_header(IMPORT_HUKOU, rows, nf, n, &row, &span, map, hdr, &nh, &missing);
    if (sc > 0)
        check(row >= 0 && row + span <= n && nh <= IMPORT_MAX_FIELDS, "header outside the rows");
    return sc > 0 ? sc : 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct al_arena a;
    static int ready;
    if (!ready) {
        al_arena_init(&a, 1 << 16);
        ready = 1;
    }
    al_arena_reset(&a);
    const char *what = NULL;
    if (al_sheet_sniff(data, size, &what) != AL_FILE_OLE2)
        return 0;
    al_sheet_ole2_type(data, size);
    FILE *in = tmpfile(), *out = tmpfile();
    if (!in || !out || fwrite(data, 1, size, in) != size || fflush(in) != 0)
        goto out;
    char path[64];
    struct al_errinfo e = {0};
    snprintf(path, sizeof(path), "/proc/self/fd/%d", fileno(in));
    struct al_sheet_choice ch = {.score = score, .ctx = &a};
    static int inproc = -1;
    if (inproc < 0)
        inproc = getenv("FUZZ_XLS_INPROC") != NULL;
    int rc = inproc ? al_xls_to_csv_inproc(path, out, &ch, &e)
                    : al_xls_to_csv(path, out, 256u << 20, 10, &ch, &e);
    if (rc != AL_OK) {
        check(rc == AL_EINVAL || rc == AL_ETOOBIG || rc == AL_EUNPROC || rc == AL_EINTERNAL,
            "a code outside the reader's contract");
        check(e.message[0] != '\0', "a failure without a reason");
    } else {
        check(ch.index >= 0 && ch.index < ch.count, "a sheet the workbook does not have");
        rewind(out);
        long lines = 0;
        for (int c; (c = fgetc(out)) != EOF;)
            lines += c == '\n';
        check(lines <= 65536, "more lines than BIFF8 has rows");
    }
out:
    if (in)
        fclose(in);
    if (out)
        fclose(out);
    return 0;
}
