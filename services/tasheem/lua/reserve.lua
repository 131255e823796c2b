-- Reserve one offer's campaign budget and a member's period counters for one transaction,
-- all or nothing. Every key carries the offer's hash tag, so this runs on one Cluster slot.
-- KEYS[1] budget hash {used, loaded}   KEYS[2] transaction marker   KEYS[3..] member period hashes {uses, amount}
-- ARGV[1] discount   ARGV[2] budget (0 = none)   ARGV[3] marker ttl seconds
-- ARGV[4 + 3*(i-1) ..] for member key i: max uses (0 = none), max discount (0 = none), ttl seconds (0 = none)
-- Returns {1} reserved, {2, amount} already reserved under this transaction, {0, reason} refused,
-- {-1} counters not loaded (Redis lost them: rebuild from Postgres first).
if redis.call('HGET', KEYS[1], 'loaded') ~= '1' then
  return {-1}
end
local already = redis.call('GET', KEYS[2])
if already then
  return {2, tonumber(already)}
end
local discount = tonumber(ARGV[1])
local budget = tonumber(ARGV[2])
if budget > 0 and tonumber(redis.call('HGET', KEYS[1], 'used') or '0') + discount > budget then
  return {0, 'budget'}
end
for i = 3, #KEYS do
  local base = 4 + 3 * (i - 3)
  local max_uses, max_discount = tonumber(ARGV[base]), tonumber(ARGV[base + 1])
  local uses = tonumber(redis.call('HGET', KEYS[i], 'uses') or '0')
  local amount = tonumber(redis.call('HGET', KEYS[i], 'amount') or '0')
  if max_uses > 0 and uses + 1 > max_uses then
    return {0, 'member_uses'}
  end
  if max_discount > 0 and amount + discount > max_discount then
    return {0, 'member_discount'}
  end
end
redis.call('HINCRBY', KEYS[1], 'used', discount)
for i = 3, #KEYS do
  local ttl = tonumber(ARGV[4 + 3 * (i - 3) + 2])
  redis.call('HINCRBY', KEYS[i], 'uses', 1)
  redis.call('HINCRBY', KEYS[i], 'amount', discount)
  if ttl > 0 then
    redis.call('EXPIRE', KEYS[i], ttl)
  end
end
redis.call('SET', KEYS[2], discount, 'EX', tonumber(ARGV[3]))
return {1}
