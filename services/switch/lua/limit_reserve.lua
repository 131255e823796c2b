-- Count a transaction against a card's daily limits, once per transaction.
-- KEYS[1] the card's usage hash for the day.
-- ARGV[1] transaction id, ARGV[2] amount, ARGV[3] daily amount limit (0 = none),
-- ARGV[4] daily count limit (0 = none), ARGV[5] ttl seconds;
-- ARGV[6] 'seed', then pairs of transaction id and amount: what the journal says counts already,
-- to seed a counter that is not in Redis. Without them a missing counter is answered -3.
-- Returns 1 counted (or already counted), -1 over the amount limit, -2 over the count limit,
-- -3 the counter must be seeded from the journal first.
local marker = 't:' .. ARGV[1]
if redis.call('EXISTS', KEYS[1]) == 0 then
  if ARGV[6] ~= 'seed' then
    return -3
  end
  local used_amount, used_count = 0, 0
  for i = 7, #ARGV, 2 do
    redis.call('HSET', KEYS[1], 't:' .. ARGV[i], ARGV[i + 1])
    used_amount = used_amount + tonumber(ARGV[i + 1])
    used_count = used_count + 1
  end
  redis.call('HSET', KEYS[1], 'amount', used_amount, 'count', used_count)
  redis.call('EXPIRE', KEYS[1], tonumber(ARGV[5]))
end
if redis.call('HEXISTS', KEYS[1], marker) == 1 then
  return 1
end
local amount = tonumber(ARGV[2])
local used_amount = tonumber(redis.call('HGET', KEYS[1], 'amount') or '0')
local used_count = tonumber(redis.call('HGET', KEYS[1], 'count') or '0')
if tonumber(ARGV[3]) > 0 and used_amount + amount > tonumber(ARGV[3]) then
  return -1
end
if tonumber(ARGV[4]) > 0 and used_count + 1 > tonumber(ARGV[4]) then
  return -2
end
redis.call('HINCRBY', KEYS[1], 'amount', amount)
redis.call('HINCRBY', KEYS[1], 'count', 1)
redis.call('HSET', KEYS[1], marker, amount)
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[5]))
return 1
