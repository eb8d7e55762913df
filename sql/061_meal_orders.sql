-- Meal assistance, second part (issue 17): a family member orders delivery for their elder from
-- the phone (RULE-MEAL-060..064).  PostgreSQL's twin is sql/pg/061_meal_orders.sql.
-- The family ↔ elder link is the registry's own: an active elder_consents row (sql/002), as
-- /api/v1/my/elders already reads it; this migration adds no link of its own.

INSERT INTO permissions(id, name) VALUES
    ('meal.order', '家属：为已授权关联的老人预订、取消送餐');
INSERT INTO role_permissions(role_id, permission_id) VALUES
    ('family', 'meal.order'), ('elder', 'meal.order');
-- RULE-AUTH-009: role permissions changed.
UPDATE settings SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT)
 WHERE key = 'auth.roles_version';

-- One delivery ordered ahead for an elder: a canteen within its delivery radius of the
-- elder's home, a menu of that canteen on the day, the price and the subsidy as quoted when
-- ordered (the canteen's record of the meal decides again on the day, RULE-MEAL-013).
CREATE TABLE meal_orders (
    id            INTEGER PRIMARY KEY,
    elder_id      INTEGER NOT NULL,
    region_code   TEXT NOT NULL,            -- the elder's (scope)
    canteen_id    INTEGER NOT NULL REFERENCES meal_canteens(id),
    menu_id       INTEGER NOT NULL REFERENCES meal_menus(id),
    served_date   TEXT NOT NULL,            -- YYYY-MM-DD
    meal          TEXT NOT NULL CHECK (meal IN ('breakfast', 'lunch', 'dinner')),
    address       TEXT NOT NULL,            -- where to deliver: the elder's home as registered
    note          TEXT NOT NULL DEFAULT '',
    price_fen     INTEGER NOT NULL,
    subsidy_fen   INTEGER NOT NULL,
    cutoff_at     BIGINT NOT NULL,          -- RULE-MEAL-062: no cancelling after it
    status        TEXT NOT NULL DEFAULT 'ordered' CHECK (status IN ('ordered', 'cancelled')),
    ordered_by    INTEGER NOT NULL,         -- users.id of the family member
    ordered_at    BIGINT NOT NULL,
    cancelled_by  INTEGER,
    cancelled_at  BIGINT,
    version       INTEGER NOT NULL DEFAULT 1
);
-- RULE-MEAL-063: one delivery per elder and meal of a day.
CREATE UNIQUE INDEX meal_orders_one ON meal_orders(elder_id, served_date, meal)
    WHERE status = 'ordered';
CREATE INDEX meal_orders_canteen ON meal_orders(canteen_id, served_date, status);
