/*
 * Request bodies checked from a table, in the spirit of nginx's command tables:
 * a module describes the fields it accepts once, as a static array of
 * `struct al_field`, and one function reads a JSON body against it.  Every
 * failure is AL_EINVAL (or what a checker returns) with the one error shape:
 * `e->field` is the field's key and the message is Chinese, naming its label.
 *
 *     static const struct al_field user_fields[] = {
 *         {"name",  "姓名", AL_FT_TEXT, AL_F_REQUIRED | AL_F_PLAIN, .min = 1, .max = 32},
 *         {"level", "级别", AL_FT_INT, 0, .min = 1, .max = 4},
 *         {"kind",  "类别", AL_FT_ENUM, 0, .allowed = kinds, .hint = "应为 a（甲）或 b（乙）"},
 *         {0},
 *     };
 *     json_t *set = json_object();
 *     int rc = al_fields_read(body, user_fields, creating ? AL_FIELDS_CREATE : 0, set, &r->err);
 *
 * What lands in `out` (under the field's `column`, or its key when `column`
 * is NULL), for each field the body holds:
 *   TEXT   the text trimmed of surrounding spaces and tabs; "" becomes null when
 *          the field is AL_F_NULLABLE
 *   INT    the integer;  BOOL  0 or 1 (an integer, as the database stores flags)
 *   REAL   the number as a real;  DATE  the "YYYY-MM-DD" text;  ENUM  the text
 *   TEXTS  a copy of the array of texts
 * A member that is null clears the field (null in `out`) when it is
 * AL_F_NULLABLE; otherwise null counts as absent (absent → nothing in `out`).
 * Members the table does not name, and fields marked AL_F_NOINPUT, are left
 * alone: the caller reads them (a `version`, say) or they are not for requests.
 *
 * Cross-field rules (a sex that must agree with an ID number, a region that
 * must exist in the database) stay in the module's code after the table is read.
 *
 * For a module adopting it: one static table per body (or one per record, with
 * `column` naming where each value goes and `tag` carrying the module's own
 * flags — src/elder/elder_logic.c's elder_fields is the example: the same
 * table gives the store its columns and history its masking).  Messages are
 * "<label><what is wrong>", so labels are the words a user knows from the
 * form.  Rows of a file are text cells: al_field_cell (below) checks one cell
 * against an entry of the same kind of table, without stopping a row at its
 * first refusal (src/import/import_logic.c's hukou_cells … legacy_cells).
 */
#ifndef AL_FIELDS_H
#define AL_FIELDS_H

#include <jansson.h>
#include <stdint.h>

#include "core/err.h"

enum al_field_type {
    AL_FT_TEXT = 1, /* text of min..max characters (UTF-8 code points; max 0: no limit) */
    AL_FT_INT,      /* integer within [min, max] */
    AL_FT_BOOL,     /* true or false */
    AL_FT_REAL,     /* number within [lo, hi] */
    AL_FT_DATE,     /* "YYYY-MM-DD", a real date */
    AL_FT_ENUM,     /* one of `allowed` */
    AL_FT_TEXTS,    /* array of at most `max` texts, each 1..item_max characters */
};

enum al_field_flags {
    AL_F_REQUIRED = 1 << 0, /* with AL_FIELDS_CREATE: missing, null or "" is an error */
    AL_F_PLAIN = 1 << 1,    /* one line of plain text (al_text_is_plain, RULE-PII-005) */
    AL_F_NULLABLE = 1 << 2, /* null (or "" for a text) clears the field */
    AL_F_NOINPUT = 1 << 3,  /* never read from a body (written by imports or derived) */
    /*
     * RULE-FIELD-003: a member given must be exactly right, as a form's choice is: a BOOL, an
     * ENUM or a TEXTS taken as sent (texts not trimmed), and null, a wrong type or a value not
     * allowed refused with ONE message, label + hint.  A TEXTS item not in `allowed` is "<label>
     * 第 N 项不在表单选项中".  Other types do not take it.
     */
    AL_F_EXACT = 1 << 4,
    AL_F_MANY = 1 << 5, /* with AL_F_EXACT, an ENUM: one allowed value or an array of them */
};

/* Modes of al_fields_read. */
enum { AL_FIELDS_CREATE = 1 /* a new record: AL_F_REQUIRED fields must be there */ };

struct al_errinfo;

/*
 * RULE-FIELD-021: a text a file's cell may hold for a field and the value it stands for
 * ({"特困供养", "tekun"}, {"一级", "1"}); a list ends with {NULL}.  Read by al_field_cell.
 */
struct al_field_map {
    const char *text;
    const char *value;
};

struct al_field {
    const char *key;   /* member of the JSON body; NULL ends the table */
    const char *label; /* Chinese name, the subject of every message ("姓名不能为空") */
    int type;          /* enum al_field_type */
    unsigned flags;    /* enum al_field_flags */
    int64_t min, max;  /* TEXT: characters; INT: value; TEXTS: max items */
    double lo, hi;     /* REAL: range */
    int item_max;      /* TEXTS: characters of one item */
    const char *const *allowed; /* ENUM (TEXTS with AL_F_EXACT): the values, NULL-terminated */
    /*
     * What the value should be, after the label, in the message when an ENUM,
     * DATE or REAL value is refused ("应为 M（男）或 F（女）").  NULL: a
     * generic text ("应为以下之一：…", "格式应为 YYYY-MM-DD", "应在 lo 到 hi 之间").
     */
    const char *hint;
    /*
     * A further check of a TEXT value that passed the table (a phone's digits,
     * a region code's length): AL_OK, or an error filled with al_fail naming
     * f->key.  NULL: none.
     */
    int (*check)(const struct al_field *f, const char *value, struct al_errinfo *e);
    const char *column; /* key of the value in `out` (a database column); NULL: `key` */
    unsigned tag;       /* the module's own flags (evidence, masking …); core never reads it */
    /* ENUM read from a cell (al_field_cell): the accepted texts, in place of `allowed`. */
    const struct al_field_map *map;
};

/*
 * Read the fields of `table` present in `body` into `out` (see above), in
 * table order; `mode` is 0 or AL_FIELDS_CREATE.  Returns AL_OK, or the first
 * failure: AL_EINVAL (or a checker's code) with `e` naming the field.  `body`
 * may get a trimmed text in place of a member.  On failure `out` may hold the
 * fields read before the failing one.  Values are new jansson values (from the
 * request arena while one is installed, see core/json.h).
 */
int al_fields_read(json_t *body, const struct al_field *table, unsigned mode, json_t *out,
    struct al_errinfo *e);

/*
 * The first member of the object `body` that `table` does not name, or NULL
 * (a body whose every member is known: a form part such as a list of items).
 */
const char *al_fields_unknown(json_t *body, const struct al_field *table);

/* The entry of `table` whose key is `key`, or NULL. */
const struct al_field *al_field_find(const struct al_field *table, const char *key);

/* The entry of `table` whose column (or, without one, key) is `column`, or NULL. */
const struct al_field *al_field_by_column(const struct al_field *table, const char *column);

/*
 * ---- Cells of a file (RULE-FIELD-020..022) ----
 *
 * A row of an imported file is text cells, checked one by one against the same
 * kind of table; unlike al_fields_read a row does not stop at its first refusal:
 * the caller checks every cell and keeps every message (an import reports all
 * the problems of a row at once).  Nothing is allocated: the cell's text is
 * pointed at, a date or a number lands in `struct al_cell`.
 *
 * What a cell must be, by type (the cell is first trimmed of spaces and tabs):
 *   empty  OK (out->text NULL) unless AL_F_REQUIRED: then "<label><hint>", or for
 *          a DATE "<label>无法识别：（空）", or "<label>不能为空"
 *   TEXT   at most `max` characters ("<label>不能超过 N 个字符", also for bytes that
 *          are not UTF-8), at least `min`; then AL_F_PLAIN ("<label>不能包含控制字符、
 *          换行或文字方向控制符"): length is checked before control characters;
 *          then `check`, given the text NUL-terminated (a cell of more than
 *          AL_CELL_CHECK_MAX bytes is refused with "<label><hint>" before it)
 *   INT    an integer within [min, max] as strtol reads it ("<label>应为 min 到 max 的整数");
 *          out->num
 *   DATE   any usual form (al_date_lenient) → out->date; refused with
 *          "<label>无法识别：<the cell, at most 40 bytes>"
 *   ENUM   one of the `map` texts (out->value: its value) or, without a map, one of
 *          `allowed` (out->value: the allowed entry); refused with "<label><hint>"
 *          or "<label>应为以下之一：…"
 * Other types (BOOL, REAL, TEXTS) are not for cells: AL_EINTERNAL.
 */
#define AL_CELL_CHECK_MAX 255

struct al_cell {
    const char *text;  /* the trimmed cell (NOT NUL-terminated), NULL when empty */
    size_t len;        /* its bytes */
    const char *value; /* ENUM: the value matched (static, NUL-terminated) */
    int64_t num;       /* INT: the integer */
    char date[11];     /* DATE: "YYYY-MM-DD" */
};

/*
 * RULE-FIELD-020: check the cell `s` (`len` bytes) against `f`.  Returns AL_OK
 * with `out` filled, or AL_EINVAL (AL_EINTERNAL for a type cells do not take,
 * or what `check` returns) with the message in `msg` (`size` bytes, as snprintf
 * writes it).  Never allocates.
 */
int al_field_cell(const struct al_field *f, const char *s, size_t len, struct al_cell *out,
    char *msg, size_t size);

#endif
