/*
 * Eligibility rules typed by officers (src/entitle/rule_*.c): rule_compile on
 * any bytes, then evaluation and explanation over a small table of elders.
 *
 * Checked: a refused text has AL_EINVAL, a column inside the text (1 .. its
 * characters + 1) and a UTF-8 message naming it; a compiled rule's normalised
 * text compiles again to the same text (RULE-EXPR-004) with the same answers;
 * rule_eval, rule_eval_one and rule_explain agree on every elder; explanation
 * sentences are UTF-8.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/text.h"
#include "entitle/facts.h"
#include "entitle/rule.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(int ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "fuzz_rule: %s\n", what);
        abort();
    }
}

static int
param(void *ctx, const char *name, const char *date, struct rule_param *out)
{
    (void)ctx, (void)date;
    if (!strcmp(name, "高龄年龄") || !strcmp(name, "age80")) {
        out->value = 80;
        out->reference = "示例文件 第三条";
        return AL_OK;
    }
    if (!strcmp(name, "大数"))
        return out->value = 1000, AL_OK;
    return AL_ENOTFOUND;
}

static int
item(void *ctx, const char *name, int *bit, const char **label)
{
    (void)ctx;
    if (!strcmp(name, "高龄津贴") || !strcmp(name, "allowance")) {
        *bit = 3;
        *label = "高龄津贴";
        return AL_OK;
    }
    if (!strcmp(name, "护理补贴")) {
        *bit = 70;
        *label = "护理补贴";
        return AL_OK;
    }
    return AL_ENOTFOUND;
}

static struct rule_facts facts;

static void
setup(void)
{
    facts_init(&facts, 128);
    for (int i = 0; i < 70; i++) {
        struct facts_row r = {.id = i + 1, .birth = 19200101 + (i % 50) * 10000 + (i % 12) * 100,
            .region = INT64_C(520327001001) + (i % 3) * 1000000,
            .hukou = i % 4 ? INT64_C(520327001001) : 0, .categories = (uint16_t)(i * 37 % 512),
            .ability = (int8_t)(i % 6 - 1), .economic = (int8_t)(i % 5),
            .disability = (int8_t)(i % 5), .living = (int8_t)(i % 6 - 1), .sex = (int8_t)(i % 2)};
        facts_add(&facts, &r);
        if (i % 3 == 0)
            facts_set_receives(&facts, (size_t)i, i % 2 ? 3 : 70);
    }
}

static size_t
chars(const uint8_t *p, size_t n)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++)
        c += (p[i] & 0xC0) != 0x80;
    return c;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct al_arena a;
    static int ready;
    if (!ready) {
        al_arena_init(&a, 1 << 16);
        setup();
        ready = 1;
    }
    al_arena_reset(&a);
    struct rule_env env = {.date = "2026-12-02", .region = size % 2 ? "520327" : NULL,
        .param = param, .item = item, .item_bits = 128};
    struct rule *r = NULL;
    struct rule_error err;
    int rc = rule_compile(&a, (const char *)data, size, &env, &r, &err);
    if (rc != AL_OK) {
        check(rc == AL_EINVAL, "refused with something other than AL_EINVAL");
        check(r == NULL, "a refused rule was returned");
        check(err.column >= 1 && (size > RULE_TEXT_MAX ||
                                     (size_t)err.column <= chars(data, size) + 1),
            "error column outside the text");
        check(al_text_is_utf8(err.message, strlen(err.message)), "message is not UTF-8");
        check(strncmp(err.message, "第 ", 4) == 0, "message does not name the position");
        return 0;
    }
    const char *text = rule_text(r);
    struct rule *again = NULL;
    check(rule_compile(&a, text, strlen(text), &env, &again, &err) == AL_OK,
        "normalised text does not compile");
    check(strcmp(rule_text(again), text) == 0, "normalised text is not stable");

    uint64_t bits[2], bits2[2];
    rule_eval(r, &facts, 0, facts.n, bits);
    rule_eval(again, &facts, 0, facts.n, bits2);
    check(bits[1] >> (facts.n - 64) == 0, "bits past the rows");
    for (size_t i = 0; i < facts.n; i++) {
        bool b = bits[i / 64] >> (i % 64) & 1;
        check(b == (bool)(bits2[i / 64] >> (i % 64) & 1), "normalised rule answers differently");
        check(b == rule_eval_one(r, &facts, i), "rule_eval and rule_eval_one differ");
        if (i % 7)
            continue;
        struct rule_explanation x;
        rule_explain(&a, r, &facts, i, &x);
        check(x.eligible == b, "explanation disagrees with the evaluation");
        check(x.eligible == (x.nmissing == 0), "missing conditions of an eligible elder");
        check(al_text_is_utf8(x.root->sentence, strlen(x.root->sentence)), "sentence not UTF-8");
        if (i == 0) {
            json_t *j = rule_explanation_json(&x);
            check(j != NULL, "no JSON");
            json_decref(j);
        }
    }
    return 0;
}
