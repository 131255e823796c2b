-- Coupons: a member's right to one use of a coupon campaign (an offer with coupon_required).
-- Assigned by an operator, claimed with a code, or issued as a voucher for points (rewards).
-- services/tasheem/coupons.py owns this table; docs/tasheem.md, "Coupons".
CREATE TABLE coupons (
  coupon_id text PRIMARY KEY,
  offer_id text NOT NULL,
  member_id text NOT NULL,
  source text NOT NULL CHECK (source IN ('assigned', 'code', 'voucher')),
  state text NOT NULL DEFAULT 'available' CHECK (state IN ('available', 'used', 'expired', 'cancelled')),
  transaction_id text,            -- the purchase that used it
  expires_at timestamptz,         -- NULL: the campaign's window decides
  reward_id text NOT NULL DEFAULT '',
  points_spent bigint NOT NULL DEFAULT 0,
  redemption_id text UNIQUE,      -- vouchers: the idempotency key of the redemption
  assignment_id text NOT NULL DEFAULT '',
  created_at timestamptz NOT NULL DEFAULT now(),
  used_at timestamptz
);

-- A coupon is used by exactly one purchase, and a purchase uses at most one coupon per campaign.
ALTER TABLE coupons ADD CONSTRAINT coupons_used_by_a_purchase CHECK ((state = 'used') = (transaction_id IS NOT NULL));
CREATE UNIQUE INDEX coupons_purchase ON coupons (transaction_id, offer_id) WHERE transaction_id IS NOT NULL;
-- Matching at purchase: a member's available coupons of the eligible campaigns, soonest-expiring
-- first. Never a scan of all coupons.
CREATE INDEX coupons_member_available ON coupons (member_id, offer_id, expires_at) WHERE state = 'available';
-- ListCoupons and the per-member limits.
CREATE INDEX coupons_member ON coupons (member_id, offer_id);
-- AssignCoupons is idempotent by (assignment_id, member).
CREATE UNIQUE INDEX coupons_assignment ON coupons (assignment_id, member_id) WHERE assignment_id <> '';

-- Codes that claim a coupon: single-use (generated, with a check character) and shared (chosen
-- by an operator, with a number of uses). Only a keyed hash of each code is kept.
CREATE TABLE coupon_codes (
  code_hash       bytea PRIMARY KEY,  -- HMAC-SHA256 of the normalized code under CLUB_COUPON_CODE_KEY
  offer_id        text NOT NULL,
  shared          boolean NOT NULL,
  total_uses      int NOT NULL CHECK (total_uses > 0),
  per_member_uses int NOT NULL CHECK (per_member_uses > 0),
  claimed         int NOT NULL DEFAULT 0,
  created_at      timestamptz NOT NULL DEFAULT now(),
  CHECK (claimed BETWEEN 0 AND total_uses)
);
CREATE INDEX coupon_codes_offer ON coupon_codes (offer_id);

-- The code a coupon was claimed with: a shared code's uses per member are counted from these.
ALTER TABLE coupons ADD COLUMN code_hash bytea REFERENCES coupon_codes;
CREATE INDEX coupons_code_member ON coupons (code_hash, member_id) WHERE code_hash IS NOT NULL;
