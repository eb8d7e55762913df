/*
 * Entitlement rules at scale (issue 12): 1,000,000 elders × 50 rules, single
 * thread.  Builds a synthetic packed table (facts.h), compiles 50 rules of
 * the kind the basic service list holds, evaluates every rule for every elder
 * and prints elders × rules per second, wall and CPU time, peak memory, and
 * the time of one elder's explanation (one rule, and all 50).
 *
 *   build/bench/rules [elders] [rules]       (defaults 1000000 50)
 *
 * Targets: ≥ 20 million rule evaluations per second per core; one elder's
 * explanation ≤ 1 ms.  Figures, never pass/fail.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "core/err.h"
#include "entitle/facts.h"
#include "entitle/rule.h"

static double
now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* This thread's CPU time: what an explanation costs, without the other jobs of a shared machine. */
static double
tcpu(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static double
cpu(void)
{
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return (double)u.ru_utime.tv_sec + (double)u.ru_utime.tv_usec / 1e6;
}

static int
param(void *ctx, const char *name, const char *date, struct rule_param *out)
{
    (void)ctx, (void)date;
    if (!strcmp(name, "高龄年龄"))
        return out->value = 80, out->reference = "示例省民政厅〔2026〕5 号 第二条", AL_OK;
    if (!strcmp(name, "护理等级"))
        return out->value = 2, out->reference = "示例省民政厅〔2021〕9 号 第四条", AL_OK;
    return AL_ENOTFOUND;
}

static int
item(void *ctx, const char *name, int *bit, const char **label)
{
    (void)ctx;
    static const char *const items[] = {"高龄津贴", "护理补贴", "养老服务补贴", "助餐补贴",
        "家庭养老床位", NULL};
    for (int i = 0; items[i]; i++)
        if (!strcmp(items[i], name))
            return *bit = i, *label = items[i], AL_OK;
    return AL_ENOTFOUND;
}

/* Ten shapes × five thresholds = 50 rules. */
static const char *const shapes[] = {
    "年龄 >= %d",
    "年龄 >= %d 且 经济状况 属于 [特困, 低保] 且 能力等级 >= 护理等级",
    "年龄 >= 高龄年龄 且 本地户籍 且 非 已享受 高龄津贴 且 年龄 != %d",
    "(能力等级 >= 3 或 残疾等级 <= 2) 且 经济状况 属于 [特困, 低保, 低保边缘] 且 年龄 >= %d",
    "类别 属于 [独居, 空巢, 留守] 且 年龄 >= %d 且 地区 属于 [520327, 520328]",
    "经济状况 = 特困 或 (年龄 >= %d 且 居住情况 = 独居 且 能力等级 >= 2)",
    "年龄 >= %d 且 能力等级 >= 2 且 非 已享受 家庭养老床位 且 已享受 护理补贴",
    "性别 = 女 且 年龄 >= %d 且 经济状况 != 一般 且 居住情况 不属于 [机构]",
    "年龄 属于 [%d, 100] 或 类别 = 优抚对象 或 类别 = 计生特殊家庭",
    "地区 属于 [520327001] 且 年龄 >= %d 且 (经济状况 属于 [特困, 低保] 或 能力等级 = 4)",
};

static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int
main(int argc, char **argv)
{
    size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 1000000;
    int nrules = argc > 2 ? atoi(argv[2]) : 50;
    if (nrules < 1 || nrules > 50 || n < 1) {
        fprintf(stderr, "usage: rules [elders] [rules ≤ 50]\n");
        return 2;
    }
    struct rule_facts f;
    facts_init(&f, 64);
    double t0 = now();
    if (facts_reserve(&f, n) != AL_OK)
        return 1;
    srand(12);
    for (size_t i = 0; i < n; i++) {
        int y = 1920 + rand() % 46, m = 1 + rand() % 12, d = 1 + rand() % 28;
        int r = rand();
        struct facts_row row = {.id = (int64_t)i + 1, .birth = y * 10000 + m * 100 + d,
            .region = INT64_C(520327000000) + (r % 3) * 1000000 + (r % 200) * 1000 + 1,
            .hukou = r % 7 ? INT64_C(520327001001) : 0, .categories = (uint16_t)(rand() % 512),
            .ability = (int8_t)(rand() % 6 - 1), .economic = (int8_t)(rand() % 5),
            .disability = (int8_t)(rand() % 5), .living = (int8_t)(rand() % 6 - 1),
            .sex = (int8_t)(rand() % 2)};
        facts_add(&f, &row);
        if (r % 5 == 0)
            facts_set_receives(&f, i, r % 4);
    }
    double t_build = now() - t0;

    struct al_arena a;
    al_arena_init(&a, 1 << 16);
    struct rule_env env = {.date = "2026-12-02", .region = "520327", .param = param,
        .item = item, .item_bits = 64};
    struct rule *rules[50];
    t0 = now();
    for (int k = 0; k < nrules; k++) {
        char text[512];
        const char *shape = shapes[k % 10], *hole = strstr(shape, "%d");
        snprintf(text, sizeof(text), "%.*s%d%s", (int)(hole - shape), shape,
            60 + (k / 10) * 5, hole + 2);
        struct rule_error err;
        if (rule_compile(&a, text, strlen(text), &env, &rules[k], &err) != AL_OK) {
            fprintf(stderr, "rule %d: %s\n", k, err.message);
            return 1;
        }
    }
    double t_compile = now() - t0;

    /* Every rule for every elder, a slice of 4096 elders at a time (as a run stores them). */
    enum { SLICE = 4096 };
    uint64_t bits[SLICE / 64];
    uint64_t eligible = 0;
    double w0 = now(), c0 = cpu();
    for (size_t from = 0; from < n; from += SLICE) {
        size_t m = n - from < SLICE ? n - from : SLICE;
        for (int k = 0; k < nrules; k++) {
            rule_eval(rules[k], &f, from, m, bits);
            for (size_t w = 0; w < (m + 63) / 64; w++)
                eligible += (uint64_t)__builtin_popcountll(bits[w]);
        }
    }
    double wall = now() - w0, cpu_s = cpu() - c0;
    double evals = (double)n * nrules;

    /* Explanations: one elder × one rule, and one elder × all rules, over 1000 elders. */
    struct al_arena x;
    al_arena_init(&x, 1 << 16);
    double worst1 = 0, worst_all = 0, sum_all = 0;
    static double all[1000];
    int samples = n < 1000 ? (int)n : 1000;
    for (int s = 0; s < samples; s++) {
        size_t row = (size_t)s * (n / (size_t)samples);
        double e0 = tcpu();
        for (int k = 0; k < nrules; k++) {
            double e1 = tcpu();
            struct rule_explanation ex;
            rule_explain(&x, rules[k], &f, row, &ex);
            double d1 = tcpu() - e1;
            if (d1 > worst1)
                worst1 = d1;
        }
        double dall = tcpu() - e0;
        all[s] = dall;
        sum_all += dall;
        if (dall > worst_all)
            worst_all = dall;
        al_arena_reset(&x);
    }
    qsort(all, (size_t)samples, sizeof(all[0]), cmp_double);
    double p99 = all[samples * 99 / 100 < samples ? samples * 99 / 100 : samples - 1];
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);

    printf("entitlement rules: %zu elders × %d rules (single thread)\n", n, nrules);
    printf("  facts table built        %8.3f s  (%.1f bytes per elder)\n", t_build,
        (double)(8 + 4 + 8 + 8 + 2 + 5 + 8 * f.item_words));
    printf("  %d rules compiled        %8.3f ms\n", nrules, t_compile * 1e3);
    printf("  evaluation wall          %8.3f s   cpu %.3f s\n", wall, cpu_s);
    printf("  rule evaluations / s     %8.1f M wall, %.1f M per CPU second"
           " (target ≥ 20 M per core: %.1f×)\n",
        evals / wall / 1e6, evals / cpu_s / 1e6, evals / wall / 20e6);
    printf("  eligible (elder, rule)   %llu of %.0f\n", (unsigned long long)eligible, evals);
    printf("  explanation (thread CPU), 1 rule    worst %.3f ms (1 elder × 1 rule)\n",
        worst1 * 1e3);
    printf("  explanation (thread CPU), %d rules  mean %.3f ms, p99 %.3f ms, worst %.3f ms"
           " (target ≤ 1 ms)\n", nrules, sum_all / samples * 1e3, p99 * 1e3, worst_all * 1e3);
    printf("  peak memory (maxrss)     %8.1f MB\n", (double)u.ru_maxrss / 1024.0);
    al_arena_fini(&x);
    al_arena_fini(&a);
    facts_fini(&f);
    return 0;
}
