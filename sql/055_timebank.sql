-- The time bank (时间银行, issue 16): schemes per region, alliances between schemes,
-- members (volunteers and elders), a double-entry ledger of movements, needs and service.
-- PostgreSQL's twin is sql/pg/055_timebank.sql (identity keys, "C" collation on codes).
--
-- Ledger (RULE-TB-010..): a transfer is one row of tb_transfers and two or more rows of
-- tb_movements whose amounts (minutes) sum to zero within each scheme.  Every account belongs
-- to one scheme: a member's account, the scheme's issue account (发行: where service hours
-- come from, the only account besides clearing that goes below zero), its public fund (公益
-- 时间基金) and one clearing account per alliance (通存通兑).  tb_accounts.balance_min is
-- derived: written only in the transaction that writes the movements, and checked against
-- their sum by `anlao timebank verify`.

INSERT INTO permissions(id, name) VALUES
    ('timebank.read',    '查看时间银行、志愿者、账户与需求'),
    ('timebank.manage',  '设立时间银行、设置规则、结成与暂停通存通兑联盟'),
    ('timebank.operate', '登记与审核志愿者、记入时间、发布与确认服务需求'),
    ('timebank.self',    '志愿者本人：附近需求、接单、确认服务、我的时间与明细');
INSERT INTO role_permissions(role_id, permission_id) VALUES
    ('civil_officer', 'timebank.read'), ('civil_officer', 'timebank.manage'),
    ('civil_officer', 'timebank.operate'),
    ('township_officer', 'timebank.read'), ('township_officer', 'timebank.manage'),
    ('township_officer', 'timebank.operate'),
    ('helper', 'timebank.read'), ('helper', 'timebank.operate'),
    ('volunteer', 'timebank.self');
-- RULE-AUTH-009: role permissions changed.
UPDATE settings SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT)
 WHERE key = 'auth.roles_version';

CREATE TABLE tb_schemes (
    id                  INTEGER PRIMARY KEY,
    region_code         TEXT NOT NULL,             -- county (6) or township (9) code
    name                TEXT NOT NULL,
    -- RULE-TB-020..: the regional rules
    cap_min             INTEGER NOT NULL DEFAULT 90000,  -- stored minutes per member, 0: none
    redeem_age          INTEGER NOT NULL DEFAULT 65,
    redeem_age_difficulty INTEGER NOT NULL DEFAULT 60,
    gift_min_age        INTEGER NOT NULL DEFAULT 60,
    key_elder_age       INTEGER NOT NULL DEFAULT 80,
    group_donate_only   INTEGER NOT NULL DEFAULT 1,
    expiry_months       INTEGER NOT NULL DEFAULT 0,      -- 0: hours never expire
    categories          TEXT NOT NULL,                   -- need categories, '|'-separated
    created_by          TEXT NOT NULL,
    created_at          BIGINT NOT NULL,
    version             INTEGER NOT NULL DEFAULT 1,
    UNIQUE (region_code, name)
);

CREATE TABLE tb_alliances (
    id           INTEGER PRIMARY KEY,
    scheme_lo    INTEGER NOT NULL REFERENCES tb_schemes(id),   -- the smaller scheme id
    scheme_hi    INTEGER NOT NULL REFERENCES tb_schemes(id),
    proposer_id  INTEGER NOT NULL REFERENCES tb_schemes(id),
    status       TEXT NOT NULL DEFAULT 'proposed'
                 CHECK (status IN ('proposed', 'accepted', 'suspended')),
    note         TEXT NOT NULL DEFAULT '',
    created_by   TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    decided_by   TEXT,
    decided_at   BIGINT,
    version      INTEGER NOT NULL DEFAULT 1,
    CHECK (scheme_lo < scheme_hi),
    UNIQUE (scheme_lo, scheme_hi)
);

CREATE TABLE tb_members (
    id            INTEGER PRIMARY KEY,
    scheme_id     INTEGER NOT NULL REFERENCES tb_schemes(id),
    region_code   TEXT NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('individual', 'group')),
    name          TEXT NOT NULL,
    phone         TEXT,
    birth_date    TEXT,                    -- individuals; from the registry when elder_id is set
    elder_id      INTEGER,                 -- the member is an elder of the registry
    user_id       INTEGER,                 -- the volunteer's own sign-in, when they have one
    group_type    TEXT,                    -- company, school, community team
    training      TEXT NOT NULL DEFAULT '',
    conduct_signed INTEGER NOT NULL DEFAULT 0,
    status        TEXT NOT NULL DEFAULT 'pending'
                  CHECK (status IN ('pending', 'verified', 'suspended')),
    verified_by   TEXT,
    verified_at   BIGINT,
    created_by    TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    version       INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX tb_members_scheme ON tb_members(scheme_id, id);
CREATE INDEX tb_members_region ON tb_members(region_code, id);
CREATE UNIQUE INDEX tb_members_elder ON tb_members(scheme_id, elder_id);

CREATE TABLE tb_accounts (
    id           INTEGER PRIMARY KEY,
    scheme_id    INTEGER NOT NULL REFERENCES tb_schemes(id),
    kind         TEXT NOT NULL CHECK (kind IN ('member', 'issue', 'fund', 'clearing')),
    member_id    INTEGER NOT NULL DEFAULT 0,   -- kind member
    alliance_id  INTEGER NOT NULL DEFAULT 0,   -- kind clearing
    balance_min  INTEGER NOT NULL DEFAULT 0,   -- derived: the sum of its movements
    UNIQUE (scheme_id, kind, member_id, alliance_id)
);

CREATE TABLE tb_transfers (
    id           INTEGER PRIMARY KEY,
    scheme_id    INTEGER NOT NULL REFERENCES tb_schemes(id),  -- where it was posted
    category     TEXT NOT NULL CHECK (category IN ('service', 'redeem', 'gift', 'donate',
                     'grant', 'topup', 'cap_donate', 'exchange')),
    minutes      INTEGER NOT NULL CHECK (minutes > 0),
    parent_id    INTEGER,                   -- a cap donation names the transfer it followed
    alliance_id  INTEGER,                   -- an inter-scheme transfer (通存通兑)
    need_id      INTEGER,
    note         TEXT NOT NULL DEFAULT '',
    relation     TEXT,                      -- a gift: the receiver's relation to the giver
    created_by   TEXT NOT NULL,
    created_at   BIGINT NOT NULL
);
CREATE INDEX tb_transfers_scheme ON tb_transfers(scheme_id, id);

CREATE TABLE tb_movements (
    id           INTEGER PRIMARY KEY,
    transfer_id  INTEGER NOT NULL REFERENCES tb_transfers(id),
    account_id   INTEGER NOT NULL REFERENCES tb_accounts(id),
    amount_min   INTEGER NOT NULL CHECK (amount_min <> 0),
    created_at   BIGINT NOT NULL
);
CREATE INDEX tb_movements_transfer ON tb_movements(transfer_id);
CREATE INDEX tb_movements_account ON tb_movements(account_id, id);

CREATE TABLE tb_needs (
    id            INTEGER PRIMARY KEY,
    scheme_id     INTEGER NOT NULL REFERENCES tb_schemes(id),
    region_code   TEXT NOT NULL,            -- the elder's
    elder_id      INTEGER NOT NULL,
    elder_name    TEXT NOT NULL,            -- as the registry had it when posted
    category      TEXT NOT NULL,
    place         TEXT NOT NULL,
    starts_at     BIGINT NOT NULL,
    duration_min  INTEGER NOT NULL,
    note          TEXT NOT NULL DEFAULT '',
    pay_from      TEXT NOT NULL DEFAULT 'scheme' CHECK (pay_from IN ('scheme', 'elder')),
    status        TEXT NOT NULL DEFAULT 'open'
                  CHECK (status IN ('open', 'taken', 'done', 'disputed', 'cancelled')),
    payer_id      INTEGER,                  -- pay_from elder: the elder's member account
    member_id     INTEGER,                  -- the volunteer who took it
    confirm_code  TEXT NOT NULL,            -- the elder's short code (RULE-TB-041)
    code_fails    INTEGER NOT NULL DEFAULT 0,
    served_min    INTEGER,
    volunteer_ok  INTEGER NOT NULL DEFAULT 0,
    elder_ok      INTEGER NOT NULL DEFAULT 0,
    dispute       TEXT,
    resolved_by   TEXT,
    transfer_id   INTEGER,
    created_by    TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    version       INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX tb_needs_scheme ON tb_needs(scheme_id, status, starts_at);
CREATE INDEX tb_needs_region ON tb_needs(region_code, id);
