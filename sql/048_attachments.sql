-- Issues 13, 14, 15: photos and documents attached to a record (RULE-ATT-*), and the bed's
-- eligibility answered by the entitlement rules (RULE-BED-040..).  PostgreSQL's twin is
-- sql/pg/048_attachments.sql (identity key, BIGINT times and sizes, "C" collation on region codes).

-- RULE-ATT-005: the largest attachment accepted, in bytes (10 MiB).
INSERT INTO settings(key, value) VALUES ('attach.max_bytes', '10485760') ON CONFLICT DO NOTHING;

-- RULE-ATT-001: one stored file; the owner record (owner_kind, owner_id) answers who may see it.
CREATE TABLE attachments (
    id           INTEGER PRIMARY KEY,
    owner_kind   TEXT NOT NULL,                  -- 'bed', later 'visit', 'adaptation', ...
    owner_id     INTEGER NOT NULL,
    region_code  TEXT NOT NULL,                  -- the owner's region when attached
    tag          TEXT NOT NULL,                  -- what the owner says it is ('installation', ...)
    filename     TEXT,                           -- the name offered by the uploader, shown only
    content_type TEXT NOT NULL CHECK (content_type IN ('image/jpeg', 'image/png', 'application/pdf')),
    size_bytes   INTEGER NOT NULL,
    sha256       TEXT NOT NULL,
    stored_name  TEXT NOT NULL UNIQUE,           -- random, under <data_dir>/attachments
    note         TEXT,
    created_by   TEXT NOT NULL,
    created_at   INTEGER NOT NULL
);
CREATE INDEX attachments_owner ON attachments(owner_kind, owner_id);

-- RULE-BED-040: the entitlement rules' answer at the eligibility step, and an officer's override.
ALTER TABLE beds ADD COLUMN eligibility_rule TEXT;      -- JSON {eligible, explanation, item_key, ...}
ALTER TABLE beds ADD COLUMN eligibility_override TEXT;  -- the officer's reason, when overridden
