-- A seventh import kind: benefit rolls from other systems (issue 12, RULE-ENT-071..073).
ALTER TABLE imports DROP CONSTRAINT imports_kind_check;
ALTER TABLE imports ADD CONSTRAINT imports_kind_check CHECK (kind = 'hukou' OR kind = 'roll'
    OR kind = 'disability' OR kind = 'death' OR kind = 'pension' OR kind = 'legacy_assessment'
    OR kind = 'benefit');

-- Benefit records from rolls are found by elder, item and start date (RULE-ENT-072).
CREATE INDEX entitle_benefits_roll ON entitle_benefits(elder_id, item_key, from_date);
