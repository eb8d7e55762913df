/*
 * Citizen ID numbers (公民身份号码, GB 11643-1999).  Pure functions: no I/O.
 *
 * RULE-ID-001  18 characters: 6-digit address code, birth date YYYYMMDD, 3-digit
 *              sequence, check character per ISO 7064 MOD 11-2.
 * RULE-ID-002  Input is normalised first: surrounding spaces removed, full-width
 *              digits and Ｘ/ｘ made ASCII, lowercase x made X.
 * RULE-ID-003  A 15-digit number (before 1999) is converted: "19" inserted before the
 *              two-digit year and the check character computed.
 * RULE-ID-004  The birth date must be a real calendar date, not after `today`
 *              (and not before 1870-01-01).
 * RULE-ID-005  The address code is not checked against the current division list
 *              (codes are abolished over time; old numbers stay valid).
 * RULE-ID-006  Sex: the 17th character is odd for male, even for female.
 * RULE-ID-007  Shown masked as the first 6 characters and the check character with 11 '*'
 *              between (RULE-PII-001: the birth date and the sequence stay hidden).
 */
#ifndef AL_IDCARD_H
#define AL_IDCARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum al_id_status {
    AL_ID_OK = 0,
    AL_ID_EMPTY,
    AL_ID_LENGTH,     /* not 15 or 18 characters */
    AL_ID_CHARS,      /* other than digits (and a final X) */
    AL_ID_DATE,       /* birth date not a real date, or in the future */
    AL_ID_CHECKSUM,   /* check character wrong */
};

struct al_id {
    char number[19];     /* normalised 18-character number */
    char birth_date[11]; /* YYYY-MM-DD */
    char sex;            /* 'M' or 'F' */
    bool converted;      /* came in as a 15-digit number */
};

/*
 * Normalise and validate `in` (`len` bytes, UTF-8).  `today` is "YYYY-MM-DD".
 * Fills `out` and returns AL_ID_OK, or the reason it is not a valid number.
 */
enum al_id_status al_id_parse(const char *in, size_t len, const char *today, struct al_id *out);

/* The check character for the first 17 digits. */
char al_id_check_char(const char digits17[17]);

/* Chinese explanation of a status, naming the problem. */
const char *al_id_status_message(enum al_id_status st);

/* "520327***********4" (19 bytes incl. NUL) from an 18-character number (RULE-PII-001). */
void al_id_mask(const char number[18], char out[19]);

/*
 * RULE-ID-008: NULL when `phone` is an 11-digit mobile number (1[3-9]…) or a
 * landline starting with 0 (7–12 digits, '-' allowed); otherwise the Chinese reason.
 */
const char *al_phone_problem(const char *phone);

/*
 * Phone masked as 138****5678 (RULE-PII-002: the first 3 and last 4 digits of 11 or more;
 * of a shorter landline the last 4, or 2, so that four digits stay unknown); `out` ≥ len+1.
 */
void al_phone_mask(const char *phone, char *out, size_t out_size);

/* Age in whole years on `today` ("YYYY-MM-DD") of someone born on `birth`. */
int al_age_on(const char *birth, const char *today);

/* Today's date in China Standard Time as "YYYY-MM-DD" (reads the clock: a request has r->today). */
void al_today_cst(char out[11]);
/* The date in China Standard Time (UTC+8) at `unix_s`, as "YYYY-MM-DD". */
void al_date_cst(int64_t unix_s, char out[11]);

/* True when "YYYY-MM-DD" names a real date. */
bool al_date_valid(const char *s);

/*
 * RULE-IMPORT-002, RULE-FIELD-022: a date in any of the usual forms of a file's cell
 * (1949-12-31, 1949/12/31, 1949.12.31, 19491231, 1949年12月31日, Excel serial day numbers,
 * a serial with a time of day) as "YYYY-MM-DD" in `out`.  False when it is not a real date
 * between 1870 and 2100.  `s` need not be NUL-terminated.
 */
bool al_date_lenient(const char *s, size_t len, char out[11]);

#endif
