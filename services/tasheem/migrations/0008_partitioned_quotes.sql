-- Quote records partitioned by month of created_at (services/shared/partitions.py makes the
-- months; docs/scaling.md, "Monthly partitions"). Postgres wants every unique key of a
-- partitioned table to include the partition key, so a transaction id's uniqueness across all
-- months is kept by quote_ids, one unpartitioned row per recorded quote, inserted in the same
-- statement as the quote (services/tasheem/quote.py): a retried transaction id conflicts there,
-- whatever the month, reservations refer to it, and its created_at finds the quote's partition.
-- The rows move in this transaction: the old table is renamed, copied into the new one (all into
-- the DEFAULT partition; the migration run then moves each month into a partition of its own) and
-- dropped.
ALTER TABLE reservations DROP CONSTRAINT reservations_transaction_id_fkey;
ALTER TABLE quotes RENAME TO quotes_unpartitioned;

CREATE TABLE quotes (
    transaction_id   text NOT NULL,
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
    release_batch_id text,            -- the batch that took it back after a release
    share_released   bigint NOT NULL DEFAULT 0,
    share_released_at timestamptz,
    share_taken_back bigint NOT NULL DEFAULT 0,
    CONSTRAINT share_released_within_share
        CHECK (share_taken_back BETWEEN 0 AND share_released AND share_released <= merchant_share)
) PARTITION BY RANGE (created_at);
CREATE TABLE quotes_default PARTITION OF quotes DEFAULT;

CREATE TABLE quote_ids (
    transaction_id text PRIMARY KEY,
    created_at     timestamptz NOT NULL
);

INSERT INTO quotes (transaction_id, merchant_id, terminal_id, member_id, amount, discount, merchant_share, response,
                    created_at, released_at, batch_id, release_batch_id, share_released, share_released_at,
                    share_taken_back)
SELECT transaction_id, merchant_id, terminal_id, member_id, amount, discount, merchant_share, response,
       created_at, released_at, batch_id, release_batch_id, share_released, share_released_at, share_taken_back
  FROM quotes_unpartitioned;
INSERT INTO quote_ids (transaction_id, created_at) SELECT transaction_id, created_at FROM quotes_unpartitioned;
DROP TABLE quotes_unpartitioned;

ALTER TABLE quotes ADD PRIMARY KEY (transaction_id, created_at);
CREATE INDEX quotes_terminal ON quotes (terminal_id, created_at);
CREATE INDEX quotes_merchant_created ON quotes (merchant_id, created_at);  -- a merchant's day (0007)
CREATE INDEX quotes_unbatched ON quotes (created_at) WHERE batch_id IS NULL AND merchant_share > 0;
CREATE INDEX quotes_release_unbatched ON quotes (released_at)
    WHERE release_batch_id IS NULL AND released_at IS NOT NULL AND merchant_share > 0;
CREATE INDEX quotes_share_release_unbatched ON quotes (share_released_at)
    WHERE share_released > share_taken_back AND release_batch_id IS NULL;
ALTER TABLE reservations ADD CONSTRAINT reservations_transaction_id_fkey
    FOREIGN KEY (transaction_id) REFERENCES quote_ids;
