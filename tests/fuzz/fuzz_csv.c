/* CSV records, then each record as a household-registration row. */
#include <stddef.h>
#include <stdint.h>

#include "core/csv.h"
#include "import/import_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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
    struct al_csv c;
    struct al_str f[16];
    int n, map[COL_COUNT], unknown[16], nu, missing;
    al_csv_init(&c, (const char *)data, size);
    if (al_csv_read(&c, &a, f, 16, &n) != 1)
        return 0;
    int kind = size ? data[0] % IMPORT_KIND_COUNT : 0;
    int mapped = import_map_headers(kind, f, n < 16 ? n : 16, map, unknown, &nu, &missing) == 0;
    while (al_csv_read(&c, &a, f, 16, &n) == 1) {
        if (!mapped)
            continue;
        struct import_row row;
        struct import_error errs[8];
        import_validate_row(kind, f, n < 16 ? n : 16, map, "2026-11-22", &a, &row, errs, 8);
    }
    return 0;
}
