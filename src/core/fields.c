/* Request bodies checked from a table (fields.h). */
#include "core/fields.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/idcard.h"
#include "core/json.h"

static const char *
out_key(const struct al_field *f)
{
    return f->column ? f->column : f->key;
}

/* "a、b、c" of an allowed list, for the generic message. */
static void
allowed_text(const char *const *allowed, char *buf, size_t size)
{
    size_t n = 0;
    buf[0] = '\0';
    for (int i = 0; allowed && allowed[i] && n + 1 < size; i++)
        n += (size_t)snprintf(buf + n, size - n, "%s%s", i ? "、" : "", allowed[i]);
}

static int
read_text(json_t *body, const struct al_field *f, bool required, json_t *out,
    struct al_errinfo *e)
{
    const char *s;
    int flags = (required ? AL_REQUIRED : 0) | (f->flags & AL_F_PLAIN ? AL_PLAIN : 0);
    size_t min = f->min > 0 ? (size_t)f->min : 0, max = f->max > 0 ? (size_t)f->max : 0;
    int rc = al_json_get_str(body, f->key, f->label, flags, min, max, &s, e);
    if (rc != AL_OK || !s)
        return rc;
    if (!*s && (f->flags & AL_F_NULLABLE))
        return json_object_set_new(out, out_key(f), json_null()) ? AL_EINTERNAL : AL_OK;
    switch (f->type) {
    case AL_FT_ENUM: {
        bool ok = false;
        for (int i = 0; f->allowed && f->allowed[i] && !ok; i++)
            ok = strcmp(f->allowed[i], s) == 0;
        if (!ok) {
            char list[256];
            allowed_text(f->allowed, list, sizeof(list));
            return f->hint ? al_fail(e, AL_EINVAL, f->key, "%s%s", f->label, f->hint)
                           : al_fail(e, AL_EINVAL, f->key, "%s应为以下之一：%s", f->label, list);
        }
        break;
    }
    case AL_FT_DATE:
        if (!al_date_valid(s))
            return al_fail(e, AL_EINVAL, f->key, "%s%s", f->label,
                f->hint ? f->hint : "格式应为 YYYY-MM-DD");
        break;
    default:
        break;
    }
    if (f->check && (rc = f->check(f, s, e)) != AL_OK)
        return rc;
    return json_object_set_new(out, out_key(f), json_string(s)) ? AL_EINTERNAL : AL_OK;
}

static int
read_texts(json_t *v, const struct al_field *f, json_t *out, struct al_errinfo *e)
{
    if (!json_is_array(v) || (f->max > 0 && json_array_size(v) > (size_t)f->max))
        return al_fail(e, AL_EINVAL, f->key, "%s应为文本列表（最多 %lld 项）", f->label,
            (long long)f->max);
    size_t i;
    json_t *x;
    json_array_foreach(v, i, x)
    {
        size_t n = json_is_string(x) ? al_utf8_len(json_string_value(x), json_string_length(x)) : 0;
        if (n == 0 || n == (size_t)-1 || (f->item_max > 0 && n > (size_t)f->item_max) ||
            ((f->flags & AL_F_PLAIN) &&
                !al_text_is_plain(json_string_value(x), json_string_length(x))))
            return al_fail(e, AL_EINVAL, f->key, "%s第 %zu 项应为非空文本（最多 %d 个字符）",
                f->label, i + 1, f->item_max);
    }
    return json_object_set_new(out, out_key(f), json_deep_copy(v)) ? AL_EINTERNAL : AL_OK;
}

static bool
allowed_has(const struct al_field *f, const json_t *v)
{
    const char *s = json_string_value(v);
    for (int i = 0; s && f->allowed && f->allowed[i]; i++)
        if (strcmp(f->allowed[i], s) == 0)
            return true;
    return false;
}

/* RULE-FIELD-003: AL_F_EXACT, a member taken as sent and refused with one message. */
static int
read_exact(json_t *v, const struct al_field *f, json_t *out, struct al_errinfo *e)
{
    bool ok;
    size_t i;
    json_t *x;
    switch (f->type) {
    case AL_FT_BOOL:
        ok = json_is_boolean(v);
        break;
    case AL_FT_ENUM:
        if (json_is_array(v) && (f->flags & AL_F_MANY)) {
            ok = true;
            json_array_foreach(v, i, x) ok = ok && allowed_has(f, x);
        } else {
            ok = allowed_has(f, v);
        }
        break;
    case AL_FT_TEXTS:
        ok = json_is_array(v) && (f->max <= 0 || json_array_size(v) <= (size_t)f->max);
        json_array_foreach(ok ? v : NULL, i, x)
        {
            if (!(f->allowed ? allowed_has(f, x) : json_is_string(x)))
                return al_fail(e, AL_EINVAL, f->key, "%s第 %zu 项不在表单选项中", f->label,
                    i + 1);
        }
        break;
    default:
        return al_fail(e, AL_EINTERNAL, f->key, "字段%s的类型不接受 AL_F_EXACT", f->label);
    }
    if (!ok)
        return al_fail(e, AL_EINVAL, f->key, "%s%s", f->label, f->hint ? f->hint : "不在表单选项中");
    json_t *value = f->type == AL_FT_BOOL ? json_integer(json_is_true(v)) : json_deep_copy(v);
    return json_object_set_new(out, out_key(f), value) ? AL_EINTERNAL : AL_OK;
}

static int
read_one(json_t *body, const struct al_field *f, unsigned mode, json_t *out,
    struct al_errinfo *e)
{
    json_t *v = json_object_get(body, f->key);
    bool creating = mode & AL_FIELDS_CREATE, required = f->flags & AL_F_REQUIRED;
    if (v && (f->flags & AL_F_EXACT))
        return read_exact(v, f, out, e); /* null too is refused */
    if (!v || json_is_null(v)) {
        if (creating && required)
            return al_fail(e, AL_EINVAL, f->key, "%s不能为空", f->label);
        if (v && (f->flags & AL_F_NULLABLE))
            return json_object_set_new(out, out_key(f), json_null()) ? AL_EINTERNAL : AL_OK;
        return AL_OK; /* absent, or null for a field that cannot be cleared */
    }
    switch (f->type) {
    case AL_FT_TEXT:
    case AL_FT_ENUM:
    case AL_FT_DATE:
        /* A required field given (also on update) may not be emptied. */
        return read_text(body, f, required, out, e);
    case AL_FT_INT: {
        int64_t x;
        int rc = al_json_get_int(body, f->key, f->label, 0, f->min, f->max, &x, NULL, e);
        if (rc != AL_OK)
            return rc;
        return json_object_set_new(out, out_key(f), json_integer(x)) ? AL_EINTERNAL : AL_OK;
    }
    case AL_FT_BOOL: {
        bool b;
        int rc = al_json_get_bool(body, f->key, f->label, 0, &b, NULL, e);
        if (rc != AL_OK)
            return rc;
        return json_object_set_new(out, out_key(f), json_integer(b)) ? AL_EINTERNAL : AL_OK;
    }
    case AL_FT_REAL: {
        double x = json_number_value(v);
        if (!json_is_number(v) || x < f->lo || x > f->hi)
            return f->hint ? al_fail(e, AL_EINVAL, f->key, "%s%s（%g 到 %g）", f->label, f->hint,
                                 f->lo, f->hi)
                           : al_fail(e, AL_EINVAL, f->key, "%s应在 %g 到 %g 之间", f->label, f->lo,
                                 f->hi);
        return json_object_set_new(out, out_key(f), json_real(x)) ? AL_EINTERNAL : AL_OK;
    }
    case AL_FT_TEXTS:
        return read_texts(v, f, out, e);
    default:
        return al_fail(e, AL_EINTERNAL, f->key, "字段%s的类型未定义", f->label);
    }
}

int
al_fields_read(json_t *body, const struct al_field *table, unsigned mode, json_t *out,
    struct al_errinfo *e)
{
    for (const struct al_field *f = table; f->key; f++) {
        if (f->flags & AL_F_NOINPUT)
            continue;
        int rc = read_one(body, f, mode, out, e);
        if (rc != AL_OK)
            return rc;
    }
    return AL_OK;
}

const char *
al_fields_unknown(json_t *body, const struct al_field *table)
{
    const char *key;
    json_t *v;
    json_object_foreach(body, key, v)
    {
        if (!al_field_find(table, key))
            return key;
    }
    return NULL;
}

const struct al_field *
al_field_find(const struct al_field *table, const char *key)
{
    for (const struct al_field *f = table; f->key; f++)
        if (strcmp(f->key, key) == 0)
            return f;
    return NULL;
}

const struct al_field *
al_field_by_column(const struct al_field *table, const char *column)
{
    for (const struct al_field *f = table; f->key; f++) {
        const char *k = out_key(f);
        if (k[0] == column[0] && strcmp(k, column) == 0)
            return f;
    }
    return NULL;
}

/* ---- cells of a file (RULE-FIELD-020..022) ---- */

/* Bytes of the cell to quote in a message: at most `max`, never ending inside a character. */
static int
cell_shown(const char *s, size_t len, size_t max)
{
    size_t n = len < max ? len : max;
    if (n < len)
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
    return (int)n;
}

/* An integer as strtol reads it, the whole cell; saturates far out of any range. */
static bool
cell_int(const char *s, size_t len, int64_t *out)
{
    size_t i = 0;
    while (i < len && (s[i] == ' ' || (s[i] >= '\t' && s[i] <= '\r')))
        i++;
    bool neg = i < len && s[i] == '-';
    if (i < len && (s[i] == '-' || s[i] == '+'))
        i++;
    size_t d = i;
    int64_t v = 0;
    for (; i < len && s[i] >= '0' && s[i] <= '9'; i++)
        v = v > INT64_MAX / 10 - 10 ? INT64_MAX / 10 : v * 10 + (s[i] - '0');
    if (i == d || i != len)
        return false;
    *out = neg ? -v : v;
    return true;
}

/* `s` (`len` bytes) equals the NUL-terminated `t`. */
static bool
cell_is(const char *s, size_t len, const char *t)
{
    return strlen(t) == len && memcmp(s, t, len) == 0;
}

/* RULE-FIELD-020 */
int
al_field_cell(const struct al_field *f, const char *s, size_t len, struct al_cell *out,
    char *msg, size_t size)
{
    out->text = out->value = NULL; /* no memset: once a cell */
    out->len = 0;
    out->num = 0;
    out->date[0] = '\0';
    if (!s)
        len = 0;
    while (len && (*s == ' ' || *s == '\t')) {
        s++;
        len--;
    }
    while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
        len--;
    if (!len) {
        if (!(f->flags & AL_F_REQUIRED))
            return AL_OK;
        snprintf(msg, size, "%s%s", f->label,
            f->hint ? f->hint : f->type == AL_FT_DATE ? "无法识别：（空）" : "不能为空");
        return AL_EINVAL;
    }
    out->text = s;
    out->len = len;
    switch (f->type) {
    case AL_FT_TEXT: {
        size_t n = al_utf8_len(s, len);
        if (f->max > 0 && (n == (size_t)-1 || n > (size_t)f->max)) {
            snprintf(msg, size, "%s不能超过 %lld 个字符", f->label, (long long)f->max);
            return AL_EINVAL;
        }
        if (f->min > 0 && (n == (size_t)-1 || n < (size_t)f->min)) {
            snprintf(msg, size, "%s至少需要 %lld 个字符", f->label, (long long)f->min);
            return AL_EINVAL;
        }
        if ((f->flags & AL_F_PLAIN) && !al_text_is_plain(s, len)) { /* RULE-PII-005 */
            snprintf(msg, size, "%s不能包含控制字符、换行或文字方向控制符", f->label);
            return AL_EINVAL;
        }
        if (!f->check)
            return AL_OK;
        if (len > AL_CELL_CHECK_MAX) {
            snprintf(msg, size, "%s%s", f->label, f->hint ? f->hint : "无法识别");
            return AL_EINVAL;
        }
        char text[AL_CELL_CHECK_MAX + 1];
        memcpy(text, s, len);
        text[len] = '\0';
        struct al_errinfo e; /* not zeroed: a cell's check runs once a row */
        e.code_override = e.field = NULL;
        e.message[0] = '\0';
        e.retry_after_s = 0;
        int rc = f->check(f, text, &e);
        if (rc != AL_OK)
            snprintf(msg, size, "%s", e.message);
        return rc;
    }
    case AL_FT_INT:
        if (!cell_int(s, len, &out->num) || out->num < f->min || out->num > f->max) {
            snprintf(msg, size, "%s应为 %lld 到 %lld 的整数", f->label, (long long)f->min,
                (long long)f->max);
            return AL_EINVAL;
        }
        return AL_OK;
    case AL_FT_DATE: /* RULE-FIELD-022 */
        if (!al_date_lenient(s, len, out->date)) {
            snprintf(msg, size, "%s无法识别：%.*s", f->label, cell_shown(s, len, 40), s);
            return AL_EINVAL;
        }
        return AL_OK;
    case AL_FT_ENUM: /* RULE-FIELD-021 */
        for (const struct al_field_map *m = f->map; m && m->text; m++)
            if (cell_is(s, len, m->text)) {
                out->value = m->value;
                return AL_OK;
            }
        for (int i = 0; !f->map && f->allowed && f->allowed[i]; i++)
            if (cell_is(s, len, f->allowed[i])) {
                out->value = f->allowed[i];
                return AL_OK;
            }
        if (f->hint) {
            snprintf(msg, size, "%s%s", f->label, f->hint);
        } else {
            char list[256];
            allowed_text(f->allowed, list, sizeof(list));
            snprintf(msg, size, "%s应为以下之一：%s", f->label, list);
        }
        return AL_EINVAL;
    default:
        snprintf(msg, size, "字段%s的类型不能用于文件的单元格", f->label);
        return AL_EINTERNAL;
    }
}
