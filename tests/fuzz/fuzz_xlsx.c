/* XLSX workbooks (zip + XML) converted to CSV. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/xlsx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FILE *out = tmpfile();
    if (!out)
        return 0;
    char err[256];
    al_xlsx_to_csv_buf(data, size, out, 64u << 20, NULL, err, sizeof(err));
    fclose(out);
    return 0;
}
