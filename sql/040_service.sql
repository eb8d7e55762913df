-- Home services (居家上门服务, issue 13), first slice: providers, stations, caregivers and their
-- certificates, service items, orders with their funding split, the state moves of an order,
-- and the proof of each visit (EVV).  PostgreSQL's twin is sql/pg/040_service.sql (identity
-- keys, BIGINT times, "C" collation on codes); the seed rows are the same text.

INSERT INTO permissions(id, name) VALUES
    ('service.read',     '查看上门服务订单、服务站与护理员'),
    ('service.order',    '代老人下单上门服务'),
    ('service.dispatch', '派单、改派、取消上门服务订单'),
    ('service.manage',   '维护服务机构、服务站、护理员与服务项目'),
    ('service.visit',    '护理员：查看本人任务、出发、签到、签出');
INSERT INTO role_permissions(role_id, permission_id) VALUES
    ('civil_officer', 'service.read'), ('civil_officer', 'service.order'),
    ('civil_officer', 'service.dispatch'), ('civil_officer', 'service.manage'),
    ('township_officer', 'service.read'), ('township_officer', 'service.order'),
    ('township_officer', 'service.dispatch'),
    ('helper', 'service.read'), ('helper', 'service.order'),
    ('provider_admin', 'service.read'), ('provider_admin', 'service.dispatch'),
    ('provider_admin', 'service.manage'),
    ('caregiver', 'service.visit');
-- RULE-AUTH-009: role permissions changed.
UPDATE settings SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT)
 WHERE key = 'auth.roles_version';

-- Dispatch and visit-proof settings (RULE-SVC-020, RULE-SVC-040, RULE-SVC-043).
INSERT INTO settings(key, value) VALUES
    ('service.speed_kmh', '20'),          -- travel speed for the service circle
    ('service.detour_pct', '140'),        -- road distance = great-circle distance × this / 100
    ('service.evv_radius_m', '100'),      -- check-in tolerance before the reported accuracy
    ('service.clock_skew_s', '300')       -- device time this far from the server's is flagged
ON CONFLICT DO NOTHING;

CREATE TABLE svc_providers (
    id            INTEGER PRIMARY KEY,
    region_code   TEXT NOT NULL,              -- where it is registered (scope)
    name          TEXT NOT NULL,
    credit_status TEXT NOT NULL DEFAULT 'good' CHECK (credit_status IN ('good', 'warning', 'barred')),
    phone         TEXT,
    created_at    INTEGER NOT NULL
);

CREATE TABLE svc_stations (
    id          INTEGER PRIMARY KEY,
    provider_id INTEGER NOT NULL REFERENCES svc_providers(id),
    region_code TEXT NOT NULL,                -- where the station is
    name        TEXT NOT NULL,
    address     TEXT NOT NULL,
    lat         REAL NOT NULL,
    lng         REAL NOT NULL,
    radius_min  INTEGER NOT NULL CHECK (radius_min BETWEEN 1 AND 180), -- the service circle
    phone       TEXT,
    created_at  INTEGER NOT NULL
);

-- The region codes a station serves (a prefix each: a township serves all its villages).
CREATE TABLE svc_station_regions (
    station_id  INTEGER NOT NULL REFERENCES svc_stations(id),
    region_code TEXT NOT NULL,
    PRIMARY KEY (station_id, region_code)
);

CREATE TABLE svc_caregivers (
    id             INTEGER PRIMARY KEY,
    provider_id    INTEGER NOT NULL REFERENCES svc_providers(id),
    station_id     INTEGER NOT NULL REFERENCES svc_stations(id),
    region_code    TEXT NOT NULL,             -- the home station's region (scope)
    user_id        INTEGER UNIQUE REFERENCES users(id), -- the caregiver's sign-in, if any
    name           TEXT NOT NULL,
    phone          TEXT,
    skills         TEXT NOT NULL DEFAULT '',  -- comma-separated skill codes
    work_start_min INTEGER NOT NULL DEFAULT 480,  -- minutes after midnight, China time
    work_end_min   INTEGER NOT NULL DEFAULT 1080,
    status         TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'inactive')),
    created_at     INTEGER NOT NULL,
    CHECK (work_start_min >= 0 AND work_end_min <= 1440 AND work_start_min < work_end_min)
);
CREATE INDEX svc_caregivers_station ON svc_caregivers(station_id);

CREATE TABLE svc_certificates (
    id           INTEGER PRIMARY KEY,
    caregiver_id INTEGER NOT NULL REFERENCES svc_caregivers(id),
    skill        TEXT NOT NULL,               -- the skill it proves
    name         TEXT NOT NULL,
    number       TEXT NOT NULL DEFAULT '',
    valid_until  TEXT NOT NULL                -- YYYY-MM-DD, the last valid day
);
CREATE INDEX svc_certificates_caregiver ON svc_certificates(caregiver_id);

-- Service items (六助一巡一护 and the others the policies name).  entitle_item_key: the item of
-- the basic service list (src/entitle) that may pay for it, NULL when none does.
CREATE TABLE svc_items (
    code             TEXT PRIMARY KEY,
    name             TEXT NOT NULL,
    category         TEXT NOT NULL,
    price_fen        INTEGER NOT NULL CHECK (price_fen >= 0),
    planned_min      INTEGER NOT NULL CHECK (planned_min BETWEEN 5 AND 480),
    skill            TEXT NOT NULL,
    cert_required    INTEGER NOT NULL DEFAULT 0, -- the skill needs a valid certificate (RULE-SVC-023)
    entitle_item_key TEXT,
    sort             INTEGER NOT NULL DEFAULT 0,
    active           INTEGER NOT NULL DEFAULT 1
);
INSERT INTO svc_items(code, name, category, price_fen, planned_min, skill, cert_required,
    entitle_item_key, sort)
VALUES
    ('zhucan', '助餐', '六助', 1500, 30, 'general', 0, 'fuwu_butie', 1),
    ('zhuyu', '助浴', '六助', 8000, 90, 'bathing', 1, 'fuwu_butie', 2),
    ('zhujie', '助洁', '六助', 5000, 120, 'cleaning', 0, 'fuwu_butie', 3),
    ('zhuyi', '助医', '六助', 6000, 120, 'medical', 1, 'fuwu_butie', 4),
    ('zhuji', '助急', '六助', 3000, 60, 'general', 0, NULL, 5),
    ('zhuxing', '助行', '六助', 4000, 60, 'general', 0, 'fuwu_butie', 6),
    ('xunhu', '巡护', '一巡', 2000, 30, 'general', 0, 'shangmen_fuwu', 7),
    ('huli', '护理', '一护', 9000, 60, 'nursing', 1, 'fuwu_butie', 8),
    ('shenghuo', '生活照料', '生活照料', 5000, 60, 'general', 0, 'fuwu_butie', 9),
    ('weiji', '精神慰藉', '精神慰藉', 3000, 60, 'general', 0, NULL, 10);

-- An order (RULE-SVC-010..016).  region_code is the elder's (scope); money in fen.
CREATE TABLE svc_orders (
    id            INTEGER PRIMARY KEY,
    region_code   TEXT NOT NULL,
    elder_id      INTEGER NOT NULL REFERENCES elders(id),
    status        TEXT NOT NULL DEFAULT 'created' CHECK (status IN ('created', 'assigned',
                      'accepted', 'on_the_way', 'arrived', 'in_service', 'completed',
                      'confirmed', 'rated', 'settled', 'cancelled')),
    station_id    INTEGER REFERENCES svc_stations(id),
    caregiver_id  INTEGER REFERENCES svc_caregivers(id),
    window_start  INTEGER NOT NULL,           -- unix seconds
    window_end    INTEGER NOT NULL,
    planned_min   INTEGER NOT NULL,
    address       TEXT NOT NULL,
    lat           REAL,
    lng           REAL,
    note          TEXT NOT NULL DEFAULT '',
    channel       TEXT NOT NULL CHECK (channel IN ('helper', 'hotline', 'family', 'elder')),
    total_fen     INTEGER NOT NULL,
    entitled_fen  INTEGER NOT NULL,
    elder_fen     INTEGER NOT NULL,
    beyond_quota  INTEGER NOT NULL DEFAULT 0,
    placed_by     TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    version       INTEGER NOT NULL DEFAULT 1,
    CHECK (window_start < window_end),
    CHECK (entitled_fen + elder_fen = total_fen)
);
CREATE INDEX svc_orders_region ON svc_orders(region_code, status, window_start);
CREATE INDEX svc_orders_caregiver ON svc_orders(caregiver_id, window_start);
CREATE INDEX svc_orders_elder ON svc_orders(elder_id, window_start);

CREATE TABLE svc_order_lines (
    order_id         INTEGER NOT NULL REFERENCES svc_orders(id),
    line_no          INTEGER NOT NULL,
    item_code        TEXT NOT NULL REFERENCES svc_items(code),
    price_fen        INTEGER NOT NULL,
    entitled_fen     INTEGER NOT NULL,
    elder_fen        INTEGER NOT NULL,
    entitle_item_key TEXT,
    PRIMARY KEY (order_id, line_no),
    CHECK (entitled_fen + elder_fen = price_fen)
);
CREATE INDEX svc_order_lines_key ON svc_order_lines(entitle_item_key);

-- Every move of an order, timestamped (RULE-SVC-013).
CREATE TABLE svc_order_events (
    id           INTEGER PRIMARY KEY,
    order_id     INTEGER NOT NULL REFERENCES svc_orders(id),
    from_status  TEXT,
    to_status    TEXT NOT NULL,
    action       TEXT NOT NULL,
    caregiver_id INTEGER,
    reason       TEXT NOT NULL DEFAULT '',
    by_user      TEXT NOT NULL,
    at           INTEGER NOT NULL
);
CREATE INDEX svc_order_events_order ON svc_order_events(order_id, id);

-- The proof of a visit (EVV, RULE-SVC-040..045): the six elements are the order's items
-- (service type), elder (recipient), caregiver, the check-in date, position, start and end.
CREATE TABLE svc_visits (
    order_id            INTEGER PRIMARY KEY REFERENCES svc_orders(id),
    region_code         TEXT NOT NULL,
    caregiver_id        INTEGER NOT NULL,
    elder_id            INTEGER NOT NULL,
    checkin_at          INTEGER,              -- when the device says it happened
    checkin_recv_at     INTEGER,              -- when the server received it
    checkin_lat         REAL,
    checkin_lng         REAL,
    checkin_accuracy_m  INTEGER,
    checkin_distance_m  INTEGER,
    checkin_outside     INTEGER NOT NULL DEFAULT 0,
    checkout_at         INTEGER,
    checkout_recv_at    INTEGER,
    checkout_lat        REAL,
    checkout_lng        REAL,
    checkout_accuracy_m INTEGER,
    checkout_distance_m INTEGER,
    checkout_outside    INTEGER NOT NULL DEFAULT 0,
    clock_skew          INTEGER NOT NULL DEFAULT 0,
    checklist           TEXT NOT NULL DEFAULT '[]',
    note                TEXT NOT NULL DEFAULT ''
);
CREATE INDEX svc_visits_caregiver ON svc_visits(caregiver_id, checkin_at);
