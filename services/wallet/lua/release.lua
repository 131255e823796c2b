-- Give back a reservation whose ledger commit did not happen.
-- KEYS[1] available balance, KEYS[2] the reservation marker. Returns 1 released, 0 nothing to release.
local reserved = redis.call('GET', KEYS[2])
if not reserved then
  return 0
end
redis.call('DEL', KEYS[2])
if redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('INCRBY', KEYS[1], tonumber(reserved))
end
return 1
