-- The tasheem schema: funding parties, merchants and beneficiaries, offers, quote records and
-- budget reservations (the durable side of the Redis gate), settlement batches.

CREATE TABLE parties (
    party_id   text PRIMARY KEY,
    name       text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE merchants (
    merchant_id text PRIMARY KEY CHECK (length(merchant_id) BETWEEN 1 AND 15),  -- ISO 8583 field 42
    seq         bigserial UNIQUE,
    name        text NOT NULL,
    mcc         text NOT NULL CHECK (mcc ~ '^[0-9]{4}$'),
    grp         text NOT NULL DEFAULT '',
    active      boolean NOT NULL DEFAULT true,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX merchants_grp ON merchants (grp, seq);

CREATE TABLE beneficiaries (
    merchant_id  text NOT NULL REFERENCES merchants ON DELETE CASCADE,
    position     int NOT NULL CHECK (position BETWEEN 0 AND 9),
    iban         text NOT NULL CHECK (iban ~ '^IR[0-9]{24}$'),
    name         text NOT NULL,
    ratio_bp     int NOT NULL DEFAULT 0 CHECK (ratio_bp BETWEEN 0 AND 10000),
    fixed_amount bigint NOT NULL DEFAULT 0 CHECK (fixed_amount >= 0),
    remainder    boolean NOT NULL DEFAULT false,
    PRIMARY KEY (merchant_id, position)
);

CREATE TABLE offers (
    offer_id   text PRIMARY KEY,
    seq        bigserial UNIQUE,
    spec       jsonb NOT NULL,        -- the Offer message as saved (proto JSON, field names)
    active     boolean NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- Every reserved quote (an authorization), kept for settlement (the merchant-borne share of
-- each purchase) and terminal reconciliation. Committed before the quote is answered.
CREATE TABLE quotes (
    transaction_id   text PRIMARY KEY,
    merchant_id      text NOT NULL,
    terminal_id      text NOT NULL DEFAULT '',
    member_id        text NOT NULL DEFAULT '',
    amount           bigint NOT NULL CHECK (amount >= 0),
    discount         bigint NOT NULL CHECK (discount BETWEEN 0 AND amount),
    merchant_share   bigint NOT NULL CHECK (merchant_share BETWEEN 0 AND discount),
    response         bytea NOT NULL,  -- the QuoteResponse answered, replayed on retries
    created_at       timestamptz NOT NULL DEFAULT now(),
    released_at      timestamptz,     -- decline or reversal
    batch_id         text,            -- the settlement batch that counted the merchant-borne share
    release_batch_id text             -- the batch that took it back after a release
);
CREATE INDEX quotes_terminal ON quotes (terminal_id, created_at);
CREATE INDEX quotes_unbatched ON quotes (created_at) WHERE batch_id IS NULL AND merchant_share > 0;
CREATE INDEX quotes_release_unbatched ON quotes (released_at)
    WHERE release_batch_id IS NULL AND released_at IS NOT NULL AND merchant_share > 0;

-- One row per offer reserved by a quote: the source the Redis counters are rebuilt from.
CREATE TABLE reservations (
    transaction_id text NOT NULL REFERENCES quotes,
    offer_id       text NOT NULL REFERENCES offers,
    member_id      text NOT NULL DEFAULT '',
    discount       bigint NOT NULL CHECK (discount >= 0),
    day_key        text NOT NULL,    -- calendar periods in the club time zone
    week_key       text NOT NULL,
    month_key      text NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    released_at    timestamptz,
    PRIMARY KEY (transaction_id, offer_id)
);
CREATE INDEX reservations_active ON reservations (offer_id, member_id) WHERE released_at IS NULL;

CREATE TABLE batches (
    batch_id          text PRIMARY KEY,
    cutoff            timestamptz NOT NULL UNIQUE,
    status            text NOT NULL CHECK (status IN ('closing', 'closed', 'reconciled', 'mismatch')),
    from_sequence     bigint NOT NULL,   -- exclusive
    to_sequence       bigint NOT NULL,   -- inclusive
    total_net_payable bigint NOT NULL DEFAULT 0,
    payout_lines      int NOT NULL DEFAULT 0,
    settlement_file   text NOT NULL DEFAULT '',
    report_dir        text NOT NULL DEFAULT '',
    mismatches        jsonb NOT NULL DEFAULT '[]',
    closed_at         timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE batch_merchants (
    batch_id        text NOT NULL REFERENCES batches,
    merchant_id     text NOT NULL,
    sales           bigint NOT NULL,   -- what members paid (ledger SALE credits)
    discount_funding bigint NOT NULL,  -- funders' shares paid in (ledger DISCOUNT_FUNDING credits)
    merchant_borne  bigint NOT NULL,   -- the merchant's own share of discounts (quote records)
    funded_by_party jsonb NOT NULL,
    refunds         bigint NOT NULL,
    reversals       bigint NOT NULL,
    fees            bigint NOT NULL,
    carried_in      bigint NOT NULL,   -- a negative net payable of the previous batch, <= 0
    net_payable     bigint NOT NULL,   -- may be negative: then nothing is paid and it carries forward
    payouts         jsonb NOT NULL,    -- [{iban, name, amount}]
    PRIMARY KEY (batch_id, merchant_id)
);

CREATE TABLE terminal_reconciliations (
    id          bigserial PRIMARY KEY,
    terminal_id text NOT NULL,
    merchant_id text NOT NULL,
    since       timestamptz NOT NULL,
    until       timestamptz NOT NULL,
    in_balance  boolean NOT NULL,
    mismatches  jsonb NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX terminal_reconciliations_terminal ON terminal_reconciliations (terminal_id, id);
