-- The journal partitioned by month of received_at (services/shared/partitions.py makes the
-- months; docs/scaling.md, "Monthly partitions"). Postgres wants every unique key of a
-- partitioned table to include the partition key, so a transaction id's uniqueness across all
-- months is kept by transaction_ids, one unpartitioned row per journaled transaction id, inserted
-- in the same statement as the journal row (services/switch/journal.py): a retransmission
-- conflicts there, whatever the month, and its received_at and seq find the row (so the
-- partitions need no index of transaction ids). seq (the RRN) stays unique because one sequence
-- hands it out.
-- The rows move in this transaction: the old table is renamed, copied into the new one (all into
-- the DEFAULT partition; the migration run then moves each month into a partition of its own) and
-- dropped. The sequence carries on.
ALTER TABLE transactions RENAME TO transactions_unpartitioned;
ALTER SEQUENCE transactions_seq_seq OWNED BY NONE;

CREATE TABLE transactions (
    seq bigint NOT NULL DEFAULT nextval('transactions_seq_seq'),
    transaction_id text NOT NULL,
    kind text NOT NULL,
    channel text NOT NULL,
    mti text NOT NULL DEFAULT '',
    processing_code text NOT NULL DEFAULT '',
    terminal_id text NOT NULL DEFAULT '',
    merchant_id text NOT NULL DEFAULT '',
    stan text NOT NULL DEFAULT '',
    masked_pan text NOT NULL DEFAULT '',
    card_token text NOT NULL DEFAULT '',
    member_id text NOT NULL DEFAULT '',
    amount bigint NOT NULL DEFAULT 0 CHECK (amount >= 0),
    discount bigint NOT NULL DEFAULT 0 CHECK (discount >= 0),
    points_earned bigint NOT NULL DEFAULT 0,
    response_code text NOT NULL,
    approval_code text NOT NULL DEFAULT '',
    original_transaction_id text NOT NULL DEFAULT '',
    offers text[] NOT NULL DEFAULT '{}',
    message text NOT NULL DEFAULT '',
    received_at timestamptz NOT NULL,
    answered_at timestamptz NOT NULL,
    credit_available bigint,
    points_available bigint,
    limit_key text NOT NULL DEFAULT '',
    fingerprint text NOT NULL DEFAULT ''
) PARTITION BY RANGE (received_at);
CREATE TABLE transactions_default PARTITION OF transactions DEFAULT;

CREATE TABLE transaction_ids (
    transaction_id text PRIMARY KEY,
    received_at    timestamptz NOT NULL,
    seq            bigint NOT NULL
);

INSERT INTO transactions SELECT * FROM transactions_unpartitioned;
INSERT INTO transaction_ids (transaction_id, received_at, seq)
SELECT transaction_id, received_at, seq FROM transactions_unpartitioned;
DROP TABLE transactions_unpartitioned;

CREATE INDEX transactions_seq ON transactions (seq);
CREATE INDEX transactions_original ON transactions (original_transaction_id) WHERE original_transaction_id <> '';
CREATE INDEX transactions_terminal ON transactions (terminal_id, seq);
CREATE INDEX transactions_merchant ON transactions (merchant_id, seq);
CREATE INDEX transactions_limit ON transactions (limit_key) WHERE limit_key <> '';
CREATE INDEX transactions_member ON transactions (member_id, seq) WHERE member_id <> '';
ALTER SEQUENCE transactions_seq_seq OWNED BY transactions.seq;
