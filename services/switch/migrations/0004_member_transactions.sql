-- A member's transactions, newest first (ListTransactions member_id: crm's member view).
CREATE INDEX transactions_member ON transactions (member_id, seq) WHERE member_id <> '';
