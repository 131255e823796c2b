-- Member care: every contact with a member (interactions) and the changes of its status, the
-- categories a member is interested in, and surveys with their requests and answers.
-- Free text is stored as given (never trimmed, normalized or escaped here).

CREATE TABLE interactions (
    interaction_id text PRIMARY KEY,
    member_id     text NOT NULL,
    channel       text NOT NULL CHECK (channel IN ('branch', 'call_centre', 'sms', 'portal', 'email')),
    kind          text NOT NULL CHECK (kind IN ('request', 'complaint', 'question', 'feedback', 'suggestion')),
    subject       text NOT NULL,
    body          text NOT NULL DEFAULT '',
    agent         text NOT NULL DEFAULT '',      -- who recorded it (a token's subject)
    link_kind     text NOT NULL DEFAULT '' CHECK (link_kind IN ('', 'transaction', 'card', 'event')),
    link_id       text NOT NULL DEFAULT '',
    status        text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'in_progress', 'resolved')),
    tier          text NOT NULL DEFAULT '',      -- the member's tier when it was recorded
    tier_rank     integer NOT NULL DEFAULT -1,   -- its rung on services/shared/tiers.py LADDER; -1 = none
    due_at        timestamptz NOT NULL,          -- created_at + the tier's response target
    breached_at   timestamptz,                   -- when the sweep first saw it open past due_at
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    resolved_at   timestamptz,
    CHECK ((link_kind = '') = (link_id = ''))
);

CREATE INDEX interactions_member ON interactions (member_id, created_at DESC);
-- The agents' work queue: highest tier first, then the oldest.
CREATE INDEX interactions_queue ON interactions (tier_rank DESC, created_at) WHERE status <> 'resolved';

CREATE TABLE interaction_status_changes (
    change_id      bigserial PRIMARY KEY,
    interaction_id text NOT NULL REFERENCES interactions (interaction_id),
    from_status    text NOT NULL,
    to_status      text NOT NULL,
    note           text NOT NULL DEFAULT '',
    actor          text NOT NULL DEFAULT '',
    changed_at     timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX interaction_status_changes_of ON interaction_status_changes (interaction_id, change_id);

-- Categories a member chose (or an operator recorded for it). Consents stay in cards.
CREATE TABLE member_interests (
    member_id   text NOT NULL,
    category    text NOT NULL,
    recorded_by text NOT NULL DEFAULT '',
    recorded_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (member_id, category)
);

CREATE INDEX member_interests_category ON member_interests (category, member_id);

CREATE TABLE surveys (
    survey_id   text PRIMARY KEY,
    title       text NOT NULL,
    -- Sent automatically to each member checked in at this event (empty = sent by hand only).
    after_event_id text NOT NULL DEFAULT '',
    created_by  text NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX surveys_after_event ON surveys (after_event_id) WHERE after_event_id <> '';

CREATE TABLE survey_questions (
    survey_id  text NOT NULL REFERENCES surveys (survey_id),
    position   integer NOT NULL CHECK (position >= 1),
    kind       text NOT NULL CHECK (kind IN ('scale', 'choice', 'text', 'nps')),
    prompt     text NOT NULL,
    scale_max  integer NOT NULL DEFAULT 0,       -- scale: answers 1..scale_max
    choices    text[] NOT NULL DEFAULT '{}',      -- choice: the options
    PRIMARY KEY (survey_id, position)
);

-- One row per member asked: pending until answered. Delivery (SMS, push) is not done here.
CREATE TABLE survey_requests (
    survey_id   text NOT NULL REFERENCES surveys (survey_id),
    member_id   text NOT NULL,
    source      text NOT NULL DEFAULT 'sent' CHECK (source IN ('sent', 'check_in')),
    created_at  timestamptz NOT NULL DEFAULT now(),
    answered_at timestamptz,
    PRIMARY KEY (survey_id, member_id)
);

CREATE INDEX survey_requests_member ON survey_requests (member_id) WHERE answered_at IS NULL;

CREATE TABLE survey_answers (
    survey_id  text NOT NULL,
    member_id  text NOT NULL,
    position   integer NOT NULL,
    score      integer,                           -- scale and nps
    choice     integer,                           -- choice: the option's index (0-based)
    body       text,                              -- text: as given
    PRIMARY KEY (survey_id, member_id, position),
    FOREIGN KEY (survey_id, member_id) REFERENCES survey_requests (survey_id, member_id),
    FOREIGN KEY (survey_id, position) REFERENCES survey_questions (survey_id, position)
);
