/*
 * Request bodies: al_json_parse_object on any bytes, then the field getters on
 * the keys of the result.  Everything jansson allocates comes from an arena
 * that is reset for each input, as in a request.
 *
 * Checked: a getter's success means what its contract says (trimmed text within
 * the character limits, an integer within range); every error message is text
 * that JSON can carry; a parsed body survives a dump and re-parse unchanged.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(int ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "fuzz_json_body: %s\n", what);
        abort();
    }
}

static void
check_err(int rc, const struct al_errinfo *e)
{
    if (rc == AL_OK)
        return;
    check(rc == AL_EINVAL, "a getter failed with something other than AL_EINVAL");
    check(e->message[0] != '\0', "an error without a message");
    check(al_text_is_utf8(e->message, strlen(e->message)), "error message is not UTF-8");
}

static void
check_str(const json_t *o, const char *key, int flags, size_t min, size_t max)
{
    struct al_errinfo e = {0};
    const char *s = (const char *)1;
    int rc = al_json_get_str(o, key, "字段", flags, min, max, &s, &e);
    check_err(rc, &e);
    if (rc != AL_OK) {
        check(e.field == key, "error does not name the field");
        return;
    }
    if (!s) {
        check(!(flags & AL_REQUIRED), "required string missing but AL_OK");
        return;
    }
    size_t n = strlen(s);
    size_t chars = al_utf8_len(s, n);
    check(chars != (size_t)-1, "string is not UTF-8");
    check(chars >= min && (!max || chars <= max), "string outside its limits");
    check(!n || (s[0] != ' ' && s[0] != '\t' && s[n - 1] != ' ' && s[n - 1] != '\t'),
        "string not trimmed");
    check(!(flags & AL_REQUIRED) || n > 0, "required string empty");
    /* The object owns the returned text: it is the value's text, its tail after leading
     * blanks, or the trimmed copy stored back in its place. */
    const json_t *v = json_object_get(o, key);
    const char *vs = v && json_is_string(v) ? json_string_value(v) : NULL;
    check(vs && ((s >= vs && s <= vs + strlen(vs)) || strcmp(vs, s) == 0),
        "returned text not owned by the object");
}

static void
check_int(const json_t *o, const char *key, int flags, int64_t min, int64_t max)
{
    struct al_errinfo e = {0};
    int64_t v = 12345;
    bool present = true;
    int rc = al_json_get_int(o, key, "整数", flags, min, max, &v, &present, &e);
    check_err(rc, &e);
    if (rc == AL_OK && present)
        check(v >= min && v <= max, "integer outside its range");
    if (rc == AL_OK && !present)
        check(v == 12345 && !(flags & AL_REQUIRED), "absent integer touched the output");
    if (rc != AL_OK)
        check(!present, "refused integer reported present");
}

static void
check_bool(const json_t *o, const char *key, int flags)
{
    struct al_errinfo e = {0};
    bool b = false, present = true;
    int rc = al_json_get_bool(o, key, "开关", flags, &b, &present, &e);
    check_err(rc, &e);
    if (rc == AL_OK && present)
        check(json_is_boolean(json_object_get(o, key)), "non-boolean accepted");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct al_arena a;
    static int ready;
    if (!ready) {
        al_json_init();
        al_arena_init(&a, 1 << 16);
        ready = 1;
    }
    al_arena_reset(&a);
    al_json_use_arena(&a);

    struct al_errinfo e = {0};
    json_t *o = (json_t *)&e;
    int rc = al_json_parse_object((const char *)data, size, &o, &e);
    if (rc != AL_OK) {
        check(rc == AL_EINVAL && o == NULL, "parse failure without AL_EINVAL and NULL");
        check(al_text_is_utf8(e.message, strlen(e.message)), "parse message is not UTF-8");
        al_json_use_arena(NULL);
        return 0;
    }
    check(json_is_object(o), "parsed body is not an object");

    /* Round trip before the getters (which store trimmed strings back). */
    size_t len = 0;
    char *text = al_json_dump(&a, o, &len);
    check(strlen(text) == len, "dump length wrong");
    json_t *again = NULL;
    check(al_json_parse_object(text, len, &again, &e) == AL_OK, "dump does not parse again");
    check(json_equal(o, again), "dump and re-parse differ");

    /* Fixed keys the handlers use, then every key the body has. */
    check_str(o, "username", AL_REQUIRED, 1, 32);
    check_str(o, "name", 0, 0, 0);
    check_str(o, "password", AL_REQUIRED, 8, 128);
    check_int(o, "version", 0, 1, INT64_MAX);
    check_int(o, "score", AL_REQUIRED, -5, 5);
    check_bool(o, "elder_mode", 0);
    size_t n = 0;
    const char *keys[64];
    const char *key;
    json_t *value;
    json_object_foreach(o, key, value) {
        if (n < 64)
            keys[n++] = key;
    }
    for (size_t i = 0; i < n; i++) {
        size_t max = i % 3 == 0 ? 0 : i % 3 == 1 ? 4 : 200;
        check_str(o, keys[i], (int)(i & 1), i % 4, max);
        check_int(o, keys[i], 0, INT64_MIN, INT64_MAX);
        check_int(o, keys[i], AL_REQUIRED, 0, 150);
        check_bool(o, keys[i], (int)(i & 1));
    }
    al_json_dump(&a, o, NULL);
    json_decref(o); /* arena memory: nothing is freed */
    json_decref(again);
    al_json_use_arena(NULL);
    return 0;
}
