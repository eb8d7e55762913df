/* src/attach/attach_logic.c: the type from the first bytes, owner kinds and tags (RULE-ATT-002, -006). */
#include <string.h>

#include "attach/attach_int.h"
#include "unit.h"

/* RULE-ATT-002 */
static void
sniff(void **state)
{
    (void)state;
    static const unsigned char jpeg[] = {0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10};
    static const unsigned char png[] = {0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A, 0};
    static const unsigned char png_short[] = {0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A};
    static const unsigned char gif[] = {'G', 'I', 'F', '8', '9', 'a'};
    assert_string_equal(attach_sniff(jpeg, sizeof(jpeg)), "image/jpeg");
    assert_string_equal(attach_sniff(png, sizeof(png)), "image/png");
    assert_string_equal(attach_sniff("%PDF-1.7\n", 9), "application/pdf");
    assert_null(attach_sniff(png_short, sizeof(png_short)));
    assert_null(attach_sniff(jpeg, 2));
    assert_null(attach_sniff("%PDF", 4));
    assert_null(attach_sniff(gif, sizeof(gif)));
    assert_null(attach_sniff("<svg xmlns=", 11));
    assert_null(attach_sniff("", 0));
    assert_null(attach_sniff(NULL, 10));
}

static int
locate_none(struct al_req *r, int64_t id, bool write, const char **region)
{
    (void)r, (void)id, (void)write, (void)region;
    return AL_ENOTFOUND;
}

/* RULE-ATT-006 */
static void
owners_and_tags(void **state)
{
    (void)state;
    static const char *const tags[] = {"adaptation", "installation", NULL};
    static const struct attach_owner a = {.kind = "bed", .tags = tags, .locate = locate_none},
                                     b = {.kind = "visit", .tags = tags, .locate = locate_none};
    const struct attach_owner *const list[] = {&a, &b, NULL};
    assert_ptr_equal(attach_owner_find(list, "visit"), &b);
    assert_ptr_equal(attach_owner_find(list, "bed"), &a);
    assert_null(attach_owner_find(list, "be"));
    assert_null(attach_owner_find(list, NULL));
    assert_true(attach_tag_ok(&a, "installation"));
    assert_false(attach_tag_ok(&a, "install"));
    assert_false(attach_tag_ok(&a, NULL));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sniff),
        cmocka_unit_test(owners_and_tags),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
