-- Merchant users: people of a merchant who sign in to the merchant portal
-- (services/tasheem/merchant_users.py). The password is kept only as an argon2 hash, the TOTP
-- secret only encrypted under the vault's data key (AES-GCM, the username as associated data).
CREATE TABLE merchant_users (
    username        text PRIMARY KEY CHECK (username ~ '^[a-z0-9._-]{3,64}$'),
    display_name    text NOT NULL,
    password_hash   text NOT NULL CHECK (password_hash LIKE '$argon2id$%'),
    totp_secret     bytea,                       -- NULL: no TOTP; else vault ciphertext
    last_totp_step  bigint NOT NULL DEFAULT 0,   -- a code is accepted once (no replay)
    failures        integer NOT NULL DEFAULT 0,  -- wrong sign-ins since the last good one or lock
    locked_until    timestamptz,
    created_by      text NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE merchant_user_merchants (
    username    text NOT NULL REFERENCES merchant_users ON DELETE CASCADE,
    merchant_id text NOT NULL REFERENCES merchants,
    PRIMARY KEY (username, merchant_id)
);
CREATE INDEX merchant_user_merchants_by_merchant ON merchant_user_merchants (merchant_id);

-- A merchant reads its terminals' 0500 results (ListTerminalReconciliations), newest first.
CREATE INDEX terminal_reconciliations_merchant ON terminal_reconciliations (merchant_id, id DESC);

-- The merchant dashboard reads one merchant's quotes of today.
CREATE INDEX quotes_merchant_created ON quotes (merchant_id, created_at);
