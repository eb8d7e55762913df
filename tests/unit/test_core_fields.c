/* src/core/fields.c: request bodies checked from a table (RULE-ELDER-003). */
#include <jansson.h>
#include <string.h>

#include "core/fields.h"
#include "core/json.h"
#include "unit.h"

static const char *const kinds[] = {"a", "b", NULL};

static int
check_even(const struct al_field *f, const char *v, struct al_errinfo *e)
{
    return strlen(v) % 2 ? al_fail(e, AL_EINVAL, f->key, "%s应有偶数个字符", f->label) : AL_OK;
}

static const struct al_field table[] = {
    {"name", "姓名", AL_FT_TEXT, AL_F_REQUIRED | AL_F_PLAIN, .min = 1, .max = 4},
    {"note", "备注", AL_FT_TEXT, AL_F_NULLABLE, .max = 10, .column = "remark"},
    {"code", "代码", AL_FT_TEXT, 0, .max = 8, .check = check_even},
    {"level", "级别", AL_FT_INT, AL_F_NULLABLE, .min = 1, .max = 4},
    {"flag", "标记", AL_FT_BOOL, 0, .tag = 7},
    {"lat", "纬度", AL_FT_REAL, 0, .lo = 3.0, .hi = 54.0, .hint = "应为中国境内的纬度"},
    {"x", "系数", AL_FT_REAL, 0, .lo = 0.0, .hi = 1.0},
    {"on", "日期", AL_FT_DATE, 0, .tag = 0},
    {"kind", "类别", AL_FT_ENUM, 0, .allowed = kinds, .hint = "应为 a（甲）或 b（乙）"},
    {"kind2", "类别二", AL_FT_ENUM, 0, .allowed = kinds},
    {"tags", "标签", AL_FT_TEXTS, 0, .max = 2, .item_max = 3},
    {"secret", "密文", AL_FT_TEXT, AL_F_NOINPUT, .tag = 0},
    {0},
};

/* Read `json` against the table; the error's field and message into `e`. */
static int
read(const char *json, unsigned mode, json_t **out, struct al_errinfo *e)
{
    json_t *body = json_loads(json, 0, NULL);
    assert_non_null(body);
    *out = json_object();
    memset(e, 0, sizeof(*e));
    int rc = al_fields_read(body, table, mode, *out, e);
    json_decref(body);
    return rc;
}

static void
values_land_under_their_column(void **state)
{
    (void)state;
    json_t *out;
    struct al_errinfo e;
    assert_int_equal(read("{\"name\":\"  王五 \",\"note\":\"x\",\"code\":\"ab\",\"level\":2,"
                          "\"flag\":true,\"lat\":30,\"on\":\"2024-02-29\",\"kind\":\"b\","
                          "\"tags\":[\"甲\",\"乙\"],\"secret\":\"s\",\"version\":3}",
                         AL_FIELDS_CREATE, &out, &e), AL_OK);
    assert_string_equal(json_string_value(json_object_get(out, "name")), "王五"); /* trimmed */
    assert_string_equal(json_string_value(json_object_get(out, "remark")), "x");  /* column */
    assert_null(json_object_get(out, "note"));
    assert_int_equal(json_integer_value(json_object_get(out, "level")), 2);
    assert_true(json_is_integer(json_object_get(out, "flag"))); /* flags as 0/1 */
    assert_int_equal(json_integer_value(json_object_get(out, "flag")), 1);
    assert_true(json_is_real(json_object_get(out, "lat")));
    assert_string_equal(json_string_value(json_object_get(out, "on")), "2024-02-29");
    assert_int_equal(json_array_size(json_object_get(out, "tags")), 2);
    assert_null(json_object_get(out, "secret"));  /* never from a body */
    assert_null(json_object_get(out, "version")); /* not in the table: the caller's */
    json_decref(out);
}

static void
absent_null_and_empty(void **state)
{
    (void)state;
    json_t *out;
    struct al_errinfo e;
    /* Creating: a required field missing is named. */
    assert_int_equal(read("{}", AL_FIELDS_CREATE, &out, &e), AL_EINVAL);
    assert_string_equal(e.field, "name");
    assert_string_equal(e.message, "姓名不能为空");
    json_decref(out);
    /* Updating: absent is nothing; null clears a nullable field, else counts as absent. */
    assert_int_equal(read("{\"note\":null,\"level\":null,\"code\":null,\"name\":null}", 0, &out,
                         &e), AL_OK);
    assert_true(json_is_null(json_object_get(out, "remark")));
    assert_true(json_is_null(json_object_get(out, "level")));
    assert_null(json_object_get(out, "code"));
    assert_null(json_object_get(out, "name"));
    json_decref(out);
    /* "" clears a nullable text; a required one given empty is refused, also on update. */
    assert_int_equal(read("{\"note\":\"  \"}", 0, &out, &e), AL_OK);
    assert_true(json_is_null(json_object_get(out, "remark")));
    json_decref(out);
    assert_int_equal(read("{\"name\":\"\"}", 0, &out, &e), AL_EINVAL);
    assert_string_equal(e.field, "name");
    assert_string_equal(e.message, "姓名不能为空");
    json_decref(out);
}

/* Each refusal names the field and says what it should be, in Chinese with the label. */
static void
refusals_name_the_field(void **state)
{
    (void)state;
    static const struct {
        const char *body, *field, *message;
    } cases[] = {
        {"{\"name\":3}", "name", "姓名应为文本"},
        {"{\"name\":\"王五赵六钱\"}", "name", "姓名不能超过 4 个字符"},
        {"{\"name\":\"王\\u202e五\"}", "name", "姓名不能包含控制字符、换行或文字方向控制符"},
        {"{\"code\":\"abc\"}", "code", "代码应有偶数个字符"},
        {"{\"level\":5}", "level", "级别应在 1 到 4 之间"},
        {"{\"level\":\"2\"}", "level", "级别应为整数"},
        {"{\"flag\":1}", "flag", "标记应为 true 或 false"},
        {"{\"lat\":99}", "lat", "纬度应为中国境内的纬度（3 到 54）"},
        {"{\"lat\":\"30\"}", "lat", "纬度应为中国境内的纬度（3 到 54）"},
        {"{\"x\":2}", "x", "系数应在 0 到 1 之间"},
        {"{\"on\":\"2023-02-29\"}", "on", "日期格式应为 YYYY-MM-DD"},
        {"{\"kind\":\"c\"}", "kind", "类别应为 a（甲）或 b（乙）"},
        {"{\"kind2\":\"c\"}", "kind2", "类别二应为以下之一：a、b"},
        {"{\"tags\":\"甲\"}", "tags", "标签应为文本列表（最多 2 项）"},
        {"{\"tags\":[\"甲\",\"乙\",\"丙\"]}", "tags", "标签应为文本列表（最多 2 项）"},
        {"{\"tags\":[\"甲\",\"\"]}", "tags", "标签第 2 项应为非空文本（最多 3 个字符）"},
        {"{\"tags\":[\"甲乙丙丁\"]}", "tags", "标签第 1 项应为非空文本（最多 3 个字符）"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        json_t *out;
        struct al_errinfo e;
        assert_int_equal(read(cases[i].body, 0, &out, &e), AL_EINVAL);
        assert_string_equal(e.field, cases[i].field);
        assert_string_equal(e.message, cases[i].message);
        json_decref(out);
    }
}

static void
lookups(void **state)
{
    (void)state;
    assert_ptr_equal(al_field_find(table, "note"), &table[1]);
    assert_null(al_field_find(table, "remark"));
    assert_ptr_equal(al_field_by_column(table, "remark"), &table[1]);
    assert_ptr_equal(al_field_by_column(table, "name"), &table[0]);
    assert_null(al_field_by_column(table, "note"));
    assert_int_equal(al_field_find(table, "flag")->tag, 7);
}

/* RULE-FIELD-003: a form's choices taken exactly as sent, each refusal one message. */
static const char *const grades[] = {"无", "轻度", "重度", NULL};
static const struct al_field exact[] = {
    {"pain", "疼痛", AL_FT_ENUM, AL_F_EXACT, .allowed = grades, .hint = "的取值不在表单选项中"},
    {"care", "护理", AL_FT_ENUM, AL_F_EXACT | AL_F_MANY, .allowed = grades,
        .hint = "的取值不在表单选项中"},
    {"needed", "需要", AL_FT_BOOL, AL_F_EXACT, .hint = "应为是或否"},
    {"items", "项目", AL_FT_TEXTS, AL_F_EXACT, .allowed = grades, .hint = "应为列表"},
    {"notes", "备注", AL_FT_TEXT, 0, .max = 5},
    {0},
};

static int
read_exact_body(const char *text, json_t **out, struct al_errinfo *e)
{
    json_t *body = json_loads(text, 0, NULL);
    assert_non_null(body);
    *out = json_object();
    int rc = al_fields_read(body, exact, 0, *out, e);
    json_decref(body);
    return rc;
}

static void
exact_choices(void **state)
{
    (void)state;
    static const struct {
        const char *body, *field, *message;
    } refused[] = {
        {"{\"pain\": \"剧痛\"}", "pain", "疼痛的取值不在表单选项中"},
        {"{\"pain\": 1}", "pain", "疼痛的取值不在表单选项中"},
        {"{\"pain\": null}", "pain", "疼痛的取值不在表单选项中"},
        {"{\"pain\": \" 无\"}", "pain", "疼痛的取值不在表单选项中"}, /* not trimmed */
        {"{\"pain\": [\"无\"]}", "pain", "疼痛的取值不在表单选项中"}, /* one value only */
        {"{\"care\": [\"无\", \"飞\"]}", "care", "护理的取值不在表单选项中"},
        {"{\"needed\": \"yes\"}", "needed", "需要应为是或否"},
        {"{\"needed\": null}", "needed", "需要应为是或否"},
        {"{\"items\": \"无\"}", "items", "项目应为列表"},
        {"{\"items\": [\"无\", 3]}", "items", "项目第 2 项不在表单选项中"},
        {"{\"items\": [\"无\", \"飞\"]}", "items", "项目第 2 项不在表单选项中"},
    };
    for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
        json_t *out;
        struct al_errinfo e = {0};
        assert_int_equal(read_exact_body(refused[i].body, &out, &e), AL_EINVAL);
        assert_string_equal(e.field, refused[i].field);
        assert_string_equal(e.message, refused[i].message);
        json_decref(out);
    }
    json_t *out;
    struct al_errinfo e = {0};
    assert_int_equal(read_exact_body("{\"pain\": \"轻度\", \"care\": [\"无\", \"重度\"],"
                                     " \"needed\": false, \"items\": [], \"notes\": \" 好 \"}",
                         &out, &e),
        AL_OK);
    assert_string_equal(json_string_value(json_object_get(out, "pain")), "轻度");
    assert_int_equal(json_array_size(json_object_get(out, "care")), 2);
    assert_int_equal(json_integer_value(json_object_get(out, "needed")), 0); /* a flag: 0/1 */
    assert_string_equal(json_string_value(json_object_get(out, "notes")), "好");
    json_decref(out);
    assert_int_equal(read_exact_body("{\"care\": \"重度\"}", &out, &e), AL_OK); /* one of many */
    json_decref(out);
    /* Every member known, or the first one that is not. */
    json_t *body = json_pack("{s:s, s:s}", "pain", "无", "wings", "2");
    assert_string_equal(al_fields_unknown(body, exact), "wings");
    json_object_del(body, "wings");
    assert_null(al_fields_unknown(body, exact));
    json_decref(body);
}

/* ---- cells of a file (al_field_cell) ---- */

static int check_calls;

/* A check that sees its text NUL-terminated (the cell is not). */
static int
check_village(const struct al_field *f, const char *v, struct al_errinfo *e)
{
    check_calls++;
    return strlen(v) == 12 ? AL_OK : al_fail(e, AL_EINVAL, f->key, "%s%s", f->label, f->hint);
}

static const struct al_field_map grade_texts[] = {{"一级", "1"}, {"1", "1"}, {"二级", "2"}, {"2", "2"},
    {NULL, NULL}};
static const struct al_field_map cats[] = {{"特困", "tekun"}, {"特困供养", "tekun"},
    {"tekun", "tekun"}, {NULL, NULL}};

static const struct al_field cells[] = {
    {"name", "姓名", AL_FT_TEXT, AL_F_REQUIRED | AL_F_PLAIN, .max = 4},
    {"note", "备注", AL_FT_TEXT, 0, .min = 2, .max = 10},
    {"code", "区划代码", AL_FT_TEXT, AL_F_REQUIRED, .hint = "应为 12 位村（社区）代码",
        .check = check_village},
    {"size", "户内人数", AL_FT_INT, 0, .min = 1, .max = 99},
    {"on", "开始日期", AL_FT_DATE, AL_F_REQUIRED, .tag = 0},
    {"end", "结束日期", AL_FT_DATE, 0, .tag = 0},
    {"grade", "残疾等级", AL_FT_ENUM, AL_F_REQUIRED, .map = grade_texts, .hint = "应为 一级…四级 或 1–4"},
    {"cat", "类别", AL_FT_ENUM, 0, .map = cats, .hint = "应为 特困"},
    {"kind", "种类", AL_FT_ENUM, 0, .allowed = kinds},
    {"flag", "标记", AL_FT_BOOL, 0, .tag = 0},
    {0},
};

/* The result of one cell: the code, and the message (or "" when accepted). */
static int
cell(const char *key, const char *text, struct al_cell *c, char msg[160])
{
    const struct al_field *f = al_field_find(cells, key);
    assert_non_null(f);
    strcpy(msg, "");
    return al_field_cell(f, text, text ? strlen(text) : 0, c, msg, 160);
}

/* RULE-FIELD-020: one text cell, trimmed, refused with "<label>…"; length before control characters. */
static void
cells_of_text(void **state)
{
    (void)state;
    struct al_cell c;
    char msg[160];
    assert_int_equal(cell("name", " 张三\t", &c, msg), AL_OK);
    assert_int_equal(c.len, strlen("张三"));
    assert_memory_equal(c.text, "张三", c.len);
    assert_string_equal(msg, ""); /* untouched when accepted */
    static const struct {
        const char *key, *text, *message;
    } refused[] = {
        {"name", "", "姓名不能为空"},
        {"name", " \t ", "姓名不能为空"},
        {"name", NULL, "姓名不能为空"}, /* a column the file does not have */
        {"name", "一二三四五", "姓名不能超过 4 个字符"},
        {"name", "一二三四五\n", "姓名不能超过 4 个字符"}, /* length first */
        {"name", "\xff\xfe", "姓名不能超过 4 个字符"},   /* not UTF-8 */
        {"name", "王\x01五", "姓名不能包含控制字符、换行或文字方向控制符"},
        {"name", "王\xe2\x80\xae五", "姓名不能包含控制字符、换行或文字方向控制符"},
        {"note", "好", "备注至少需要 2 个字符"},
        {"code", "", "区划代码应为 12 位村（社区）代码"}, /* required with a hint */
        {"code", "52032700100", "区划代码应为 12 位村（社区）代码"},
        {"size", "0", "户内人数应为 1 到 99 的整数"},
        {"size", "100", "户内人数应为 1 到 99 的整数"},
        {"size", "5a", "户内人数应为 1 到 99 的整数"},
        {"size", "+", "户内人数应为 1 到 99 的整数"},
        {"size", "1.0", "户内人数应为 1 到 99 的整数"},
        {"size", "99999999999999999999999", "户内人数应为 1 到 99 的整数"},
        {"flag", "1", "字段标记的类型不能用于文件的单元格"},
    };
    for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
        int rc = cell(refused[i].key, refused[i].text, &c, msg);
        assert_int_equal(rc, strcmp(refused[i].key, "flag") ? AL_EINVAL : AL_EINTERNAL);
        assert_string_equal(msg, refused[i].message);
    }
    /* Empty cells of fields not required are accepted as nothing. */
    assert_int_equal(cell("note", "  ", &c, msg), AL_OK);
    assert_null(c.text);
    assert_int_equal(cell("size", "", &c, msg), AL_OK);
    assert_null(c.text);
    /* Integers as strtol reads them. */
    assert_int_equal(cell("size", "+5", &c, msg), AL_OK);
    assert_int_equal(c.num, 5);
    assert_int_equal(cell("size", "\r7", &c, msg), AL_OK);
    assert_int_equal(c.num, 7);
    /* The check sees a NUL-terminated copy of the trimmed cell; too long a cell never reaches it. */
    check_calls = 0;
    const char *row = "520327001001 ,next cell";
    struct al_cell rc;
    assert_int_equal(al_field_cell(&cells[2], row, 13, &rc, msg, sizeof(msg)), AL_OK);
    assert_int_equal(rc.len, 12);
    assert_int_equal(check_calls, 1);
    char longer[AL_CELL_CHECK_MAX + 2];
    memset(longer, '5', sizeof(longer) - 1);
    longer[sizeof(longer) - 1] = '\0';
    assert_int_equal(cell("code", longer, &c, msg), AL_EINVAL);
    assert_string_equal(msg, "区划代码应为 12 位村（社区）代码");
    assert_int_equal(check_calls, 1);
    /* A message cut to the caller's room, as snprintf does. */
    char small[8];
    assert_int_equal(al_field_cell(&cells[0], "", 0, &c, small, sizeof(small)), AL_EINVAL);
    assert_int_equal(strlen(small), 7);
}

/* RULE-FIELD-021: a map turns the texts a file may hold into values; without one, `allowed`. */
static void
cells_with_synonyms(void **state)
{
    (void)state;
    struct al_cell c;
    char msg[160];
    assert_int_equal(cell("cat", "特困供养", &c, msg), AL_OK);
    assert_string_equal(c.value, "tekun");
    assert_int_equal(cell("cat", " tekun ", &c, msg), AL_OK);
    assert_string_equal(c.value, "tekun");
    assert_int_equal(cell("grade", "一级", &c, msg), AL_OK);
    assert_string_equal(c.value, "1");
    assert_int_equal(cell("grade", "1", &c, msg), AL_OK);
    assert_string_equal(c.value, "1");
    assert_int_equal(cell("grade", "二级", &c, msg), AL_OK);
    assert_string_equal(c.value, "2");
    assert_int_equal(cell("grade", "11", &c, msg), AL_EINVAL); /* whole texts only */
    assert_string_equal(msg, "残疾等级应为 一级…四级 或 1–4");
    assert_int_equal(cell("grade", "", &c, msg), AL_EINVAL);
    assert_string_equal(msg, "残疾等级应为 一级…四级 或 1–4");
    assert_int_equal(cell("cat", "", &c, msg), AL_OK); /* not required */
    assert_null(c.value);
    assert_int_equal(cell("cat", "特", &c, msg), AL_EINVAL);
    assert_string_equal(msg, "类别应为 特困");
    assert_int_equal(cell("kind", "b", &c, msg), AL_OK);
    assert_string_equal(c.value, "b");
    assert_int_equal(cell("kind", "c", &c, msg), AL_EINVAL);
    assert_string_equal(msg, "种类应为以下之一：a、b");
}

/* RULE-FIELD-022: dates in the usual forms; "<label>无法识别：<the cell, ≤ 40 bytes>". */
static void
cells_of_dates(void **state)
{
    (void)state;
    struct al_cell c;
    char msg[160];
    static const char *const ok[][2] = {{"1949-12-31", "1949-12-31"}, {"1949/12/31", "1949-12-31"},
        {"19491231", "1949-12-31"}, {"1949年12月31日", "1949-12-31"}, {" 1949.1.2 ", "1949-01-02"},
        {"45000", "2023-03-15"}, {"45000.5", "2023-03-15"}};
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        assert_int_equal(cell("on", ok[i][0], &c, msg), AL_OK);
        assert_string_equal(c.date, ok[i][1]);
    }
    assert_int_equal(cell("on", "2023-02-30", &c, msg), AL_EINVAL);
    assert_string_equal(msg, "开始日期无法识别：2023-02-30");
    assert_int_equal(cell("on", "", &c, msg), AL_EINVAL);
    assert_string_equal(msg, "开始日期无法识别：（空）");
    assert_int_equal(cell("end", "", &c, msg), AL_OK);
    assert_string_equal(c.date, "");
    /* 15 characters of 3 bytes: the quote stops at 39 bytes, never inside a character. */
    assert_int_equal(cell("end", "一二三四五六七八九十一二三四五", &c, msg), AL_EINVAL);
    assert_string_equal(msg, "结束日期无法识别：一二三四五六七八九十一二三");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(values_land_under_their_column),
        cmocka_unit_test(absent_null_and_empty),
        cmocka_unit_test(refusals_name_the_field),
        cmocka_unit_test(lookups),
        cmocka_unit_test(exact_choices),
        cmocka_unit_test(cells_of_text),
        cmocka_unit_test(cells_with_synonyms),
        cmocka_unit_test(cells_of_dates),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
