-- The crm schema: club events, their invitations (RSVP, waitlist, charge, check-in),
-- notifications waiting for delivery, and points owed back to members.

CREATE TABLE events (
    event_id      text PRIMARY KEY,
    title         text NOT NULL,
    description   text NOT NULL DEFAULT '',
    venue         text NOT NULL,
    starts_at     timestamptz NOT NULL,
    ends_at       timestamptz NOT NULL,
    capacity      integer NOT NULL CHECK (capacity > 0),
    points_price  bigint NOT NULL DEFAULT 0 CHECK (points_price >= 0),
    rsvp_deadline timestamptz NOT NULL,
    state         text NOT NULL DEFAULT 'scheduled' CHECK (state IN ('scheduled', 'cancelled')),
    cancel_reason text NOT NULL DEFAULT '',
    -- Places taken, kept in step with the invitations under the event row's lock (docs/crm.md).
    accepted      integer NOT NULL DEFAULT 0 CHECK (accepted >= 0),
    created_by    text NOT NULL DEFAULT '',
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    CHECK (ends_at > starts_at),
    CHECK (rsvp_deadline <= starts_at),
    CHECK (accepted <= capacity)
);

CREATE INDEX events_starts_at ON events (starts_at);

CREATE TABLE invitations (
    serial        bigserial UNIQUE,              -- the ticket number inside check-in codes
    event_id      text NOT NULL REFERENCES events (event_id),
    member_id     text NOT NULL,
    state         text NOT NULL DEFAULT 'invited'
                  CHECK (state IN ('invited', 'accepted', 'waitlisted', 'declined', 'cancelled')),
    tier          text NOT NULL DEFAULT '',       -- at the time of the reply
    tier_rank     integer NOT NULL DEFAULT 0,     -- its rung on services/shared/tiers.py LADDER
    replied_at    timestamptz,
    spend_id      text,                           -- the wallet spend of the current place, if charged
    points_charged bigint NOT NULL DEFAULT 0,
    checked_in_at timestamptz,
    invited_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (event_id, member_id),
    CHECK (checked_in_at IS NULL OR state = 'accepted')
);

CREATE INDEX invitations_member ON invitations (member_id);
-- The waitlist in promotion order: highest tier first, then the earliest reply.
CREATE INDEX invitations_waitlist ON invitations (event_id, tier_rank DESC, replied_at, member_id)
    WHERE state = 'waitlisted';

-- Messages for members, recorded here; delivery (SMS, push) comes later and sets delivered_at.
CREATE TABLE notifications (
    notification_id bigserial PRIMARY KEY,
    member_id     text NOT NULL,
    event_id      text NOT NULL,
    kind          text NOT NULL,                  -- promoted, event_cancelled
    body          text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    delivered_at  timestamptz
);

CREATE INDEX notifications_undelivered ON notifications (created_at) WHERE delivered_at IS NULL;

-- Points owed back (a place given back, an event cancelled, a charge whose outcome was unknown):
-- written in the transaction that decides it, returned through the wallet's ReturnPoints (once
-- per spend) after the commit and by the sweep until the wallet confirms.
CREATE TABLE points_returns (
    spend_id      text PRIMARY KEY,
    member_id     text NOT NULL,
    event_id      text NOT NULL,
    reason        text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    returned_at   timestamptz
);

CREATE INDEX points_returns_owed ON points_returns (created_at) WHERE returned_at IS NULL;
