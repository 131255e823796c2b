-- Give back what a declined or reversed transaction counted against a card's daily limits.
-- KEYS[1] the card's usage hash for the day; ARGV[1] transaction id.
-- Returns the amount given back (0 when the transaction was not counted).
local marker = 't:' .. ARGV[1]
local amount = redis.call('HGET', KEYS[1], marker)
if not amount then
  return 0
end
redis.call('HDEL', KEYS[1], marker)
redis.call('HINCRBY', KEYS[1], 'amount', -tonumber(amount))
redis.call('HINCRBY', KEYS[1], 'count', -1)
return tonumber(amount)
