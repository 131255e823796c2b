-- Give back part of what reserve.lua took for one transaction, only while its marker exists:
-- the marker shrinks with it, so a full release later gives back just the rest.
-- KEYS[1] budget hash   KEYS[2] transaction marker   KEYS[3..] member period hashes (absent ones are skipped)
-- ARGV[1] amount to give back (Postgres decided it, exactly once)
local reserved = redis.call('GET', KEYS[2])
if not reserved then
  return 0
end
local amount = math.min(tonumber(ARGV[1]), tonumber(reserved))
redis.call('HINCRBY', KEYS[1], 'used', 0 - amount)
for i = 3, #KEYS do
  if redis.call('EXISTS', KEYS[i]) == 1 then
    redis.call('HINCRBY', KEYS[i], 'amount', 0 - amount)  -- the use stays: the purchase still stands
  end
end
redis.call('SET', KEYS[2], tonumber(reserved) - amount, 'KEEPTTL')
return 1
