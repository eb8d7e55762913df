/*
 * The citizen card (市民卡) of the time bank (issue 16, RULE-TB-070, 071): a member may link
 * the number of their citizen card (stored sealed, with a keyed hash, shown masked as ID
 * numbers are), and the bureau exports an exchange file of the hours per member for a period.
 *
 * SEAM (issue 16, citizen-card exchange): the card system itself (the city's 市民卡 operator,
 * which redeems or shows the hours on the card) is outside this platform.  The exchange file of
 * tb_card_export — one CSV/XLSX per period, columns as in `heads` below — is the one seam; a
 * live interface with the operator would replace that file with a push from here.
 */
#include <string.h>

#include "audit/audit.h"
#include "auth/auth.h"
#include "core/crypto.h"
#include "core/export.h"
#include "core/http.h"
#include "core/idcard.h"
#include "core/json.h"
#include "core/query.h"
#include "region/region.h"
#include "timebank/timebank_int.h"

int
tb_card_put(struct al_req *r)
{
    int64_t id;
    struct tb_member m;
    json_t *body;
    int rc = al_req_param_id(r, "id", &id);
    if (rc == AL_OK && ((rc = tb_store_member(r->db, r->arena, id, &m)) == AL_ENOTFOUND ||
                           (rc == AL_OK && !region_in_scope(r->who->region_code,
                                               m.region_code))))
        rc = al_req_fail(r, AL_ENOTFOUND, NULL, "成员不存在");
    if (rc == AL_OK)
        rc = al_req_json(r, &body);
    if (rc != AL_OK)
        return rc;
    json_t *v = json_object_get(body, "card_number");
    const char *num = json_string_value(v);
    if (!v || (!json_is_null(v) && !num))
        return al_req_fail(r, AL_EINVAL, "card_number", "市民卡号应为文本（解除关联时为 null）");
    char masked[32] = "", hash[65] = "";
    const char *enc = NULL;
    if (num) {
        /* RULE-TB-070: checked, sealed, hashed for lookup, masked for display. */
        if (!tb_card_valid(num))
            return al_req_fail(r, AL_EINVAL, "card_number", "市民卡号应为 8 到 20 位数字或大写字母");
        enc = al_crypto_seal(r->arena, num, strlen(num));
        if (!enc)
            return al_req_fail(r, AL_EINTERNAL, NULL, "加密失败");
        al_crypto_keyed_hash_hex("tb.citizen_card", num, strlen(num), hash);
        tb_card_mask(num, masked, sizeof(masked));
    }
    if ((rc = al_db_begin(r->db)) != AL_OK)
        return rc;
    rc = tb_store_card_set(r->db, m.id, m.scheme_id, enc, num ? hash : NULL,
        num ? masked : NULL);
    if (rc == AL_ECONFLICT)
        al_req_fail(r, rc, "card_number", "该市民卡已关联本时间银行的另一位成员");
    if (rc == AL_OK) {
        struct audit_entry e = {.action = num ? "timebank.card_link" : "timebank.card_unlink",
            .target_type = "tb_member", .target_id = al_arena_printf(r->arena, "%lld",
                                                       (long long)m.id),
            .region_code = m.region_code, .outcome = "success",
            .detail = num ? json_pack("{ss}", "card_masked", masked) : NULL};
        rc = audit_append(r, &e);
        json_decref(e.detail);
    }
    if ((rc = al_db_end(r->db, rc)) != AL_OK)
        return rc;
    return al_reply(r, 200, json_pack("{sI ss?}", "id", (json_int_t)m.id, "card_masked",
        num ? masked : NULL));
}

int
tb_card_export(struct al_req *r)
{
    static const char *const heads[] = {"市民卡号", "成员编号", "姓名", "时间银行", "期间存入（分钟）",
        "期间使用（分钟）", "期末余额（分钟）"};
    const char *format, *from = al_query_opt(&r->query, "from"), *to = al_query_opt(&r->query, "to");
    int rc = al_export_format(r, &format);
    if (rc != AL_OK)
        return rc;
    /* RULE-TB-071: a period of whole days, China time, `to` included. */
    if (!from || !al_date_valid(from))
        return al_req_fail(r, AL_EINVAL, "from", "起始日期格式应为 YYYY-MM-DD");
    if (!to || !al_date_valid(to))
        return al_req_fail(r, AL_EINVAL, "to", "截止日期格式应为 YYYY-MM-DD");
    int64_t t0 = tb_day_start(from), t1 = tb_day_start(to) + 86400;
    if (t1 <= t0)
        return al_req_fail(r, AL_EINVAL, "to", "截止日期不能早于起始日期");
    bool full = auth_role_has(r->db, r->who->role, "elder.read_pii");
    json_t *rows = json_array();
    struct al_export *x = NULL;
    rc = tb_store_card_rows(r->db, r->arena, r->who->region_code, t0, t1, rows);
    if (rc == AL_OK)
        rc = al_export_open(r, format,
            al_arena_printf(r->arena, "时间银行市民卡交换文件 %s 至 %s", from, to), 7, heads, &x);
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row)
    {
        if (rc != AL_OK)
            break;
        /* RULE-TB-070: the full number only for those who may read it (audited below). */
        const char *card = full ? al_crypto_open(r->arena, json_string_value(json_object_get(row,
                                      "card_enc")))
                                : NULL;
        const char *cells[7] = {card ? card : json_string_value(json_object_get(row,
                                                   "card_masked")),
            al_arena_printf(r->arena, "%lld",
                (long long)json_integer_value(json_object_get(row, "member_id"))),
            json_string_value(json_object_get(row, "name")),
            json_string_value(json_object_get(row, "scheme_name")),
            al_arena_printf(r->arena, "%lld",
                (long long)json_integer_value(json_object_get(row, "deposited_min"))),
            al_arena_printf(r->arena, "%lld",
                (long long)json_integer_value(json_object_get(row, "spent_min"))),
            al_arena_printf(r->arena, "%lld",
                (long long)json_integer_value(json_object_get(row, "balance_min")))};
        al_export_row(x, cells);
    }
    json_decref(rows);
    if (rc == AL_OK && (rc = al_db_begin(r->db)) == AL_OK) {
        struct audit_entry e = {.action = "timebank.card_export", .target_type = "region",
            .target_id = r->who->region_code, .region_code = r->who->region_code,
            .outcome = "success", .detail = json_pack("{ss ss sI sb}", "from", from, "to", to,
                                      "rows", (json_int_t)al_export_rows(x), "full", full)};
        rc = audit_append(r, &e);
        json_decref(e.detail);
        rc = al_db_end(r->db, rc);
    }
    if (rc != AL_OK) {
        if (x)
            al_export_abort(x);
        return rc;
    }
    return al_export_reply(x, al_arena_printf(r->arena, "时间银行市民卡交换-%s-%s", from, to));
}
