/* src/timebank/timebank_logic.c: the time bank's rules (RULE-TB-010..026), pure. */
#include <string.h>

#include "core/arena.h"
#include "timebank/timebank_int.h"
#include "unit.h"

static struct al_arena arena;

static struct tb_party
party(int64_t id, int age, int64_t balance)
{
    return (struct tb_party){.member_id = id, .scheme_id = 1, .verified = true, .age = age,
        .balance_min = balance};
}

static void
categories_of_transfers(void **state)
{
    (void)state;
    for (int c = TB_SERVICE; c <= TB_CAP_DONATE; c++) {
        assert_int_equal(tb_category_parse(tb_category_name(c)), c);
        assert_true(strlen(tb_category_label(c)) > 0);
    }
    assert_int_equal(tb_category_parse("swap"), 0);
    assert_int_equal(tb_category_parse(NULL), 0);
    assert_string_equal(tb_category_name(99), "");
}

static void
cap(void **state)
{
    (void)state;
    /* RULE-TB-021: Nanjing's 1,500 hours; the excess is donated. */
    const struct tb_rules *r = &tb_rules_default;
    assert_int_equal(r->cap_min, 90000);
    assert_int_equal(tb_cap_excess(r, 0, 600), 0);
    assert_int_equal(tb_cap_excess(r, 89900, 100), 0);
    assert_int_equal(tb_cap_excess(r, 89900, 160), 60);
    assert_int_equal(tb_cap_excess(r, 95000, 60), 60); /* above already (cap lowered): all */
    struct tb_rules none = *r;
    none.cap_min = 0;
    assert_int_equal(tb_cap_excess(&none, 1000000, 600), 0);
}

static void
redeem_age(void **state)
{
    (void)state;
    /* RULE-TB-023: Shanghai — from 65, from 60 for elders in difficulty. */
    const struct tb_rules *r = &tb_rules_default;
    struct tb_party p = party(1, 64, 600);
    assert_false(tb_may_redeem(r, &p));
    p.age = 65;
    assert_true(tb_may_redeem(r, &p));
    p.age = 60;
    p.difficulty = true;
    assert_true(tb_may_redeem(r, &p));
    p.age = 59;
    assert_false(tb_may_redeem(r, &p));
    p.age = -1;
    assert_false(tb_may_redeem(r, &p));
    struct tb_party to = party(2, 40, 0);
    struct al_errinfo e = {0};
    p = party(1, 64, 600);
    assert_int_equal(tb_check_transfer(r, TB_REDEEM, 60, &p, &to, NULL, 0, &e), AL_EUNPROC);
    assert_string_equal(e.field, "from_member_id");
    p.age = 70;
    assert_int_equal(tb_check_transfer(r, TB_REDEEM, 60, &p, &to, NULL, 0, &e), AL_OK);
}

static void
overdraft_and_groups(void **state)
{
    (void)state;
    const struct tb_rules *r = &tb_rules_default;
    struct al_errinfo e = {0};
    struct tb_party from = party(1, 70, 59), to = party(2, 40, 0);
    /* RULE-TB-012: never below zero. */
    assert_int_equal(tb_check_transfer(r, TB_REDEEM, 60, &from, &to, NULL, 0, &e), AL_EUNPROC);
    assert_string_equal(e.field, "minutes");
    from.balance_min = 60;
    assert_int_equal(tb_check_transfer(r, TB_REDEEM, 60, &from, &to, NULL, 0, &e), AL_OK);
    /* RULE-TB-022: a group's hours only donated. */
    struct tb_party grp = party(3, -1, 600);
    grp.is_group = true;
    assert_int_equal(tb_check_transfer(r, TB_REDEEM, 60, &grp, &to, NULL, 0, &e), AL_EUNPROC);
    assert_string_equal(e.field, "category");
    assert_int_equal(tb_check_transfer(r, TB_GIFT, 60, &grp, &to, "parent", 0, &e), AL_EUNPROC);
    assert_int_equal(tb_check_transfer(r, TB_DONATE, 60, &grp, NULL, NULL, 0, &e), AL_OK);
    struct tb_rules lax = *r;
    lax.group_donate_only = false;
    grp.age = -1;
    assert_int_equal(tb_check_transfer(&lax, TB_REDEEM, 60, &grp, &to, NULL, 0, &e), AL_EUNPROC);
    assert_string_equal(e.field, "from_member_id"); /* no age: not the group rule any more */
    /* Unverified members move nothing; amounts are bounded; no transfer to oneself. */
    from.verified = false;
    assert_int_equal(tb_check_transfer(r, TB_DONATE, 10, &from, NULL, NULL, 0, &e), AL_EUNPROC);
    to.verified = false;
    assert_int_equal(tb_check_transfer(r, TB_SERVICE, 10, NULL, &to, NULL, 0, &e), AL_EUNPROC);
    assert_int_equal(tb_check_transfer(r, TB_SERVICE, 0, NULL, &to, NULL, 0, &e), AL_EINVAL);
    assert_string_equal(e.field, "minutes");
    from = party(1, 70, 600);
    assert_int_equal(tb_check_transfer(r, TB_DONATE, 10, &from, &from, NULL, 0, &e), AL_EINVAL);
    assert_int_equal(tb_check_transfer(r, 0, 10, &from, NULL, NULL, 0, &e), AL_EINVAL);
    assert_string_equal(e.field, "category");
}

static void
gifts_donations_grants(void **state)
{
    (void)state;
    const struct tb_rules *r = &tb_rules_default;
    struct al_errinfo e = {0};
    struct tb_party from = party(1, 35, 600), mum = party(2, 62, 0), friend = party(3, 59, 0);
    /* RULE-TB-024: direct relatives aged 60+. */
    assert_true(tb_relation_direct("parent"));
    assert_true(tb_relation_direct("spouse"));
    assert_false(tb_relation_direct("friend"));
    assert_false(tb_relation_direct(NULL));
    assert_int_equal(tb_check_transfer(r, TB_GIFT, 60, &from, &mum, "parent", 0, &e), AL_OK);
    assert_int_equal(tb_check_transfer(r, TB_GIFT, 60, &from, &mum, "friend", 0, &e), AL_EINVAL);
    assert_string_equal(e.field, "relation");
    assert_int_equal(tb_check_transfer(r, TB_GIFT, 60, &from, &friend, "child", 0, &e),
        AL_EUNPROC);
    assert_string_equal(e.field, "to_member_id");
    /* RULE-TB-025: to the fund (no receiver) or an elder in difficulty. */
    assert_int_equal(tb_check_transfer(r, TB_DONATE, 60, &from, NULL, NULL, 0, &e), AL_OK);
    assert_int_equal(tb_check_transfer(r, TB_DONATE, 60, &from, &mum, NULL, 0, &e), AL_EUNPROC);
    mum.elder = mum.difficulty = true;
    assert_int_equal(tb_check_transfer(r, TB_DONATE, 60, &from, &mum, NULL, 0, &e), AL_OK);
    /* RULE-TB-026: the fund grants to key elders, within its balance. */
    assert_true(tb_key_elder(r, &mum));
    struct tb_party old = party(4, 85, 0);
    assert_false(tb_key_elder(r, &old)); /* not an elder of the registry */
    old.elder = true;
    assert_true(tb_key_elder(r, &old));
    old.age = 79;
    assert_false(tb_key_elder(r, &old));
    assert_int_equal(tb_check_transfer(r, TB_GRANT, 60, NULL, &old, NULL, 600, &e), AL_EUNPROC);
    assert_int_equal(tb_check_transfer(r, TB_GRANT, 60, NULL, &mum, NULL, 59, &e), AL_EUNPROC);
    assert_string_equal(e.field, "minutes");
    assert_int_equal(tb_check_transfer(r, TB_GRANT, 60, NULL, &mum, NULL, 60, &e), AL_OK);
    assert_int_equal(tb_check_transfer(r, TB_TOPUP, 6000, NULL, NULL, NULL, 0, &e), AL_OK);
}

static void
legs_sum_per_scheme(void **state)
{
    (void)state;
    /* RULE-TB-010 and RULE-TB-031: each scheme's legs sum to zero. */
    int64_t bad = 0;
    struct tb_leg same[] = {{1, 1, -60}, {2, 1, 60}};
    assert_true(tb_legs_balanced(same, 2, &bad));
    struct tb_leg across[] = {{1, 1, -60}, {3, 1, 60}, {4, 2, -60}, {5, 2, 60}};
    assert_true(tb_legs_balanced(across, 4, &bad));
    struct tb_leg broken[] = {{1, 1, -60}, {3, 1, 60}, {4, 2, -60}, {5, 2, 61}};
    assert_false(tb_legs_balanced(broken, 4, &bad));
    assert_int_equal(bad, 2);
    /* Summing to zero overall is not enough: each scheme on its own. */
    struct tb_leg skewed[] = {{1, 1, -60}, {5, 2, 60}};
    assert_false(tb_legs_balanced(skewed, 2, &bad));
    assert_int_equal(bad, 1);
}

static void
scheme_categories(void **state)
{
    (void)state;
    struct al_errinfo e = {0};
    assert_int_equal(tb_categories_check("打扫卫生|陪伴聊天", &e), AL_OK);
    assert_int_equal(tb_categories_check("", &e), AL_EINVAL);
    assert_int_equal(tb_categories_check("a|a", &e), AL_EINVAL);
    assert_int_equal(tb_categories_check("a|", &e), AL_EINVAL);
    assert_int_equal(tb_categories_check("a||b", &e), AL_EINVAL);
    assert_int_equal(tb_categories_check("一二三四五六七八九十一二三四五六七八九十一", &e), AL_EINVAL);
    assert_true(tb_categories_has("打扫卫生|陪伴聊天", "陪伴聊天"));
    assert_false(tb_categories_has("打扫卫生|陪伴聊天", "陪伴"));
    json_t *j = tb_categories_json("a|bc");
    assert_int_equal(json_array_size(j), 2);
    assert_string_equal(json_string_value(json_array_get(j, 1)), "bc");
    json_decref(j);
    assert_string_equal(tb_hours_text(&arena, 90), "1 小时 30 分钟");
    assert_string_equal(tb_hours_text(&arena, -120), "-2 小时");
    char code[5];
    tb_confirm_code((const unsigned char[]){0xff, 0xff}, code);
    assert_string_equal(code, "5535");
    tb_confirm_code((const unsigned char[]){0, 7}, code);
    assert_string_equal(code, "0007");
}

static void
needs(void **state)
{
    (void)state;
    struct al_errinfo e = {0};
    /* RULE-TB-040: open → taken → done; taken → disputed → resolved; cancel before done. */
    assert_int_equal(tb_need_allowed("open", TB_N_TAKE, &e), AL_OK);
    assert_int_equal(tb_need_allowed("taken", TB_N_TAKE, &e), AL_ECONFLICT);
    assert_string_equal(e.field, "status");
    assert_int_equal(tb_need_allowed("taken", TB_N_DONE, &e), AL_OK);
    assert_int_equal(tb_need_allowed("taken", TB_N_CONFIRM, &e), AL_OK);
    assert_int_equal(tb_need_allowed("open", TB_N_CONFIRM, &e), AL_ECONFLICT);
    assert_int_equal(tb_need_allowed("taken", TB_N_DISPUTE, &e), AL_OK);
    assert_int_equal(tb_need_allowed("disputed", TB_N_RESOLVE, &e), AL_OK);
    assert_int_equal(tb_need_allowed("taken", TB_N_RESOLVE, &e), AL_ECONFLICT);
    assert_int_equal(tb_need_allowed("open", TB_N_CANCEL, &e), AL_OK);
    assert_int_equal(tb_need_allowed("done", TB_N_CANCEL, &e), AL_ECONFLICT);
    assert_int_equal(tb_need_allowed("cancelled", TB_N_DONE, &e), AL_ECONFLICT);
    assert_string_equal(tb_need_status_label("disputed"), "有争议");
    /* RULE-TB-042 */
    assert_int_equal(tb_need_minutes_check(0, &e), AL_EINVAL);
    assert_int_equal(tb_need_minutes_check(720, &e), AL_OK);
    assert_int_equal(tb_need_minutes_check(721, &e), AL_EINVAL);
    int64_t t = 0;
    assert_true(tb_parse_local_time("2026-12-02 08:00", &t));
    assert_int_equal(t, 1796169600); /* 2026-12-02T00:00:00Z */
    assert_true(tb_parse_local_time("2024-02-29T23:59", &t));
    assert_false(tb_parse_local_time("2026-02-29 08:00", &t));
    assert_false(tb_parse_local_time("2026-12-02 24:00", &t));
    assert_false(tb_parse_local_time("2026-12-02 8:00", &t));
    assert_false(tb_parse_local_time("2026-12-02x08:00", &t));
    assert_false(tb_parse_local_time(NULL, &t));
}

/* RULE-TB-060, RULE-TB-061: the cut-off date and what is due, first in first out. */
static void
expiry(void **state)
{
    (void)state;
    char out[11];
    assert_true(tb_months_before("2026-12-02", 12, out));
    assert_string_equal(out, "2025-12-02");
    assert_true(tb_months_before("2026-03-31", 1, out));
    assert_string_equal(out, "2026-02-28");
    assert_true(tb_months_before("2024-03-31", 1, out));
    assert_string_equal(out, "2024-02-29");
    assert_true(tb_months_before("2026-01-15", 13, out));
    assert_string_equal(out, "2024-12-15");
    assert_false(tb_months_before("2026-1-15", 1, out));
    assert_false(tb_months_before(NULL, 1, out));
    assert_int_equal(tb_day_start("2026-12-02"), 1796169600 - 8 * 3600);
    assert_int_equal(tb_day_start("2026-13-02"), -1);
    /* 300 old minutes, 100 spent: 200 expire; after the expiry it is a debit too. */
    assert_int_equal(tb_expiry_due(300, 100), 200);
    assert_int_equal(tb_expiry_due(300, 300), 0);
    assert_int_equal(tb_expiry_due(300, -100), 200);
    assert_int_equal(tb_expiry_due(100, 400), 0);
    assert_int_equal(tb_expiry_due(0, 0), 0);
    /* The expiry moves hours back to the issue account, never beyond the balance, and is
     * the one movement an elder who left the registry still has (RULE-TB-069). */
    struct al_errinfo e;
    struct tb_party gone = {.member_id = 1, .verified = false, .balance_min = 50,
        .gone = "已去世"};
    assert_int_equal(tb_check_transfer(&tb_rules_default, TB_EXPIRE, 50, &gone, NULL, NULL, 0,
                         &e),
        AL_OK);
    assert_int_equal(tb_check_transfer(&tb_rules_default, TB_EXPIRE, 51, &gone, NULL, NULL, 0,
                         &e),
        AL_EUNPROC);
    assert_string_equal(tb_category_name(TB_EXPIRE), "expire");
    assert_string_equal(tb_category_label(TB_EXPIRE), "过期失效");
}

/* RULE-TB-069: an elder who died or moved away neither spends nor receives. */
static void
gone_elders(void **state)
{
    (void)state;
    struct al_errinfo e;
    assert_string_equal(tb_gone_reason("deceased"), "已去世");
    assert_string_equal(tb_gone_reason("moved_out"), "已迁出");
    assert_null(tb_gone_reason("active"));
    struct tb_party v = {.member_id = 1, .verified = true, .age = 40, .balance_min = 600};
    struct tb_party el = {.member_id = 2, .verified = true, .elder = true, .age = 80,
        .balance_min = 600, .gone = "已去世"};
    assert_int_equal(tb_check_transfer(&tb_rules_default, TB_SERVICE, 60, NULL, &el, NULL, 0, &e),
        AL_ECONFLICT);
    assert_string_equal(e.field, "to_member_id");
    assert_int_equal(tb_check_transfer(&tb_rules_default, TB_REDEEM, 60, &el, &v, NULL, 0, &e),
        AL_ECONFLICT);
    assert_string_equal(e.field, "from_member_id");
    assert_non_null(strstr(e.message, "已去世"));
    el.gone = NULL;
    assert_int_equal(tb_check_transfer(&tb_rules_default, TB_REDEEM, 60, &el, &v, NULL, 0, &e),
        AL_OK);
}

/* RULE-TB-064: the target share, never reached without elders. */
static void
target(void **state)
{
    (void)state;
    assert_true(tb_target_reached(12, 100, 12));
    assert_false(tb_target_reached(11, 100, 12));
    assert_true(tb_target_reached(11, 100, 10));
    assert_false(tb_target_reached(0, 0, 12));
}

/* RULE-TB-066: nearest first within the radius, needs without a position last. */
static void
nearby(void **state)
{
    (void)state;
    json_t *items = json_pack("[{si sf sf} {si sf sf} {si sn sn} {si sf sf}]", "id", 1, "lat",
        27.955, "lng", 107.72, "id", 2, "lat", 27.975, "lng", 107.72, "id", 3, "lat", "lng", "id",
        4, "lat", 28.2, "lng", 107.72);
    assert_int_equal(tb_nearby_order(items, 27.975, 107.72, 5000), 3);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(items, 0), "id")), 2);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(items, 0), "distance_m")), 0);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(items, 1), "id")), 1);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(items, 1), "distance_m")),
        2224);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(items, 2), "id")), 3);
    assert_true(json_is_null(json_object_get(json_array_get(items, 2), "distance_m")));
    json_decref(items);
}

/* RULE-TB-070: card numbers checked and masked as ID numbers are. */
static void
citizen_card(void **state)
{
    (void)state;
    char out[32];
    assert_true(tb_card_valid("3301ZJ00123456"));
    assert_false(tb_card_valid("3301zj00123456"));
    assert_false(tb_card_valid("1234567"));
    assert_false(tb_card_valid("123456789012345678901"));
    assert_false(tb_card_valid(NULL));
    tb_card_mask("3301ZJ00123456", out, sizeof(out));
    assert_string_equal(out, "3301******3456");
    tb_card_mask("12345678", out, sizeof(out));
    assert_string_equal(out, "****5678"); /* short: the last 4 only */
}

int
main(void)
{
    al_arena_init(&arena, 4096);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(categories_of_transfers),
        cmocka_unit_test(cap),
        cmocka_unit_test(redeem_age),
        cmocka_unit_test(overdraft_and_groups),
        cmocka_unit_test(gifts_donations_grants),
        cmocka_unit_test(legs_sum_per_scheme),
        cmocka_unit_test(scheme_categories),
        cmocka_unit_test(needs),
        cmocka_unit_test(expiry),
        cmocka_unit_test(gone_elders),
        cmocka_unit_test(target),
        cmocka_unit_test(nearby),
        cmocka_unit_test(citizen_card),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    al_arena_fini(&arena);
    return rc;
}
