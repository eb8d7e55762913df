#include "core/idcard.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const int weights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};

char
al_id_check_char(const char digits17[17])
{
    int s = 0;
    for (int i = 0; i < 17; i++)
        s += (digits17[i] - '0') * weights[i];
    return "10X98765432"[s % 11];
}

static bool
leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static bool
ymd_valid(int y, int m, int d)
{
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1 || m < 1 || m > 12 || d < 1)
        return false;
    int dim = mdays[m - 1] + (m == 2 && leap(y));
    return d <= dim;
}

bool
al_date_valid(const char *s)
{
    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return false;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
            return false;
    int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    int m = (s[5] - '0') * 10 + (s[6] - '0');
    int d = (s[8] - '0') * 10 + (s[9] - '0');
    return ymd_valid(y, m, d);
}

/*
 * RULE-ID-002: copy `in` into `out` as ASCII, dropping spaces.  Returns 0,
 * AL_ID_CHARS for another character or AL_ID_LENGTH when it does not fit.
 */
static int
normalise(const char *in, size_t len, char *out, size_t cap, size_t *n_out)
{
    size_t n = 0;
    for (size_t i = 0; i < len;) {
        unsigned char c = (unsigned char)in[i];
        char a;
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
            i++;
            continue;
        }
        if (c < 0x80) {
            a = (char)c;
            i++;
        } else if (c == 0xEF && i + 2 < len && (unsigned char)in[i + 1] == 0xBC &&
                   (unsigned char)in[i + 2] >= 0x90 && (unsigned char)in[i + 2] <= 0x99) {
            a = (char)('0' + ((unsigned char)in[i + 2] - 0x90)); /* ０–９ U+FF10–FF19 */
            i += 3;
        } else if (c == 0xEF && i + 2 < len && (unsigned char)in[i + 1] == 0xBC &&
                   (unsigned char)in[i + 2] == 0xB8) {
            a = 'X'; /* Ｘ U+FF38 */
            i += 3;
        } else if (c == 0xEF && i + 2 < len && (unsigned char)in[i + 1] == 0xBD &&
                   (unsigned char)in[i + 2] == 0x98) {
            a = 'X'; /* ｘ U+FF58 */
            i += 3;
        } else if (c == 0xE3 && i + 2 < len && (unsigned char)in[i + 1] == 0x80 &&
                   (unsigned char)in[i + 2] == 0x80) {
            i += 3; /* ideographic space U+3000 */
            continue;
        } else {
            return AL_ID_CHARS;
        }
        if (a == 'x')
            a = 'X';
        if (n + 1 >= cap)
            return AL_ID_LENGTH;
        out[n++] = a;
    }
    out[n] = '\0';
    *n_out = n;
    return 0;
}

enum al_id_status
al_id_parse(const char *in, size_t len, const char *today, struct al_id *out)
{
    char buf[24];
    size_t n = 0;
    memset(out, 0, sizeof(*out));
    int bad = normalise(in, len, buf, sizeof(buf), &n);
    if (bad)
        return (enum al_id_status)bad;
    if (n == 0)
        return AL_ID_EMPTY;
    if (n != 15 && n != 18)
        return AL_ID_LENGTH;
    for (size_t i = 0; i < n; i++) {
        bool last = (i == n - 1) && n == 18;
        if (!(buf[i] >= '0' && buf[i] <= '9') && !(last && buf[i] == 'X'))
            return AL_ID_CHARS;
    }
    if (n == 15) {
        /* RULE-ID-003 */
        memcpy(out->number, buf, 6);
        memcpy(out->number + 6, "19", 2);
        memcpy(out->number + 8, buf + 6, 9);
        out->number[17] = al_id_check_char(out->number);
        out->converted = true;
    } else {
        memcpy(out->number, buf, 18);
    }
    out->number[18] = '\0';
    /* RULE-ID-004 */
    snprintf(out->birth_date, sizeof(out->birth_date), "%.4s-%.2s-%.2s", out->number + 6,
        out->number + 10, out->number + 12);
    if (!al_date_valid(out->birth_date) || strcmp(out->birth_date, "1870-01-01") < 0 ||
        (today && strcmp(out->birth_date, today) > 0))
        return AL_ID_DATE;
    /* RULE-ID-001 */
    if (n == 18 && al_id_check_char(out->number) != out->number[17])
        return AL_ID_CHECKSUM;
    /* RULE-ID-006 */
    out->sex = ((out->number[16] - '0') % 2) ? 'M' : 'F';
    return AL_ID_OK;
}

const char *
al_id_status_message(enum al_id_status st)
{
    switch (st) {
    case AL_ID_OK: return "身份证号有效";
    case AL_ID_EMPTY: return "身份证号不能为空";
    case AL_ID_LENGTH: return "身份证号应为 18 位（或旧的 15 位）";
    case AL_ID_CHARS: return "身份证号只能包含数字，最后一位可以是 X";
    case AL_ID_DATE: return "身份证号中的出生日期无效";
    case AL_ID_CHECKSUM: return "身份证号校验位不正确，请核对";
    }
    return "身份证号无效";
}

void
al_id_mask(const char number[18], char out[19])
{
    /* RULE-ID-007, RULE-PII-001: the address code and the check character only. */
    memcpy(out, number, 6);
    memset(out + 6, '*', 11);
    out[17] = number[17];
    out[18] = '\0';
}

void
al_phone_mask(const char *phone, char *out, size_t out_size)
{
    /*
     * RULE-PII-002: at least four unknown digits stay hidden.  11 digits and more keep
     * the first 3 and the last 4 (10^4 candidates); shorter landlines keep the last 4
     * only, or the last 2 when that would hide fewer than four digits besides the
     * leading 0 every landline has.
     */
    size_t n = strlen(phone), digits = 0;
    if (out_size == 0)
        return;
    if (n + 1 > out_size)
        n = out_size - 1;
    for (size_t i = 0; i < n; i++)
        digits += phone[i] >= '0' && phone[i] <= '9';
    size_t head = digits >= 11 ? 3 : 0;
    size_t known0 = head == 0 && phone[0] == '0';
    size_t tail = digits >= head + 4 + known0 + 4 ? 4 : 2;
    size_t seen = 0;
    for (size_t i = 0; i < n; i++) {
        bool digit = phone[i] >= '0' && phone[i] <= '9';
        bool keep = !digit || seen < head || seen + tail >= digits;
        out[i] = keep ? phone[i] : '*';
        seen += digit;
    }
    out[n] = '\0';
}

int
al_age_on(const char *birth, const char *today)
{
    /* Both strictly YYYY-MM-DD (what the records hold); anything else is -1. */
    int v[6];
    const char *d[2] = {birth, today};
    for (int k = 0; k < 2; k++) {
        const char *p = d[k];
        for (int i = 0; i < 10; i++)
            if (i == 4 || i == 7 ? p[i] != '-' : (p[i] < '0' || p[i] > '9'))
                return -1;
        if (p[10])
            return -1;
        v[3 * k] = (p[0] - '0') * 1000 + (p[1] - '0') * 100 + (p[2] - '0') * 10 + (p[3] - '0');
        v[3 * k + 1] = (p[5] - '0') * 10 + (p[6] - '0');
        v[3 * k + 2] = (p[8] - '0') * 10 + (p[9] - '0');
    }
    int age = v[3] - v[0];
    if (v[4] < v[1] || (v[4] == v[1] && v[5] < v[2]))
        age--;
    return age;
}

void
al_date_cst(int64_t unix_s, char out[11])
{
    time_t t = (time_t)unix_s + 8 * 3600;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 11, "%Y-%m-%d", &tm);
}

void
al_today_cst(char out[11])
{
    al_date_cst((int64_t)time(NULL), out);
}

/* RULE-ID-008: a phone is an 11-digit mobile (1[3-9]…) or a landline of digits and '-'. */
const char *
al_phone_problem(const char *phone)
{
    size_t n = strlen(phone), digits = 0;
    for (const char *p = phone; *p; p++) {
        if (*p >= '0' && *p <= '9')
            digits++;
        else if (*p != '-')
            return "电话号码只能包含数字和连字符";
    }
    if (n == 11 && digits == 11 && phone[0] == '1')
        return phone[1] >= '3' ? NULL : "手机号码格式不正确";
    if (digits >= 7 && digits <= 12 && phone[0] == '0')
        return NULL;
    return "电话号码应为 11 位手机号或带区号的固定电话";
}

/* ---- lenient dates (RULE-IMPORT-002, RULE-FIELD-022) ---- */

/* Civil date from days since 1970-01-01 (Howard Hinnant's algorithm). */
static void
civil_from_days(long z, int *y, int *m, int *d)
{
    z += 719468;
    long era = (z >= 0 ? z : z - 146096) / 146097;
    long doe = z - era * 146097;
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long yy = yoe + era * 400;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yy + (*m <= 2));
}

bool
al_date_lenient(const char *s, size_t len, char out[11])
{
    char buf[40];
    size_t n = 0;
    /* RULE-IMPORT-003: a serial with a time of day (45000.5) is that day. */
    size_t whole = 0, frac = 0;
    while (whole < len && s[whole] >= '0' && s[whole] <= '9')
        whole++;
    while (whole + 1 + frac < len && s[whole + 1 + frac] >= '0' && s[whole + 1 + frac] <= '9')
        frac++;
    if (whole >= 1 && whole <= 5 && whole < len && s[whole] == '.' && frac &&
        whole + 1 + frac == len)
        len = whole;
    /* Trim, and turn 年/月 and . / into '-', dropping 日. */
    for (size_t i = 0; i < len && n + 1 < sizeof(buf); i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == ' ' || c == '\t')
            continue;
        if (c == 0xE5 && i + 2 < len && (unsigned char)s[i + 1] == 0xB9 &&
            (unsigned char)s[i + 2] == 0xB4) { /* 年 */
            buf[n++] = '-';
            i += 2;
        } else if (c == 0xE6 && i + 2 < len && (unsigned char)s[i + 1] == 0x9C &&
                   (unsigned char)s[i + 2] == 0x88) { /* 月 */
            buf[n++] = '-';
            i += 2;
        } else if (c == 0xE6 && i + 2 < len && (unsigned char)s[i + 1] == 0x97 &&
                   (unsigned char)s[i + 2] == 0xA5) { /* 日 */
            i += 2;
        } else if (c == '/' || c == '.') {
            buf[n++] = '-';
        } else if ((c >= '0' && c <= '9') || c == '-') {
            buf[n++] = (char)c;
        } else {
            return false;
        }
    }
    buf[n] = '\0';
    /* The common form YYYY-MM-DD is already what is written: no sscanf, no snprintf. */
    if (n == 10 && buf[4] == '-' && buf[7] == '-' && strspn(buf, "0123456789") == 4 &&
        strspn(buf + 5, "0123456789") == 2 && strspn(buf + 8, "0123456789") == 2) {
        if (memcmp(buf, "1870", 4) < 0 || memcmp(buf, "2100", 4) > 0)
            return false;
        memcpy(out, buf, 11);
        return al_date_valid(out);
    }
    int y, m, d;
    char tail;
    if (n == 8 && strspn(buf, "0123456789") == 8) {
        y = atoi((char[]){buf[0], buf[1], buf[2], buf[3], 0});
        m = atoi((char[]){buf[4], buf[5], 0});
        d = atoi((char[]){buf[6], buf[7], 0});
    } else if (n >= 1 && n <= 5 && strspn(buf, "0123456789") == n) {
        /* RULE-IMPORT-003: Excel serial day (1900 system; 60 is the phantom 1900-02-29). */
        long serial = atol(buf);
        if (serial < 61)
            return false;
        civil_from_days(serial - 25569, &y, &m, &d);
    } else if (sscanf(buf, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3) {
        return false;
    }
    if (y < 1870 || y > 2100)
        return false;
    snprintf(out, 11, "%04d-%02d-%02d", y, m, d);
    return al_date_valid(out);
}
