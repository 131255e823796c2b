-- The switch's transaction journal: every request it answered and the answer, written before
-- the answer goes out. Rows are never updated; reversals and refunds are rows of their own.
-- A row's seq is the retrieval reference number (field 37) the terminal prints.
CREATE TABLE transactions (
    seq bigserial UNIQUE,
    transaction_id text PRIMARY KEY,
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
    answered_at timestamptz NOT NULL
);
CREATE INDEX transactions_original ON transactions (original_transaction_id) WHERE original_transaction_id <> '';
CREATE INDEX transactions_terminal ON transactions (terminal_id, seq);
CREATE INDEX transactions_merchant ON transactions (merchant_id, seq);

-- Work left after an answer of 91/96 whose downstream effects are uncertain: the wallet posting
-- is reversed and the offer budget released, retried until both services confirm.
CREATE TABLE compensations (
    transaction_id text PRIMARY KEY,
    wallet_called boolean NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    attempts integer NOT NULL DEFAULT 0,
    resolved_at timestamptz
);
CREATE INDEX compensations_open ON compensations (created_at) WHERE resolved_at IS NULL;
