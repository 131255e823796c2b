-- Finish rebuilding an offer's counters: set the budget used and open the gate, unless
-- another rebuild already did. KEYS[1] budget hash   ARGV[1] budget used (from Postgres)
if redis.call('HGET', KEYS[1], 'loaded') == '1' then
  return 0
end
redis.call('HSET', KEYS[1], 'used', ARGV[1], 'loaded', '1')
return 1
