-- A purchase undone in part gives back the same part of the merchant's own share of its
-- discount. Settlement takes back what a partial release gave back, once, like a full release:
-- share_released grows under the quote's row lock (never shrinks); share_taken_back is how
-- much of it settlement batches have already taken back.
ALTER TABLE quotes ADD COLUMN share_released bigint NOT NULL DEFAULT 0;
ALTER TABLE quotes ADD COLUMN share_released_at timestamptz;
ALTER TABLE quotes ADD COLUMN share_taken_back bigint NOT NULL DEFAULT 0;
ALTER TABLE quotes ADD CONSTRAINT share_released_within_share
    CHECK (share_taken_back BETWEEN 0 AND share_released AND share_released <= merchant_share);
CREATE INDEX quotes_share_release_unbatched ON quotes (share_released_at)
    WHERE share_released > share_taken_back AND release_batch_id IS NULL;
