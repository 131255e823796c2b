-- Give back what reserve.lua took for one transaction, once: only while its marker exists.
-- (Counters rebuilt from Postgres after a release never had it, so nothing is given back twice.)
-- KEYS[1] budget hash   KEYS[2] transaction marker   KEYS[3..] member period hashes (absent ones are skipped)
local reserved = redis.call('GET', KEYS[2])
if not reserved then
  return 0
end
local discount = tonumber(reserved)
redis.call('HINCRBY', KEYS[1], 'used', 0 - discount)  -- 0 - x, never "-0" (not an integer to Redis)
for i = 3, #KEYS do
  if redis.call('EXISTS', KEYS[i]) == 1 then
    redis.call('HINCRBY', KEYS[i], 'uses', -1)
    redis.call('HINCRBY', KEYS[i], 'amount', 0 - discount)
  end
end
redis.call('DEL', KEYS[2])
return 1
