/* The packed table of elder facts (facts.h): storage and parsing. */
#include <string.h>

#include "entitle/facts.h"

const char *const facts_economic_values[] = {"tekun", "dibao", "dibao_edge", "low_income",
    "general", NULL};
const char *const facts_living_values[] = {"alone", "spouse_only", "with_children",
    "with_others", "institution", NULL};
/* The same order as elder_category_ids in src/elder/elder_logic.c (a unit test checks). */
const char *const facts_category_ids[] = {"advanced_age", "living_alone", "empty_nest",
    "left_behind", "disabled", "severe_disability", "fp_special", "economic_difficulty",
    "entitled", NULL};

enum { C_ID, C_BIRTH, C_REGION, C_HUKOU, C_CATS, C_ABILITY, C_ECON, C_DIS, C_LIVING, C_SEX,
    C_RECV };

static void
bind(struct rule_facts *f)
{
    f->id = f->cols[C_ID].p;
    f->birth = f->cols[C_BIRTH].p;
    f->region = f->cols[C_REGION].p;
    f->hukou = f->cols[C_HUKOU].p;
    f->categories = f->cols[C_CATS].p;
    f->ability = f->cols[C_ABILITY].p;
    f->economic = f->cols[C_ECON].p;
    f->disability = f->cols[C_DIS].p;
    f->living = f->cols[C_LIVING].p;
    f->sex = f->cols[C_SEX].p;
    f->receives = f->cols[C_RECV].p;
}

void
facts_init(struct rule_facts *f, int item_bits)
{
    static const size_t sizes[11] = {8, 4, 8, 8, 2, 1, 1, 1, 1, 1, 8};
    memset(f, 0, sizeof(*f));
    f->item_words = item_bits > 0 ? (item_bits + 63) / 64 : 1;
    for (int i = 0; i < 11; i++)
        al_vec_init(&f->cols[i], sizes[i]);
    f->cols[C_RECV].size = 8 * (size_t)f->item_words;
}

void
facts_fini(struct rule_facts *f)
{
    for (int i = 0; i < 11; i++)
        al_vec_fini(&f->cols[i]);
    bind(f);
    f->n = 0;
}

int
facts_reserve(struct rule_facts *f, size_t n)
{
    for (int i = 0; i < 11; i++) {
        size_t keep = f->cols[i].n;
        if (!al_vec_zeroed(&f->cols[i], n))
            return AL_EINTERNAL;
        f->cols[i].n = keep; /* room only: rows count through f->n */
    }
    bind(f);
    return AL_OK;
}

int64_t
facts_add(struct rule_facts *f, const struct facts_row *r)
{
    size_t i = f->n;
    for (int c = 0; c < 11; c++)
        if (!al_vec_zeroed(&f->cols[c], i + 1))
            return -1;
    bind(f);
    f->id[i] = r->id;
    f->birth[i] = r->birth;
    f->region[i] = r->region;
    f->hukou[i] = r->hukou;
    f->categories[i] = r->categories;
    f->ability[i] = r->ability;
    f->economic[i] = r->economic;
    f->disability[i] = r->disability;
    f->living[i] = r->living;
    f->sex[i] = r->sex;
    f->n = i + 1;
    return (int64_t)i;
}

int64_t
facts_find(const struct rule_facts *f, int64_t id)
{
    size_t lo = 0, hi = f->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (f->id[mid] < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < f->n && f->id[lo] == id ? (int64_t)lo : -1;
}

void
facts_set_receives(struct rule_facts *f, size_t row, int bit)
{
    if (row >= f->n || bit < 0 || bit >= 64 * f->item_words)
        return;
    f->receives[row * (size_t)f->item_words + (size_t)bit / 64] |= UINT64_C(1) << (bit % 64);
}

bool
facts_receives(const struct rule_facts *f, size_t row, int bit)
{
    if (row >= f->n || bit < 0 || bit >= 64 * f->item_words)
        return false;
    return f->receives[row * (size_t)f->item_words + (size_t)bit / 64] >> (bit % 64) & 1;
}

static int
digits(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

int32_t
facts_parse_date(const char *s)
{
    if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return 0;
    int y = digits(s, 4), m = digits(s + 5, 2), d = digits(s + 8, 2);
    if (y < 1800 || m < 1 || m > 12 || d < 1 || d > 31)
        return 0;
    return y * 10000 + m * 100 + d;
}

int64_t
facts_parse_region(const char *s)
{
    if (!s || strlen(s) != 12)
        return 0;
    int64_t v = 0;
    for (int i = 0; i < 12; i++) {
        if (s[i] < '0' || s[i] > '9')
            return 0;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

int
facts_index(const char *const *values, const char *s)
{
    if (!s)
        return FACTS_UNKNOWN;
    for (int i = 0; values[i]; i++)
        if (strcmp(values[i], s) == 0)
            return i;
    return FACTS_UNKNOWN;
}
