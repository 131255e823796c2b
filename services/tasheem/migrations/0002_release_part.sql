-- A purchase undone in part gives back part of what its offers reserved: a reservation then
-- counts discount - released against the budget and the member's limits.
ALTER TABLE reservations ADD COLUMN released bigint NOT NULL DEFAULT 0;
ALTER TABLE reservations ADD CONSTRAINT released_within_discount CHECK (released BETWEEN 0 AND discount);
