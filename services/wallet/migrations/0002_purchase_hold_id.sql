-- A pre-authorization reversed in part keeps a smaller hold: its pending transfer is voided
-- and a smaller one opened under a new id (transfers are never changed), so each purchase
-- names the pending transfer that holds it now.
ALTER TABLE purchases ADD COLUMN hold_id text NOT NULL DEFAULT '';
UPDATE purchases SET hold_id = transaction_id || ':hold' WHERE held;
CREATE INDEX purchases_open_hold ON purchases (hold_id) WHERE state = 'held';
