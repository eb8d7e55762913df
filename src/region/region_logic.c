#include <string.h>

#include "region/region.h"

int
region_level(const char *code)
{
    size_t n = strlen(code);
    for (size_t i = 0; i < n; i++)
        if (code[i] < '0' || code[i] > '9')
            return 0;
    switch (n) {
    case 2: return 1;
    case 4: return 2;
    case 6: return 3;
    case 9: return 4;
    case 12: return 5;
    default: return 0;
    }
}

bool
region_in_scope(const char *scope, const char *code)
{
    if (!scope || !code)
        return false;
    size_t n = strlen(scope);
    return strncmp(scope, code, n) == 0;
}

void
region_scope_bounds(const char *scope, char *lo, char *hi)
{
    size_t n = strlen(scope);
    if (n == 0) { /* the whole country */
        strcpy(lo, "");
        strcpy(hi, "~");
        return;
    }
    if (n > 14) { /* not a region code: an empty range, never everything */
        strcpy(lo, "");
        strcpy(hi, "");
        return;
    }
    memcpy(lo, scope, n + 1);
    memcpy(hi, scope, n + 1);
    /* The next string after every string starting with the prefix: bump the last byte. */
    hi[n - 1] = (char)(hi[n - 1] + 1);
}
