-- The ledger's transfers partitioned by month of committed_at (services/shared/partitions.py makes
-- the months; docs/scaling.md, "Monthly partitions"). Postgres wants every unique key of a
-- partitioned table to include the partition key, so a transfer id's uniqueness across all months
-- is kept by transfer_ids, one unpartitioned row per transfer id, written in the same statement as
-- the transfer (services/wallet/ledger.py): its primary key refuses a repeated id whatever the
-- month, pendings refer to it, and its committed_at finds the transfer's partition.
-- The rows move in this transaction: the old table is renamed, copied into the new one (all into
-- the DEFAULT partition; the migration run then moves each month into a partition of its own) and
-- dropped. The sequence carries on, so sequence numbers stay unique and in commit order.
ALTER TABLE pendings DROP CONSTRAINT pendings_pending_id_fkey;
ALTER TABLE transfers RENAME TO transfers_unpartitioned;
ALTER SEQUENCE transfers_sequence_seq OWNED BY NONE;

CREATE TABLE transfers (
    sequence          bigint NOT NULL DEFAULT nextval('transfers_sequence_seq'),
    transfer_id       text NOT NULL,
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
) PARTITION BY RANGE (committed_at);
CREATE TABLE transfers_default PARTITION OF transfers DEFAULT;

CREATE TABLE transfer_ids (
    transfer_id  text PRIMARY KEY,
    committed_at timestamptz NOT NULL
);

INSERT INTO transfers (sequence, transfer_id, debit_account_id, credit_account_id, amount, unit, code, flags,
                       pending_id, expires_at, reason, source_ref, party_id, committed_at)
SELECT sequence, transfer_id, debit_account_id, credit_account_id, amount, unit, code, flags,
       pending_id, expires_at, reason, source_ref, party_id, committed_at
  FROM transfers_unpartitioned;
INSERT INTO transfer_ids (transfer_id, committed_at) SELECT transfer_id, committed_at FROM transfers_unpartitioned;
DROP TABLE transfers_unpartitioned;

ALTER TABLE transfers ADD PRIMARY KEY (sequence, committed_at);
CREATE INDEX transfers_debit ON transfers (debit_account_id, sequence);
CREATE INDEX transfers_credit ON transfers (credit_account_id, sequence);
CREATE INDEX transfers_committed ON transfers (committed_at);
ALTER SEQUENCE transfers_sequence_seq OWNED BY transfers.sequence;
ALTER TABLE pendings ADD CONSTRAINT pendings_pending_id_fkey FOREIGN KEY (pending_id) REFERENCES transfer_ids;
