#include <stdbool.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "audit/audit.h"
#include "audit/audit_int.h"
#include "core/csv.h"

/*
 * RULE-AUDIT-001: hash = SHA-256 over prev_hash, then each of id, at,
 * user_id, username, action, target_type, target_id, region_code, outcome,
 * client_ip, detail; each preceded by a 0x1F separator, NULL written as a
 * single 0x1E byte.  The first entry's prev_hash is 64 zeros.  The layout is
 * unambiguous because no stored field holds a control character: entries are
 * written through audit_clean (JSON details escape them anyway).
 */
void
audit_hash(const char *prev_hash, const char *const fields[11], char out[65])
{
    crypto_hash_sha256_state st;
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, (const unsigned char *)prev_hash, strlen(prev_hash));
    for (int i = 0; i < 11; i++) {
        static const unsigned char sep = 0x1f, null_mark = 0x1e;
        crypto_hash_sha256_update(&st, &sep, 1);
        if (fields[i])
            crypto_hash_sha256_update(&st, (const unsigned char *)fields[i], strlen(fields[i]));
        else
            crypto_hash_sha256_update(&st, &null_mark, 1);
    }
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_final(&st, h);
    sodium_bin2hex(out, 65, h, sizeof(h));
}

bool
audit_needs_clean(const char *s)
{
    for (; s && *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return true;
    return false;
}

const char *
audit_clean(struct al_arena *a, const char *s)
{
    if (!audit_needs_clean(s))
        return s;
    char *c = al_arena_strdup(a, s);
    for (char *p = c; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = '?';
    return c;
}

/* ---- RULE-UI-003: entries read in Chinese ---- */

struct name_pair {
    const char *id, *name;
};

static const struct name_pair action_names[] = {
    {"auth.login", "登录"},
    {"auth.login_failed", "登录失败"},
    {"auth.logout", "退出"},
    {"auth.password_change", "修改密码"},
    {"user.create", "新增用户"},
    {"user.update", "修改用户"},
    {"token.create", "创建令牌"},
    {"token.revoke", "吊销令牌"},
    {"me.update", "修改个人设置"},
    {"access.denied", "越权访问"},
    {"elder.create", "登记老人"},
    {"elder.update", "修改档案"},
    {"elder.read_pii", "查看完整证件号"},
    {"elder.read_linked", "家属查看"},
    {"elder.contact_add", "新增联系人"},
    {"elder.contact_delete", "删除联系人"},
    {"elder.consent_grant", "家属授权"},
    {"elder.consent_revoke", "撤销授权"},
    {"elder.id_refused", "身份证号登记被拒"},
    {"elder.lookup", "按完整号码查找"},
    {"import.commit", "导入写入"},
    {"identify.run", "精准识别"},
    {"identify.export", "导出清单"},
    {"system.backup", "备份"},
    {"assess.create", "新建评估"},
    {"assess.sign", "评估签名"},
    {"assess.submit", "提交评估"},
    {"assess.approve", "审核通过"},
    {"assess.return", "退回评估"},
    {"assess.publish", "发布评估"},
    {"assess.dispute", "评估异议"},
    {"assess.request", "申请评估"},
    {"assess.qualify", "登记评估员资格"},
    {"assess.legacy", "录入旧标准评估"},
    {"assess.export", "导出评估记录"},
    {"assess.due_export", "导出到期复评"},
    {"audit.export", "导出审计日志"},
    {"user.export", "导出用户"},
    {"import.export", "导出导入记录"},
    {"timebank.scheme_create", "设立时间银行"}, {"timebank.scheme_update", "修改时间银行规则"},
    {"timebank.alliance_propose", "提议通存通兑联盟"}, {"timebank.alliance_status", "联盟状态变更"},
    {"timebank.member_create", "登记志愿者"}, {"timebank.member_verify", "审核志愿者"},
    {"timebank.transfer", "记入时间"}, {"timebank.need_create", "发布服务需求"},
    {"timebank.need_assign", "指派志愿者"}, {"timebank.need_take", "志愿者接单"},
    {"timebank.need_done", "登记服务时长"}, {"timebank.need_confirm", "老人确认服务"},
    {"timebank.need_code_fail", "确认码错误"}, {"timebank.need_dispute", "服务争议"},
    {"timebank.need_resolve", "处理服务争议"}, {"timebank.need_cancel", "取消服务需求"},
    {"timebank.members_export", "导出志愿者"}, {"timebank.measures_export", "导出时间银行指标"},
    {NULL, NULL},
};

/* Keys of details and the words of their values, in Chinese. */
static const struct name_pair key_names[] = {{"fields", "改动字段"}, {"action", "操作"},
    {"outcome", "结果"}, {"target_type", "对象类型"}, {"username", "用户名"},
    {"display_name", "姓名"}, {"role", "角色"}, {"region_code", "区划"}, {"region", "区划"},
    {"scope", "范围"}, {"format", "格式"}, {"rows", "行数"}, {"list", "清单"},
    {"within_days", "天数"}, {"status", "状态"}, {"reason", "原因"}, {"phone", "联系电话"},
    {"by", "操作人"}, {"source", "来源"}, {"request_id", "评估申请"}, {"rejected", "拒绝行数"},
    {"q", "检索词"}, {"prefs", "个人设置"}, {"permission", "权限"}, {"name", "名称"},
    {"method", "方式"}, {"level", "等级"}, {"legacy_id", "旧标准评估"}, {"kind", "类别"},
    {"id_number_outside_scope", "身份证号在辖区外"}, {"id_number", "身份证号"},
    {"found", "找到"}, {"expires_on", "到期日"}, {"denied", "拒绝"}, {"changed", "变更"},
    {"certificate_no", "证书编号"}, {"accepted", "接受行数"}, {"created", "新建"},
    {"unchanged", "未变"}, {"deaths", "死亡"}, {"moves", "迁出"}, {"skipped_age", "未满年龄跳过"},
    {"new_special", "新增特殊困难老年人"}, {"inactive_in_service", "死亡或迁出仍在享受服务"},
    {"missing_hukou", "户籍中缺失"}, {"duplicates", "疑似重复登记"}, {"elder_mode", "长辈模式"},
    {"region_name", "区划名称"}, {"phone_masked", "联系电话"}, {"phone2_masked", "备用电话"},
    {"id_masked", "身份证号（脱敏）"}, {"note", "备注"}, {"path", "路径"}, {"file", "文件"},
    {NULL, NULL}};

static const struct name_pair value_names[] = {{"active", "在册"}, {"moved_out", "迁出"},
    {"deceased", "死亡"}, {"cancelled", "注销"}, {"csv", "CSV"}, {"xlsx", "XLSX"},
    {"new_special", "新增特殊困难老年人"}, {"inactive_in_service", "死亡或迁出仍在享受服务"},
    {"missing_hukou", "最新户籍数据中缺失"}, {"duplicates", "疑似重复登记"},
    {"changed", "类别变化"}, {"hukou", "户籍"}, {"death", "死亡"}, {"roll", "救助名册"},
    {"disability", "残疾"}, {"elders", "老人名册"}, {"bad_password", "密码错误"},
    {"no_user", "用户不存在"}, {"locked", "已锁定"}, {"disabled", "已停用"},
    {"admin", "系统管理员"}, {"civil_officer", "民政管理员"},
    {"township_officer", "乡镇/街道管理员"},
    {"helper", "社区助老员"}, {"assessor", "评估员"}, {"provider_admin", "服务机构管理员"},
    {"caregiver", "护理员"}, {"elder", "老年人"}, {"family", "家属"}, {"volunteer", "志愿者"},
    {"reassessment", "异议复评"},
    {"routine", "定期复评"}, {"first", "首次评估"}, {"immediate", "即时评估"}, {NULL, NULL}};

static const char *
lookup(const struct name_pair *t, const char *id)
{
    for (; id && t->id; t++)
        if (strcmp(t->id, id) == 0)
            return t->name;
    return NULL;
}

static const struct name_pair target_names[] = {{"user", "用户"}, {"elder", "老人"},
    {"api_token", "令牌"}, {"assessment", "评估"}, {"import", "导入"}, {"identify_run", "识别批次"},
    {"file", "文件"}, {"route", "接口"}, {NULL, NULL}};

const char *
audit_target_name(const char *type)
{
    const char *n = lookup(target_names, type);
    return n ? n : type ? type : "";
}

const char *
audit_action_name(const char *action)
{
    const char *n = lookup(action_names, action);
    return n ? n : action;
}

/* Does `key` hold a region code? */
static bool
region_key(const char *key)
{
    return key && (strstr(key, "region") || strcmp(key, "scope") == 0);
}

static void
value_text(struct al_arena *a, struct al_buf *b, const char *key, json_t *v,
    const struct audit_names *n)
{
    char num[32];
    switch (json_typeof(v)) {
    case JSON_STRING: {
        const char *s = json_string_value(v);
        const char *name = NULL;
        if (region_key(key) && n->region)
            name = *s ? n->region(n->ctx, s) : "全部";
        if (name) {
            const char *t = al_arena_printf(a, "%s（%s）", name, s);
            al_buf_add(a, b, t, strlen(t));
            return;
        }
        /* names of changed fields */
        bool fields = key && (strcmp(key, "fields") == 0 || strcmp(key, "changed") == 0);
        if (fields && n->field)
            name = n->field(s);
        if (!name)
            name = fields ? lookup(key_names, s) : lookup(value_names, s);
        if (!name)
            name = s;
        al_buf_add(a, b, name, strlen(name));
        return;
    }
    case JSON_INTEGER:
        snprintf(num, sizeof(num), "%lld", (long long)json_integer_value(v));
        al_buf_add(a, b, num, strlen(num));
        return;
    case JSON_REAL:
        snprintf(num, sizeof(num), "%g", json_real_value(v));
        al_buf_add(a, b, num, strlen(num));
        return;
    case JSON_TRUE:
        al_buf_add(a, b, "是", strlen("是"));
        return;
    case JSON_FALSE:
        al_buf_add(a, b, "否", strlen("否"));
        return;
    case JSON_NULL:
        al_buf_add(a, b, "无", strlen("无"));
        return;
    case JSON_ARRAY: {
        size_t i;
        json_t *x;
        if (json_array_size(v) == 0)
            al_buf_add(a, b, "无", strlen("无"));
        json_array_foreach(v, i, x) {
            if (i)
                al_buf_add(a, b, "、", strlen("、"));
            value_text(a, b, key, x, n);
        }
        return;
    }
    case JSON_OBJECT: {
        const char *k;
        json_t *x;
        bool first = true;
        al_buf_add(a, b, "（", strlen("（"));
        json_object_foreach(v, k, x) {
            if (!first)
                al_buf_add(a, b, "，", strlen("，"));
            first = false;
            const char *label = lookup(key_names, k);
            if (!label && n->field)
                label = n->field(k);
            label = label ? label : k;
            al_buf_add(a, b, label, strlen(label));
            al_buf_add(a, b, "：", strlen("："));
            value_text(a, b, k, x, n);
        }
        al_buf_add(a, b, "）", strlen("）"));
        return;
    }
    }
}

const char *
audit_detail_text(struct al_arena *a, json_t *detail, const struct audit_names *n)
{
    if (!detail || json_is_null(detail))
        return "";
    struct al_buf b = {0};
    if (!json_is_object(detail)) {
        value_text(a, &b, NULL, detail, n);
        return b.p ? b.p : "";
    }
    const char *k;
    json_t *x;
    json_object_foreach(detail, k, x) {
        if (b.len)
            al_buf_add(a, &b, "；", strlen("；"));
        const char *label = lookup(key_names, k);
        if (!label && n->field)
            label = n->field(k);
        label = label ? label : k;
        al_buf_add(a, &b, label, strlen(label));
        al_buf_add(a, &b, "：", strlen("："));
        value_text(a, &b, k, x, n);
    }
    return b.p ? b.p : "";
}
