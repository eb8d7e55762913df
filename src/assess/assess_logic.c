/* Pure rules of the capability assessment (GB/T 42195-2022). */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "assess/assess_int.h"

/* RULE-ASSESS-001: the 26 items, their score ranges (0..max) and domains. */
const struct assess_item assess_items[ASSESS_ITEMS] = {
    {"B.1.1", "进食", 4, 0}, {"B.1.2", "修饰", 4, 0}, {"B.1.3", "洗澡", 4, 0},
    {"B.1.4", "穿/脱上衣", 4, 0}, {"B.1.5", "穿/脱裤子和鞋袜", 4, 0}, {"B.1.6", "小便控制", 4, 0},
    {"B.1.7", "大便控制", 4, 0}, {"B.1.8", "如厕", 4, 0},
    {"B.2.1", "床上体位转移", 4, 1}, {"B.2.2", "床椅转移", 4, 1}, {"B.2.3", "平地行走", 4, 1},
    {"B.2.4", "上下楼梯", 3, 1},
    {"B.3.1", "时间定向", 4, 2}, {"B.3.2", "空间定向", 4, 2}, {"B.3.3", "人物定向", 4, 2},
    {"B.3.4", "记忆", 4, 2}, {"B.3.5", "理解能力", 4, 2}, {"B.3.6", "表达能力", 4, 2},
    {"B.3.7", "攻击行为", 1, 2}, {"B.3.8", "抑郁症状", 1, 2}, {"B.3.9", "意识水平", 2, 2},
    {"B.4.1", "视力", 2, 3}, {"B.4.2", "听力", 2, 3}, {"B.4.3", "执行日常事务", 4, 3},
    {"B.4.4", "使用交通工具外出", 3, 3}, {"B.4.5", "社会交往能力", 4, 3},
};
const char *const assess_domain_names[ASSESS_DOMAINS] = {"自理能力", "基础运动能力", "精神状态",
    "感知觉与社会参与"};
const char *const assess_risk_keys[ASSESS_RISKS] = {"fall", "choking", "self_harm", "wandering",
    "other"};
const char *const assess_level_names[5] = {"能力完好", "轻度失能", "中度失能", "重度失能",
    "完全失能"};

int
assess_level_of_total(int total)
{
    /* RULE-ASSESS-002: 90 → 0; 66–89 → 1; 46–65 → 2; 30–45 → 3; 0–29 → 4 */
    if (total >= 90)
        return 0;
    if (total >= 66)
        return 1;
    if (total >= 46)
        return 2;
    if (total >= 30)
        return 3;
    return 4;
}

void
assess_compute(const struct assess_input *in, const struct assess_settings *s,
    struct assess_result *out)
{
    memset(out, 0, sizeof(*out));
    if (in->coma) {
        /* RULE-ASSESS-003: in a coma the level is set directly (items not scored). */
        out->preliminary = out->final = s->coma_level;
        out->rules[out->nrules++] = "RULE-ASSESS-003";
        return;
    }
    for (int i = 0; i < ASSESS_ITEMS; i++) {
        out->domain[assess_items[i].domain] += in->items[i];
        out->total += in->items[i];
    }
    out->preliminary = assess_level_of_total(out->total);
    out->rules[out->nrules++] = "RULE-ASSESS-002";
    int raise = 0;
    if (in->dementia || in->mental_disorder) {
        raise++; /* RULE-ASSESS-004 */
        out->rules[out->nrules++] = "RULE-ASSESS-004";
    }
    int events = 0;
    for (int i = 0; i < ASSESS_RISKS; i++)
        events += in->risk_events[i];
    if (events >= 2) {
        raise++; /* RULE-ASSESS-005 */
        out->rules[out->nrules++] = "RULE-ASSESS-005";
    }
    if (raise > 1 && !s->adjust_stack) {
        raise = 1; /* RULE-ASSESS-006 */
        out->rules[out->nrules++] = "RULE-ASSESS-006";
    }
    out->final = out->preliminary + raise;
    if (out->final > 4) {
        out->final = 4; /* RULE-ASSESS-007 */
        out->rules[out->nrules++] = "RULE-ASSESS-007";
    }
}

/* "F03" or "F03.9" → category letter + number; false when malformed. */
static bool
parse_code(const char *s, size_t n, char *letter, int *num)
{
    if (n < 3 || !isupper((unsigned char)s[0]) || !isdigit((unsigned char)s[1]) ||
        !isdigit((unsigned char)s[2]))
        return false;
    if (n > 3) {
        if (s[3] != '.' || n == 4 || n > 8)
            return false;
        for (size_t i = 4; i < n; i++)
            if (!isalnum((unsigned char)s[i]))
                return false;
    }
    *letter = s[0];
    *num = (s[1] - '0') * 10 + (s[2] - '0');
    return true;
}

int
assess_icd10(const char *code, bool *dementia, bool *mental)
{
    const char *dash = strchr(code, '-');
    char l1, l2;
    int a, b;
    if (dash) {
        if (!parse_code(code, (size_t)(dash - code), &l1, &a) ||
            !parse_code(dash + 1, strlen(dash + 1), &l2, &b) || l1 != l2 || b < a)
            return AL_EINVAL;
    } else {
        if (!parse_code(code, strlen(code), &l1, &a))
            return AL_EINVAL;
        b = a;
    }
    if (l1 != 'F')
        return AL_OK;
    /* RULE-ASSESS-004: dementia F00–F03; other mental or behavioural disorders F04–F99. */
    if (a <= 3)
        *dementia = true;
    if (b >= 4)
        *mental = true;
    return AL_OK;
}

/* ---- the form: option texts (RULE-ASSESS-001), best first ---- */

#define GENERIC4                                                                               \
    {{4, "独立完成，不需要协助"}, {3, "在他人指导或提示下完成"},                                \
        {2, "需要他人协助，但以自身完成为主"}, {1, "主要依靠他人协助，自身能给予配合"},        \
        {0, "完全依赖他人协助，且不能给予配合"}}

/*
 * Wording after the forms reproduced by public implementations of GB/T 42195-2022 (no official
 * copy was available, ../shared/domain/assessment.md).  Options marked uncertain differ between
 * sources and are flagged in the form.
 */
const struct assess_options assess_item_options[ASSESS_ITEMS] = {
    {"独立使用餐具将食物送进口中并咽下的能力", {{4, "独立使用餐具将食物送进口中并咽下，没有呛咳"},
        {3, "在他人指导或提示下完成，或独立使用辅具，没有呛咳"},
        {2, "进食中需要少量接触式协助，偶尔（每月一次及以上）呛咳"},
        {1, "在进食中需要大量接触式协助，经常（每周一次及以上）呛咳"},
        {0, "完全依赖他人协助进食，或吞咽困难，或留置营养管"}}},
    {"洗脸、刷牙、梳头、刮脸、剪指甲等", GENERIC4},
    {"清洗和擦干身体", GENERIC4},
    {"穿/脱上衣或套头衫", GENERIC4},
    {"穿/脱裤子、鞋袜", GENERIC4},
    {"控制和排出尿液的能力", {{4, "可自行控制排尿，排尿次数、排尿控制均正常"},
        {3, "白天可自行控制排尿次数，夜间排尿次数增多、控制较差，或自行使用尿布、尿垫等辅助用物"},
        {2, "白天大部分时间可自行控制排尿，偶有尿失禁（每天少于 1 次、每周多于 1 次），夜间控制较差，"
            "或需他人少量协助使用尿布、尿垫"},
        {1, "白天大部分时间不能控制排尿（每天 1 次及以上，但尚非完全失控），夜间尿失禁，"
            "或需他人大量协助使用尿布、尿垫"},
        {0, "小便失禁，完全不能控制排尿，或留置导尿管"}}},
    {"控制和排出粪便的能力", {{4, "可正常自行控制大便排出"},
        {3, "有时（每周少于 1 次）便秘或大便失禁，或自行使用开塞露、尿垫等辅助用物"},
        {2, "经常（每天少于 1 次、每周多于 1 次）便秘或大便失禁，或需他人少量协助使用开塞露、尿垫"},
        {1, "大部分时间（每天 1 次及以上）便秘或大便失禁，但尚非完全失控，或需他人大量协助"},
        {0, "严重便秘或完全大便失禁，需要依赖他人协助排便或清洁皮肤"}}},
    {"上厕所排泄后清洁身体、整理衣裤、冲水", GENERIC4},
    {"卧床时翻身、躺下与坐起", GENERIC4},
    {"从床上移动到椅子或轮椅上，再移回床上", GENERIC4},
    {"双脚交互的方式在地面行动", {{4, "独立平地步行 50 米左右，不需要协助，无摔倒风险"},
        {3, "能平地步行 50 米左右，存在摔倒风险，需要他人监护或指导，或使用拐杖、助行器等辅助工具"},
        {2, "在步行时需要他人少量扶持协助"}, {1, "在步行时需要他人大量扶持协助"},
        {0, "完全不能步行"}}},
    {"双脚交替完成楼梯台阶连续的上下移动", {{3, "可独立上下楼梯（连续上下 10～15 个台阶），不需要协助"},
        {2, "在他人指导或提示下完成"}, {1, "需要他人协助，但以自身完成为主"},
        {0, "主要依靠他人协助或完全依赖他人，不能上下楼梯"}}},
    {"知道并确认时间的能力", {{4, "时间观念（年、月）清楚，日期（或星期几）可相差一天"},
        {3, "时间观念有些下降，年、月、日（或星期几）不能全部分清（相差两天或以上）"},
        {2, "时间观念较差，年、月、日不清楚，可知上半年或下半年或季节"},
        {1, "时间观念很差，年、月、日不清楚，可知上午、下午或白天、夜间"},
        {0, "无时间观念"}}},
    {"知道并确认空间的能力", {{4, "能在日常生活范围内单独外出，如在居住小区内独自外出购物"},
        {3, "不能单独外出，但能准确知道自己日常生活所在地的地址信息"},
        {2, "不能单独外出，但知道较多有关自己日常生活的地址信息"},
        {1, "不能单独外出，但知道较少自己居住或生活所在地的地址信息"},
        {0, "不能单独外出，无空间观念"}}},
    {"知道并确认人物的能力", {{4, "认识长期共同生活的人，能称呼并知道关系"},
        {3, "能认识大部分共同生活的人，能称呼或知道关系"},
        {2, "能认识部分日常同住的亲人或照护者，能称呼或知道关系"},
        {1, "只认识自己或极少数日常同住的亲人或照护者"}, {0, "不认识任何人（包括自己）"}}},
    {"短时、近期和远期记忆能力", {{4, "总是能保持与社会、年龄相适应的记忆能力，能完整地回忆"},
        {3, "轻度记忆紊乱或回忆不能（不能回忆即时信息，3 个词语 5 分钟后仅能回忆 0～1 个）"},
        {2, "中度记忆紊乱或回忆不能（不能回忆近期记忆，不记得上一顿饭吃了什么）"},
        {1, "重度记忆紊乱或回忆不能（不能回忆远期记忆，不记得自己的老朋友）"},
        {0, "记忆完全紊乱，或完全不能对既往事物进行正确的回忆"}}},
    {"理解语言信息和非语言信息的能力", {{4, "能正常理解他人的话"},
        {3, "能理解他人的话，但需要增加时间"}, {2, "理解有困难，需频繁重复或简化口头表达"},
        {1, "理解有严重困难，需要大量他人帮助"}, {0, "完全不能理解他人的话"}}},
    {"表达信息能力", {{4, "能正常表达自己的想法"}, {3, "能表达自己的需要，但需要增加时间"},
        {2, "表达需要有困难，需频繁重复或简化口头表达"}, {1, "表达有严重困难，需要大量他人帮助"},
        {0, "完全不能表达需要"}}},
    {"身体攻击或语言攻击行为", {{1, "未出现"},
        {0, "近一个月内出现过攻击行为（如打、踢、推、咬、抓、摔东西，或骂人、言语威胁、尖叫）"}}},
    {"负性情绪", {{1, "未出现"},
        {0, "近一个月内出现过负性情绪（如情绪低落、兴趣减退、自我评价过低、有消极观念）"}}},
    {"机体对自身和周围环境的刺激做出应答反应的能力", {
        {2, "神志清醒，对周围环境能做出正确反应"},
        {1, "嗜睡或意识模糊：睡眠过度延长，或注意力涣散、对外界刺激不能清晰认识、定向力障碍"},
        {0, "昏睡：一般刺激不能使其觉醒，较强刺激时可短时清醒（昏迷者在表头勾选“昏迷”，不逐项评分）"}}},
    {"感受存在的光线并感受物体的大小、形状的能力（佩戴眼镜时以佩戴后计）", {
        {2, "视力正常，能看清书报上的标准字体"},
        {1, "能看清大字体，但看不清书报上的标准字体；或看不清报纸大标题，但能辨认物体"},
        {0, "只能看到光、颜色和形状，或完全失明"}}},
    {"能辨别声音的方位、音调、音量和音质的有关能力（佩戴助听器时以佩戴后计）", {
        {2, "听力正常，可正常交谈，能听到电视、电话、门铃的声音"},
        {1, "轻声说话或说话距离超过 2 米时听不清，需在安静环境或大声说话才能听到"},
        {0, "讲话者大声说话或说话很慢才能部分听见，或完全失聪"}}},
    {"计划、安排并完成日常事务（如洗衣、小额购物、服药管理）", {
        {4, "能完全独立计划、安排和完成日常事务，无需协助"},
        {3, "在计划、安排和完成日常事务时需要他人监护或指导"},
        {2, "在计划、安排和完成日常事务时需要少量协助"},
        {1, "在计划、安排和完成日常事务时需要大量协助"}, {0, "完全依赖他人进行日常事务"}}},
    {"使用公共交通工具或私人交通工具外出", {{3, "能自己骑车或搭乘公共交通工具外出"},
        {2, "能自己搭乘出租车，但不会搭乘其他公共交通工具外出"},
        {1, "有人协助或陪伴时，可搭乘公共交通工具外出"},
        {0, "只能在他人协助下搭乘出租车或私家车外出，或完全不能外出"}}},
    {"参与社会、与人交往的能力", {
        {4, "参与社会，对社会环境有一定的适应能力，待人接物恰当"},
        {3, "能适应单纯环境，主动接触他人，初见面时难让人发现智力问题，不能理解隐喻语"},
        {2, "脱离社会，可被动接触，不会主动待人，谈话中有很多不适词句，容易上当受骗"},
        {1, "勉强可与他人接触，谈吐内容不清楚，表情不恰当"}, {0, "不能与人交往"}}},
};

bool
assess_option_uncertain(int item, int score)
{
    /* B.4.4 使用交通工具外出: the sources word options 2 and 1 differently. */
    return item == 24 && (score == 2 || score == 1);
}

const struct assess_choice assess_reasons[ASSESS_REASONS] = {{"first", "首次评估"},
    {"routine", "常规评估"}, {"immediate", "即时评估"}, {"reassessment", "复评（异议后）"},
    {"other", "其他"}};
const char *const assess_risk_names[ASSESS_RISKS] = {"跌倒", "噎食", "自杀、自伤", "走失", "其他"};
const struct assess_choice assess_diseases[ASSESS_DISEASES] = {{"F00-F03", "痴呆"},
    {"F04-F99", "其他精神和行为障碍（精神科诊断）"}, {"I10-I15", "高血压"},
    {"E10-E14", "糖尿病"}, {"I20-I25", "冠心病"}, {"I60-I64", "脑卒中"},
    {"G20-G22", "帕金森病"}, {"J44", "慢性阻塞性肺疾病"}, {"M80-M81", "骨质疏松"},
    {"C00-C97", "恶性肿瘤"}};

/*
 * Health items of the form context (A.5) as a field table (RULE-FIELD-002): key, name, allowed
 * values (first: none); each exactly one of them, special care one or several.
 */
#define HEALTH(key, name, many, ...)                                                           \
    {key, name, AL_FT_ENUM, AL_F_EXACT | (many), .allowed = (const char *const[]){__VA_ARGS__, NULL}, \
        .hint = "的取值不在表单选项中"}
const struct al_field assess_health_fields[ASSESS_HEALTH + 1] = {
    HEALTH("pressure_injury", "压力性损伤", 0, "无", "1 期", "2 期", "3 期", "4 期", "不可分期",
        "深部组织损伤"),
    HEALTH("special_care", "特殊护理", AL_F_MANY, "无", "胃管", "尿管", "气管切开", "造瘘", "吸氧",
        "透析"),
    HEALTH("pain", "疼痛", 0, "无", "轻度", "中度", "重度"),
    HEALTH("swallowing", "吞咽困难", 0, "无", "有"),
    HEALTH("joint", "关节活动度受限", 0, "无", "轻度", "中度", "重度"),
    {0},
};
#undef HEALTH

/* Needs assessment: areas and the services an assessor can tick in each. */
const struct assess_need assess_needs[ASSESS_NEEDS] = {
    {"daily_care", "生活照料", {"助餐", "助浴", "助洁", "助行", "助医", "代购"}, 6},
    {"basic_care", "基础照护", {"协助进食", "协助如厕", "翻身拍背", "压疮预防", "二便护理"}, 5},
    {"health", "健康管理", {"血压血糖监测", "用药提醒", "康复训练", "家庭医生签约", "慢病随访"}, 5},
    {"comfort", "精神慰藉", {"探访陪伴", "心理疏导", "文体活动"}, 3},
    {"emergency", "紧急救援", {"智能呼叫设备", "跌倒报警", "定期电话问候"}, 3},
    {"errands", "委托代办", {"代缴费用", "代取药品", "代办证件"}, 3},
    {"home_adaptation", "适老化改造", {"扶手", "防滑处理", "坡道", "卫浴改造", "照明改造", "护理床"}, 6},
};

const char *const assess_legacy_level_names[4] = {"能力完好", "轻度失能", "中度失能", "重度失能"};

/* ---- the workflow ---- */

/*
 * RULE-ASSESS-010: what each step may start from.  Saving and signing keep a
 * draft a draft; an officer returns a submitted one to draft or approves it;
 * only a reviewed one is published; only a published one is disputed.
 */
const char *
assess_next_status(const char *status, enum assess_step step)
{
    static const struct {
        enum assess_step step;
        const char *from, *to;
    } moves[] = {
        {ASSESS_STEP_SAVE, "draft", "draft"},
        {ASSESS_STEP_SIGN, "draft", "draft"},
        {ASSESS_STEP_SUBMIT, "draft", "submitted"},
        {ASSESS_STEP_APPROVE, "submitted", "reviewed"},
        {ASSESS_STEP_RETURN, "submitted", "draft"},
        {ASSESS_STEP_PUBLISH, "reviewed", "published"},
        {ASSESS_STEP_DISPUTE, "published", "disputed"},
        {ASSESS_STEP_SUPERSEDE, "published", "superseded"},
        {ASSESS_STEP_SUPERSEDE, "disputed", "superseded"},
    };
    for (size_t i = 0; i < sizeof(moves) / sizeof(moves[0]); i++)
        if (moves[i].step == step && strcmp(moves[i].from, status) == 0)
            return moves[i].to;
    return NULL;
}

const char *
assess_status_name(const char *status)
{
    static const char *const ids[] = {"draft", "submitted", "reviewed", "published", "disputed",
        "superseded"};
    static const char *const names[] = {"草稿", "已提交", "已审核", "已发布", "有异议", "已被复评取代"};
    for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
        if (strcmp(ids[i], status) == 0)
            return names[i];
    return status;
}

bool
assess_status_valid(const char *status)
{
    return status && assess_status_name(status) != status;
}

/*
 * RULE-ASSESS-018: a result is what was published (and stays a result when
 * disputed or superseded); drafts, submitted and reviewed ones are work under way.
 */
bool
assess_is_result(const char *status)
{
    return status && (!strcmp(status, "published") || !strcmp(status, "disputed") ||
                         !strcmp(status, "superseded"));
}

bool
assess_elder_assessable(const char *elder_status)
{
    return elder_status && strcmp(elder_status, "active") == 0;
}

const char *
assess_elder_status_name(const char *elder_status)
{
    static const struct assess_choice names[] = {{"active", "在册"}, {"moved_out", "迁出"},
        {"deceased", "死亡"}, {"cancelled", "注销"}};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (elder_status && strcmp(names[i].id, elder_status) == 0)
            return names[i].name;
    return elder_status ? elder_status : "";
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
static long
days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    long yoe = y - era * 400;
    long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static bool
parse_ymd(const char *s, int *y, int *m, int *d)
{
    for (int i = 0; i < 10; i++)
        if (i == 4 || i == 7 ? s[i] != '-' : !isdigit((unsigned char)s[i]))
            return false;
    if (s[10])
        return false;
    *y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    *m = (s[5] - '0') * 10 + (s[6] - '0');
    *d = (s[8] - '0') * 10 + (s[9] - '0');
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return *m >= 1 && *m <= 12 && *d >= 1 && *d <= mdays[*m - 1] &&
           (*m != 2 || *d < 29 || (*y % 4 == 0 && (*y % 100 != 0 || *y % 400 == 0)));
}

bool
assess_date_ok(const char *s)
{
    int y, m, d;
    return s && parse_ymd(s, &y, &m, &d);
}

/*
 * RULE-ASSESS-012: a published result is valid until the same day `months`
 * later (the month's last day when that day does not exist: 2024-02-29 + 12
 * → 2025-02-28).
 */
bool
assess_valid_until(const char *assessed_on, int months, char out[11])
{
    int y, m, d;
    if (!parse_ymd(assessed_on, &y, &m, &d) || months < 1)
        return false;
    int total = y * 12 + (m - 1) + months;
    y = total / 12;
    m = total % 12 + 1;
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int last = mdays[m - 1] + (m == 2 && y % 4 == 0 && (y % 100 != 0 || y % 400 == 0));
    if (d > last)
        d = last;
    if (y > 9999)
        return false;
    unsigned uy = (unsigned)y % 10000u, um = (unsigned)m % 100u, ud = (unsigned)d % 100u;
    snprintf(out, 11, "%04u-%02u-%02u", uy, um, ud);
    return true;
}

/* `date` plus `days` (negative: earlier) into `out` as YYYY-MM-DD; false when `date` is not one. */
bool
assess_date_add_days(const char *date, long days, char out[11])
{
    int y, m, d;
    if (!date || !parse_ymd(date, &y, &m, &d))
        return false;
    /* civil_from_days (H. Hinnant), the inverse of days_from_civil. */
    long z = days_from_civil(y, m, d) + days + 719468;
    long era = (z >= 0 ? z : z - 146096) / 146097;
    long doe = z - era * 146097;
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    long dd = doy - (153 * mp + 2) / 5 + 1, mm = mp < 10 ? mp + 3 : mp - 9;
    long yy = yoe + era * 400 + (mm <= 2);
    if (yy < 0 || yy > 9999)
        return false;
    snprintf(out, 11, "%04u-%02u-%02u", (unsigned)yy % 10000u, (unsigned)mm % 100u,
        (unsigned)dd % 100u);
    return true;
}

/*
 * RULE-ASSESS-013: due for reassessment when the validity ends within
 * `window` days of `today`; expired once `today` is after it.  Days left in
 * *days (negative once expired).
 */
enum assess_due
assess_due_state(const char *valid_until, const char *today, int window, long *days)
{
    int y1, m1, d1, y2, m2, d2;
    if (!parse_ymd(valid_until, &y1, &m1, &d1) || !parse_ymd(today, &y2, &m2, &d2))
        return ASSESS_DUE_NONE;
    *days = days_from_civil(y1, m1, d1) - days_from_civil(y2, m2, d2);
    if (*days < 0)
        return ASSESS_DUE_EXPIRED;
    return *days <= window ? ASSESS_DUE_SOON : ASSESS_DUE_NONE;
}

/* RULE-ASSESS-011: an assessor signs only with a qualification valid on the day. */
bool
assess_qualified(const char *expires_on, const char *today)
{
    return expires_on && assess_date_ok(expires_on) && strcmp(expires_on, today) >= 0;
}

const char *
assess_rule_text(const char *id)
{
    static const struct assess_choice texts[] = {
        {"RULE-ASSESS-002", "按总分确定初步等级"},
        {"RULE-ASSESS-003", "昏迷：不逐项评分，直接评定等级"},
        {"RULE-ASSESS-004", "确诊痴呆或其他精神和行为障碍：等级上调一级"},
        {"RULE-ASSESS-005", "近 30 天发生 2 次及以上照护风险事件：等级上调一级"},
        {"RULE-ASSESS-006", "两项上调不叠加：最多上调一级"},
        {"RULE-ASSESS-007", "最高为完全失能（4 级）"},
    };
    for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
        if (id && strcmp(texts[i].id, id) == 0)
            return texts[i].name;
    return id ? id : "";
}
