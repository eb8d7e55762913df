/* The signature pad's PNG (RULE-SVC-234): untrusted bytes from a caregiver's upload. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "core/arena.h"
#include "service/service_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct al_arena a; /* as a request's arena: emptied after each input */
    static int ready;
    if (!ready) {
        al_arena_init(&a, 4096);
        ready = 1;
    }
    struct svc_png img;
    bool read = service_png_ink(&a, data, size, &img);
    al_arena_reset(&a);
    if (read) {
        /* What was read is inside the image it says it is. */
        if (img.width == 0 || img.height == 0 || img.width > SVC_SIGN_MAX_SIDE ||
            img.height > SVC_SIGN_MAX_SIDE || img.ink < 0 ||
            img.ink > (int64_t)img.width * img.height ||
            (img.ink > 0 && (img.ink_left > img.ink_right || img.ink_right >= img.width)))
            abort();
        (void)service_signature_ok(&img);
    }
    return 0;
}
