-- Spreadsheets as bureaus send them (RULE-IMPORT-019, RULE-UPLOAD-001): which sheet of a
-- workbook an import read (NULL for CSV), the row its header starts on, the sheets whose
-- header would also fit (JSON array of names), and the rows of empty cells skipped.
ALTER TABLE imports ADD COLUMN sheet TEXT;
ALTER TABLE imports ADD COLUMN header_row INTEGER NOT NULL DEFAULT 1;
ALTER TABLE imports ADD COLUMN sheet_candidates TEXT NOT NULL DEFAULT '[]';
ALTER TABLE imports ADD COLUMN blank_rows INTEGER NOT NULL DEFAULT 0;
