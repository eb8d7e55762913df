-- migrate: foreign_keys off
-- The time bank, second part (issue 16).  PostgreSQL's twin is sql/pg/056_timebank2.sql.
--
-- 1. Expiry (RULE-TB-060..): a transfer of category 'expire' moves hours that passed the
--    scheme's expiry_months from a member back to the scheme's issue account.  SQLite cannot
--    change a CHECK in place, so tb_transfers is rebuilt by the documented procedure (foreign
--    keys off, checked before the commit), same columns in the same order, same rows.
-- 2. Regional settings of the time bank (RULE-TB-064, 066): the elder-volunteer target and the
--    radius of "nearby" needs; the deepest region that sets a key decides.
-- 3. Positions (RULE-TB-066): a need's point, a member's home or station.
-- 4. The citizen card (RULE-TB-070): a member's card number, encrypted, hashed and masked.

CREATE TABLE tb_transfers_new (
    id           INTEGER PRIMARY KEY,
    scheme_id    INTEGER NOT NULL REFERENCES tb_schemes(id),  -- where it was posted
    category     TEXT NOT NULL CHECK (category IN ('service', 'redeem', 'gift', 'donate',
                     'grant', 'topup', 'cap_donate', 'exchange', 'expire')),
    minutes      INTEGER NOT NULL CHECK (minutes > 0),
    parent_id    INTEGER,                   -- a cap donation names the transfer it followed
    alliance_id  INTEGER,                   -- an inter-scheme transfer (通存通兑)
    need_id      INTEGER,
    note         TEXT NOT NULL DEFAULT '',
    relation     TEXT,                      -- a gift: the receiver's relation to the giver
    created_by   TEXT NOT NULL,
    created_at   BIGINT NOT NULL
);
INSERT INTO tb_transfers_new(id, scheme_id, category, minutes, parent_id, alliance_id, need_id,
    note, relation, created_by, created_at)
SELECT id, scheme_id, category, minutes, parent_id, alliance_id, need_id, note, relation,
    created_by, created_at FROM tb_transfers;
DROP TABLE tb_transfers;
ALTER TABLE tb_transfers_new RENAME TO tb_transfers;
CREATE INDEX tb_transfers_scheme ON tb_transfers(scheme_id, id);

CREATE TABLE tb_settings (
    region_code  TEXT NOT NULL,     -- '' for the default of every region
    key          TEXT NOT NULL CHECK (key IN ('elder_volunteer_target_pct', 'nearby_radius_m')),
    value        INTEGER NOT NULL,
    updated_by   TEXT NOT NULL,
    updated_at   BIGINT NOT NULL,
    PRIMARY KEY (region_code, key)
);
-- Hangzhou's 12 % (RULE-TB-064) and 5 km for nearby needs (RULE-TB-066).
INSERT INTO tb_settings(region_code, key, value, updated_by, updated_at) VALUES
    ('', 'elder_volunteer_target_pct', 12, 'system', 0),
    ('', 'nearby_radius_m', 5000, 'system', 0);

ALTER TABLE tb_needs ADD COLUMN lat REAL;
ALTER TABLE tb_needs ADD COLUMN lng REAL;
ALTER TABLE tb_members ADD COLUMN lat REAL;
ALTER TABLE tb_members ADD COLUMN lng REAL;

ALTER TABLE tb_members ADD COLUMN card_enc TEXT;     -- the citizen-card number, sealed
ALTER TABLE tb_members ADD COLUMN card_hash TEXT;    -- keyed hash for exact lookup
ALTER TABLE tb_members ADD COLUMN card_masked TEXT;  -- first 4 and last 4 characters
CREATE INDEX tb_members_card ON tb_members(card_hash);
