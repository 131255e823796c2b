-- Announcements and notifications: an outbox of messages to members (SMS, email, the inbox),
-- delivered by the crm process's worker, and the inbox members read.

CREATE TABLE announcements (
    announcement_id text PRIMARY KEY,
    template      text NOT NULL,
    subject       text NOT NULL DEFAULT '',
    channels      text[] NOT NULL,
    marketing     boolean NOT NULL,
    audience      jsonb NOT NULL,                 -- tiers, segments, member_ids as asked
    total         integer NOT NULL DEFAULT 0,     -- members in the audience
    skipped_consent integer NOT NULL DEFAULT 0,   -- marketing without the channel's consent
    skipped_address integer NOT NULL DEFAULT 0,   -- no phone (SMS) or email
    created_by    text NOT NULL DEFAULT '',
    created_at    timestamptz NOT NULL DEFAULT now(),
    finished_at   timestamptz                     -- every message queued
);

-- One row per message and channel. Delivery states:
--   queued   waiting for next_attempt_at (a retry after a provider error waits here too)
--   held     marketing SMS in quiet hours, until next_attempt_at (08:00 in the club's zone)
--   sending  claimed by the worker with attempt_id until lease_until; the provider call is under way
--   sent     the provider took it (provider_id is its message id)
--   failed   refused for good (a 4xx, or retries exhausted)
--   unknown  the worker stopped mid-send and the provider cannot say: an operator decides
--   skipped  not sent by a rule (no consent, no address, the daily cap)
CREATE TABLE outbox (
    message_id    bigserial PRIMARY KEY,          -- also the SMS gateway's localid
    member_id     text NOT NULL,
    channel       text NOT NULL CHECK (channel IN ('sms', 'email', 'inbox')),
    kind          text NOT NULL,                  -- announcement, promoted, event_cancelled, ...
    marketing     boolean NOT NULL,
    consent       text NOT NULL DEFAULT '',       -- the member's consent it needs (marketing_sms, receipt_sms), checked at sending
    subject       text NOT NULL DEFAULT '',
    body          text NOT NULL,
    announcement_id text REFERENCES announcements (announcement_id),
    source_key    text UNIQUE,                    -- what queued it, once: notification:<id>:<channel>, receipt:<txn>, ...
    state         text NOT NULL DEFAULT 'queued'
                  CHECK (state IN ('queued', 'held', 'sending', 'sent', 'failed', 'unknown', 'skipped')),
    reason        text NOT NULL DEFAULT '',       -- why failed, unknown or skipped
    attempts      integer NOT NULL DEFAULT 0,
    attempt_id    text,                           -- the current claim: only its holder records the outcome
    lease_until   timestamptz,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    claimed_at    timestamptz,                    -- the last claim: counts towards the daily cap
    provider_id   text NOT NULL DEFAULT '',
    recipient     text NOT NULL DEFAULT '',       -- the address used, once sent (phone or email)
    created_at    timestamptz NOT NULL DEFAULT now(),
    sent_at       timestamptz
);

CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE state IN ('queued', 'held');
CREATE INDEX outbox_sending ON outbox (lease_until) WHERE state = 'sending';
CREATE INDEX outbox_member ON outbox (member_id, claimed_at);
CREATE INDEX outbox_announcement ON outbox (announcement_id) WHERE announcement_id IS NOT NULL;

-- What a member reads in the app: written by the worker in the transaction that marks the
-- inbox message sent, so it is there exactly once.
CREATE TABLE inbox (
    message_id    bigint PRIMARY KEY REFERENCES outbox (message_id),
    member_id     text NOT NULL,
    subject       text NOT NULL DEFAULT '',
    body          text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    read_at       timestamptz
);

CREATE INDEX inbox_member ON inbox (member_id, created_at DESC);

-- How far crm has read the switch's journal (through its ListTransactions API) for purchase
-- receipts: every transaction up to seq is done. One row.
CREATE TABLE receipt_cursor (
    only_row      boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    seq           bigint NOT NULL,
    updated_at    timestamptz NOT NULL DEFAULT now()
);
