/*
 * The signature pad's PNG (RULE-SVC-234): read with each of the five scanline filters, the ink
 * counted exactly, a blank pad, a dot and a stroke told apart, and what is not such a PNG refused.
 */
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "core/arena.h"
#include "service/service_int.h"
#include "unit.h"

static struct al_arena A; /* the reader's working memory, as a request's arena */

#define W 60
#define H 20

static void
put32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24), p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8), p[3] = (unsigned char)v;
}

static int
paeth(int a, int b, int c)
{
    int p = a + b - c, pa = abs(p - a), pb = abs(p - b), pc = abs(p - c);
    return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/*
 * An RGBA W×H PNG of `px` (W*H*4 bytes) into out (returns its length), each row filtered with
 * filter (row + `shift`) % 5, as an encoder would, so the reader must undo every kind.
 */
static size_t
png_of(const unsigned char *px, int shift, unsigned char *out)
{
    static unsigned char raw[H * (W * 4 + 1)];
    const size_t stride = W * 4;
    for (int y = 0; y < H; y++) {
        int f = (y + shift) % 5;
        unsigned char *dst = raw + (size_t)y * (stride + 1);
        const unsigned char *cur = px + (size_t)y * stride, *prev = y ? cur - stride : NULL;
        dst[0] = (unsigned char)f;
        for (size_t i = 0; i < stride; i++) {
            int a = i >= 4 ? cur[i - 4] : 0, b = prev ? prev[i] : 0,
                c = prev && i >= 4 ? prev[i - 4] : 0;
            int pred = f == 0 ? 0 : f == 1 ? a : f == 2 ? b : f == 3 ? (a + b) / 2 : paeth(a, b, c);
            dst[1 + i] = (unsigned char)(cur[i] - pred);
        }
    }
    static const unsigned char magic[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    size_t n = 0;
    memcpy(out, magic, 8), n = 8;
    put32(out + n, 13), memcpy(out + n + 4, "IHDR", 4);
    put32(out + n + 8, W), put32(out + n + 12, H);
    out[n + 16] = 8, out[n + 17] = 6, out[n + 18] = 0, out[n + 19] = 0, out[n + 20] = 0;
    n += 8 + 13 + 4; /* the CRCs are not checked: left as they are */
    uLongf zn = compressBound(sizeof(raw));
    assert_int_equal(compress(out + n + 8, &zn, raw, sizeof(raw)), Z_OK);
    put32(out + n, (uint32_t)zn), memcpy(out + n + 4, "IDAT", 4);
    n += 8 + zn + 4;
    put32(out + n, 0), memcpy(out + n + 4, "IEND", 4);
    return n + 12;
}

/* A dark opaque pixel at (x, y) of `px`. */
static void
ink(unsigned char *px, int x, int y)
{
    unsigned char *p = px + ((size_t)y * W + (size_t)x) * 4;
    p[0] = 20, p[1] = 30, p[2] = 40, p[3] = 255;
}

static void
read_every_filter(void **state)
{
    (void)state;
    static unsigned char px[W * H * 4], png[W * H * 8 + 200];
    for (int shift = 0; shift < 5; shift++) {
        memset(px, 0, sizeof(px)); /* transparent, as a cleared canvas */
        for (int x = 5; x < 55; x++)   /* a stroke across most of the pad */
            ink(px, x, 5 + (x % 10)), ink(px, x, 6 + (x % 10)), ink(px, x, 12);
        size_t n = png_of(px, shift, png);
        struct svc_png img;
        assert_true(service_png_ink(&A, png, n, &img));
        assert_int_equal(img.width, W);
        assert_int_equal(img.height, H);
        assert_int_equal(img.ink, 50 * 3 - 10); /* rows 12 overlap where x % 10 == 6 or 7 */
        assert_int_equal(img.ink_left, 5);
        assert_int_equal(img.ink_right, 54);
    }
}

static void
blank_dot_and_stroke(void **state)
{
    (void)state;
    static unsigned char px[W * H * 4], png[W * H * 8 + 200];
    struct svc_png img;
    /* A blank pad: transparent, then white. */
    memset(px, 0, sizeof(px));
    assert_true(service_png_ink(&A, png, png_of(px, 4, png), &img));
    assert_int_equal(img.ink, 0);
    assert_false(service_signature_ok(&img));
    memset(px, 255, sizeof(px));
    assert_true(service_png_ink(&A, png, png_of(px, 3, png), &img));
    assert_int_equal(img.ink, 0);
    assert_false(service_signature_ok(&img));
    /* A faint grey or a half-transparent smudge is not ink either. */
    for (size_t i = 0; i < sizeof(px); i += 4)
        px[i] = px[i + 1] = px[i + 2] = 230, px[i + 3] = 255;
    assert_true(service_png_ink(&A, png, png_of(px, 2, png), &img));
    assert_int_equal(img.ink, 0);
    /* A blot: plenty of ink in a tenth of the width. */
    memset(px, 0, sizeof(px));
    for (int y = 0; y < H; y++)
        for (int x = 0; x < 6; x++)
            ink(px, 30 + x, y);
    assert_true(service_png_ink(&A, png, png_of(px, 1, png), &img));
    assert_int_equal(img.ink, 120);
    assert_false(service_signature_ok(&img)); /* under SVC_SIGN_MIN_INK and too narrow */
    /* A signature: 8 rows of ink across the pad. */
    memset(px, 0, sizeof(px));
    for (int y = 4; y < 12; y++)
        for (int x = 10; x < 50; x++)
            ink(px, x, y);
    assert_true(service_png_ink(&A, png, png_of(px, 0, png), &img));
    assert_int_equal(img.ink, 320);
    assert_true(service_signature_ok(&img));
}

static void
not_such_a_png(void **state)
{
    (void)state;
    static unsigned char px[W * H * 4], png[W * H * 8 + 200];
    struct svc_png img;
    memset(px, 0, sizeof(px));
    size_t n = png_of(px, 0, png);
    assert_false(service_png_ink(&A, png, 20, &img));        /* cut short */
    assert_false(service_png_ink(&A, png, n - 12, &img));    /* no IEND */
    png[24] = 16;                                        /* 16-bit depth */
    assert_false(service_png_ink(&A, png, n, &img));
    png[24] = 8, png[28] = 1;                            /* interlaced */
    assert_false(service_png_ink(&A, png, n, &img));
    png[28] = 0, png[33 + 8 + 2] ^= 0xff;                /* the image data corrupted */
    assert_false(service_png_ink(&A, png, n, &img));
    const unsigned char jpeg[] = {0xff, 0xd8, 0xff, 0xe0, 0, 16, 'J', 'F', 'I', 'F'};
    assert_false(service_png_ink(&A, jpeg, sizeof(jpeg), &img));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(read_every_filter),
        cmocka_unit_test(blank_dot_and_stroke),
        cmocka_unit_test(not_such_a_png),
    };
    al_arena_init(&A, 4096);
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    al_arena_fini(&A);
    return failed;
}
