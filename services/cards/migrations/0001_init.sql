-- The cards schema: members, products (BIN ranges), cards and their audit trail, terminals.
-- No column ever holds a full PAN, a PIN, a PIN block, a CVV or a key in the clear:
-- PANs and keys are Vault ciphertexts (2-byte key version | nonce | AES-GCM), lookups go
-- through the keyed HMAC in pan_hash.

CREATE TABLE members (
    member_id   uuid PRIMARY KEY,
    seq         bigserial UNIQUE,            -- paging order
    phone       text NOT NULL DEFAULT '',
    national_id text NOT NULL DEFAULT '',
    first_name  text NOT NULL DEFAULT '',
    last_name   text NOT NULL DEFAULT '',
    email       text NOT NULL DEFAULT '',
    birth_date  date,
    segment     text NOT NULL DEFAULT '',
    tier        text NOT NULL DEFAULT '',
    preferences jsonb NOT NULL DEFAULT '{}',
    consents    jsonb NOT NULL DEFAULT '[]',
    anonymous   boolean NOT NULL DEFAULT false,  -- gift-card holders made by bulk issuance
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CHECK (anonymous OR phone <> '' OR national_id <> '')
);
CREATE UNIQUE INDEX members_phone ON members (phone) WHERE phone <> '';
CREATE UNIQUE INDEX members_national_id ON members (national_id) WHERE national_id <> '';

-- One PAN sequence per BIN and PAN length, shared by every product issuing in that range.
CREATE TABLE bin_ranges (
    bin           text NOT NULL,
    pan_length    int NOT NULL,
    next_sequence bigint NOT NULL DEFAULT 1,
    PRIMARY KEY (bin, pan_length)
);

CREATE TABLE products (
    product_id             uuid PRIMARY KEY,
    seq                    bigserial UNIQUE,
    name                   text NOT NULL,
    bin                    text NOT NULL,
    pan_length             int NOT NULL,
    kind                   text NOT NULL CHECK (kind IN ('gift', 'prepaid', 'credit', 'loyalty')),
    currency               text NOT NULL,
    validity_months        int NOT NULL CHECK (validity_months > 0),
    service_code           text NOT NULL,
    pin_required           boolean NOT NULL,
    per_transaction_amount bigint NOT NULL DEFAULT 0 CHECK (per_transaction_amount >= 0),
    daily_amount           bigint NOT NULL DEFAULT 0 CHECK (daily_amount >= 0),
    daily_count            int NOT NULL DEFAULT 0 CHECK (daily_count >= 0),
    allowed_processing     text[] NOT NULL,
    cvk_ciphertext         bytea NOT NULL,   -- the product's CVK under the Vault, AAD = product_id
    created_at             timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (bin, pan_length) REFERENCES bin_ranges (bin, pan_length)
);

CREATE TABLE bulk_batches (
    batch_id      uuid PRIMARY KEY,
    product_id    uuid NOT NULL REFERENCES products,
    campaign      text NOT NULL,
    total         int NOT NULL,
    printing_file text NOT NULL,
    channel       text NOT NULL,
    actor         text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE cards (
    card_token      text PRIMARY KEY,        -- opaque, "ct_" + base32
    seq             bigserial UNIQUE,
    pan_ciphertext  bytea NOT NULL,          -- Vault.encrypt(PAN), AAD = card_token
    pan_key_version int NOT NULL,            -- = Vault.key_version(pan_ciphertext), for key rotation
    pan_hash        bytea NOT NULL UNIQUE,   -- Vault.lookup_hash(PAN)
    masked_pan      text NOT NULL,           -- BIN + last 4
    member_id       uuid NOT NULL REFERENCES members,
    product_id      uuid NOT NULL REFERENCES products,
    status          text NOT NULL CHECK (status IN ('issued', 'active', 'suspended', 'lost', 'stolen', 'expired', 'closed')),
    expiry          text NOT NULL,           -- YYMM
    pvv             text,                    -- Visa PVV of the PIN; NULL until activation
    pvki            text,
    pin_tries       int NOT NULL DEFAULT 0 CHECK (pin_tries >= 0),
    replaced_by     text REFERENCES cards (card_token),
    replaces        text REFERENCES cards (card_token),
    campaign        text NOT NULL DEFAULT '',
    batch_id        uuid REFERENCES bulk_batches,
    version         bigint NOT NULL DEFAULT 1, -- bumped on every change; Redis keeps the highest
    issued_at       timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX cards_member ON cards (member_id, seq);
CREATE INDEX cards_campaign ON cards (campaign, seq) WHERE campaign <> '';
CREATE INDEX cards_pan_key_version ON cards (pan_key_version);

-- The audit trail of every card change (append only).
CREATE TABLE card_events (
    event_id    bigserial PRIMARY KEY,
    card_token  text NOT NULL REFERENCES cards,
    event       text NOT NULL,
    from_status text NOT NULL DEFAULT '',
    to_status   text NOT NULL,
    reason_code text NOT NULL,
    channel     text NOT NULL,
    actor       text NOT NULL,
    at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX card_events_card ON card_events (card_token, event_id);

CREATE TABLE terminals (
    terminal_id        text PRIMARY KEY,
    seq                bigserial UNIQUE,
    merchant_id        text NOT NULL,
    status             text NOT NULL CHECK (status IN ('active', 'blocked', 'closed')),
    pin_key_ciphertext bytea NOT NULL,       -- Vault, AAD = terminal_id
    mac_key_ciphertext bytea NOT NULL,       -- Vault, AAD = terminal_id
    pin_key_kcv        text NOT NULL,
    mac_key_kcv        text NOT NULL,
    key_version        int NOT NULL DEFAULT 1,
    version            bigint NOT NULL DEFAULT 1,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX terminals_merchant ON terminals (merchant_id, seq);

CREATE TABLE terminal_events (
    event_id    bigserial PRIMARY KEY,
    terminal_id text NOT NULL REFERENCES terminals,
    event       text NOT NULL,
    from_status text NOT NULL DEFAULT '',
    to_status   text NOT NULL,
    reason_code text NOT NULL,
    actor       text NOT NULL,
    at          timestamptz NOT NULL DEFAULT now()
);
