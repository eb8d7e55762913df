-- The time bank, second part (issue 16): PostgreSQL's twin of sql/056_timebank2.sql (the CHECK
-- is replaced in place; coordinates are DOUBLE PRECISION as elders' are).

ALTER TABLE tb_transfers DROP CONSTRAINT tb_transfers_category_check;
ALTER TABLE tb_transfers ADD CONSTRAINT tb_transfers_category_check CHECK (category IN
    ('service', 'redeem', 'gift', 'donate', 'grant', 'topup', 'cap_donate', 'exchange', 'expire'));

CREATE TABLE tb_settings (
    region_code  TEXT COLLATE "C" NOT NULL,
    key          TEXT NOT NULL CHECK (key IN ('elder_volunteer_target_pct', 'nearby_radius_m')),
    value        INTEGER NOT NULL,
    updated_by   TEXT NOT NULL,
    updated_at   BIGINT NOT NULL,
    PRIMARY KEY (region_code, key)
);
INSERT INTO tb_settings(region_code, key, value, updated_by, updated_at) VALUES
    ('', 'elder_volunteer_target_pct', 12, 'system', 0),
    ('', 'nearby_radius_m', 5000, 'system', 0);

ALTER TABLE tb_needs ADD COLUMN lat DOUBLE PRECISION;
ALTER TABLE tb_needs ADD COLUMN lng DOUBLE PRECISION;
ALTER TABLE tb_members ADD COLUMN lat DOUBLE PRECISION;
ALTER TABLE tb_members ADD COLUMN lng DOUBLE PRECISION;

ALTER TABLE tb_members ADD COLUMN card_enc TEXT;
ALTER TABLE tb_members ADD COLUMN card_hash TEXT;
ALTER TABLE tb_members ADD COLUMN card_masked TEXT;
CREATE INDEX tb_members_card ON tb_members(card_hash);
