-- Merchant users over their life (services/tasheem/merchant_users.py): an operator disables one
-- (its sign-ins refused), a user changes its own password.
ALTER TABLE merchant_users
    ADD COLUMN disabled_at         timestamptz,  -- NULL: may sign in
    ADD COLUMN password_changed_at timestamptz;  -- NULL: the password it was created with
