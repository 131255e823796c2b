-- Changes made by people (operator or merchant tokens), written by every service's
-- auth interceptor (services/shared/audit.py). Append-only: a row is written before the
-- change runs (outcome PENDING) and completed once with its outcome; nothing else may
-- update or delete it.
CREATE TABLE events (
    event_id    text PRIMARY KEY,
    at          timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz,
    service     text NOT NULL,
    method      text NOT NULL,
    subject     text NOT NULL,
    role        text NOT NULL,
    merchant_id text NOT NULL DEFAULT '',
    outcome     text NOT NULL,
    request     jsonb NOT NULL,
    result      jsonb
);

CREATE INDEX events_at ON events (at);
CREATE INDEX events_subject_at ON events (subject, at);

CREATE FUNCTION events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.outcome = 'PENDING'
       AND (NEW.event_id, NEW.at, NEW.service, NEW.method, NEW.subject, NEW.role, NEW.merchant_id, NEW.request)
           IS NOT DISTINCT FROM
           (OLD.event_id, OLD.at, OLD.service, OLD.method, OLD.subject, OLD.role, OLD.merchant_id, OLD.request) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit.events is append-only';
END;
$$;

CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION events_append_only();
