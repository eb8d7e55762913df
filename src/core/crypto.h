/*
 * Cryptography through libsodium: random tokens, password hashing
 * (argon2id), SHA-256, and the keyed operations that need the installation
 * key (var/anlao.key): field encryption (XChaCha20-Poly1305) and keyed
 * lookup hashes (BLAKE2b) for personal data such as citizen ID numbers.
 */
#ifndef AL_CRYPTO_H
#define AL_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"

/* sodium_init; AL_OK or AL_EINTERNAL. */
int al_crypto_init(void);

/*
 * Load the 32-byte installation key from `path`, creating it (mode 0600)
 * when missing.  Refuses a key file readable by group or others.
 * AL_OK or AL_EINTERNAL (logged).
 */
int al_crypto_load_key(const char *path);

/* `n` random bytes as lowercase hex (2n chars + NUL) into `out`. */
void al_crypto_random_hex(char *out, size_t n);

/* A random password of 12 characters with letters and digits (no look-alikes). */
void al_crypto_random_password(char out[13]);

/* SHA-256 of `data` as 64 hex chars + NUL. */
void al_crypto_sha256_hex(const void *data, size_t len, char out[65]);

/* argon2id hash string for `password` (into out, crypto_pwhash_STRBYTES). AL_OK or AL_EINTERNAL. */
int al_crypto_password_hash(const char *password, char *out, size_t out_size);

/* True when `password` matches `hash`. */
bool al_crypto_password_verify(const char *hash, const char *password);

/*
 * Keyed hash of `data` under the installation key and a purpose label
 * (different labels give unrelated hashes).  64 hex chars + NUL.
 */
void al_crypto_keyed_hash_hex(const char *purpose, const void *data, size_t len, char out[65]);

/*
 * Encrypt `plain` with the installation key; the result (nonce + ciphertext
 * + tag) is base64 text in `a`.  Decrypt returns NULL when the text was not
 * produced by us (tampered or wrong key).
 */
char *al_crypto_seal(struct al_arena *a, const char *plain, size_t len);
char *al_crypto_open(struct al_arena *a, const char *sealed);

/*
 * Files at rest (uploads awaiting their commit, RULE-UPLOAD-005): the `len`
 * bytes at `data` encrypted with a key derived from the installation key
 * (libsodium secretstream, XChaCha20-Poly1305 in 64 KiB chunks) and written to
 * `fd`.  AL_OK, or AL_EINTERNAL (no key, write error).
 */
int al_crypto_file_seal(int fd, const void *data, size_t len);

/*
 * Read what al_crypto_file_seal wrote from `in_fd` and write the plain bytes
 * to `out_fd`.  AL_OK; AL_EINVAL when the file was altered, truncated or sealed
 * under another key (what was written to `out_fd` must then be discarded);
 * AL_EINTERNAL for a read or write error.
 */
int al_crypto_file_open(int in_fd, int out_fd);

#endif
