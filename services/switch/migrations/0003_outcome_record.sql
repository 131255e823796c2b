-- One outcome record per transaction (services/switch/outcome.py): the journal keeps every field
-- Redis keeps, so either can answer a retransmission, a reversal or a refund the same way.
ALTER TABLE transactions
    ADD COLUMN credit_available bigint,
    ADD COLUMN points_available bigint,
    ADD COLUMN limit_key text NOT NULL DEFAULT '',
    ADD COLUMN fingerprint text NOT NULL DEFAULT '';
-- A card's daily-limit counter is seeded from here when Redis does not have it.
CREATE INDEX transactions_limit ON transactions (limit_key) WHERE limit_key <> '';

-- Compensations name the participants that left work to undo, instead of a flag for one of them.
ALTER TABLE compensations ADD COLUMN participants text[];
UPDATE compensations SET participants = CASE WHEN wallet_called THEN '{quote,payment}'::text[] ELSE '{quote}'::text[] END;
ALTER TABLE compensations ALTER COLUMN participants SET NOT NULL, DROP COLUMN wallet_called;
