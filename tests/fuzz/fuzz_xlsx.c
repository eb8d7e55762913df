/* XLSX workbooks (zip + XML) converted to CSV. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/xlsx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FILE *out = tmpfile();
    if (!out)
        return 0;
    struct al_errinfo e = {0};
    int rc = al_xlsx_to_csv_buf(data, size, out, 64u << 20, NULL, &e);
    if (rc != AL_OK && (rc != AL_EINVAL && rc != AL_ETOOBIG && rc != AL_EINTERNAL))
        abort(); /* a code outside the reader's contract */
    if (rc != AL_OK && !e.message[0])
        abort(); /* a failure without a reason */
    fclose(out);
    return 0;
}
