-- Issue 13: the duration limits of the visit check as settings (RULE-SVC-175): a visit shorter
-- than evv_short_pct % of the planned minutes is 服务时长过短, longer than evv_long_pct % is
-- 服务时长过长.  Defaults as before (50 %, 200 %).
INSERT INTO settings(key, value) VALUES
    ('service.evv_short_pct', '50'),
    ('service.evv_long_pct', '200')
ON CONFLICT DO NOTHING;
