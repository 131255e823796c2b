-- Surveys asked automatically after an approved purchase (read from the switch's journal), and
-- invitations announced through the outbox.
ALTER TABLE surveys ADD COLUMN after_purchase boolean NOT NULL DEFAULT false;
CREATE INDEX surveys_after_purchase ON surveys (created_at) WHERE after_purchase;

ALTER TABLE survey_requests DROP CONSTRAINT survey_requests_source_check;
ALTER TABLE survey_requests ADD CONSTRAINT survey_requests_source_check
    CHECK (source IN ('sent', 'check_in', 'purchase'));
