-- Meal assistance (老年助餐, issue 17): canteens and meal points with the communities and villages
-- they serve, daily menus, subsidy rules and caps as regional settings, meal cards and QR tokens,
-- the meals recorded at the counter, and the approved monthly statements.
-- PostgreSQL's twin is sql/pg/060_meal.sql (identity keys, "C" collation on codes and dates).

INSERT INTO permissions(id, name) VALUES
    ('meal.read',    '查看助餐点、菜单、就餐记录与结算单'),
    ('meal.manage',  '管理助餐点、菜单、助餐补贴规则与餐卡'),
    ('meal.menu',    '发布助餐点每日菜单与价格'),
    ('meal.serve',   '助餐窗口：识别就餐老人并登记就餐'),
    ('meal.approve', '审核助餐月度结算单');
INSERT INTO role_permissions(role_id, permission_id) VALUES
    ('civil_officer', 'meal.read'), ('civil_officer', 'meal.manage'),
    ('civil_officer', 'meal.approve'),
    ('civil_officer', 'meal.menu'), ('civil_officer', 'meal.serve'),
    ('township_officer', 'meal.read'), ('township_officer', 'meal.manage'),
    ('township_officer', 'meal.menu'), ('township_officer', 'meal.serve'),
    ('helper', 'meal.read'), ('helper', 'meal.serve'),
    ('provider_admin', 'meal.read'), ('provider_admin', 'meal.serve'),
    ('provider_admin', 'meal.menu');
-- Officers hold every permission of the roles they create (RULE-USER-003): meal.serve too.
-- RULE-AUTH-009: role permissions changed.
UPDATE settings SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT)
 WHERE key = 'auth.roles_version';

-- A canteen (老年食堂: cooks, may deliver) or a meal point (助餐点: serves meals cooked elsewhere).
CREATE TABLE meal_canteens (
    id                INTEGER PRIMARY KEY,
    region_code       TEXT NOT NULL,          -- where it stands (9 or 12 digits): its scope
    kind              TEXT NOT NULL CHECK (kind IN ('canteen', 'point')),
    name              TEXT NOT NULL,
    operator          TEXT NOT NULL,          -- who runs it (运营主体)
    address           TEXT NOT NULL,
    lat               REAL,
    lng               REAL,
    capacity          INTEGER NOT NULL CHECK (capacity >= 0),      -- meals per window
    delivery_radius_m INTEGER NOT NULL DEFAULT 0 CHECK (delivery_radius_m >= 0),
    hours             TEXT NOT NULL DEFAULT '',                    -- opening hours, as shown
    windows           TEXT NOT NULL DEFAULT '[]', -- JSON [{meal, from, to}] (RULE-MEAL-002)
    licence_no        TEXT NOT NULL,          -- food-safety licence (食品经营许可证)
    licence_expiry    TEXT NOT NULL,          -- YYYY-MM-DD (RULE-MEAL-003)
    status            TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
    created_by        TEXT NOT NULL,
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL,
    version           INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX meal_canteens_region ON meal_canteens(region_code, id);

-- The communities and villages (12-digit codes) a canteen serves.
CREATE TABLE meal_canteen_areas (
    canteen_id  INTEGER NOT NULL REFERENCES meal_canteens(id),
    region_code TEXT NOT NULL,
    PRIMARY KEY (canteen_id, region_code)
);
CREATE INDEX meal_canteen_areas_region ON meal_canteen_areas(region_code);

-- A day's menu: what each meal offers and its price.
CREATE TABLE meal_menus (
    id         INTEGER PRIMARY KEY,
    canteen_id INTEGER NOT NULL REFERENCES meal_canteens(id),
    menu_date  TEXT NOT NULL,
    meal       TEXT NOT NULL CHECK (meal IN ('breakfast', 'lunch', 'dinner')),
    name       TEXT NOT NULL,
    dishes     TEXT NOT NULL DEFAULT '',
    price_fen  INTEGER NOT NULL CHECK (price_fen > 0),
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (canteen_id, menu_date, meal, name)
);

-- Subsidy per meal for diners holding every tag of `tags` (categories and economic status,
-- sorted, comma-separated; '' = every registered elder), set by a region level (RULE-MEAL-010).
CREATE TABLE meal_rules (
    id                INTEGER PRIMARY KEY,
    region_code       TEXT NOT NULL,          -- '' national, 2/4/6/9 digits
    tags              TEXT NOT NULL DEFAULT '',
    meal              TEXT NOT NULL CHECK (meal IN ('breakfast', 'lunch', 'dinner')),
    amount_fen        INTEGER NOT NULL CHECK (amount_fen > 0),
    fund_national_pct INTEGER NOT NULL DEFAULT 0,
    fund_province_pct INTEGER NOT NULL DEFAULT 0,
    fund_city_pct     INTEGER NOT NULL DEFAULT 0,
    fund_county_pct   INTEGER NOT NULL DEFAULT 0,
    valid_from        TEXT NOT NULL,
    valid_until       TEXT,
    created_by        TEXT NOT NULL,
    created_at        INTEGER NOT NULL,
    CHECK (fund_national_pct + fund_province_pct + fund_city_pct + fund_county_pct = 100)
);
CREATE INDEX meal_rules_region ON meal_rules(region_code, meal);

-- Subsidised meals per person per day, per region level (RULE-MEAL-012).
CREATE TABLE meal_caps (
    region_code TEXT PRIMARY KEY,
    daily_cap   INTEGER NOT NULL CHECK (daily_cap >= 0),
    updated_by  TEXT NOT NULL,
    updated_at  INTEGER NOT NULL
);

-- A diner's card number and the QR token their phone page shows (RULE-MEAL-020).
CREATE TABLE meal_cards (
    elder_id    INTEGER PRIMARY KEY REFERENCES elders(id),
    region_code TEXT NOT NULL,
    card_no     TEXT UNIQUE,
    qr_token    TEXT NOT NULL UNIQUE,
    created_by  TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);

-- One meal served.  idem_key: the counter's key for the record, so a meal resent after a cut
-- is recorded once (RULE-MEAL-021; issue 13's generic idempotency may take this column over).
CREATE TABLE meal_records (
    id                INTEGER PRIMARY KEY,
    canteen_id        INTEGER NOT NULL REFERENCES meal_canteens(id),
    canteen_region    TEXT NOT NULL,
    elder_id          INTEGER NOT NULL REFERENCES elders(id),
    elder_region      TEXT NOT NULL,
    served_at         INTEGER NOT NULL,
    served_date       TEXT NOT NULL,           -- in China Standard Time
    month             TEXT NOT NULL,           -- YYYY-MM of served_date
    meal              TEXT NOT NULL CHECK (meal IN ('breakfast', 'lunch', 'dinner')),
    kind              TEXT NOT NULL DEFAULT 'dine_in' CHECK (kind IN ('dine_in', 'delivery')),
    menu_id           INTEGER REFERENCES meal_menus(id),
    menu_name         TEXT NOT NULL,
    price_fen         INTEGER NOT NULL,
    subsidy_fen       INTEGER NOT NULL,
    diner_fen         INTEGER NOT NULL,
    rule_id           INTEGER REFERENCES meal_rules(id),
    tags              TEXT NOT NULL DEFAULT '',  -- the rule's tags (the statement's category)
    fund_national_fen INTEGER NOT NULL DEFAULT 0,
    fund_province_fen INTEGER NOT NULL DEFAULT 0,
    fund_city_fen     INTEGER NOT NULL DEFAULT 0,
    fund_county_fen   INTEGER NOT NULL DEFAULT 0,
    flag              TEXT NOT NULL DEFAULT '',  -- RULE-MEAL-013: why no subsidy ('' none)
    idem_key          TEXT NOT NULL UNIQUE,
    counter           TEXT NOT NULL DEFAULT '',
    recorded_by       TEXT NOT NULL,
    recorded_at       INTEGER NOT NULL,
    CHECK (price_fen = subsidy_fen + diner_fen),
    CHECK (subsidy_fen = fund_national_fen + fund_province_fen + fund_city_fen + fund_county_fen)
);
-- RULE-MEAL-022: one subsidised meal per diner per window, whichever counter records it.
CREATE UNIQUE INDEX meal_records_one_subsidy ON meal_records(elder_id, served_date, meal)
    WHERE subsidy_fen > 0;
CREATE INDEX meal_records_canteen ON meal_records(canteen_id, month);
CREATE INDEX meal_records_elder ON meal_records(elder_id, served_date);

-- An approved month of a canteen: the statement as approved (RULE-MEAL-031).
CREATE TABLE meal_statements (
    id          INTEGER PRIMARY KEY,
    canteen_id  INTEGER NOT NULL REFERENCES meal_canteens(id),
    region_code TEXT NOT NULL,
    month       TEXT NOT NULL,
    body        TEXT NOT NULL,
    approved_by TEXT NOT NULL,
    approved_at INTEGER NOT NULL,
    UNIQUE (canteen_id, month)
);
