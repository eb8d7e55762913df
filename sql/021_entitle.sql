-- The basic elderly-care service list (基本养老服务清单, issue 12): lists per level, their
-- changes and versions, dated parameters, exclusions, example elders and benefit records.
-- PostgreSQL's twin is sql/pg/021_entitle.sql (identity keys, "C" collation on codes and dates;
-- the seed rows are the same text).
--
-- A list belongs to a level keyed by its region code: '' the national list, 2 digits a
-- province, 4 a city, 6 a county.  Its content is the items of its approved changes: each
-- change, once approved by the level above, becomes the next version of that list
-- (RULE-ENT-010..014); a row of entitle_items is one item as one change states it.

INSERT INTO permissions(id, name) VALUES
    ('entitle.read',    '查看基本养老服务清单、参数与享受记录'),
    ('entitle.manage',  '编辑本级清单、参数、不可叠加规则与享受记录'),
    ('entitle.approve', '审批下级清单变更');
INSERT INTO role_permissions(role_id, permission_id) VALUES
    ('civil_officer', 'entitle.read'), ('civil_officer', 'entitle.manage'),
    ('civil_officer', 'entitle.approve'),
    ('township_officer', 'entitle.read'), ('township_officer', 'entitle.manage'),
    ('helper', 'entitle.read');
-- RULE-AUTH-009: role permissions changed.
UPDATE settings SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT)
 WHERE key = 'auth.roles_version';

CREATE TABLE entitle_changes (
    id             INTEGER PRIMARY KEY,
    region_code    TEXT NOT NULL,          -- the list: '' national, 2/4/6 digits
    status         TEXT NOT NULL DEFAULT 'draft'
                   CHECK (status IN ('draft', 'submitted', 'approved', 'returned')),
    list_version   INTEGER,                -- the list's version this change became (approved)
    note           TEXT NOT NULL DEFAULT '',
    effective_from TEXT NOT NULL,          -- YYYY-MM-DD: the list at a date holds it from then
    created_by     TEXT NOT NULL,
    created_at     INTEGER NOT NULL,
    submitted_by   TEXT,
    submitted_at   INTEGER,
    decided_by     TEXT,
    decided_at     INTEGER,
    return_reason  TEXT,
    version        INTEGER NOT NULL DEFAULT 1,
    UNIQUE (region_code, list_version)
);
CREATE INDEX entitle_changes_status ON entitle_changes(status, region_code);

CREATE TABLE entitle_items (
    id                INTEGER PRIMARY KEY,
    change_id         INTEGER NOT NULL REFERENCES entitle_changes(id),
    region_code       TEXT NOT NULL,       -- the change's list
    item_key          TEXT NOT NULL,       -- stable ASCII key across levels and versions
    kind              TEXT NOT NULL CHECK (kind IN ('add', 'raise')),
    category          TEXT CHECK (category IN ('material', 'care', 'concern')),
    name              TEXT,
    target_group      TEXT,
    content           TEXT,
    standard_kind     TEXT NOT NULL CHECK (standard_kind IN ('amount', 'frequency', 'text')),
    amount_fen        INTEGER,
    times             INTEGER,
    period            TEXT CHECK (period IN ('day', 'week', 'month', 'quarter', 'year', 'once')),
    standard_text     TEXT NOT NULL DEFAULT '',
    provider_type     TEXT,
    fund_national_pct INTEGER,
    fund_province_pct INTEGER,
    fund_city_pct     INTEGER,
    fund_county_pct   INTEGER,
    legal_doc         TEXT,
    legal_article     TEXT,
    effective_from    TEXT,
    effective_until   TEXT,
    status            TEXT NOT NULL DEFAULT 'to_check'
                      CHECK (status IN ('to_check', 'checked', 'stopped')),
    checked_by        TEXT,
    checked_at        INTEGER,
    rule_text         TEXT NOT NULL DEFAULT '',
    rule_version      INTEGER NOT NULL DEFAULT 1,
    rule_checked      INTEGER NOT NULL DEFAULT 0, -- 1 once the rule compiler accepted it (issue 12)
    UNIQUE (change_id, item_key)
);
CREATE INDEX entitle_items_key ON entitle_items(item_key, region_code);

-- Example elders of an item (the OpenFisca habit): facts as a JSON object, a date, the answer.
CREATE TABLE entitle_examples (
    id          INTEGER PRIMARY KEY,
    region_code TEXT NOT NULL,
    item_key    TEXT NOT NULL,
    label       TEXT NOT NULL,
    facts       TEXT NOT NULL,
    on_date     TEXT NOT NULL,
    expected    INTEGER NOT NULL CHECK (expected IN (0, 1)),
    created_by  TEXT NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE INDEX entitle_examples_item ON entitle_examples(item_key, region_code);

-- Named parameters with dated values (RULE-ENT-020..022).
CREATE TABLE entitle_params (
    id          INTEGER PRIMARY KEY,
    region_code TEXT NOT NULL,
    name        TEXT NOT NULL,
    value       INTEGER NOT NULL,
    unit        TEXT NOT NULL DEFAULT '',
    valid_from  TEXT NOT NULL,
    legal_ref   TEXT NOT NULL DEFAULT '',
    created_by  TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    UNIQUE (region_code, name, valid_from)
);

-- Items that may not be received together (不可叠加, RULE-ENT-025).
CREATE TABLE entitle_exclusions (
    id          INTEGER PRIMARY KEY,
    region_code TEXT NOT NULL,
    item_a      TEXT NOT NULL,
    item_b      TEXT NOT NULL,
    reason      TEXT NOT NULL DEFAULT '',
    legal_ref   TEXT NOT NULL DEFAULT '',
    created_by  TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    CHECK (item_a < item_b),
    UNIQUE (region_code, item_a, item_b)
);

-- What an elder receives (RULE-ENT-030..032): where "receiving" comes from.
CREATE TABLE entitle_benefits (
    id          INTEGER PRIMARY KEY,
    elder_id    INTEGER NOT NULL REFERENCES elders(id),
    region_code TEXT NOT NULL,             -- the elder's, for scope
    item_key    TEXT NOT NULL,
    from_date   TEXT NOT NULL,
    until_date  TEXT,
    source      TEXT NOT NULL CHECK (source IN ('manual', 'import', 'order', 'subsidy')),
    note        TEXT NOT NULL DEFAULT '',
    created_by  TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    ended_by    TEXT,
    ended_at    INTEGER,
    CHECK (until_date IS NULL OR until_date >= from_date)
);
CREATE INDEX entitle_benefits_elder ON entitle_benefits(elder_id, id);
CREATE INDEX entitle_benefits_item ON entitle_benefits(region_code, item_key);

-- ---- The national list, version 1: the items the source documents name (RULE-ENT-005).
-- Every item is 待核对 (to_check) until an officer checks it against the official text; the
-- amounts are placeholders to be replaced by the published standard.  Rules are texts in the
-- planned rule language (issue 12), not yet compiled (rule_checked = 0).
INSERT INTO entitle_changes(region_code, status, list_version, note, effective_from, created_by,
    created_at, submitted_by, submitted_at, decided_by, decided_at)
VALUES ('', 'approved', 1, '国家基本养老服务清单（初始录入，待核对）', '2020-01-01', 'migration', 0,
    'migration', 0, 'migration', 0);

INSERT INTO entitle_items(change_id, region_code, item_key, kind, category, name, target_group,
    content, standard_kind, amount_fen, times, period, standard_text, provider_type,
    fund_national_pct, fund_province_pct, fund_city_pct, fund_county_pct, legal_doc,
    legal_article, effective_from, effective_until, status, rule_text)
SELECT c.id, '', v.item_key, 'add', v.category, v.name, v.target_group, v.content,
    v.standard_kind, v.amount_fen, v.times, v.period, v.standard_text, v.provider_type,
    v.fn, v.fp, v.fc, v.fco, v.legal_doc, v.legal_article, v.effective_from, NULL, 'to_check',
    v.rule_text
FROM entitle_changes c, (
    SELECT 'gaoling_jintie' AS item_key, 'material' AS category, '高龄津贴' AS name,
        '高龄老年人（年满高龄年龄）' AS target_group, '按月发放高龄津贴' AS content,
        'amount' AS standard_kind, 5000 AS amount_fen, CAST(NULL AS INTEGER) AS times,
        'month' AS period,
        '金额待按正式文件核对' AS standard_text, '民政部门' AS provider_type,
        0 AS fn, 50 AS fp, 25 AS fc, 25 AS fco,
        '财社〔2014〕113号《关于建立健全经济困难的高龄 失能等老年人补贴制度的通知》' AS legal_doc,
        '待核对' AS legal_article, '2020-01-01' AS effective_from,
        '年龄 >= 高龄年龄' AS rule_text
    UNION ALL SELECT 'huli_butie', 'material', '护理补贴', '经济困难的失能老年人',
        '按月发放护理补贴', 'amount', 10000, NULL, 'month', '金额待按正式文件核对', '民政部门',
        0, 50, 25, 25,
        '财社〔2014〕113号《关于建立健全经济困难的高龄 失能等老年人补贴制度的通知》', '待核对',
        '2020-01-01', '能力等级 >= 中度失能等级 且 经济状况 属于 [特困, 低保, 低保边缘]'
    UNION ALL SELECT 'fuwu_butie', 'material', '养老服务补贴', '经济困难的老年人',
        '以服务券或补贴形式购买养老服务', 'amount', 10000, NULL, 'month', '金额待按正式文件核对',
        '民政部门', 0, 50, 25, 25,
        '财社〔2014〕113号《关于建立健全经济困难的高龄 失能等老年人补贴制度的通知》', '待核对',
        '2020-01-01', '年龄 >= 老年人年龄 且 经济状况 属于 [特困, 低保, 低保边缘, 低收入]'
    UNION ALL SELECT 'jiating_chuangwei', 'care', '家庭养老床位建设补贴',
        '经济困难的失能、部分失能老年人', '家庭养老床位的适老化、智能化改造和上门照护服务',
        'amount', 300000, NULL, 'once', '金额待按正式文件核对', '养老服务机构', 0, 50, 25, 25,
        '《国家基本养老服务清单》（《关于推进基本养老服务体系建设的意见》附件）', '待核对',
        '2020-01-01', '能力等级 >= 中度失能等级 且 经济状况 属于 [特困, 低保, 低保边缘]'
    UNION ALL SELECT 'shangmen_fuwu', 'care', '上门服务', '失能、独居、空巢等老年人',
        '助餐、助浴、助洁、助医、助急、助行、巡护、护理等居家上门服务', 'frequency', NULL, 4,
        'month', '次数待按正式文件核对', '养老服务机构', 0, 0, 50, 50,
        '《国家基本养老服务清单》（《关于推进基本养老服务体系建设的意见》附件）', '待核对',
        '2020-01-01', '年龄 >= 老年人年龄 且 (居住情况 属于 [独居, 仅与配偶] 或 能力等级 >= 1)'
    UNION ALL SELECT 'shilaohua_gaizao', 'care', '适老化改造',
        '经济困难的高龄、失能、残疾老年人家庭', '防滑、扶手、无障碍通行等居家适老化改造',
        'amount', 300000, NULL, 'once', '金额待按正式文件核对', '改造服务企业', 0, 50, 25, 25,
        '《国家基本养老服务清单》（《关于推进基本养老服务体系建设的意见》附件）', '待核对',
        '2020-01-01',
        '经济状况 属于 [特困, 低保, 低保边缘] 且 (年龄 >= 高龄年龄 或 能力等级 >= 1 或 残疾等级 >= 1)'
    UNION ALL SELECT 'tanfang_guanai', 'concern', '探访关爱',
        '独居、空巢、留守、失能、重残、计划生育特殊家庭老年人',
        '上门或电话、视频探访，了解生活状况，登记需求并转介', 'frequency', NULL, 1, 'month',
        '次数待按正式文件核对', '村（居）委会、社会工作者', 0, 0, 50, 50,
        '民政部等《关于开展特殊困难老年人探访关爱服务的指导意见》（2022 年）', '待核对',
        '2022-01-01',
        '年龄 >= 老年人年龄 且 (居住情况 属于 [独居, 仅与配偶] 或 留守 或 能力等级 >= 中度失能等级 或 计生特殊家庭)'
    UNION ALL SELECT 'nengli_pinggu', 'care', '能力评估', '有照护需求的老年人',
        '按 GB/T 42195-2022 开展老年人能力评估', 'frequency', NULL, 1, 'year',
        '次数待按正式文件核对', '评估机构', 0, 50, 25, 25,
        '《国家基本养老服务清单》（《关于推进基本养老服务体系建设的意见》附件）', '待核对',
        '2020-01-01', '年龄 >= 老年人年龄'
    UNION ALL SELECT 'zhucan_butie', 'material', '助餐补贴', '高龄、经济困难等老年人',
        '老年助餐按餐补贴（每人每天一餐）', 'amount', 300, NULL, 'day', '金额待按正式文件核对',
        '老年助餐机构', 0, 0, 50, 50,
        '《国家基本养老服务清单》（《关于推进基本养老服务体系建设的意见》附件）', '待核对',
        '2020-01-01', '年龄 >= 助餐补贴年龄 或 经济状况 属于 [特困, 低保]'
    UNION ALL SELECT 'tekun_gongyang', 'material', '特困供养', '特困人员中的老年人',
        '基本生活条件、照料护理、疾病治疗、办理丧葬事宜', 'text', NULL, NULL, NULL,
        '按当地特困人员救助供养标准执行', '民政部门、特困人员供养服务机构', 0, 50, 25, 25,
        '国务院令第649号《社会救助暂行办法》', '第三章（待核对）', '2020-01-01',
        '经济状况 = 特困'
    UNION ALL SELECT 'gongban_youxian', 'care', '公办养老机构优先入住',
        '经济困难的失能、高龄、计划生育特殊家庭等老年人', '公办养老机构优先安排入住',
        'text', NULL, NULL, NULL, '优先轮候入住', '公办养老机构', 0, 0, 50, 50,
        '《国家基本养老服务清单》（《关于推进基本养老服务体系建设的意见》附件）', '待核对',
        '2020-01-01',
        '经济状况 属于 [特困, 低保, 低保边缘] 且 (能力等级 >= 中度失能等级 或 年龄 >= 高龄年龄 或 计生特殊家庭)'
    UNION ALL SELECT 'xiaofei_butie_2025', 'material', '2025 年老年人消费补贴（中度及以上失能）',
        '经能力评估为中度、重度失能或完全失能的老年人', '以电子消费券形式补贴购买养老服务',
        'amount', 80000, NULL, 'month', '金额为每月上限，待按正式文件核对', '养老服务机构',
        100, 0, 0, 0, '民政部、财政部《关于实施养老服务消费补贴项目的通知》（2025 年）', '待核对',
        '2025-07-01', '能力等级 >= 中度失能等级'
) v
WHERE c.region_code = '' AND c.list_version = 1;

INSERT INTO entitle_params(region_code, name, value, unit, valid_from, legal_ref, created_by,
    created_at) VALUES
    ('', '老年人年龄', 60, '岁', '2013-07-01', '《中华人民共和国老年人权益保障法》第二条', 'migration', 0),
    ('', '高龄年龄', 80, '岁', '2020-01-01', '财社〔2014〕113号（待核对）', 'migration', 0),
    ('', '中度失能等级', 2, '级', '2022-12-30', 'GB/T 42195-2022《老年人能力评估规范》', 'migration', 0),
    ('', '助餐补贴年龄', 80, '岁', '2020-01-01', '待核对', 'migration', 0);

INSERT INTO entitle_exclusions(region_code, item_a, item_b, reason, legal_ref, created_by,
    created_at) VALUES
    ('', 'huli_butie', 'xiaofei_butie_2025', '同一失能照护需求不重复补贴（待核对）', '待核对', 'migration', 0),
    ('', 'gongban_youxian', 'jiating_chuangwei', '已入住养老机构的不再建设家庭养老床位（待核对）', '待核对', 'migration', 0),
    ('', 'fuwu_butie', 'tekun_gongyang', '特困供养已含照料护理，不再发放养老服务补贴（待核对）', '待核对', 'migration', 0);

INSERT INTO entitle_examples(region_code, item_key, label, facts, on_date, expected, created_by,
    created_at) VALUES
    ('', 'gaoling_jintie', '86 岁，符合', '{"birth_date":"1940-03-01"}', '2026-06-01', 1, 'migration', 0),
    ('', 'gaoling_jintie', '79 岁，不符合', '{"birth_date":"1947-03-01"}', '2026-06-01', 0, 'migration', 0),
    ('', 'huli_butie', '低保、中度失能，符合', '{"birth_date":"1950-05-05","economic_status":"dibao","ability_level":2}', '2026-06-01', 1, 'migration', 0),
    ('', 'huli_butie', '一般户、重度失能，不符合', '{"birth_date":"1950-05-05","economic_status":"general","ability_level":3}', '2026-06-01', 0, 'migration', 0),
    ('', 'tekun_gongyang', '特困，符合', '{"birth_date":"1945-01-01","economic_status":"tekun"}', '2026-06-01', 1, 'migration', 0);
