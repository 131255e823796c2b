-- Replace a read-model hash (card auth profile or terminal profile) unless Redis already
-- holds a newer version of it: writers race (write-through, fallback, rebuild) and the
-- highest Postgres row version must win.
-- KEYS[1] the hash; ARGV[1] the row version; ARGV[2..] field, value, field, value, ...
local current = redis.call('HGET', KEYS[1], 'version')
if current and tonumber(current) > tonumber(ARGV[1]) then
  return 0
end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'version', ARGV[1], unpack(ARGV, 2))
return 1
