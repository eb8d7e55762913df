-- Issue 12 (RULE-ENT-040): the seeded national rules were written before the rule compiler
-- joined the catalogue; two of them named categories as bare words (留守, 计生特殊家庭), which
-- the language reads as unknown fields.  A category is tested as 类别 = <category>.  Only the
-- migration's own unchecked seed rows (version 1 of the national list, rule_checked = 0) are
-- corrected; anything an officer saved since is left alone.  The seeded rules are then marked
-- checked: tests/unit/test_entitle_store_pg.c (seeded_rules) compiles every one of them and runs
-- its examples on both engines, which is what rule_checked = 1 stands for.
UPDATE entitle_items SET rule_text =
    '年龄 >= 老年人年龄 且 (居住情况 属于 [独居, 仅与配偶] 或 类别 = 留守 或 能力等级 >= 中度失能等级 或 类别 = 计生特殊家庭)'
WHERE region_code = '' AND item_key = 'tanfang_guanai' AND rule_checked = 0
    AND rule_text = '年龄 >= 老年人年龄 且 (居住情况 属于 [独居, 仅与配偶] 或 留守 或 能力等级 >= 中度失能等级 或 计生特殊家庭)'
    AND change_id IN (SELECT id FROM entitle_changes WHERE region_code = '' AND list_version = 1);
UPDATE entitle_items SET rule_text =
    '经济状况 属于 [特困, 低保, 低保边缘] 且 (能力等级 >= 中度失能等级 或 年龄 >= 高龄年龄 或 类别 = 计生特殊家庭)'
WHERE region_code = '' AND item_key = 'gongban_youxian' AND rule_checked = 0
    AND rule_text = '经济状况 属于 [特困, 低保, 低保边缘] 且 (能力等级 >= 中度失能等级 或 年龄 >= 高龄年龄 或 计生特殊家庭)'
    AND change_id IN (SELECT id FROM entitle_changes WHERE region_code = '' AND list_version = 1);
UPDATE entitle_items SET rule_checked = 1
WHERE region_code = '' AND rule_checked = 0 AND rule_text <> ''
    AND change_id IN (SELECT id FROM entitle_changes
                      WHERE region_code = '' AND list_version = 1 AND created_by = 'migration');
