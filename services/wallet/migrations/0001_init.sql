-- The ledger: the one source of truth for money. Transfers are immutable; corrections are new
-- transfers. Balances on accounts are maintained in the same transaction as the transfers, and
-- CHECK constraints make the flags hold whatever the caller (or Redis) believed.

CREATE TABLE accounts (
    account_id       text PRIMARY KEY,
    unit             smallint NOT NULL,               -- 1 IRR, 2 POINTS
    kind             smallint NOT NULL,
    owner_id         text NOT NULL DEFAULT '',
    debits_must_not_exceed_credits boolean NOT NULL DEFAULT false,
    credits_must_not_exceed_debits boolean NOT NULL DEFAULT false,
    credit_limit     bigint NOT NULL DEFAULT 0 CHECK (credit_limit >= 0),
    closed           boolean NOT NULL DEFAULT false,
    debits_posted    bigint NOT NULL DEFAULT 0 CHECK (debits_posted >= 0),
    credits_posted   bigint NOT NULL DEFAULT 0 CHECK (credits_posted >= 0),
    debits_pending   bigint NOT NULL DEFAULT 0 CHECK (debits_pending >= 0),
    credits_pending  bigint NOT NULL DEFAULT 0 CHECK (credits_pending >= 0),
    created_at       timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT debits_within_credits CHECK (
        NOT debits_must_not_exceed_credits
        OR debits_posted + debits_pending <= credits_posted + credit_limit),
    CONSTRAINT credits_within_debits CHECK (
        NOT credits_must_not_exceed_debits
        OR credits_posted + credits_pending <= debits_posted)
);

-- sequence is assigned under a ledger-wide transaction lock, so sequence order is commit order:
-- a settlement reading (a, b] never misses a transfer that commits later with a smaller number.
CREATE TABLE transfers (
    sequence          bigserial PRIMARY KEY,
    transfer_id       text NOT NULL UNIQUE,
    debit_account_id  text NOT NULL REFERENCES accounts,
    credit_account_id text NOT NULL REFERENCES accounts,
    amount            bigint NOT NULL CHECK (amount >= 0),
    unit              smallint NOT NULL,
    code              smallint NOT NULL,
    flags             smallint NOT NULL DEFAULT 0,    -- 1 pending, 2 post_pending, 4 void_pending
    pending_id        text NOT NULL DEFAULT '',
    expires_at        timestamptz,
    reason            text NOT NULL DEFAULT '',
    source_ref        text NOT NULL DEFAULT '',
    party_id          text NOT NULL DEFAULT '',
    committed_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
    CHECK (debit_account_id <> credit_account_id)
);
CREATE INDEX transfers_debit ON transfers (debit_account_id, sequence);
CREATE INDEX transfers_credit ON transfers (credit_account_id, sequence);
CREATE INDEX transfers_committed ON transfers (committed_at);

-- A pending transfer (a hold) resolves at most once.
CREATE TABLE pendings (
    pending_id   text PRIMARY KEY REFERENCES transfers (transfer_id),
    state        text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'posted', 'voided', 'expired')),
    expires_at   timestamptz,
    resolved_by  text
);
CREATE INDEX pendings_open ON pendings (expires_at) WHERE state = 'pending';

-- Idempotency: one row per request id with the content fingerprint and the answer given.
CREATE TABLE requests (
    request_id   text PRIMARY KEY,
    kind         text NOT NULL,
    fingerprint  bytea NOT NULL,
    response     bytea NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now()
);

-- What a purchase posted, so reversals and refunds undo exactly that, proportionally.
CREATE TABLE purchases (
    transaction_id   text PRIMARY KEY,
    member_id        text NOT NULL,
    merchant_id      text NOT NULL,
    source           smallint NOT NULL,              -- 1 credit, 2 points
    amount           bigint NOT NULL,                -- gross rials
    discount         bigint NOT NULL,
    funding          jsonb NOT NULL,                 -- {party: rials}, non-merchant parties
    charged          bigint NOT NULL,                -- rials or points taken from the member
    points_earned    bigint NOT NULL,
    held             boolean NOT NULL DEFAULT false,
    state            text NOT NULL,                  -- held, posted, released
    captured_amount  bigint NOT NULL DEFAULT 0,
    undone_amount    bigint NOT NULL DEFAULT 0,      -- gross reversed or refunded so far
    charged_back     bigint NOT NULL DEFAULT 0,
    funding_back     jsonb NOT NULL DEFAULT '{}',
    points_back      bigint NOT NULL DEFAULT 0,
    created_at       timestamptz NOT NULL DEFAULT now(),
    CHECK (undone_amount <= amount)
);
CREATE INDEX purchases_member ON purchases (member_id, created_at);

CREATE TABLE points_lots (
    lot_id       text PRIMARY KEY,
    member_id    text NOT NULL,
    points       bigint NOT NULL CHECK (points > 0),
    remaining    bigint NOT NULL CHECK (remaining >= 0 AND remaining <= points),
    earned_at    timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    source       text NOT NULL,
    source_ref   text NOT NULL DEFAULT ''
);
CREATE INDEX points_lots_open ON points_lots (member_id, expires_at) WHERE remaining > 0;

CREATE TABLE member_tiers (
    member_id    text PRIMARY KEY,
    tier         text NOT NULL,
    updated_at   timestamptz NOT NULL DEFAULT now()
);
