#include "core/crypto.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/err.h"
#include "core/log.h"

static unsigned char master_key[32];
static unsigned char field_key[crypto_aead_xchacha20poly1305_ietf_KEYBYTES];
static unsigned char file_key[crypto_secretstream_xchacha20poly1305_KEYBYTES];
static bool have_key;

int
al_crypto_init(void)
{
    return sodium_init() < 0 ? AL_EINTERNAL : AL_OK;
}

static int
read_full(int fd, unsigned char *buf, size_t n)
{
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(fd, buf + got, n - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -1;
        got += (size_t)r;
    }
    return 0;
}

int
al_crypto_load_key(const char *path)
{
    have_key = false; /* until this key is read whole */
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT) {
        unsigned char k[32];
        randombytes_buf(k, sizeof(k));
        fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd < 0) {
            al_error("cannot create key file %s: %s", path, strerror(errno));
            return AL_EINTERNAL;
        }
        if (write(fd, k, sizeof(k)) != (ssize_t)sizeof(k) || fsync(fd) != 0) {
            al_error("cannot write key file %s", path);
            close(fd);
            unlink(path);
            return AL_EINTERNAL;
        }
        close(fd);
        sodium_memzero(k, sizeof(k));
        al_info("created installation key %s (keep a copy with the backups)", path);
        fd = open(path, O_RDONLY | O_CLOEXEC);
    }
    if (fd < 0) {
        al_error("cannot open key file %s: %s", path, strerror(errno));
        return AL_EINTERNAL;
    }
    struct stat sb;
    if (fstat(fd, &sb) != 0 || (sb.st_mode & 077) != 0) {
        al_error("key file %s must be readable by its owner only (chmod 600)", path);
        close(fd);
        return AL_EINTERNAL;
    }
    if (read_full(fd, master_key, sizeof(master_key)) != 0) {
        al_error("key file %s is not 32 bytes", path);
        close(fd);
        return AL_EINTERNAL;
    }
    close(fd);
    crypto_kdf_derive_from_key(field_key, sizeof(field_key), 1, "anlaofld", master_key);
    crypto_kdf_derive_from_key(file_key, sizeof(file_key), 3, "anlaofil", master_key);
    have_key = true;
    return AL_OK;
}

void
al_crypto_random_hex(char *out, size_t n)
{
    unsigned char buf[64];
    if (n > sizeof(buf))
        n = sizeof(buf);
    randombytes_buf(buf, n);
    sodium_bin2hex(out, n * 2 + 1, buf, n);
}

void
al_crypto_random_password(char out[13])
{
    static const char letters[] = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ";
    static const char digits[] = "23456789";
    static const char all[] = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    for (int i = 0; i < 12; i++)
        out[i] = all[randombytes_uniform(sizeof(all) - 1)];
    /* Guarantee both classes at random positions. */
    uint32_t p = randombytes_uniform(12), q = (p + 1 + randombytes_uniform(11)) % 12;
    out[p] = letters[randombytes_uniform(sizeof(letters) - 1)];
    out[q] = digits[randombytes_uniform(sizeof(digits) - 1)];
    out[12] = '\0';
}

void
al_crypto_sha256_hex(const void *data, size_t len, char out[65])
{
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, data, len);
    sodium_bin2hex(out, 65, h, sizeof(h));
}

int
al_crypto_password_hash(const char *password, char *out, size_t out_size)
{
    if (out_size < crypto_pwhash_STRBYTES)
        return AL_EINTERNAL;
    if (crypto_pwhash_str_alg(out, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
            crypto_pwhash_MEMLIMIT_INTERACTIVE, crypto_pwhash_ALG_ARGON2ID13) != 0)
        return AL_EINTERNAL;
    return AL_OK;
}

bool
al_crypto_password_verify(const char *hash, const char *password)
{
    return crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
}

void
al_crypto_keyed_hash_hex(const char *purpose, const void *data, size_t len, char out[65])
{
    unsigned char sub[crypto_generichash_KEYBYTES];
    unsigned char h[32];
    char ctx[crypto_kdf_CONTEXTBYTES] = {0};
    size_t plen = strlen(purpose);
    memcpy(ctx, purpose, plen < sizeof(ctx) ? plen : sizeof(ctx));
    crypto_kdf_derive_from_key(sub, sizeof(sub), 2, ctx, master_key);
    crypto_generichash(h, sizeof(h), data, len, sub, sizeof(sub));
    sodium_memzero(sub, sizeof(sub));
    sodium_bin2hex(out, 65, h, sizeof(h));
}

/*
 * Random nonces from a per-thread pool filled 64 at a time (one getrandom call
 * instead of one per sealed value: an import seals a million).  Each nonce is
 * taken once and wiped; a pool is never shared by threads, and the process
 * never forks, so no two seals can see the same bytes.
 */
#define NONCE_BYTES crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define NONCE_POOL 64
static _Thread_local unsigned char nonce_pool[NONCE_POOL * NONCE_BYTES];
static _Thread_local int nonce_left;

static void
next_nonce(unsigned char out[NONCE_BYTES])
{
    if (nonce_left == 0) {
        randombytes_buf(nonce_pool, sizeof(nonce_pool));
        nonce_left = NONCE_POOL;
    }
    unsigned char *n = nonce_pool + (size_t)--nonce_left * NONCE_BYTES;
    memcpy(out, n, NONCE_BYTES);
    sodium_memzero(n, NONCE_BYTES);
}

char *
al_crypto_seal(struct al_arena *a, const char *plain, size_t len)
{
    if (!have_key)
        return NULL;
    size_t raw_len = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES + len +
                     crypto_aead_xchacha20poly1305_ietf_ABYTES;
    unsigned char *raw = al_arena_alloc(a, raw_len);
    next_nonce(raw);
    unsigned long long clen = 0;
    crypto_aead_xchacha20poly1305_ietf_encrypt(raw + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES,
        &clen, (const unsigned char *)plain, len, NULL, 0, NULL, raw, field_key);
    size_t b64_len = sodium_base64_ENCODED_LEN(raw_len, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    char *out = al_arena_alloc(a, b64_len);
    sodium_bin2base64(out, b64_len, raw, raw_len, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    return out;
}

char *
al_crypto_open(struct al_arena *a, const char *sealed)
{
    if (!have_key || !sealed)
        return NULL;
    size_t cap = strlen(sealed);
    unsigned char *raw = al_arena_alloc(a, cap + 1);
    size_t raw_len = 0;
    if (sodium_base642bin(raw, cap, sealed, cap, NULL, &raw_len, NULL,
            sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
        return NULL;
    size_t over = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES +
                  crypto_aead_xchacha20poly1305_ietf_ABYTES;
    if (raw_len < over)
        return NULL;
    char *plain = al_arena_alloc(a, raw_len - over + 1);
    unsigned long long plen = 0;
    if (crypto_aead_xchacha20poly1305_ietf_decrypt((unsigned char *)plain, &plen, NULL,
            raw + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES,
            raw_len - crypto_aead_xchacha20poly1305_ietf_NPUBBYTES, NULL, 0, raw, field_key) != 0)
        return NULL;
    plain[plen] = '\0';
    return plain;
}

/* ---- files (secretstream) ---- */

#define FILE_MAGIC "ALF1"
#define FILE_CHUNK 65536u

static int
write_full(int fd, const void *buf, size_t n)
{
    const unsigned char *p = buf;
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Read up to `n` bytes (fewer only at the end of the file); -1 on error. */
static ssize_t
read_upto(int fd, unsigned char *buf, size_t n)
{
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(fd, buf + got, n - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return -1;
        if (r == 0)
            break;
        got += (size_t)r;
    }
    return (ssize_t)got;
}

int
al_crypto_file_seal(int fd, const void *data, size_t len)
{
    if (!have_key)
        return AL_EINTERNAL;
    crypto_secretstream_xchacha20poly1305_state st;
    unsigned char header[crypto_secretstream_xchacha20poly1305_HEADERBYTES];
    crypto_secretstream_xchacha20poly1305_init_push(&st, header, file_key);
    if (write_full(fd, FILE_MAGIC, 4) != 0 || write_full(fd, header, sizeof(header)) != 0)
        return AL_EINTERNAL;
    unsigned char *out = malloc(FILE_CHUNK + crypto_secretstream_xchacha20poly1305_ABYTES);
    if (!out)
        return AL_EINTERNAL;
    const unsigned char *p = data;
    int rc = AL_OK;
    size_t off = 0;
    do { /* an empty input is one empty final chunk */
        size_t n = len - off < FILE_CHUNK ? len - off : FILE_CHUNK;
        bool last = off + n == len;
        unsigned long long clen = 0;
        crypto_secretstream_xchacha20poly1305_push(&st, out, &clen, p + off, n, NULL, 0,
            last ? crypto_secretstream_xchacha20poly1305_TAG_FINAL : 0);
        if (write_full(fd, out, (size_t)clen) != 0)
            rc = AL_EINTERNAL;
        off += n;
    } while (rc == AL_OK && off < len);
    free(out);
    sodium_memzero(&st, sizeof(st));
    return rc;
}

int
al_crypto_file_open(int in_fd, int out_fd)
{
    if (!have_key)
        return AL_EINTERNAL;
    unsigned char magic[4], header[crypto_secretstream_xchacha20poly1305_HEADERBYTES];
    if (read_upto(in_fd, magic, 4) != 4 || memcmp(magic, FILE_MAGIC, 4) != 0 ||
        read_upto(in_fd, header, sizeof(header)) != (ssize_t)sizeof(header))
        return AL_EINVAL;
    crypto_secretstream_xchacha20poly1305_state st;
    if (crypto_secretstream_xchacha20poly1305_init_pull(&st, header, file_key) != 0)
        return AL_EINVAL;
    size_t clen = FILE_CHUNK + crypto_secretstream_xchacha20poly1305_ABYTES;
    unsigned char *in = malloc(clen), *out = malloc(FILE_CHUNK);
    int rc = in && out ? AL_OK : AL_EINTERNAL;
    bool final = false;
    while (rc == AL_OK && !final) {
        ssize_t n = read_upto(in_fd, in, clen);
        if (n < 0) {
            rc = AL_EINTERNAL;
            break;
        }
        unsigned long long plen = 0;
        unsigned char tag = 0;
        if (crypto_secretstream_xchacha20poly1305_pull(&st, out, &plen, &tag, in, (size_t)n,
                NULL, 0) != 0) {
            rc = AL_EINVAL; /* altered, truncated, or another key */
            break;
        }
        final = tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL;
        if (!final && (size_t)n < clen) /* a short chunk must be the last one */
            rc = AL_EINVAL;
        else if (write_full(out_fd, out, (size_t)plen) != 0)
            rc = AL_EINTERNAL;
    }
    if (rc == AL_OK && read_upto(in_fd, in, 1) != 0) /* nothing may follow the final chunk */
        rc = AL_EINVAL;
    if (out)
        sodium_memzero(out, FILE_CHUNK);
    free(in);
    free(out);
    sodium_memzero(&st, sizeof(st));
    return rc;
}
