/* Pure parts of the generator. */
#include <stdio.h>
#include <string.h>

#include "core/idcard.h"
#include "gen/gen_int.h"

uint64_t
gen_next(struct gen_rng *r)
{
    uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

uint32_t
gen_below(struct gen_rng *r, uint32_t n)
{
    return (uint32_t)(((gen_next(r) >> 32) * (uint64_t)n) >> 32);
}

bool
gen_chance(struct gen_rng *r, int per_mille)
{
    return (int)gen_below(r, 1000) < per_mille;
}

int
gen_age(struct gen_rng *r)
{
    uint32_t p = gen_below(r, 100);
    if (p < 55)
        return 60 + (int)gen_below(r, 10);
    if (p < 85)
        return 70 + (int)gen_below(r, 10);
    if (p < 98)
        return 80 + (int)gen_below(r, 10);
    return 90 + (int)gen_below(r, 16);
}

void
gen_name(struct gen_rng *r, char *out)
{
    /* Surnames by rough frequency (each 3 bytes in UTF-8). */
    static const char surnames[] = "王王王李李李张张张刘刘陈陈杨杨黄赵吴周徐孙马朱胡郭何高林罗"
                                   "郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈";
    static const char given[] = "秀英桂兰玉凤芳华明国强建军德福贵平安永生金宝珍梅春秋林海清云"
                                "文成富荣祥顺光辉志红霞淑琴翠花正义忠家和先开学中";
    size_t ns = (sizeof(surnames) - 1) / 3, ng = (sizeof(given) - 1) / 3;
    size_t o = 0;
    memcpy(out + o, surnames + 3 * gen_below(r, (uint32_t)ns), 3);
    o += 3;
    int k = gen_chance(r, 800) ? 2 : 1;
    for (int i = 0; i < k; i++, o += 3)
        memcpy(out + o, given + 3 * gen_below(r, (uint32_t)ng), 3);
    out[o] = '\0';
}

void
gen_id_number(const char *area6, const char *birth8, int seq, char out[19])
{
    snprintf(out, 19, "%.6s%.8s%03d", area6, birth8, seq % 1000);
    out[17] = al_id_check_char(out);
    out[18] = '\0';
}
