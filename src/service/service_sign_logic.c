/*
 * The signature on the caregiver's screen (RULE-SVC-234): is the PNG the page sent a signature,
 * or a blank pad?  A small PNG reader for what a browser's canvas writes (8-bit greyscale, grey
 * with alpha, RGB or RGBA, not interlaced): the chunks, the inflated image data, the five
 * scanline filters; then the ink: a pixel that is neither transparent nor near white.
 */
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "core/arena.h"
#include "service/service_int.h"

static uint32_t
be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* The image's data: IDAT chunks joined, into *out (in `a`).  false: not such a PNG. */
static bool
png_chunks(struct al_arena *a, const unsigned char *png, size_t len, struct svc_png *img,
    unsigned char **out, size_t *out_len)
{
    static const unsigned char magic[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    if (len < 8 + 25 || memcmp(png, magic, 8) != 0 || memcmp(png + 12, "IHDR", 4) != 0)
        return false;
    const unsigned char *h = png + 16;
    img->width = be32(h);
    img->height = be32(h + 4);
    int depth = h[8], type = h[9], interlace = h[12];
    img->channels = type == 0 ? 1 : type == 4 ? 2 : type == 2 ? 3 : type == 6 ? 4 : 0;
    if (depth != 8 || img->channels == 0 || interlace != 0 || img->width == 0 ||
        img->height == 0 || img->width > SVC_SIGN_MAX_SIDE || img->height > SVC_SIGN_MAX_SIDE)
        return false;
    size_t n = 0;
    unsigned char *data = al_arena_alloc(a, len); /* the chunks joined are shorter than the file */
    for (size_t at = 8; at + 12 <= len;) {
        uint32_t clen = be32(png + at);
        if (clen > len - at - 12)
            break;
        const unsigned char *type4 = png + at + 4, *body = png + at + 8;
        if (memcmp(type4, "IDAT", 4) == 0) {
            memcpy(data + n, body, clen);
            n += clen;
        } else if (memcmp(type4, "IEND", 4) == 0) {
            *out = data;
            *out_len = n;
            return n > 0;
        }
        at += 12 + (size_t)clen;
    }
    return false;
}

static int
paeth(int a, int b, int c)
{
    int p = a + b - c, pa = abs(p - a), pb = abs(p - b), pc = abs(p - c);
    return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/* Undo the filter of one scanline `cur` (with its filter byte `f`) against the previous `prev`. */
static bool
unfilter(int f, unsigned char *cur, const unsigned char *prev, size_t n, size_t bpp)
{
    for (size_t i = 0; i < n; i++) {
        int a = i >= bpp ? cur[i - bpp] : 0, b = prev ? prev[i] : 0,
            c = prev && i >= bpp ? prev[i - bpp] : 0;
        switch (f) {
        case 0: break;
        case 1: cur[i] = (unsigned char)(cur[i] + a); break;
        case 2: cur[i] = (unsigned char)(cur[i] + b); break;
        case 3: cur[i] = (unsigned char)(cur[i] + (a + b) / 2); break;
        case 4: cur[i] = (unsigned char)(cur[i] + paeth(a, b, c)); break;
        default: return false;
        }
    }
    return true;
}

/* Count the ink of the unfiltered pixels `raw` into `img`. */
static void
count_ink(const unsigned char *raw, struct svc_png *img)
{
    size_t stride = (size_t)img->width * (size_t)img->channels + 1;
    img->ink = 0;
    img->ink_left = img->width, img->ink_right = 0;
    for (uint32_t y = 0; y < img->height; y++) {
        const unsigned char *row = raw + (size_t)y * stride + 1;
        for (uint32_t x = 0; x < img->width; x++) {
            const unsigned char *p = row + (size_t)x * (size_t)img->channels;
            int alpha = img->channels == 2 ? p[1] : img->channels == 4 ? p[3] : 255;
            int light = img->channels <= 2 ? p[0] : (p[0] + p[1] + p[2]) / 3;
            if (alpha >= 64 && light < 200) {
                img->ink++;
                if (x < img->ink_left)
                    img->ink_left = x;
                if (x > img->ink_right)
                    img->ink_right = x;
            }
        }
    }
}

bool
service_png_ink(struct al_arena *a, const unsigned char *png, size_t len, struct svc_png *img)
{
    unsigned char *z = NULL;
    size_t zn = 0;
    memset(img, 0, sizeof(*img));
    if (!png_chunks(a, png, len, img, &z, &zn))
        return false;
    size_t stride = (size_t)img->width * (size_t)img->channels + 1;
    uLongf rawn = (uLongf)(stride * img->height);
    unsigned char *raw = al_arena_alloc(a, rawn);
    bool ok = uncompress(raw, &rawn, z, (uLong)zn) == Z_OK &&
              rawn == (uLongf)(stride * img->height);
    for (uint32_t y = 0; ok && y < img->height; y++) {
        unsigned char *line = raw + (size_t)y * stride;
        ok = unfilter(line[0], line + 1, y ? line + 1 - stride : NULL, stride - 1,
            (size_t)img->channels);
    }
    if (ok)
        count_ink(raw, img);
    return ok;
}

bool
service_signature_ok(const struct svc_png *img)
{
    /* RULE-SVC-234: some strokes, across at least a fifth of the pad: not a blank pad or a dot. */
    return img->ink >= SVC_SIGN_MIN_INK && img->ink_right > img->ink_left &&
           (img->ink_right - img->ink_left + 1) * 5 >= img->width;
}
