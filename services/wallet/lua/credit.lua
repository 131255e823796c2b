-- Raise an account's available balance after the ledger committed a credit (or released a hold),
-- once per request. KEYS[1] available balance, KEYS[2] this request's credit marker.
-- ARGV[1] amount, ARGV[2] marker ttl seconds.
-- Returns {1, new available}, {0, available} when already applied, {-3, 0} when not loaded (the
-- ledger already holds the credit, so the next load includes it).
if redis.call('EXISTS', KEYS[2]) == 1 then
  return {0, tonumber(redis.call('GET', KEYS[1]) or '0')}
end
if redis.call('EXISTS', KEYS[1]) == 0 then
  return {-3, 0}
end
local left = redis.call('INCRBY', KEYS[1], tonumber(ARGV[1]))
redis.call('SET', KEYS[2], ARGV[1], 'EX', tonumber(ARGV[2]))
return {1, left}
