/* ID numbers, dates and phones typed by hand. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/idcard.h"
#include "import/import_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct al_id id;
    if (al_id_parse((const char *)data, size, "2026-11-22", &id) == AL_ID_OK) {
        /* A valid number re-parses to itself. */
        struct al_id again;
        if (al_id_parse(id.number, 18, "2026-11-22", &again) != AL_ID_OK ||
            strcmp(id.number, again.number) != 0)
            abort();
        char m[19];
        al_id_mask(id.number, m);
    }
    char out[11];
    import_parse_date((const char *)data, size, out);
    char *s = malloc(size + 1);
    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    al_phone_problem(s);
    char *m = malloc(size + 1);
    if (m) {
        al_phone_mask(s, m, size + 1);
        free(m);
    }
    free(s);
    return 0;
}
