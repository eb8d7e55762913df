/* src/core/crypto.c: the installation key, sealing, keyed hashes, passwords. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/crypto.h"
#include "core/err.h"
#include "unit.h"

static char dir[] = "/tmp/anlao-unit-crypto-XXXXXX";
static char key[256], other[256];

static int
setup(void **state)
{
    (void)state;
    if (!mkdtemp(dir) || al_crypto_init() != AL_OK)
        return -1;
    snprintf(key, sizeof(key), "%s/anlao.key", dir);
    snprintf(other, sizeof(other), "%s/other.key", dir);
    return al_crypto_load_key(key) == AL_OK ? 0 : -1;
}

static int
teardown(void **state)
{
    (void)state;
    char cmd[300];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static void
key_file_is_created_private(void **state)
{
    (void)state;
    struct stat sb;
    assert_int_equal(stat(key, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    assert_int_equal(sb.st_size, 32);
    /* Loading again reads the same key: keyed hashes do not change. */
    char h1[65], h2[65];
    al_crypto_keyed_hash_hex("idnumber", "x", 1, h1);
    assert_int_equal(al_crypto_load_key(key), AL_OK);
    al_crypto_keyed_hash_hex("idnumber", "x", 1, h2);
    assert_string_equal(h1, h2);
}

static void
key_file_readable_by_others_is_refused(void **state)
{
    (void)state;
    assert_int_equal(chmod(key, 0644), 0);
    assert_int_equal(al_crypto_load_key(key), AL_EINTERNAL);
    assert_int_equal(chmod(key, 0640), 0);
    assert_int_equal(al_crypto_load_key(key), AL_EINTERNAL);
    assert_int_equal(chmod(key, 0604), 0);
    assert_int_equal(al_crypto_load_key(key), AL_EINTERNAL);
    assert_int_equal(chmod(key, 0600), 0);
    assert_int_equal(al_crypto_load_key(key), AL_OK);
    assert_int_equal(chmod(key, 0400), 0); /* owner read-only is fine */
    assert_int_equal(al_crypto_load_key(key), AL_OK);
    assert_int_equal(chmod(key, 0600), 0);
}

static void
bad_key_files_are_refused(void **state)
{
    (void)state;
    char path[300];
    snprintf(path, sizeof(path), "%s/short.key", dir);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "0123456789", 10), 10);
    close(fd);
    assert_int_equal(al_crypto_load_key(path), AL_EINTERNAL);
    snprintf(path, sizeof(path), "%s/no/such/dir/k.key", dir);
    assert_int_equal(al_crypto_load_key(path), AL_EINTERNAL);
    assert_int_equal(al_crypto_load_key(dir), AL_EINTERNAL); /* a directory (0700) */
    assert_int_equal(al_crypto_load_key(key), AL_OK);         /* back to the real key */
}

static void
seal_open_round_trip(void **state)
{
    (void)state;
    struct al_arena a;
    al_arena_init(&a, 0);
    char *s1 = al_crypto_seal(&a, "11010519491231002X", 18);
    char *s2 = al_crypto_seal(&a, "11010519491231002X", 18);
    assert_non_null(s1);
    assert_string_not_equal(s1, s2); /* random nonce */
    assert_null(strstr(s1, "11010519491231002X"));
    assert_null(strpbrk(s1, "+/=")); /* URL-safe base64 without padding */
    assert_string_equal(al_crypto_open(&a, s1), "11010519491231002X");
    assert_string_equal(al_crypto_open(&a, s2), "11010519491231002X");
    char *e = al_crypto_seal(&a, "", 0);
    assert_string_equal(al_crypto_open(&a, e), "");
    const char *zh = "贵州省遵义市凤冈县龙泉镇 13800001234";
    assert_string_equal(al_crypto_open(&a, al_crypto_seal(&a, zh, strlen(zh))), zh);
    /* Only `len` bytes are sealed. */
    assert_string_equal(al_crypto_open(&a, al_crypto_seal(&a, "abcdef", 3)), "abc");
    /* Nonces come from a pool refilled every 64 seals: across refills, none repeats
     * (the first 32 characters encode the 24 nonce bytes). */
    enum { SEALS = 300 };
    char *n[SEALS];
    for (int i = 0; i < SEALS; i++) {
        n[i] = al_crypto_seal(&a, "11010519491231002X", 18);
        assert_string_equal(al_crypto_open(&a, n[i]), "11010519491231002X");
        for (int k = 0; k < i; k++)
            assert_int_not_equal(strncmp(n[i], n[k], 32), 0);
    }
    al_arena_fini(&a);
}

static void
tampered_or_foreign_text_does_not_open(void **state)
{
    (void)state;
    struct al_arena a;
    al_arena_init(&a, 0);
    char *s = al_crypto_seal(&a, "11010519491231002X", 18);
    size_t n = strlen(s);
    /* Flip each character in turn: nonce, ciphertext and tag are all covered. */
    for (size_t i = 0; i < n; i++) {
        char *t = al_arena_strdup(&a, s);
        t[i] = t[i] == 'A' ? 'B' : 'A';
        assert_null(al_crypto_open(&a, t));
    }
    assert_null(al_crypto_open(&a, al_arena_strndup(&a, s, n - 1))); /* truncated */
    assert_null(al_crypto_open(&a, al_arena_printf(&a, "%sAA", s)));  /* extended */
    assert_null(al_crypto_open(&a, al_arena_printf(&a, "%s=", s)));   /* padding */
    assert_null(al_crypto_open(&a, "short"));
    assert_null(al_crypto_open(&a, ""));
    assert_null(al_crypto_open(&a, NULL));
    assert_null(al_crypto_open(&a, "11010519491231002X")); /* plain text, not sealed */
    /* Sealed under another installation key: refused. */
    assert_int_equal(al_crypto_load_key(other), AL_OK);
    assert_null(al_crypto_open(&a, s));
    char *o = al_crypto_seal(&a, "x", 1);
    assert_string_equal(al_crypto_open(&a, o), "x");
    assert_int_equal(al_crypto_load_key(key), AL_OK);
    assert_null(al_crypto_open(&a, o));
    assert_string_equal(al_crypto_open(&a, s), "11010519491231002X");
    al_arena_fini(&a);
}

static void
keyed_hash_is_stable_and_purpose_separated(void **state)
{
    (void)state;
    char h1[65], h2[65], h3[65], h4[65], plain[65];
    al_crypto_keyed_hash_hex("idnumber", "abc", 3, h1);
    al_crypto_keyed_hash_hex("idnumber", "abc", 3, h2);
    al_crypto_keyed_hash_hex("phone", "abc", 3, h3);
    al_crypto_keyed_hash_hex("idnumber", "abd", 3, h4);
    al_crypto_sha256_hex("abc", 3, plain);
    assert_string_equal(h1, h2);
    assert_string_not_equal(h1, h3);
    assert_string_not_equal(h1, h4);
    assert_string_not_equal(h1, plain); /* keyed: not guessable from the data alone */
    assert_int_equal(strlen(h1), 64);
    assert_int_equal(strspn(h1, "0123456789abcdef"), 64);
    /* Another installation key gives other hashes. */
    assert_int_equal(al_crypto_load_key(other), AL_OK);
    al_crypto_keyed_hash_hex("idnumber", "abc", 3, h2);
    assert_string_not_equal(h1, h2);
    assert_int_equal(al_crypto_load_key(key), AL_OK);
    al_crypto_keyed_hash_hex("idnumber", "abc", 3, h2);
    assert_string_equal(h1, h2);
}

static void
passwords(void **state)
{
    (void)state;
    char hash[256], hash2[256];
    assert_int_equal(al_crypto_password_hash("Secret123", hash, sizeof(hash)), AL_OK);
    assert_non_null(strstr(hash, "$argon2id$"));
    assert_null(strstr(hash, "Secret123"));
    assert_true(al_crypto_password_verify(hash, "Secret123"));
    assert_false(al_crypto_password_verify(hash, "Secret124"));
    assert_false(al_crypto_password_verify(hash, "secret123"));
    assert_false(al_crypto_password_verify(hash, ""));
    assert_false(al_crypto_password_verify("not a hash", "Secret123"));
    assert_false(al_crypto_password_verify("", ""));
    /* Salted: the same password hashes differently each time, both verify. */
    assert_int_equal(al_crypto_password_hash("Secret123", hash2, sizeof(hash2)), AL_OK);
    assert_string_not_equal(hash, hash2);
    assert_true(al_crypto_password_verify(hash2, "Secret123"));
    assert_int_equal(al_crypto_password_hash("密码abc123", hash2, sizeof(hash2)), AL_OK);
    assert_true(al_crypto_password_verify(hash2, "密码abc123"));
    /* Too small a buffer is refused rather than overrun. */
    char tiny[16];
    assert_int_equal(al_crypto_password_hash("Secret123", tiny, sizeof(tiny)), AL_EINTERNAL);
}

static void
random_passwords_and_tokens(void **state)
{
    (void)state;
    /* RULE-AUTH-001: generated passwords have 12 characters with letters and digits. */
    static const char allowed[] = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    char prev[13] = "";
    for (int i = 0; i < 500; i++) {
        char pw[13];
        memset(pw, 'x', sizeof(pw));
        al_crypto_random_password(pw);
        assert_int_equal(strlen(pw), 12);
        assert_int_equal(strspn(pw, allowed), 12); /* no look-alikes such as 0 O 1 l I */
        assert_non_null(strpbrk(pw, "23456789"));
        assert_non_null(strpbrk(pw, "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ"));
        assert_string_not_equal(pw, prev);
        memcpy(prev, pw, sizeof(pw));
    }
    char t1[65], t2[65];
    al_crypto_random_hex(t1, 32);
    al_crypto_random_hex(t2, 32);
    assert_int_equal(strlen(t1), 64);
    assert_int_equal(strspn(t1, "0123456789abcdef"), 64);
    assert_string_not_equal(t1, t2);
    char t3[17];
    al_crypto_random_hex(t3, 8);
    assert_int_equal(strlen(t3), 16);
}

static void
sha256_vectors(void **state)
{
    (void)state;
    char sha[65];
    al_crypto_sha256_hex("abc", 3, sha);
    assert_string_equal(sha, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    al_crypto_sha256_hex("", 0, sha);
    assert_string_equal(sha, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

/* Seal `len` bytes into a temporary file; returns its descriptor at offset 0. */
static int
sealed_file(const unsigned char *data, size_t len)
{
    FILE *f = tmpfile();
    assert_non_null(f);
    int fd = dup(fileno(f));
    fclose(f);
    assert_int_equal(al_crypto_file_seal(fd, data, len), AL_OK);
    assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
    return fd;
}

/* Open the sealed `fd` into a new temporary file: rc, and the plain bytes into `out`. */
static int
open_file(int fd, unsigned char *out, size_t cap, size_t *out_len)
{
    FILE *f = tmpfile();
    assert_non_null(f);
    int rc = al_crypto_file_open(fd, fileno(f));
    long n = lseek(fileno(f), 0, SEEK_END);
    lseek(fileno(f), 0, SEEK_SET);
    *out_len = (size_t)n;
    assert_true((size_t)n <= cap);
    assert_int_equal(read(fileno(f), out, (size_t)n), n);
    fclose(f);
    return rc;
}

static void
files_sealed_at_rest(void **state)
{
    (void)state;
    /* RULE-UPLOAD-005: uploads at rest, in 64 KiB chunks; sizes around the chunk boundary. */
    assert_int_equal(al_crypto_load_key(key), AL_OK);
    static unsigned char plain[200000], back[200000];
    for (size_t i = 0; i < sizeof(plain); i++)
        plain[i] = (unsigned char)(i * 7 + 3);
    memcpy(plain, "520327194001011234,张三", 25);
    const size_t sizes[] = {0, 1, 25, 65535, 65536, 65537, 131072, 200000};
    for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
        int fd = sealed_file(plain, sizes[k]);
        size_t n = 0;
        assert_int_equal(open_file(fd, back, sizeof(back), &n), AL_OK);
        assert_int_equal(n, sizes[k]);
        assert_memory_equal(back, plain, n);
        close(fd);
    }
    /* Not on disk in plaintext. */
    int fd = sealed_file(plain, 25);
    unsigned char raw[256];
    ssize_t rn = read(fd, raw, sizeof(raw));
    assert_true(rn > 25);
    assert_null(memmem(raw, (size_t)rn, "520327194001011234", 18));
    close(fd);
}

static void
altered_truncated_or_foreign_files_do_not_open(void **state)
{
    (void)state;
    assert_int_equal(al_crypto_load_key(key), AL_OK);
    static unsigned char plain[150000], back[150000], raw[160000];
    memset(plain, 'x', sizeof(plain));
    int fd = sealed_file(plain, sizeof(plain));
    ssize_t len = read(fd, raw, sizeof(raw));
    close(fd);
    assert_true(len > (ssize_t)sizeof(plain));
    size_t n;
    /* One bit flipped anywhere: refused. */
    const size_t at[] = {0, 10, 40, 70000, (size_t)len - 1};
    for (size_t k = 0; k < sizeof(at) / sizeof(at[0]); k++) {
        raw[at[k]] ^= 1;
        FILE *f = tmpfile();
        assert_int_equal(write(fileno(f), raw, (size_t)len), len);
        lseek(fileno(f), 0, SEEK_SET);
        assert_int_equal(open_file(fileno(f), back, sizeof(back), &n), AL_EINVAL);
        fclose(f);
        raw[at[k]] ^= 1;
    }
    /* Cut at a chunk boundary (the final chunk dropped), or with bytes added: refused. */
    size_t cuts[] = {4 + 24 + 65536 + 17, 4 + 24 + 2 * (65536 + 17)};
    for (size_t k = 0; k < 2; k++) {
        FILE *f = tmpfile();
        assert_int_equal(write(fileno(f), raw, cuts[k]), (ssize_t)cuts[k]);
        lseek(fileno(f), 0, SEEK_SET);
        assert_int_equal(open_file(fileno(f), back, sizeof(back), &n), AL_EINVAL);
        fclose(f);
    }
    FILE *f = tmpfile();
    assert_int_equal(write(fileno(f), raw, (size_t)len), len);
    assert_int_equal(write(fileno(f), "x", 1), 1);
    lseek(fileno(f), 0, SEEK_SET);
    assert_int_equal(open_file(fileno(f), back, sizeof(back), &n), AL_EINVAL);
    fclose(f);
    /* Another installation's key: refused. */
    assert_int_equal(al_crypto_load_key(other), AL_OK);
    f = tmpfile();
    assert_int_equal(write(fileno(f), raw, (size_t)len), len);
    lseek(fileno(f), 0, SEEK_SET);
    assert_int_equal(open_file(fileno(f), back, sizeof(back), &n), AL_EINVAL);
    fclose(f);
    assert_int_equal(al_crypto_load_key(key), AL_OK);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(key_file_is_created_private),
        cmocka_unit_test(key_file_readable_by_others_is_refused),
        cmocka_unit_test(bad_key_files_are_refused),
        cmocka_unit_test(seal_open_round_trip),
        cmocka_unit_test(tampered_or_foreign_text_does_not_open),
        cmocka_unit_test(keyed_hash_is_stable_and_purpose_separated),
        cmocka_unit_test(passwords),
        cmocka_unit_test(random_passwords_and_tokens),
        cmocka_unit_test(sha256_vectors),
        cmocka_unit_test(files_sealed_at_rest),
        cmocka_unit_test(altered_truncated_or_foreign_files_do_not_open),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
