-- A household file may be a supplement (补录: a few late registrations) rather than the complete
-- roll of its region; only complete files are what identification checks the registry against
-- (RULE-IDENT-003).
ALTER TABLE imports ADD COLUMN partial INTEGER NOT NULL DEFAULT 0 CHECK (partial = 0 OR partial = 1);
