-- Home services (issue 13), third slice: officers run the service network.  Providers, stations,
-- caregivers and items get a version (409 on a stale one) and a status (deactivated, never
-- deleted); provider accounts are linked to their provider (RULE-SVC-110); complaints get a
-- supervision queue (RULE-SVC-120..125).  One text for both engines (no identity column: a
-- complaint is keyed by its order).

INSERT INTO permissions(id, name) VALUES
    ('service.complaint', '督办上门服务投诉（受理、指派、办结）');
INSERT INTO role_permissions(role_id, permission_id) VALUES
    ('civil_officer', 'service.complaint'), ('township_officer', 'service.complaint');
-- RULE-AUTH-009: role permissions changed.
UPDATE settings SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT)
 WHERE key = 'auth.roles_version';

-- RULE-SVC-121: working days an officer has to close a complaint.
INSERT INTO settings(key, value) VALUES ('service.complaint_days', '3') ON CONFLICT DO NOTHING;

-- RULE-SVC-110: a provider admin's account belongs to one provider (NULL: none, sees the region).
ALTER TABLE users ADD COLUMN provider_id BIGINT REFERENCES svc_providers(id);

-- RULE-SVC-100..104: status and version of every registry record.
ALTER TABLE svc_providers ADD COLUMN status TEXT NOT NULL DEFAULT 'active'
    CHECK (status IN ('active', 'inactive'));
ALTER TABLE svc_providers ADD COLUMN contact TEXT NOT NULL DEFAULT '';
ALTER TABLE svc_providers ADD COLUMN address TEXT NOT NULL DEFAULT '';
ALTER TABLE svc_providers ADD COLUMN credit_note TEXT NOT NULL DEFAULT '';
ALTER TABLE svc_providers ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE svc_stations ADD COLUMN status TEXT NOT NULL DEFAULT 'active'
    CHECK (status IN ('active', 'inactive'));
ALTER TABLE svc_stations ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE svc_caregivers ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE svc_items ADD COLUMN version INTEGER NOT NULL DEFAULT 1;

-- RULE-SVC-120: one complaint per order, made with its rating.  Scoped through its order (the
-- elder's region; svc_orders.region_code).  provider_id: the order's station's provider when it
-- was made (scope of provider accounts).  Complaints made before this migration stay in
-- svc_orders.complaint only.
CREATE TABLE svc_complaints (
    order_id      BIGINT PRIMARY KEY REFERENCES svc_orders(id),
    provider_id   BIGINT REFERENCES svc_providers(id),
    content       TEXT NOT NULL,
    status        TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'handling', 'closed')),
    created_at    BIGINT NOT NULL,
    due_date      TEXT NOT NULL,               -- YYYY-MM-DD (China), the last day to close it
    assignee      TEXT,                        -- username of the officer handling it
    result_code   TEXT,                        -- RULE-SVC-123: closed list
    resolution    TEXT NOT NULL DEFAULT '',
    closed_by     TEXT,
    closed_at     BIGINT,
    version       INTEGER NOT NULL DEFAULT 1,
    CHECK (status <> 'closed' OR (result_code IS NOT NULL AND resolution <> ''))
);
CREATE INDEX svc_complaints_status ON svc_complaints(status, due_date);
