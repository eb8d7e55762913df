#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/crypto.h"
#include "core/err.h"
#include "unit.h"

static char dir[] = "/tmp/anlao-unit-crypto-XXXXXX";
static char key[256];

static int
setup(void **state)
{
    (void)state;
    if (!mkdtemp(dir) || al_crypto_init() != AL_OK)
        return -1;
    snprintf(key, sizeof(key), "%s/anlao.key", dir);
    return al_crypto_load_key(key) == AL_OK ? 0 : -1;
}

static int
teardown(void **state)
{
    (void)state;
    unlink(key);
    rmdir(dir);
    return 0;
}

static void
key_file_is_private(void **state)
{
    (void)state;
    struct stat sb;
    assert_int_equal(stat(key, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    assert_int_equal(sb.st_size, 32);
    chmod(key, 0644);
    assert_int_equal(al_crypto_load_key(key), AL_EINTERNAL);
    chmod(key, 0600);
    assert_int_equal(al_crypto_load_key(key), AL_OK);
}

static void
seal_open_round_trip_and_tamper(void **state)
{
    (void)state;
    struct al_arena a;
    al_arena_init(&a, 0);
    char *s1 = al_crypto_seal(&a, "11010519491231002X", 18);
    char *s2 = al_crypto_seal(&a, "11010519491231002X", 18);
    assert_string_not_equal(s1, s2); /* random nonce */
    assert_string_equal(al_crypto_open(&a, s1), "11010519491231002X");
    s1[10] = s1[10] == 'A' ? 'B' : 'A';
    assert_null(al_crypto_open(&a, s1));
    assert_null(al_crypto_open(&a, "short"));
    al_arena_fini(&a);
}

static void
keyed_hash_is_stable_and_purpose_separated(void **state)
{
    (void)state;
    char h1[65], h2[65], h3[65];
    al_crypto_keyed_hash_hex("idnumber", "abc", 3, h1);
    al_crypto_keyed_hash_hex("idnumber", "abc", 3, h2);
    al_crypto_keyed_hash_hex("phone", "abc", 3, h3);
    assert_string_equal(h1, h2);
    assert_string_not_equal(h1, h3);
    assert_int_equal(strlen(h1), 64);
}

static void
passwords(void **state)
{
    (void)state;
    char hash[256];
    assert_int_equal(al_crypto_password_hash("Secret123", hash, sizeof(hash)), AL_OK);
    assert_non_null(strstr(hash, "$argon2id$"));
    assert_true(al_crypto_password_verify(hash, "Secret123"));
    assert_false(al_crypto_password_verify(hash, "Secret124"));
    for (int i = 0; i < 50; i++) {
        char pw[13];
        al_crypto_random_password(pw);
        assert_int_equal(strlen(pw), 12);
        assert_true(strpbrk(pw, "0123456789") != NULL);
        assert_true(strpbrk(pw, "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ") != NULL);
    }
    char sha[65];
    al_crypto_sha256_hex("abc", 3, sha);
    assert_string_equal(sha, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(key_file_is_private),
        cmocka_unit_test(seal_open_round_trip_and_tamper),
        cmocka_unit_test(keyed_hash_is_stable_and_purpose_separated),
        cmocka_unit_test(passwords),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
