-- Offer releases owed after money went back to a member (a refund or reversal done, tasheem not
-- reachable): retried by the compensation loop until tasheem confirms. `stands` is the gross of
-- the purchase that still stands (0: release all, member uses too); a later, lower one replaces it.
CREATE TABLE offer_releases (
    transaction_id text PRIMARY KEY,
    stands bigint NOT NULL CHECK (stands >= 0),
    created_at timestamptz NOT NULL DEFAULT now(),
    attempts integer NOT NULL DEFAULT 0,
    resolved_at timestamptz
);
CREATE INDEX offer_releases_open ON offer_releases (created_at) WHERE resolved_at IS NULL;
