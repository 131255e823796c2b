-- Reserve ARGV[1] from an account's available balance, once per request.
-- KEYS[1] available balance, KEYS[2] this request's reservation marker (same hash tag).
-- ARGV[1] amount, ARGV[2] marker ttl seconds, ARGV[3] "all" (all or nothing) or "up_to".
-- Returns {status, value}: 1 reserved (value = new available, reserved amount in marker),
-- -1 insufficient (value = available), -2 already reserved by this request, -3 not loaded.
if redis.call('EXISTS', KEYS[2]) == 1 then
  return {-2, tonumber(redis.call('GET', KEYS[2]))}
end
local available = redis.call('GET', KEYS[1])
if not available then
  return {-3, 0}
end
available = tonumber(available)
local amount = tonumber(ARGV[1])
if available < amount then
  if ARGV[3] ~= 'up_to' then
    return {-1, available}
  end
  amount = math.max(available, 0)
end
local left = redis.call('DECRBY', KEYS[1], amount)
redis.call('SET', KEYS[2], amount, 'EX', tonumber(ARGV[2]))
return {1, left, amount}
