/* What readers without elder.read_pii see of a record (RULE-PII-001..003, src/elder/elder_logic.c). */
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "elder/elder_int.h"
#include "unit.h"

static void
record_without_birth_date(void **state)
{
    (void)state;
    json_t *o = json_pack("{s:s, s:i, s:s, s:[{s:s, s:s}, {s:s, s:s}]}", "birth_date", "1943-05-17",
        "age", 83, "id_number_masked", "520327***********4", "category_evidence", "source",
        "id_number", "evidence_date", "1943-05-17", "source", "record", "evidence_date",
        "2026-01-02");
    elder_redact_birth(o); /* RULE-PII-001 */
    assert_null(json_object_get(o, "birth_date"));
    assert_null(json_object_get(o, "age"));
    assert_int_equal(json_integer_value(json_object_get(o, "birth_year")), 1943);
    json_t *ev = json_object_get(o, "category_evidence");
    assert_true(json_is_null(json_object_get(json_array_get(ev, 0), "evidence_date")));
    assert_string_equal(json_string_value(json_object_get(json_array_get(ev, 1), "evidence_date")),
        "2026-01-02");
    char *text = al_json_dump_heap(o);
    assert_null(strstr(text, "05-17"));
    free(text);
    json_decref(o);
}

static void
history_in_the_current_form(void **state)
{
    (void)state;
    /* An entry of before issue 9: the old mask, a birth date, a phone in full. */
    json_t *ch = json_pack("{s:s, s:s, s:s, s:[ns], s:s, s:s}", "id_masked", "520327********0264",
        "birth_date", "1943-05-17", "phone", "13912345678", "phone2_masked", "0851-5221234",
        "address", "某处", "id_enc", "sealed");
    json_t *v = elder_history_view(ch, false);
    assert_string_equal(json_string_value(json_object_get(v, "id_number_masked")),
        "520327***********4");
    assert_int_equal(json_integer_value(json_object_get(v, "birth_year")), 1943);
    assert_null(json_object_get(v, "birth_date"));
    assert_string_equal(json_string_value(json_object_get(v, "phone_masked")), "139****5678");
    json_t *pair = json_object_get(v, "phone2_masked");
    assert_true(json_is_null(json_array_get(pair, 0)));
    assert_string_equal(json_string_value(json_array_get(pair, 1)), "085*-***1234");
    assert_null(json_object_get(v, "id_enc"));
    assert_string_equal(json_string_value(json_object_get(v, "address")), "某处");
    json_decref(v);
    /* With elder.read_pii the birth date stays; masks are still the current ones. */
    v = elder_history_view(ch, true);
    assert_string_equal(json_string_value(json_object_get(v, "birth_date")), "1943-05-17");
    assert_string_equal(json_string_value(json_object_get(v, "id_number_masked")),
        "520327***********4");
    json_decref(v);
    json_decref(ch);
}

static void
phone_like_search_texts(void **state)
{
    (void)state; /* RULE-PII-003 */
    assert_int_equal(elder_phone_digits("13812345678"), 11);
    assert_int_equal(elder_phone_digits("0851-522 1234"), 11);
    assert_int_equal(elder_phone_digits("4321"), 4);
    assert_int_equal(elder_phone_digits("幸福路 1388 号"), -1);
    assert_int_equal(elder_phone_digits("138x"), -1);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(record_without_birth_date),
        cmocka_unit_test(history_in_the_current_form),
        cmocka_unit_test(phone_like_search_texts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
