/* Private to the audit module. */
#ifndef AUDIT_INT_H
#define AUDIT_INT_H

#include <jansson.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/db.h"

struct audit_filter {
    const char *scope; /* caller's region prefix */
    const char *username, *action, *outcome, *target_type, *target_id;
    int64_t from, to;  /* unix seconds, 0 = open */
    int64_t limit, offset;
};

/*
 * The entries matching `f` (NULL fields match all; the username case-insensitively, RULE-AUTH-010;
 * an action also matches its sub-actions "a.b"), newest first, page f->limit/f->offset appended
 * to `items` as objects (new references owned by `items`, times in `a`); *total counts all
 * matches.  AL_OK or an error of the closed set (AL_EDB logged; `items` may then hold part of
 * the page).  On SQLite and PostgreSQL alike.
 */
int audit_store_list(struct al_db *db, struct al_arena *a, const struct audit_filter *f,
    json_t *items, int64_t *total);
/*
 * RULE-DB-101: one page of the export of the entries `f` selects (limit and
 * offset unused), newest first: `limit` rows with an id below `after` (NULL:
 * the newest), a bound statement (NULL: it could not be prepared) of the
 * columns AUDIT_X_* below.
 */
enum { AUDIT_X_ID, AUDIT_X_AT, AUDIT_X_USER_ID, AUDIT_X_USERNAME, AUDIT_X_ACTION,
    AUDIT_X_TARGET_TYPE, AUDIT_X_TARGET_ID, AUDIT_X_REGION, AUDIT_X_OUTCOME, AUDIT_X_CLIENT_IP,
    AUDIT_X_DETAIL };
struct al_stmt *audit_store_export_page(struct al_db *db, struct al_arena *a,
    const struct audit_filter *f, const char *after, int64_t limit);

/* RULE-UI-003: how an entry reads in Chinese. */
struct audit_names {
    /* the name of a region code (NULL when unknown) */
    const char *(*region)(void *ctx, const char *code);
    void *ctx;
    /* the Chinese label of a record's field ("region_code" → 居住地区划), or NULL */
    const char *(*field)(const char *key);
};
/* 用户, 老人 … for a target type (the type itself when unknown). */
const char *audit_target_name(const char *type);
/* 登录, 修改档案 … for an action id (the id itself when unknown). */
const char *audit_action_name(const char *action);
/*
 * A detail as one line of Chinese: "标签：值；…", region codes with their
 * names ("龙泉街道（520327001）"), known words translated, true/false as 是/否,
 * lists joined with 、.  In `a`; "" for none.
 */
const char *audit_detail_text(struct al_arena *a, json_t *detail, const struct audit_names *n);

#endif
