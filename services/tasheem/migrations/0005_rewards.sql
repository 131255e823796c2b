-- Rewards bought with points ("free products") and their redemptions; services/tasheem/rewards.py
-- owns both tables, docs/tasheem.md "Rewards and vouchers". A reward is backed by a coupon
-- campaign (offer_id, coupon_required): a redemption spends the member's points in the wallet and
-- issues the member a coupon of that campaign, the voucher.
CREATE TABLE rewards (
    reward_id          text PRIMARY KEY,
    seq                bigserial UNIQUE,
    name               text NOT NULL,
    points_price       bigint NOT NULL CHECK (points_price > 0),
    stock              int NOT NULL CHECK (stock >= 0),       -- left: how many more may be redeemed
    merchant_id        text NOT NULL REFERENCES merchants,
    value              bigint NOT NULL CHECK (value > 0),     -- rials: the voucher's discount there
    funded_by          text NOT NULL,                         -- the party that pays the value
    tiers              text[] NOT NULL DEFAULT '{}',          -- empty = any
    segments           text[] NOT NULL DEFAULT '{}',          -- empty = any
    redeem_window      jsonb NOT NULL,                        -- the OfferWindow as saved ("window" is reserved)
    voucher_valid_days int NOT NULL CHECK (voucher_valid_days > 0),
    on_expiry          text NOT NULL CHECK (on_expiry IN ('forfeit', 'refund')),
    offer_id           text NOT NULL UNIQUE REFERENCES offers, -- its coupon campaign
    active             boolean NOT NULL DEFAULT true,
    redeemed           int NOT NULL DEFAULT 0 CHECK (redeemed >= 0),  -- stock taken and not given back
    created_at         timestamptz NOT NULL DEFAULT now()
);

-- One row per redemption_id (the caller's idempotency key). States:
--   pending    stock taken; the points may or may not be spent yet; no voucher
--   issued     points spent, voucher (coupon_id) issued
--   returning  voucher cancelled, or expired with on_expiry = refund: its points are owed back
--   returned   its points were given back
--   forfeited  voucher expired with on_expiry = forfeit: its points stay spent
-- A pending row older than a minute is finished (or undone) by the sweep; a returning one is
-- returned by it. A refused redemption leaves no row.
CREATE TABLE redemptions (
    redemption_id      text PRIMARY KEY,
    reward_id          text NOT NULL REFERENCES rewards,
    member_id          text NOT NULL,
    points             bigint NOT NULL CHECK (points > 0),  -- the price when redeemed
    state              text NOT NULL CHECK (state IN ('pending', 'issued', 'returning', 'returned', 'forfeited')),
    ended_by           text CHECK (ended_by IN ('cancel', 'expiry')),  -- why a voucher is no longer usable
    voucher_expires_at timestamptz NOT NULL,  -- fixed when the redemption starts, so a late finish keeps it
    coupon_id          text UNIQUE,           -- the voucher, once issued
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    CHECK ((state = 'pending') = (coupon_id IS NULL)),
    CHECK ((state IN ('returning', 'returned', 'forfeited')) = (ended_by IS NOT NULL))
);
CREATE INDEX redemptions_unfinished ON redemptions (updated_at) WHERE state IN ('pending', 'returning');
CREATE INDEX redemptions_member ON redemptions (member_id);
-- ExpireVouchers: unused vouchers past their validity, without a scan of every coupon.
CREATE INDEX coupons_voucher_due ON coupons (expires_at) WHERE state = 'available' AND source = 'voucher';
