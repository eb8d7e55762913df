/*
 * CSV: al_csv_read over the whole input (data[1..]), then each record as a
 * row of the import kind chosen by data[0]: the first record is the header
 * row, the others are validated.  One arena, reset for each input.
 *
 * Checked: fields lie inside the input or the arena copy and are never longer
 * than the input; line numbers only grow; the reader ends (0 or AL_EINVAL) and stays
 * ended; the reasons of rejected rows are UTF-8 text (they are shown in JSON
 * and in the CSV report).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/csv.h"
#include "core/err.h"
#include "core/text.h"
#include "import/import_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(int ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "fuzz_csv: %s\n", what);
        abort();
    }
}

#define MAXF 24

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
    if (size == 0)
        return 0;
    int kind = data[0] % IMPORT_KIND_COUNT;
    const char *buf = (const char *)data + 1;
    size_t len = size - 1;
    bool text = al_text_is_utf8(buf, len);

    struct al_csv c;
    struct al_str f[MAXF];
    int n, r, last_line = 0, map[IMPORT_COL_COUNT], unknown[MAXF], nu, missing;
    bool header = true, mapped = false;
    size_t records = 0;
    al_csv_init(&c, buf, len);
    while ((r = al_csv_read(&c, &a, f, MAXF, &n)) == 1) {
        records++;
        check(records <= len + 1, "more records than bytes");
        check(n >= 1, "a record without fields");
        check(c.line > last_line, "line numbers do not grow");
        last_line = c.line;
        int stored = n < MAXF ? n : MAXF;
        for (int i = 0; i < stored; i++) {
            check(f[i].len <= len, "field longer than the input");
            bool inside = f[i].p >= buf && f[i].p + f[i].len <= buf + len;
            if (!inside)
                check(f[i].p[f[i].len] == '\0', "copied field not terminated");
        }
        if (header) {
            header = false;
            mapped = import_map_headers(kind, f, stored, map, unknown, &nu, &missing) == 0;
            if (!mapped)
                check(missing >= 0 && missing < IMPORT_COL_COUNT, "missing column out of range");
            continue;
        }
        if (!mapped || !text)
            continue; /* the importer only validates rows of UTF-8 files with a header */
        struct import_row row;
        struct import_error errs[8];
        int ne = import_validate_row(kind, f, stored, map, "2026-11-22", &a, &row, errs, 8);
        check(ne >= 0, "negative error count");
        for (int i = 0; i < ne && i < 8; i++) {
            check(errs[i].col >= -1 && errs[i].col < IMPORT_COL_COUNT, "error column out of range");
            check(al_text_is_utf8(errs[i].reason, strlen(errs[i].reason)),
                "rejection reason is not UTF-8");
        }
        if (ne == 0) {
            check(strlen(row.id_number) == 18, "accepted row without an 18-character ID");
            check(row.name && al_text_is_utf8(row.name, strlen(row.name)), "accepted name");
        }
    }
    check(r == 0 || r == AL_EINVAL, "reader returned something else");
    check(al_csv_read(&c, &a, f, MAXF, &n) == r || r == -1, "reader did not stay at the end");
    return 0;
}
