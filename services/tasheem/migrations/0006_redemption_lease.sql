-- One finisher at a time per pending redemption: only the holder of an unexpired lease sends the
-- redemption's spend to the wallet and acts on its answer (services/tasheem/rewards.py, _finish),
-- so a refusal seen by one never undoes a redemption whose spend another got through.
ALTER TABLE redemptions ADD COLUMN lease_until timestamptz;
