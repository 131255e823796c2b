-- Members' sign-in with a phone and a one-time code (services/crm/signin.py), and joining.
-- No code is kept readable: a code is stored only as HMAC-SHA256(CLUB_SIGNIN_CODE_KEY, phone|code),
-- and its SMS body in the outbox only sealed (AES-GCM, services/shared/vault.py) until it is sent.

-- One row per phone that asked for a code: the live code, wrong tries, the lock. The row is
-- locked (FOR UPDATE) by every start and verify of that phone, so the counts hold under concurrency.
CREATE TABLE signin_phones (
    phone         text PRIMARY KEY,               -- 09xxxxxxxxx
    code_hash     bytea,                          -- the live code's HMAC; NULL = none (used, expired, locked)
    code_expires_at timestamptz,
    wrong_codes   integer NOT NULL DEFAULT 0,     -- since the last success or the last lock
    locked_until  timestamptz,
    last_sent_at  timestamptz
);

-- Every code sent, for the hourly limits per phone and per client address.
CREATE TABLE signin_sends (
    phone         text NOT NULL,
    client_address text NOT NULL,
    sent_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX signin_sends_phone ON signin_sends (phone, sent_at);
CREATE INDEX signin_sends_address ON signin_sends (client_address, sent_at);

-- Every code tried, for the hourly limit per client address (across phones).
CREATE TABLE signin_verifies (
    client_address text NOT NULL,
    tried_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX signin_verifies_address ON signin_verifies (client_address, tried_at);

-- Who joined through the portal: one member and one virtual card per phone, however often
-- JoinClub is called with its ticket.
CREATE TABLE portal_joins (
    phone         text PRIMARY KEY,
    member_id     text NOT NULL,
    card_token    text,                           -- the virtual card, once issued
    joined_at     timestamptz NOT NULL DEFAULT now()
);

-- Outbox messages addressed to a phone rather than to a member's (a sign-in code may precede
-- the member), and sealed bodies: readable only by the worker, wiped once sent or expired.
ALTER TABLE outbox ADD COLUMN to_phone text;
ALTER TABLE outbox ADD COLUMN sealed_body bytea;
ALTER TABLE outbox ADD COLUMN expires_at timestamptz;  -- not sent after this (skipped, 'expired')
CREATE INDEX outbox_sealed ON outbox (expires_at) WHERE sealed_body IS NOT NULL;
